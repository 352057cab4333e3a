"""Reads vCard 2.1/3.0/4.0 contact files into a SourceTable: one row per card."""

# Hand-written rather than vobject because real exports break vobject (2.1 quoted-printable soft line
# breaks, photos folded with odd whitespace, undeclared or windows-1252 8-bit bytes). Only the handful
# of properties a person record needs are decoded; photos and other blobs are skipped unread.

from __future__ import annotations

import binascii
import codecs
import re
import unicodedata
from dataclasses import dataclass, field

from msldesk.boards.intake.table import SourceTable
from msldesk.boards.records import RowError
from msldesk.core.errors import FileRefusedError

HEADERS: tuple[str, ...] = (
    "First Name",
    "Last Name",
    "Full Name",
    "Credentials",
    "Institution",
    "City",
    "State",
    "Country",
    "Email",
    "Phone",
    "Notes",
)

# One line break: CRLF, LF, CR, and the CR CR LF some iPhone exports write (one break, not two, or
# the blank line in between would cut every folded photo line off its property).
_LINE_BREAK = re.compile(rb"\r*\n|\r")
_PROPERTY_START = re.compile(rb"^(?:[A-Za-z0-9_-]+\.)?([A-Za-z0-9_-]+)[;:]")
# Properties a person record is built from; everything else (PHOTO, SOUND, KEY, X-*) is skipped.
_WANTED = frozenset({"N", "FN", "ORG", "TITLE", "ROLE", "EMAIL", "TEL", "ADR", "NOTE", "X-ABSHOWAS"})
_BARE_ENCODINGS = frozenset({"quoted-printable", "base64", "8bit", "b"})
_GENERATIONAL = frozenset({"jr", "sr", "i", "ii", "iii", "iv", "v"})
_NOT_A_PHONE = frozenset({"fax", "pager", "modem", "bbs", "textphone"})
# Tried, in this order of preference on a tie, for 8-bit bytes that declare no character set.
_EIGHT_BIT_CANDIDATES = ("cp1252", "iso-8859-2", "cp1250")
_VOWELS = frozenset("aeiouyáàâäãåæéèêëíìîïóòôöõøúùûüýăąęěőůű")
# The accented letters of the languages whose names these code pages carry: every word of a name is
# written in one of them, so a word mixing letters from two (Dvoøák, Èerný) was decoded wrongly.
_ALPHABETS = tuple(
    frozenset(letters)
    for letters in (
        "äöüß",  # German
        "àâæçéèêëîïôœùûüÿ",  # French
        "áéíñóúü",  # Spanish
        "áâãàçéêíóôõú",  # Portuguese
        "àèéìíîòóùú",  # Italian
        "áéëíïóöúü",  # Dutch
        "åäöæøéü",  # Danish, Norwegian, Swedish, Finnish
        "áðéíóúýþæö",  # Icelandic
        "ąćęłńóśźż",  # Polish
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "áéíóöőúüű",  # Hungarian
        "čćđšž",  # Croatian, Slovene, Bosnian
        "ăâîșțşţ",  # Romanian
        "çëé",  # Albanian
    )
)
_WORD = re.compile(r"[^\W\d_]+")


# ---- bytes -> lines (shared with the calendar reader: same line-oriented text family) -------------


def text_bytes(data: bytes) -> tuple[bytes, str]:
    """The content as 8-bit-clean bytes (UTF-16 converted to UTF-8, a UTF-8 BOM dropped) and a label
    for the container encoding ("" when the bytes are used as they are)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        return data[2:].decode(codec, "replace").encode("utf-8"), codec
    codec = _utf16_without_bom(data)
    if codec:
        return data.decode(codec, "replace").encode("utf-8"), codec
    return data, ""


def _utf16_without_bom(data: bytes) -> str:
    """UTF-16 without a BOM shows up as a NUL in every other byte: ASCII text is most of any contact
    or calendar file, and 8-bit encodings never contain NUL."""
    sample = data[:512]
    half = len(sample) // 2
    if half < 4:
        return ""
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    if even_nuls > 0.6 * half and odd_nuls < 0.1 * half:
        return "utf-16-be"
    if odd_nuls > 0.6 * half and even_nuls < 0.1 * half:
        return "utf-16-le"
    return ""


def physical_lines(data: bytes) -> list[bytes]:
    return _LINE_BREAK.split(data)


# ---- lines -> properties ----------------------------------------------------------------------------


@dataclass
class _Property:
    name: str  # upper case, without the group ("item1.EMAIL" -> "EMAIL")
    params: dict[str, list[str]]  # lower-case keys and values; 2.1 bare parameters are "type"
    parts: list[bytes] = field(default_factory=list)  # the value's bytes, unfolded

    @property
    def types(self) -> list[str]:
        return self.params.get("type", [])

    @property
    def encoding(self) -> str:
        values = self.params.get("encoding", [])
        return values[0] if values else ""

    @property
    def charset(self) -> str:
        values = self.params.get("charset", [])
        return values[0] if values else ""

    def raw_value(self) -> bytes:
        raw = b"".join(self.parts)
        if self.encoding in ("quoted-printable", "qp"):
            return binascii.a2b_qp(raw)
        return raw


def split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split on `separator` except inside double quotes (parameter values may quote ; : ,)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def header_end(line: str) -> int:
    """Index of the colon that ends a content line's name and parameters (-1 if there is none)."""
    quoted = False
    for index, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            return index
    return -1


def parse_params(items: list[str], lower_values: bool = True) -> dict[str, list[str]]:
    """NAME=value[,value] parameters (lower-case keys, quotes stripped); vCard 2.1's bare ones
    (EMAIL;INTERNET;PREF) are types, except the bare encodings."""
    params: dict[str, list[str]] = {}
    for item in items:
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep:
            bare = key.lower()
            key, value = ("encoding", bare) if bare in _BARE_ENCODINGS else ("type", bare)
        values = [v.strip().strip('"') for v in split_outside_quotes(value.strip(), ",")]
        if lower_values:
            values = [v.lower() for v in values]
        params.setdefault(key.strip().lower(), []).extend(v for v in values if v)
    return params


def _header(line: bytes) -> tuple[str, dict[str, list[str]], bytes] | None:
    match = _PROPERTY_START.match(line)
    if match is None:
        return None
    text = line.decode("latin-1")  # one char per byte, so indexes stay byte offsets
    colon = header_end(text)
    if colon < 0:
        return None
    name = match.group(1).decode("ascii").upper()
    params = parse_params(split_outside_quotes(text[:colon], ";")[1:])
    return name, params, line[colon + 1 :]


def _cards(lines: list[bytes]) -> list[list[_Property]]:
    """Top-level cards as lists of the wanted properties. Handles folding (a leading space or tab),
    2.1 quoted-printable soft breaks (a trailing "="), 2.1 base64 blocks ended by a blank line, and
    cards embedded in an AGENT property (skipped)."""
    cards: list[list[_Property]] = []
    current: list[_Property] | None = None
    depth = 0
    last: _Property | None = None  # the property later continuation lines belong to (None: skip)
    index, count = 0, len(lines)
    while index < count:
        line = lines[index]
        index += 1
        if line[:1] in (b" ", b"\t"):
            if last is not None:
                last.parts.append(line[1:])
            continue
        if not line.strip():
            continue
        parsed = _header(line)
        if parsed is None:
            # Not a content line: an unindented 2.1 base64 line, or a writer that put a raw line
            # break into a value. Keep it only for a property we read (as the line break it was).
            if last is not None and last.encoding not in ("base64", "b"):
                last.parts.append(b"\n" + line)
            continue
        name, params, value = parsed
        last = None
        prop = _Property(name, params, [value])
        if prop.encoding in ("quoted-printable", "qp"):  # soft breaks: join whatever the property
            while prop.parts[-1].endswith(b"=") and index < count:
                prop.parts[-1] = prop.parts[-1][:-1]
                prop.parts.append(lines[index])
                index += 1
        if name == "BEGIN" and value.strip().upper() == b"VCARD":
            depth += 1
            if depth == 1:
                current = []
                cards.append(current)
            continue
        if name == "END" and value.strip().upper() == b"VCARD":
            depth = max(0, depth - 1)
            if depth == 0:
                current = None
            continue
        if current is None or depth != 1 or name not in _WANTED:
            continue
        current.append(prop)
        last = prop
    return cards


# ---- bytes -> text ----------------------------------------------------------------------------------


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _codec(charset: str) -> str:
    """The Python text codec for a declared CHARSET, or "" for an unknown or non-text one."""
    if not charset:
        return ""
    try:
        info = codecs.lookup(charset)
    except LookupError:
        return ""
    return info.name if getattr(info, "_is_text_encoding", True) else ""


def plausibility(text: str) -> int:
    """How much `text` looks like names written in a Latin script, judged only on its non-ASCII
    characters: symbols touching a letter (£ód¼, Pawe³) and words mixing two languages' letters
    (Dvoøák) are what a wrong 8-bit code page produces, and two spelling rules tell the commonest
    confusions apart (Spanish ñ and French œ are always followed by a vowel, Polish ń never is)."""
    score = 0
    for word in _WORD.findall(text):
        accented = {ch for ch in word.lower() if ord(ch) > 127}
        if accented and not any(accented <= alphabet for alphabet in _ALPHABETS):
            score -= 2
    for index, ch in enumerate(text):
        if ord(ch) < 128:
            continue
        before = text[index - 1] if index else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        if unicodedata.category(ch).startswith("C"):
            score -= 5
        elif not ch.isalpha():
            score -= before.isalpha() + after.isalpha()
        elif (ch in "ñÑœŒ" and after.isalpha() and after.lower() not in _VOWELS) or (
            ch in "ńŃ" and after.lower() in _VOWELS
        ):
            score -= 2
    return score


def guess_eight_bit(samples: list[bytes]) -> str:
    """The likeliest single-byte code page for values that are neither ASCII nor UTF-8 and declare
    no usable character set. One guess per file: a file comes from one program on one computer."""
    best, best_score = _EIGHT_BIT_CANDIDATES[0], None
    for candidate in _EIGHT_BIT_CANDIDATES:
        try:
            score = sum(plausibility(sample.decode(candidate)) for sample in samples)
        except UnicodeDecodeError:
            continue  # cp1252 leaves five bytes undefined
        if best_score is None or score > best_score:
            best, best_score = candidate, score
    return best


@dataclass
class _Decoder:
    guess: str
    guessed: int = 0  # values read with the file-level guess
    damaged: int = 0  # values whose declared UTF-8 was invalid
    declared: set[str] = field(default_factory=set)  # declared 8-bit character sets actually used

    def text(self, prop: _Property) -> str:
        raw = prop.raw_value()
        if raw.isascii():
            return raw.decode("ascii")
        # UTF-8 first even when a charset is declared: valid multi-byte UTF-8 is almost never an
        # accident, and exporters that label UTF-8 bytes ISO-8859-1 exist.
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        codec = _codec(prop.charset)
        if codec == "utf-8":
            self.damaged += 1
            return raw.decode("utf-8", "replace")
        if codec:
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                pass
            else:
                self.declared.add(codec)
                return text
        self.guessed += 1
        return raw.decode(self.guess, "replace")


def _undeclared_eight_bit(cards: list[list[_Property]]) -> list[bytes]:
    samples = []
    for card in cards:
        for prop in card:
            raw = prop.raw_value()
            if not raw.isascii() and not _is_utf8(raw) and not _codec(prop.charset):
                samples.append(raw)
    return samples


# ---- values -----------------------------------------------------------------------------------------


def unescape(value: str) -> str:
    r"""Undo vCard/iCalendar text escapes: \n -> line break, \, \; \\ \: -> the character."""
    if "\\" not in value:
        return value
    out, index = [], 0
    while index < len(value):
        ch = value[index]
        if ch == "\\" and index + 1 < len(value):
            nxt = value[index + 1]
            out.append("\n" if nxt in "nN" else nxt)
            index += 2
            continue
        out.append(ch)
        index += 1
    return "".join(out)


def _components(value: str) -> list[str]:
    """Split a structured value (N, ADR, ORG) on unescaped semicolons, then unescape each part."""
    parts, current, index = [], [], 0
    while index < len(value):
        ch = value[index]
        if ch == "\\" and index + 1 < len(value):
            current.append(value[index : index + 2])
            index += 2
            continue
        if ch == ";":
            parts.append(unescape("".join(current)))
            current = []
        else:
            current.append(ch)
        index += 1
    parts.append(unescape("".join(current)))
    return parts


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _component(parts: list[str], index: int) -> str:
    return _one_line(parts[index]) if index < len(parts) else ""


def _pref_rank(prop: _Property) -> int:
    """Lower is preferred: TYPE=pref (3.0) and bare PREF (2.1) count as PREF=1 (4.0)."""
    if "pref" in prop.types:
        return 1
    for value in prop.params.get("pref", []):
        if value.isdigit():
            return int(value)
    return 101


def _credentials(suffix: str) -> str:
    """Name suffixes that are degrees (MD, PhD), not generations (Jr., III)."""
    tokens = [t.strip() for t in re.split(r",", suffix) if t.strip()]
    kept = [t for t in tokens if t.lower().rstrip(".") not in _GENERATIONAL]
    return ", ".join(kept)


@dataclass
class _Card:
    texts: dict[str, list[tuple[_Property, str]]]

    def first(self, name: str) -> str:
        values = self.texts.get(name, [])
        return values[0][1] if values else ""

    def all(self, name: str) -> list[tuple[_Property, str]]:
        return self.texts.get(name, [])


def _email(card: _Card) -> str:
    candidates = []
    for order, (prop, text) in enumerate(card.all("EMAIL")):
        value = _one_line(unescape(text))
        if value.lower().startswith("mailto:"):
            value = value[7:]
        if value:
            # An HCP directory wants the work address first, then the one the card prefers.
            work = 0 if "work" in prop.types else 1
            candidates.append((0 if "@" in value else 1, work, _pref_rank(prop), order, value))
    return min(candidates)[-1] if candidates else ""


def _phone(card: _Card) -> str:
    candidates = []
    for order, (prop, text) in enumerate(card.all("TEL")):
        value = _one_line(unescape(text))
        if value.lower().startswith("tel:"):
            value = value[4:]
        if not value:
            continue
        types = set(prop.types)
        if types & _NOT_A_PHONE:
            kind = 9
        elif "work" in types:
            kind = 0
        elif types & {"cell", "mobile", "iphone"}:
            kind = 1
        else:
            kind = 2
        candidates.append((kind, _pref_rank(prop), order, value))
    return min(candidates)[3] if candidates else ""


def _address(card: _Card) -> list[str]:
    candidates = []
    for order, (prop, text) in enumerate(card.all("ADR")):
        parts = _components(text)
        if any(p.strip() for p in parts):
            candidates.append((0 if "work" in prop.types else 1, _pref_rank(prop), order, parts))
    return min(candidates, key=lambda c: c[:3])[3] if candidates else []


def _row(card: _Card) -> tuple[str, ...] | None:
    """The card's cells, or None for a card that names an organization and no person."""
    name = _components(card.first("N"))
    family, given = _component(name, 0), _component(name, 1)
    full = _one_line(unescape(card.first("FN")))
    org = _components(card.first("ORG"))
    institution, department = _component(org, 0), _component(org, 1)
    # A company card (Apple's X-ABShowAs:COMPANY, Outlook/Google's FN = ORG, or just an ORG) shows
    # the organization as its name; a person in its structured name is someone at that organization.
    is_company = card.first("X-ABSHOWAS").strip().upper() == "COMPANY" or (
        bool(institution) and (not full or full.casefold() == institution.casefold())
    )
    first = last = whole = ""
    if is_company:
        if not (family or given):
            return None  # never "Apple Computer" + "AG" as a person's name
        first, last = given, family
    elif family and given:
        first, last = given, family
    elif full:
        whole = full
    else:
        first, last = given, family
    notes = []
    titles = [_one_line(unescape(text)) for _, text in card.all("TITLE")]
    if any(titles):
        notes.append("Title: " + "; ".join(t for t in titles if t))
    roles = [_one_line(unescape(text)) for _, text in card.all("ROLE")]
    if any(roles):  # a job function ("Counting Money"), not a role at an event
        notes.append("Function: " + "; ".join(r for r in roles if r))
    if department:
        notes.append("Department: " + department)
    notes.extend(unescape(text).strip() for _, text in card.all("NOTE") if text.strip())
    address = _address(card)
    return (
        first,
        last,
        whole,
        _credentials(_component(name, 4)),
        institution,
        _component(address, 3),
        _component(address, 4),
        _component(address, 6),
        _email(card),
        _phone(card),
        "\n".join(notes),
    )


def read_vcard(data: bytes) -> SourceTable:
    """One row per top-level card (row number = the card's position, 1-based); refuses a file with no
    BEGIN:VCARD. A card with neither name nor e-mail still gives a row, for the mapper to report; a
    card of an organization with no person in it is refused with that reason."""

    content, container = text_bytes(data)
    cards = _cards(physical_lines(content))
    if not cards:
        raise FileRefusedError(
            "This file is not a vCard contact file: it has no BEGIN:VCARD line.",
            f"{len(data)} bytes, container encoding {container or 'none detected'}",
        )
    decoder = _Decoder(guess_eight_bit(_undeclared_eight_bit(cards)))
    rows = []
    refused = []
    for number, props in enumerate(cards, start=1):
        texts: dict[str, list[tuple[_Property, str]]] = {}
        for prop in props:
            texts.setdefault(prop.name, []).append((prop, decoder.text(prop)))
        card = _Card(texts)
        cells = _row(card)
        if cells is None:
            org = _component(_components(card.first("ORG")), 0)
            refused.append(RowError(number, f"Row {number}: {org} is an organization, not a person"))
        else:
            rows.append((number, cells))
    warnings = []
    if decoder.guessed:
        warnings.append(
            f"{decoder.guessed} value(s) in this file use accented letters without saying which character "
            f"set; they were read as {decoder.guess}. Check the spelling of accented names."
        )
    if decoder.damaged:
        warnings.append(
            f"{decoder.damaged} value(s) marked as UTF-8 contain bytes that are not UTF-8; those "
            "characters were replaced with \N{REPLACEMENT CHARACTER}."
        )
    if container:
        encoding = container
    elif decoder.guessed:
        encoding = decoder.guess
    else:  # ASCII is UTF-8; a value that declared its own 8-bit character set names the file's
        encoding = min(decoder.declared) if decoder.declared else "utf-8"
    return SourceTable(
        kind="vcard",
        headers=HEADERS,
        rows=tuple(rows),
        encoding=encoding,
        warnings=tuple(warnings),
        refused=tuple(refused),
    )
