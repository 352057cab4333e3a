"""Match a people file's columns to person fields and turn its rows into checked ImportRows."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from msldesk.boards.intake.header_words import (
    HEADER_PREFIXES,
    HEADER_QUALIFIERS,
    HEADER_SYNONYMS,
    INVITATION_WORDS,
    NO_WORDS,
    ROLE_WORDS,
    YES_WORDS,
)
from msldesk.boards.intake.meeting_reports import current_zoom_name, header_key
from msldesk.boards.intake.name_words import (
    DEGREE_WORDS,
    DEGREES,
    DOCTOR,
    DR_SUBJECTS,
    GENERATIONS,
    GERMAN_DOCTORATES,
    PARTICLES,
    POLITE,
    RANKS,
    SURNAME_LIKE,
)
from msldesk.boards.people.npi import normalise_npi
from msldesk.boards.people.validation import email_problem, length_problems, npi_problem
from msldesk.boards.records import (
    PERSON_FIELD_NAMES,
    ImportRow,
    PersonFields,
    RowError,
)
from msldesk.core import text_safety
from msldesk.core.errors import InvalidInputError

if TYPE_CHECKING:
    from msldesk.boards.intake.table import SourceTable

TARGETS: tuple[str, ...] = (*PERSON_FIELD_NAMES, "full_name", "role", "invitation")

_HEADER_TARGETS: dict[str, str] = {key: target for target, keys in HEADER_SYNONYMS.items() for key in keys}
# Several columns may feed one field: these collect every distinct value, the rest take the first.
_COMBINED = frozenset({"credentials", "notes"})
# A value column whose header carries its type: "E-mail 2 - Type: Work", "Phone 1 - Label: Mobile".
_TYPED_VALUE_HEADER = re.compile(r"^(.*\d) (?:type|label) [a-z][a-z ]*$")


def target_for_header(header: str) -> str:
    """The person field a column header names, or '' when it names nothing we keep."""
    key = header_key(header)
    if not key:
        return ""
    candidates = [key]
    for prefix in HEADER_PREFIXES:
        if key.startswith(prefix):
            candidates.append(key[len(prefix) :])
    if typed := _TYPED_VALUE_HEADER.match(key):  # "E-mail 2 - Type: Work" holds an e-mail address
        candidates.append(typed.group(1))
    for candidate in list(candidates):
        words = [w for w in candidate.split() if not w.isdigit()]
        candidates.append(" ".join(words))
        candidates.append(" ".join(w for w in words if w not in HEADER_QUALIFIERS))
    for candidate in candidates:
        if candidate in _HEADER_TARGETS:
            return _HEADER_TARGETS[candidate]
    return ""


def suggest_mapping(headers: Sequence[str], kind: str = "") -> dict[str, str]:
    """header -> target ('' to ignore). Several headers may share a target: first non-empty wins."""
    # Meeting apps' roles map too: organizers are internal, presenters faculty, attendees advisors.
    return {header: target_for_header(header) for header in headers}


# ---- cleaning values -------------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """Trimmed, inner runs of spaces collapsed (line breaks in notes survive)."""
    if "\n" in value or "\r" in value:
        unified = value.replace("\r\n", "\n").replace("\r", "\n")
        lines = (" ".join(line.split()) for line in unified.split("\n"))
        return "\n".join(line for line in lines if line)
    return " ".join(value.split())


def unescape_formula(value: str) -> str:
    """Undo the apostrophe exports put before formula-like text (CSV injection): "'=SUM(A1)" -> "=SUM(A1)"."""
    if value[:1] == "'" and value[1:].startswith(text_safety.FORMULA_STARTS):
        return value[1:]
    return value


_EMAIL_IN_TEXT = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+")


def clean_email(value: str) -> str:
    """'MailTo:Jane@X.org' -> 'jane@x.org'; 'Jane <j@x.org>' -> 'j@x.org'; 'a@x ::: b@y' -> 'a@x'."""
    text = value.strip()
    if not text:
        return ""
    if "<" in text and ">" in text:
        inside = text[text.index("<") + 1 : text.rindex(">")]
        if "@" in inside:
            text = inside
    if text[:7].casefold() == "mailto:":
        text = text[7:]
    if " ::: " in text or ";" in text or "," in text or " " in text.strip():
        found = _EMAIL_IN_TEXT.search(text)
        text = found.group(0) if found else text
        if text[:7].casefold() == "mailto:":
            text = text[7:]
    return text.strip().lower()


def parse_consent(value: str) -> bool | None:
    """yes/no/true/false/1/0/y/n/x (a ticked box) -> True/False; blank or unclear -> None."""
    key = header_key(value)
    if key in YES_WORDS or value.strip() in ("✓", "✔", "☑"):
        return True
    if key in NO_WORDS:
        return False
    return None


_ROLES = {word: role for role, words in ROLE_WORDS.items() for word in words}
_INVITATIONS = {word: status for status, words in INVITATION_WORDS.items() for word in words}


def normalise_role(value: str) -> str:
    role = _ROLES.get(header_key(value))
    return role.value if role else ""


def normalise_invitation(value: str) -> str:
    status = _INVITATIONS.get(header_key(value))
    return status.value if status else ""


def normalise_tier(value: str) -> str:
    text = clean_text(value)
    match = re.fullmatch(r"(?i)(?:fmv\s*|kol\s*)?tier\s*[-:#]?\s*(\w+)", text)
    return match.group(1) if match else text


def normalise_specialty(value: str) -> str:
    """NUCC/Open Payments taxonomies are 'Grouping|Classification|Specialization': keep the most specific."""
    if "|" in value:
        parts = [clean_text(p) for p in value.split("|")]
        parts = [p for p in parts if p]
        return parts[-1] if parts else ""
    return clean_text(value)


# ---- names and credentials -----------------------------------------------------------------------

# Lower-case, dots removed -> how we write it.
_DEGREES: dict[str, str] = {k.replace(".", "").casefold(): k for k in DEGREES} | GERMAN_DOCTORATES


def _token_key(token: str) -> str:
    return token.replace(".", "").strip(",;").casefold()


def _is_credential(text: str) -> bool:
    """'MD', 'M.D.', 'PhD', 'Jr.', 'Dr. med.' -- a post-nominal, not part of a name."""
    key = _token_key(text).strip()
    if key in _DEGREES or key in GENERATIONS or header_key(text) in DEGREE_WORDS:
        return True
    words = key.split()
    return len(words) > 1 and all(w in _DEGREES or w in GENERATIONS for w in words)


def normalise_credentials(values: Sequence[str]) -> str:
    """Distinct credentials from several sources, e.g. ('Dr.', 'MD, PhD') -> 'MD, PhD'.

    Courtesy titles (Mr, Frau) and generational suffixes (Jr., III) are dropped; 'Dr.' is kept only
    when no degree is known; 'Prof.' is kept (a rank, not implied by a degree).
    """
    return _credentials(tuple(values)) if values else ""


@functools.lru_cache(maxsize=4096)  # a file repeats the same few degrees thousands of times
def _credentials(values: tuple[str, ...]) -> str:
    ranks: list[str] = []
    doctor = False
    degrees: list[str] = []
    for value in values:
        text = clean_text(value)
        if not text:
            continue
        spelled_out = DEGREE_WORDS.get(header_key(text))
        if spelled_out:
            degrees.append(spelled_out)
            continue
        for chunk in re.split(r"[,;/]", text):
            doctor = _read_credentials(chunk.strip(), ranks, degrees) or doctor
    if doctor and not degrees:
        ranks.append("Dr.")
    seen: set[str] = set()
    result = []
    for item in ranks + degrees:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            result.append(item)
    return ", ".join(result)


def _read_credentials(chunk: str, ranks: list[str], degrees: list[str]) -> bool:
    """Sort one comma-separated part of a credentials cell into `ranks` and `degrees`; True when it
    holds a plain "Dr." (kept only while no degree is known)."""
    key = _token_key(chunk)
    if key in _DEGREES:
        degrees.append(_DEGREES[key])
        return False
    if header_key(chunk) in DEGREE_WORDS:
        degrees.append(DEGREE_WORDS[header_key(chunk)])
        return False
    doctor = False
    rest = []
    words = chunk.split()
    i = 0
    while i < len(words):
        wkey = _token_key(words[i])
        i += 1
        if wkey in DOCTOR:
            subjects = []
            while i < len(words) and _token_key(words[i]) in DR_SUBJECTS:
                subjects.append(words[i])
                i += 1
            if subjects:  # "Dr. med.", "Dr. rer. nat.": a degree, not a courtesy title
                degrees.append("Dr. " + " ".join(subjects))
            else:
                doctor = True
        elif wkey in RANKS:
            ranks.append(RANKS[wkey])
        elif wkey in POLITE or wkey in GENERATIONS:
            continue
        elif wkey in _DEGREES:
            degrees.append(_DEGREES[wkey])
        else:
            rest.append(words[i - 1])
    if rest:  # something we do not know ("Facharzt"): keep it as written
        degrees.append(" ".join(rest))
    return doctor


def split_full_name(name: str) -> tuple[str, str, str]:
    """(first, last, credentials) from 'Dr. Jane Q. Doe, MD, PhD', 'Doe, Jane' or 'Jane Doe MD'.

    Brackets at the end ('(EXT)', Zoom's original name) are dropped; 'Dr.'/'Prof.' go to the
    credentials by the rule of normalise_credentials; particles stay with the last name ('Ludwig van
    Beethoven' -> 'Ludwig', 'van Beethoven').
    """
    text = clean_text(current_zoom_name(name)).replace("\n", " ")
    credentials: list[str] = []
    parts = [p.strip() for p in text.split(",")]
    while len(parts) > 1 and (_is_credential(parts[-1]) or not parts[-1]):
        credentials.insert(0, parts.pop())
    if len(parts) >= 2:  # "Last, First" (anything left after a comma that is not a credential)
        last, first = parts[0], " ".join(parts[1:])
        first_tokens = first.split()
        first_tokens = _take_prefixes(first_tokens, credentials)
        first_tokens = _take_suffixes(first_tokens, credentials)
        last_tokens = _take_prefixes(last.split(), credentials)
        return " ".join(first_tokens), " ".join(last_tokens), normalise_credentials(credentials)
    tokens = _take_prefixes(parts[0].split(), credentials)
    tokens = _take_suffixes(tokens, credentials)
    if not tokens:
        return "", "", normalise_credentials(credentials)
    if len(tokens) == 1:
        return tokens[0], "", normalise_credentials(credentials)
    start = len(tokens) - 1
    while start > 1 and _token_key(tokens[start - 1]) in PARTICLES:
        start -= 1
    return " ".join(tokens[:start]), " ".join(tokens[start:]), normalise_credentials(credentials)


# Registries that publish names and cities in capitals ("JOHN", "O'BRIEN", "VILLA RICA").
REGISTRY_KINDS = frozenset({"nppes-json", "open-payments"})
# Sources whose names in capitals are re-cased: the registries, and meeting reports (directory
# display names such as "JANSSENS JAN").
RECASED_KINDS = REGISTRY_KINDS | {"teams-report", "zoom-report"}
_ROMAN = re.compile(r"[IVX]+")
_LETTERS = re.compile(r"[^\W\d_]+")


def registry_case(text: str) -> str:
    """A name or city a registry wrote in capitals, as people write it: "JOHN" -> "John", "O'BRIEN-SMITH"
    -> "O'Brien-Smith", "MCDONALD" -> "McDonald", "VAN DER BERG" -> "Van der Berg". Text with any
    lower-case letter is someone's chosen spelling and is kept; a later "III" stays a numeral."""
    if not any(c.isupper() for c in text) or any(c.islower() for c in text):
        return text
    words = []
    for position, word in enumerate(text.split(" ")):
        if position and _ROMAN.fullmatch(word):
            words.append(word)
        elif position and word.casefold() in PARTICLES:
            words.append(word.lower())
        else:
            cased = _LETTERS.sub(lambda m: m.group(0).capitalize(), word)
            if cased.startswith("Mc") and len(cased) > 2:
                cased = "Mc" + cased[2].upper() + cased[3:]
            words.append(cased)
    return " ".join(words)


def _take_prefixes(tokens: list[str], credentials: list[str]) -> list[str]:
    tokens = list(tokens)
    prefixes: list[str] = []
    while len(tokens) > 1:
        key = _token_key(tokens[0])
        if key in DOCTOR or key in RANKS or key in POLITE:
            taken = [tokens.pop(0)]
            while key in DOCTOR and len(tokens) > 1 and _token_key(tokens[0]) in DR_SUBJECTS:
                taken.append(tokens.pop(0))
            prefixes.append(" ".join(taken))
        else:
            break
    credentials[:0] = prefixes
    return tokens


def _take_suffixes(tokens: list[str], credentials: list[str]) -> list[str]:
    """Trailing 'MD', 'PhD', 'Jr.' without a comma: only as the profession writes them ('PhD', not 'Phd')."""
    tokens = list(tokens)
    while len(tokens) > 1:
        word = tokens[-1].strip(",")
        key = _token_key(word)
        known = _DEGREES.get(key, "").replace(".", "") == word.replace(".", "") or key in GENERATIONS
        if not known or key in SURNAME_LIKE:
            break
        credentials.insert(0, tokens.pop())
    return tokens


# ---- rows ------------------------------------------------------------------------------------------

_SINGLE = (
    "first_name",
    "last_name",
    "full_name",
    "institution",
    "city",
    "state",
    "country",
    "email",
    "phone",
    "npi",
    "tier",
    "consent_to_contact",
    "role",
    "invitation",
    "specialty",
)


def map_rows(table: SourceTable, mapping: Mapping[str, str]) -> tuple[list[ImportRow], list[RowError]]:
    """Apply a header -> target mapping to every row: valid rows become ImportRows, the rest RowErrors.

    Strict about what identifies a person (a name, a well-formed email, an NPI with its check digit);
    lenient about the rest (an unrecognised role or RSVP is left blank, not an error).
    """
    unknown = sorted({t for t in mapping.values() if t not in TARGETS and t != ""})
    if unknown:
        raise InvalidInputError(f"Unknown person field(s) in the column mapping: {', '.join(unknown)}.")
    columns: dict[str, list[int]] = {}
    for index, header in enumerate(table.headers):
        target = mapping.get(header, "")
        if target:
            columns.setdefault(target, []).append(index)
    rows: list[ImportRow] = []
    errors: list[RowError] = list(table.refused)
    ranking = _ContactRanking(table.headers, columns)
    for number, raw_cells in table.rows:
        # Control characters and code points XML cannot hold would break every export later.
        cells = [text_safety.clean_text(c) for c in raw_cells]
        if not any(c.strip() for c in cells):
            continue  # a blank line is not a person
        values: dict[str, str] = {}
        for target in _SINGLE:
            for index in ranking.order(target, columns.get(target, ()), cells):
                if index < len(cells):
                    cell = unescape_formula(cells[index]).strip()
                    if target == "email":
                        cell = clean_email(cell)
                    if cell:
                        values[target] = cell
                        break
        combined = {
            target: [unescape_formula(cells[i]) for i in columns.get(target, ()) if i < len(cells)]
            for target in _COMBINED
        }
        row, problems = _build_row(number, values, combined, table.kind in RECASED_KINDS)
        if problems:
            errors.append(RowError(number, f"Row {number}: " + "; ".join(problems)))
        else:
            rows.append(row)
    errors.sort(key=lambda e: e.row)
    return rows, errors


# An HCP directory wants how to reach someone at work: work first, then mobile, then the rest;
# fax and pager numbers last (they are not a phone to call).
_CONTACT_TARGETS = frozenset({"email", "phone", "city", "state", "country"})
_WORK_WORDS = frozenset({"work", "business", "office", "company", "professional", "arbeit", "dienstlich"})
_MOBILE_WORDS = frozenset({"mobile", "cell", "iphone", "handy", "mobil"})
_NOT_TO_CALL = frozenset({"fax", "pager", "telex", "isdn", "ttytdd"})
_TYPE_HEADER = re.compile(r"^(.*\d) (?:type|label)$")  # Google's "E-mail 1 - Type", "Address 2 - Type"


def contact_rank(text: str) -> int:
    """0 work, 1 mobile, 2 anything else, 9 fax or pager; from a type ("* Work", "Work Fax") or a
    header ("Business Phone", "Email Home")."""
    words = set(header_key(text).split())
    if words & _NOT_TO_CALL:
        return 9
    if words & _WORK_WORDS:
        return 0
    return 1 if words & _MOBILE_WORDS else 2


class _ContactRanking:
    """The order in which several e-mail, phone or address columns are tried for one row."""

    def __init__(self, headers: Sequence[str], columns: Mapping[str, list[int]]) -> None:
        keys = [header_key(h) for h in headers]
        groups = {m.group(1): i for i, k in enumerate(keys) if (m := _TYPE_HEADER.match(k))}
        self.type_column: dict[int, int] = {}
        self.header_rank: dict[int, int] = {}
        for target in _CONTACT_TARGETS:
            for index in columns.get(target, ()):
                self.header_rank[index] = contact_rank(headers[index])
                group = next((g for g in groups if keys[index].startswith(g + " ")), None)
                if group is not None:
                    self.type_column[index] = groups[group]

    def order(self, target: str, indexes: Sequence[int], cells: Sequence[str]) -> Sequence[int]:
        if target not in _CONTACT_TARGETS or len(indexes) < 2:
            return indexes

        def rank(position_index: tuple[int, int]) -> tuple[int, int]:
            position, index = position_index
            type_index = self.type_column.get(index)
            if type_index is not None and type_index < len(cells) and cells[type_index].strip():
                return contact_rank(cells[type_index]), position
            return self.header_rank.get(index, 2), position

        return [index for _, index in sorted(enumerate(indexes), key=rank)]


def _build_row(
    number: int, values: dict[str, str], combined: dict[str, list[str]], registry: bool = False
) -> tuple[ImportRow, list[str]]:
    first = clean_text(values.get("first_name", ""))
    last = clean_text(values.get("last_name", ""))
    city = clean_text(values.get("city", ""))
    credential_sources = list(combined["credentials"])
    if not (first or last) and values.get("full_name"):
        first, last, from_name = split_full_name(values["full_name"])
        if from_name:
            credential_sources.append(from_name)
    if registry:
        first, last, city = registry_case(first), registry_case(last), registry_case(city)
    email = values.get("email", "")
    npi_raw = values.get("npi", "")
    problems = []
    if not (first or last) and (not email or email_problem(email)):
        # A well-formed e-mail alone is enough: the person is shown by it, marked "name missing".
        problems.append("missing name")
    for problem in (email_problem(email), npi_problem(npi_raw)):
        if problem:
            problems.append(problem)
    consent = parse_consent(values["consent_to_contact"]) if "consent_to_contact" in values else None
    notes = []
    for note in combined["notes"]:
        cleaned = clean_text(note)
        if cleaned and cleaned not in notes:
            notes.append(cleaned)
    person = PersonFields(
        first_name=first,
        last_name=last,
        credentials=normalise_credentials(credential_sources),
        specialty=normalise_specialty(values.get("specialty", "")),
        institution=clean_text(values.get("institution", "")),
        city=city,
        state=clean_text(values.get("state", "")),
        country=clean_text(values.get("country", "")),
        email=email,
        phone=clean_text(values.get("phone", "")),
        npi=normalise_npi(npi_raw) if npi_raw else "",
        tier=normalise_tier(values.get("tier", "")),
        notes="\n".join(notes),
        consent_to_contact=consent,
    )
    problems += length_problems(person)  # refused per row, in plain words
    row = ImportRow(
        row=number,
        person=person,
        role=normalise_role(values.get("role", "")),
        invitation=normalise_invitation(values.get("invitation", "")),
    )
    return row, problems
