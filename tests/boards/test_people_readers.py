"""Every vCard, NPPES JSON and iCalendar file of the people corpus is read or refused with a reason,
and what is read agrees with facts taken from the raw bytes by simple independent means (regexes,
json, the quopri module, the icalendar library where it can parse the file)."""

from __future__ import annotations

import hashlib
import json
import quopri
import re
from pathlib import Path

import pytest

from msldesk.boards.intake.ics_people import read_calendar_people
from msldesk.boards.intake.nppes import read_nppes_json
from msldesk.boards.intake.vcard import read_vcard
from msldesk.core.errors import FileRefusedError
from tests.conftest import CORPUS_DIR

pytestmark = pytest.mark.corpus

PEOPLE = CORPUS_DIR / "people"
READERS = {"vcard": read_vcard, "npi": read_nppes_json, "ics": read_calendar_people}
TABLE_KIND = {"vcard": "vcard", "npi": "nppes-json", "ics": "ics"}


def _manifest() -> list[dict[str, str]]:
    path = PEOPLE / "MANIFEST.tsv"
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:] if line.strip()]


MANIFEST = [row for row in _manifest() if row["kind"] in READERS]
ALL_FILES = [(row["kind"], row["file"]) for row in MANIFEST] or [
    pytest.param("", "", marks=pytest.mark.skip("no people corpus"))
]


def files(kind: str) -> list:
    names = [row["file"] for row in MANIFEST if row["kind"] == kind]
    return names or [pytest.param("", marks=pytest.mark.skip("no people corpus"))]


@pytest.fixture(scope="module")
def people_dir(corpus_dir: Path) -> Path:
    if not (corpus_dir / "people" / "MANIFEST.tsv").is_file():
        pytest.skip(f"no people corpus at {corpus_dir / 'people'}")
    return corpus_dir / "people"


def read(kind: str, name: str):
    """(table, None) or (None, refusal)."""
    try:
        return READERS[kind]((PEOPLE / name).read_bytes()), None
    except FileRefusedError as refused:
        return None, refused


def column(table, header: str) -> list[str]:
    index = table.headers.index(header)
    return [cells[index] for _, cells in table.rows]


# ---- every file ---------------------------------------------------------------------------------------


def test_corpus_files_are_the_ones_described(people_dir: Path) -> None:
    """The facts below are about these exact bytes (MANIFEST.tsv's SHA-256); all three kinds exist."""
    assert {row["kind"] for row in MANIFEST} == set(READERS)
    changed = [
        row["file"]
        for row in MANIFEST
        if hashlib.sha256((people_dir / row["file"]).read_bytes()).hexdigest() != row["sha256"]
    ]
    assert changed == []


@pytest.mark.parametrize(
    ("kind", "name"),
    ALL_FILES,
)
def test_each_file_is_read_or_refused_with_a_reason(people_dir: Path, kind: str, name: str) -> None:
    table, refused = read(kind, name)
    if refused is not None:
        assert refused.user_message.strip()
        assert refused.user_message[0].isupper()
        assert refused.user_message.rstrip().endswith(".")
        return
    assert table.kind == TABLE_KIND[kind]
    assert table.rows or table.refused  # a file of company cards only: each refused with its reason
    assert all("an organization, not a person" in e.message for e in table.refused)
    for number, cells in table.rows:
        assert number >= 1
        assert len(cells) == len(table.headers)
        assert all(isinstance(c, str) and c == c.strip() for c in cells)
        # no base64 photo, no undecoded quoted-printable, no stray NUL from a UTF-16 mix-up
        for cell in cells:
            assert not re.search(r"[A-Za-z0-9+/]{60,}", cell), cell[:80]
            assert not re.search(r"=[0-9A-F]{2}=[0-9A-F]{2}", cell), cell[:80]
            assert "\x00" not in cell


@pytest.mark.parametrize(
    ("kind", "name"),
    ALL_FILES,
)
def test_read_source_sends_each_file_to_its_reader(people_dir: Path, kind: str, name: str) -> None:
    from msldesk.boards.intake.sources import read_source

    _table, refused = read(kind, name)
    if refused is not None:
        with pytest.raises(FileRefusedError):
            read_source(people_dir / name)
    else:
        assert read_source(people_dir / name).kind == TABLE_KIND[kind]


# ---- vCard ----------------------------------------------------------------------------------------------


def vcard_text(raw: bytes) -> str:
    """Independent decoding: NULs mean UTF-16 (which half of each pair holds them says the order)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    if b"\x00" in raw[:200]:
        return raw.decode("utf-16-be" if raw[0] == 0 else "utf-16-le")
    return raw.decode("latin-1")


def card_blocks(text: str) -> list[str]:
    return re.findall(r"(?ims)^BEGIN:VCARD\s*$(.*?)^END:VCARD\s*$", text)


@pytest.mark.parametrize("name", files("vcard"))
def test_vcard_one_row_per_card(people_dir: Path, name: str) -> None:
    raw = (people_dir / name).read_bytes()
    text = vcard_text(raw)
    table = read_vcard(raw)
    numbers = sorted([n for n, _ in table.rows] + [e.row for e in table.refused])
    assert numbers == list(range(1, len(re.findall(r"(?im)^BEGIN:VCARD\s*$", text)) + 1))


@pytest.mark.parametrize("name", files("vcard"))
def test_vcard_plain_names_and_emails_match_the_raw_lines(people_dir: Path, name: str) -> None:
    """Cards whose N line is plain text (not encoded, not 8-bit): names equal its first two parts; the
    e-mail is one of the card's EMAIL values, and present whenever the card has one with an @."""
    raw = (people_dir / name).read_bytes()
    table = read_vcard(raw)
    blocks = card_blocks(vcard_text(raw))
    refused = {e.row for e in table.refused}  # organizations: no person to compare
    assert len(blocks) == len(table.rows) + len(refused)
    blocks = [block for number, block in enumerate(blocks, start=1) if number not in refused]
    firsts, lasts, emails = column(table, "First Name"), column(table, "Last Name"), column(table, "Email")
    for index, block in enumerate(blocks):
        unfolded = re.sub(r"\r?\n[ \t]", "", block.replace("\r\r\n", "\n"))
        plain = re.search(r"(?m)^N:([^;\r\n]*);([^;\r\n]*)", unfolded)
        if plain and plain.group(1) and plain.group(2) and plain.group(0).isascii():
            assert (lasts[index], firsts[index]) == (
                plain.group(1).replace("\\,", ","),
                plain.group(2).replace("\\,", ","),
            )
        addresses = re.findall(r"(?im)^(?:[\w-]+\.)?EMAIL[;:][^\r\n]*?:([^:\s]+@[^\s]+)\s*$", unfolded)
        if addresses:
            assert emails[index] in addresses
        else:
            assert "@" not in emails[index]


def test_vcard_declared_windows_1252_is_decoded_with_it(people_dir: Path) -> None:
    """Every N line that declares CHARSET=windows-1252 over raw 8-bit bytes (roundcube's "Doë")."""
    checked = 0
    for name in [row["file"] for row in MANIFEST if row["kind"] == "vcard"]:
        raw = (people_dir / name).read_bytes()
        declared = re.findall(rb"(?im)^N;CHARSET=windows-1252:([^;\r\n]*);([^;\r\n]*)", raw)
        if not declared:
            continue
        table = read_vcard(raw)
        for family, given in declared:
            assert not family.isascii()  # the point of the check: real 8-bit bytes
            assert (family.decode("cp1252"), given.decode("cp1252")) in zip(
                column(table, "Last Name"), column(table, "First Name"), strict=True
            )
            checked += 1
    assert checked >= 1


def test_vcard_undeclared_quoted_printable_8bit_reads_as_central_european(people_dir: Path) -> None:
    """The Bat! writes QP bytes with no CHARSET; the corpus README identifies =F1 as ISO-8859-2 "ń"."""
    checked = 0
    for name in [row["file"] for row in MANIFEST if row["kind"] == "vcard"]:
        raw = (people_dir / name).read_bytes()
        for family, given in re.findall(rb"(?im)^N;ENCODING=QUOTED-PRINTABLE:([^;\r\n]*);([^;\r\n]*)", raw):
            decoded = quopri.decodestring(family)
            if decoded.isascii():
                continue
            table = read_vcard(raw)
            expected = (decoded.decode("iso-8859-2"), quopri.decodestring(given).decode("iso-8859-2"))
            assert expected in zip(column(table, "Last Name"), column(table, "First Name"), strict=True)
            assert "ń" in expected[0]
            checked += 1
    assert checked >= 1


def test_vcard_utf16_without_bom_names_are_accented(people_dir: Path) -> None:
    checked = 0
    for name in [row["file"] for row in MANIFEST if row["kind"] == "vcard"]:
        raw = (people_dir / name).read_bytes()
        if b"\x00" not in raw[:200] or raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            continue
        text = vcard_text(raw)
        expected = re.findall(r"(?m)^N:([^;\r\n]*);([^;\r\n]*)", text)
        table = read_vcard(raw)
        got = list(zip(column(table, "Last Name"), column(table, "First Name"), strict=True))
        assert got == expected
        assert any(not part.isascii() for pair in got for part in pair)
        adr = r"(?m)^(?:\w+\.)?ADR[^:\r\n]*:[^;]*;[^;]*;[^;]*;([^;]*);([^;]*);[^;]*;([^\r\n]*)"
        city = re.search(adr, text)
        if city:
            assert (column(table, "City")[0], column(table, "State")[0], column(table, "Country")[0]) == (
                city.groups()
            )
        checked += 1
    assert checked >= 1


def qp_values(block: str) -> tuple[dict[str, str], int]:
    """N and FN of one card, quoted-printable ones decoded by quopri after joining the lines that end
    in a soft break ("="); also how many soft breaks were joined."""
    lines = re.split(r"\r?\n", block)
    values, joined = {}, 0
    for position, line in enumerate(lines):
        match = re.match(r"(?i)(N|FN)([;:].*)", line)
        if not match:
            continue
        params, _, value = match.group(2).partition(":")
        if "QUOTED-PRINTABLE" in params.upper():
            follow = position + 1
            while value.endswith("=") and follow < len(lines):
                value = value[:-1] + lines[follow]
                follow += 1
                joined += 1
            value = quopri.decodestring(value.encode("latin-1")).decode("utf-8", "replace")
        values.setdefault(match.group(1).upper(), value)
    return values, joined


def test_vcard_quoted_printable_soft_breaks_are_joined(people_dir: Path) -> None:
    """Names continued with a trailing "=" (Android/Outlook 2.1) come out whole: First/Last from N when
    it has both parts, else the FN."""
    joined_total = 0
    for name in [row["file"] for row in MANIFEST if row["kind"] == "vcard"]:
        raw = (people_dir / name).read_bytes()
        if b"QUOTED-PRINTABLE" not in raw.upper() or not raw.isascii():
            continue
        table = read_vcard(raw)
        for index, block in enumerate(card_blocks(raw.decode("ascii"))):
            values, joined = qp_values(block)
            if not joined:
                continue
            joined_total += joined
            row = dict(zip(table.headers, table.rows[index][1], strict=True))
            parts = [" ".join(p.split()) for p in values.get("N", "").split(";")] + ["", ""]
            if parts[0] and parts[1]:
                assert (row["Last Name"], row["First Name"]) == (parts[0], parts[1])
            else:
                assert row["Full Name"] == " ".join(values["FN"].split())
    assert joined_total >= 2


# ---- NPPES ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", files("npi"))
def test_nppes_rows_match_the_json(people_dir: Path, name: str) -> None:
    payload = json.loads((people_dir / name).read_bytes())
    table, refused = read("npi", name)
    results = payload.get("results") if isinstance(payload, dict) else None
    if "Errors" in payload:
        assert refused is not None
        for error in payload["Errors"]:
            assert error["description"] in refused.user_message
        return
    if not results:
        assert refused is not None
        assert "contains no providers" in refused.user_message
        return
    assert refused is None
    individuals = {str(r["number"]): r for r in results if r["enumeration_type"] == "NPI-1"}
    organisations = [r for r in results if r["enumeration_type"] == "NPI-2"]
    rows = [dict(zip(table.headers, cells, strict=True)) for _, cells in table.rows]
    npis = [row["NPI"] for row in rows if row["NPI"]]
    assert sorted(npis) == sorted(individuals)
    for row in rows:
        if row["NPI"]:
            basic = individuals[row["NPI"]]["basic"]
            assert (row["First Name"], row["Last Name"]) == (basic["first_name"], basic["last_name"])
            assert row["Credentials"] == (basic.get("credential") or "").strip()
    with_official = [o for o in organisations if o["basic"].get("authorized_official_last_name")]
    official_rows = [row for row in rows if not row["NPI"]]
    assert len(official_rows) == len(with_official)
    assert sorted(row["Institution"] for row in official_rows) == sorted(
        o["basic"]["organization_name"] for o in with_official
    )
    assert [n for n, _ in table.rows] == sorted(n for n, _ in table.rows)
    if organisations:
        assert any("NPI-2" in w for w in table.warnings)
    if payload.get("result_count", len(results)) > len(results):
        assert any(str(payload["result_count"]) in w for w in table.warnings)


# ---- iCalendar --------------------------------------------------------------------------------------


def calendar_addresses(raw: bytes) -> tuple[set[str], list[tuple[str, str]]]:
    """Distinct people addresses on ATTENDEE/ORGANIZER lines, by regex over unfolded text: the value
    after the last "mailto:" (the property value comes after any quoted DELEGATED-FROM="mailto:...")
    minus rooms/resources/groups and Google's group-calendar addresses. Also (line, address) pairs."""
    text = raw.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf")
    unfolded = re.sub(r"(\r\n|\n|\r)[ \t]", "", text)
    found: set[str] = set()
    pairs = []
    for line in re.split(r"\r\n|\n|\r", unfolded):
        if not re.match(r"(?i)(ATTENDEE|ORGANIZER)[;:]", line):
            continue
        at = line.lower().rfind("mailto:")
        if at < 0:
            continue
        address = "".join(line[at + 7 :].split()).lower()
        if re.search(r"(?i)CUTYPE=(ROOM|RESOURCE|GROUP)", line) or address.endswith("calendar.google.com"):
            continue
        found.add(address)
        pairs.append((line, address))
    return found, pairs


@pytest.mark.parametrize("name", files("ics"))
def test_ics_people_are_the_distinct_mailto_addresses(people_dir: Path, name: str) -> None:
    raw = (people_dir / name).read_bytes()
    expected, _ = calendar_addresses(raw)
    table, refused = read("ics", name)
    if not expected:
        assert refused is not None
        assert "lists no attendees or organiser" in refused.user_message
        return
    assert refused is None
    emails = [e.lower() for e in column(table, "Email")]
    assert len(emails) == len(set(emails))
    assert set(emails) == expected
    # each row number is the physical line where that person's ATTENDEE/ORGANIZER property starts
    physical = re.split(r"\r\n|\n|\r", raw.decode("latin-1"))
    for number, _ in table.rows:
        assert re.match(r"(?i)(ATTENDEE|ORGANIZER)[;:]", physical[number - 1].lstrip("\ufeff\xef\xbb\xbf"))


def icalendar_people(raw: bytes) -> dict[str, list[tuple[str, str]]] | None:
    """email -> [(CN, PARTSTAT)] for every ATTENDEE outside alarms, by the icalendar library; None
    where it cannot parse the file."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(raw)
    except Exception:  # noqa: BLE001 - any failure only means "no reference for this file"
        return None
    found: dict[str, list[tuple[str, str]]] = {}
    for component in calendar.walk():
        if component.name == "VALARM":
            continue
        attendees = component.get("ATTENDEE") or []
        for attendee in attendees if isinstance(attendees, list) else [attendees]:
            address = "".join(str(attendee).split())
            if not address.lower().startswith("mailto:"):
                continue
            params = attendee.params
            found.setdefault(address[7:].lower(), []).append(
                (str(params.get("CN", "")), str(params.get("PARTSTAT", "NEEDS-ACTION")).upper())
            )
    return found


@pytest.mark.parametrize("name", files("ics"))
def test_ics_names_and_replies_agree_with_icalendar(people_dir: Path, name: str) -> None:
    raw = (people_dir / name).read_bytes()
    reference = icalendar_people(raw)
    table, refused = read("ics", name)
    if reference is None or refused is not None:
        pytest.skip("icalendar cannot parse this file, or it lists nobody")
    replies = {
        "ACCEPTED": "accepted",
        "DECLINED": "declined",
        "TENTATIVE": "tentative",
        "DELEGATED": "declined",
    }
    for full_name, email, _role, invitation in (cells for _, cells in table.rows):
        seen = reference.get(email.lower())
        if not seen:
            continue  # organiser only
        names = [cn for cn, _ in seen if cn]
        if full_name:
            assert any(full_name.casefold() in cn.casefold() for cn in names)
            # "Eigenmann, Martin" stays as written: turning it round is the mapper's job
            if any(re.match(r"^[^<(]*, ", cn) for cn in names):
                assert ", " in full_name
        said = {replies[p] for _, p in seen if p in replies}
        if said:
            assert invitation in said
        else:
            assert invitation == "invited"


def test_ics_corpus_has_both_outcomes(people_dir: Path) -> None:
    """Guards the tests above against passing vacuously."""
    outcomes = [read("ics", row["file"])[1] is None for row in MANIFEST if row["kind"] == "ics"]
    assert any(outcomes)
    assert not all(outcomes)
