"""People files from the shared corpus and hand-made ones read into the right tables and map to people.

Expected counts come from the stdlib csv module after decoding with the encoding the corpus
MANIFEST states, never from our own reader."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from msldesk.boards.intake import sources
from msldesk.boards.intake.mapping import RECASED_KINDS, map_rows, suggest_mapping
from msldesk.boards.intake.sources import SourceTable, read_source, read_source_bytes
from msldesk.boards.people.npi import is_valid_npi, normalise_npi
from msldesk.core.errors import CancelledError, FileRefusedError
from msldesk.core.progress import CancelToken
from tests.conftest import CORPUS_DIR

PEOPLE_DIR = CORPUS_DIR / "people"
TABLE_KINDS = ("contacts-csv", "registrants", "teams-attendance", "zoom-report", "open-payments")
# MANIFEST wording -> (Python codec that decodes the bytes, the label the reader should report)
ENCODINGS = {
    "ASCII": ("utf-8", "utf-8"),
    "UTF-8": ("utf-8", "utf-8"),
    "UTF-8 with BOM": ("utf-8-sig", "utf-8-sig"),
    "UTF-16LE with BOM": ("utf-16", "utf-16-le"),
    "UTF-16BE with BOM": ("utf-16", "utf-16-be"),
    "UTF-16BE (no BOM)": ("utf-16-be", "utf-16-be"),
    "8-bit non-UTF-8 (windows-1252/latin-1 family)": ("cp1252", "cp1252"),
}
EXPECTED_KIND = {
    "teams-attendance": "teams-report",
    "zoom-report": "zoom-report",
    "open-payments": "open-payments",
}


def _manifest() -> list[dict[str, str]]:
    path = PEOPLE_DIR / "MANIFEST.tsv"
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"), strict=False)) for line in lines[1:] if line.strip()]


ENTRIES = [e for e in _manifest() if e["kind"] in TABLE_KINDS]


@pytest.fixture(scope="module")
def people_dir() -> Path:
    if not (PEOPLE_DIR / "MANIFEST.tsv").is_file():
        pytest.skip(f"the people corpus is not available at {PEOPLE_DIR}")
    return PEOPLE_DIR


# ---- an independent reading of a corpus file ------------------------------------------------------------


def _reference_delimiter(text: str, notes: str) -> str:
    """What the MANIFEST notes say, else the candidate character that occurs most often."""
    said = {"semicolon": ";", "tab-separated": "\t", "comma-separated": ","}
    for word, delimiter in said.items():
        if word in notes:
            return delimiter
    counts = {d: text.count(d) for d in ",;\t|"}
    return max(counts, key=lambda d: counts[d])


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return list(enumerate(reader, start=1))


def _blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def _reference_table(
    entry: dict[str, str], data: bytes
) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """(delimiter, header cells, data rows) of the people table in a corpus file."""
    codec, _ = ENCODINGS[entry["encoding"]]
    text = data.decode(codec)
    delimiter = _reference_delimiter(text, entry["notes"])
    records = _records(text, delimiter)
    if entry["kind"] == "teams-attendance":
        # The table under the "Participants" section title, up to the blank line ending the section.
        title = next(i for i, (_, r) in enumerate(records) if len(r) == 1 and "participants" in r[0].lower())
        header = title + 1
        end = next((i for i in range(header + 1, len(records)) if _blank(records[i][1])), len(records))
    else:
        nonblank = [i for i, (_, r) in enumerate(records) if not _blank(r)]
        header = nonblank[0]
        if entry["kind"] == "zoom-report":  # a meeting block may come before the participant header
            header = next(i for i in nonblank if any(c.lower().startswith("name") for c in records[i][1]))
        end = len(records)
    body = [(n, r) for n, r in records[header + 1 : end] if not _blank(r)]
    return delimiter, records[header][1], body


def _columns(header: list[str], pattern: str, exclude: str = "^$") -> list[int]:
    return [
        i for i, h in enumerate(header) if re.search(pattern, h, re.I) and not re.search(exclude, h, re.I)
    ]


def _work_first(header: list[str], cells: list[str], columns: list[int]) -> str:
    """The address an HCP directory wants: one typed or headed as work ("E-mail 2 - Type" = Work,
    "Email Work"), else the first one."""

    def work(i: int) -> bool:
        typed = header[i].replace("Value", "Type")
        kind = cells[header.index(typed)] if typed != header[i] and typed in header else header[i]
        return bool(re.search(r"work|business", kind, re.I))

    with_at = [i for i in columns if i < len(cells) and "@" in cells[i]]
    chosen = [i for i in with_at if work(i)] or with_at
    return cells[chosen[0]].strip() if chosen else ""


def _first(cells: list[str], columns: list[int], must: str = "") -> str:
    for i in columns:
        if i < len(cells) and cells[i].strip() and must in cells[i]:
            return cells[i].strip()
    return ""


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_corpus_table_reads_and_maps(people_dir: Path, entry: dict[str, str]) -> None:
    data = (people_dir / entry["file"]).read_bytes()
    table = read_source(people_dir / entry["file"])
    delimiter, header, body = _reference_table(entry, data)

    assert table.encoding == ENCODINGS[entry["encoding"]][1]
    assert table.delimiter == delimiter
    assert table.kind == EXPECTED_KIND.get(entry["kind"], "csv")
    assert [n for n, _ in table.rows] == [n for n, _ in body]
    assert table.headers[: len([h for h in header if h.strip()])] == tuple(h for h in header if h.strip())

    rows, errors = map_rows(table, suggest_mapping(table.headers, table.kind))
    assert len(rows) + len(errors) == len(body)
    mapped = {r.row: r.person for r in rows}
    failed = {e.row: e.message for e in errors}
    recased = table.kind in RECASED_KINDS

    emails = _columns(header, r"e-?mail", r"type|display")
    firsts = _columns(header, r"first.?name|^first$|given name|vorname")
    lasts = _columns(header, r"last.?name|^last$|family name|nachname|surname")
    names = _columns(header, r"^(full )?name\b")
    npis = _columns(header, r"npi")
    for number, cells in body:
        email = _work_first(header, cells, emails).lower()
        npi = normalise_npi(_first(cells, npis))
        has_name = bool(_first(cells, firsts + lasts + names))
        if npi and not is_valid_npi(npi):
            assert f"NPI {npi} fails its check digit" in failed[number]
            continue
        if not has_name and not email:
            assert "missing name" in failed[number]
            continue
        person = mapped[number]
        assert person.email == email
        if not has_name:  # only an e-mail address: imported under it, marked "name missing"
            assert person.name_missing
            continue
        same = (lambda a, b: a.casefold() == b.casefold()) if recased else (lambda a, b: a == b)
        if firsts and _first(cells, firsts):
            # Registries and meeting reports write names in capitals; the import re-cases them.
            assert same(person.first_name, " ".join(_first(cells, firsts).split()))
            assert same(person.last_name, " ".join(_first(cells, lasts).split()))
        elif names:
            # Built from the one name cell: every part comes from it, in whatever order it was written.
            raw = {w.casefold() if recased else w for w in re.findall(r"[^\s,()]+", _first(cells, names))}
            got = f"{person.first_name} {person.last_name}"
            assert set((got.casefold() if recased else got).split()) <= raw
            assert person.first_name or person.last_name
        if npi:
            assert person.npi == npi


MEETING_ENTRIES = [e for e in ENTRIES if e["kind"] in ("teams-attendance", "zoom-report")]


@pytest.mark.parametrize("entry", MEETING_ENTRIES, ids=[e["file"] for e in MEETING_ENTRIES])
def test_corpus_meeting_report_attendance(people_dir: Path, entry: dict[str, str]) -> None:
    data = (people_dir / entry["file"]).read_bytes()
    table = read_source(people_dir / entry["file"])
    _, header, body = _reference_table(entry, data)
    email_col = _columns(header, r"e-?mail")[0]
    join_col = _columns(header, r"join")[0]
    duration_col = _columns(header, r"duration")[0]
    by_person: dict[str, list[list[str]]] = {}
    for _, cells in body:
        by_person.setdefault(cells[email_col].strip().lower(), []).append(cells)

    assert sorted(r.email.lower() for r in table.attendance) == sorted(by_person)
    for record in table.attendance:
        lines = by_person[record.email.lower()]
        assert record.minutes > 0
        assert record.first_join is not None
        assert record.last_leave is not None
        assert record.first_join <= record.last_leave
        assert record.last_leave - record.first_join < dt.timedelta(hours=24)
        assert 2000 <= record.first_join.year <= 2100
        # The earliest join is one of this person's join cells (minutes:seconds as written).
        assert any(f"{record.first_join:%M:%S}" in cells[join_col] for cells in lines)
        span = (record.last_leave - record.first_join).total_seconds() / 60
        assert record.minutes <= span + len(lines)  # never more time than the meeting span allows
        durations = [_reference_minutes(cells[duration_col]) for cells in lines]
        assert max(durations) - 1 <= record.minutes <= sum(durations) + 1


def _reference_minutes(text: str) -> float:
    """'19m 26s' / '1h 5m' / '45s' / a bare number of minutes."""
    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    units = {"h": 60.0, "m": 1.0, "s": 1 / 60}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+)\s*([hms])", text))


def test_corpus_kinds_are_all_covered(people_dir: Path) -> None:
    """Each table kind named in the brief has at least one corpus file here."""
    assert set(TABLE_KINDS) <= {e["kind"] for e in ENTRIES}


# ---- synthetic files --------------------------------------------------------------------------------------

PEOPLE_TEXT = (
    "First Name;Last Name;Email;City\r\n"
    "José;Müller;jose@example.de;Zürich\r\n"
    "Ann;Lee;ANN@EXAMPLE.ORG;Köln\r\n"
)


@pytest.mark.parametrize(
    ("encoded", "label"),
    [
        (PEOPLE_TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + PEOPLE_TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + PEOPLE_TEXT.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + PEOPLE_TEXT.encode("utf-16-be"), "utf-16-be"),
        (PEOPLE_TEXT.encode("utf-16-le"), "utf-16-le"),
        (PEOPLE_TEXT.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF32_LE + PEOPLE_TEXT.encode("utf-32-le"), "utf-32-le"),
        (PEOPLE_TEXT.encode("cp1252"), "cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "utf32le-bom", "cp1252"],
)
def test_encodings(tmp_path: Path, encoded: bytes, label: str) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(encoded)
    table = read_source(path)
    assert (table.kind, table.encoding, table.delimiter) == ("csv", label, ";")
    assert table.headers == ("First Name", "Last Name", "Email", "City")
    assert table.rows == (
        (2, ("José", "Müller", "jose@example.de", "Zürich")),
        (3, ("Ann", "Lee", "ANN@EXAMPLE.ORG", "Köln")),
    )
    rows, errors = map_rows(table, suggest_mapping(table.headers))
    assert errors == []
    assert [r.person.email for r in rows] == ["jose@example.de", "ann@example.org"]


def test_cp1252_bytes_it_leaves_undefined_still_read(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes("Name,Note\nRenée Dupré,caf\u00e9\n".encode("cp1252") + b"Bo Chen,\x81\x9d\n")
    table = read_source(path)
    assert table.encoding == "cp1252"
    assert table.rows[0][1] == ("Renée Dupré", "café")
    assert table.rows[1][1] == ("Bo Chen", "\x81\x9d")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_with_quoted_cells_containing_others(tmp_path: Path, delimiter: str) -> None:
    rows = [
        ["Name", "Organization", "Notes"],
        ["Doe, Jane", "Hospital; East | West", "likes\ttabs, commas; pipes |"],
        ["Bo Chen", "Clinic", ""],
        ["Cy Dee", "Uni", "x"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\n").writerows(rows)
    path = tmp_path / "people.txt"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    table = read_source(path)
    assert table.delimiter == delimiter
    assert [list(r) for _, r in table.rows] == rows[1:]
    people, errors = map_rows(table, suggest_mapping(table.headers))
    assert errors == []
    assert (people[0].person.first_name, people[0].person.last_name) == ("Jane", "Doe")


def test_one_column_file(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("Full Name\nAnn Lee\nBo Chen\n", encoding="utf-8")
    table = read_source(path)
    assert table.headers == ("Full Name",)
    assert len(table.rows) == 2
    rows, errors = map_rows(table, suggest_mapping(table.headers))
    assert errors == []
    assert [r.person.last_name for r in rows] == ["Lee", "Chen"]


def test_bare_cr_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"First,Last,Email\rJohn,Doe,john@example.org\rJane,Roe,jane@example.org\r")
    table = read_source(path)
    assert table.rows == (
        (2, ("John", "Doe", "john@example.org")),
        (3, ("Jane", "Roe", "jane@example.org")),
    )


def test_quoted_newlines_and_blank_lines_keep_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "google.csv"
    path.write_bytes(
        b"Name,Address 1 - Formatted,E-mail 1 - Value\r\n"
        b'Ann Lee,"1 Main St\nSpringfield\r\nUSA",ann@example.org\r\n'
        b"\r\n"
        b"Bo Chen,,bo@example.org\r\n"
    )
    table = read_source(path)
    assert [n for n, _ in table.rows] == [2, 4]  # a record is one row, as a spreadsheet counts them
    assert table.rows[0][1][1] == "1 Main St\nSpringfield\r\nUSA"
    rows, errors = map_rows(table, suggest_mapping(table.headers))
    assert errors == []
    assert [r.person.email for r in rows] == ["ann@example.org", "bo@example.org"]


def test_title_line_above_the_header(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Attendee list for the May board,,\nFirst Name,Last Name,Email\nAnn,Lee,a@x.org\n")
    table = read_source(path)
    assert table.headers == ("First Name", "Last Name", "Email")
    assert table.rows == ((3, ("Ann", "Lee", "a@x.org")),)


def test_excel_sep_hint_and_a_preamble_line(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "sep=;\nReport generated;2024-05-01\nVorname;Nachname;E-Mail\nJürgen;Groß;j@x.de\n", encoding="utf-8"
    )
    table = read_source(path)
    assert (table.delimiter, table.headers) == (";", ("Vorname", "Nachname", "E-Mail"))
    assert table.rows == ((4, ("Jürgen", "Groß", "j@x.de")),)


def test_table_under_a_numbered_section_ends_at_the_blank_line(tmp_path: Path) -> None:
    """A report layout we do not know (other language): still only the first table's rows."""
    text = (
        "1. Zusammenfassung\nTitel\tBoard\n\n"
        "2. Teilnehmer\nName\tE-Mail\tRolle\nAnn Lee\tann@x.org\tOrganisator\n"
        "\n3. Aktivitäten\nName\tBeitritt\nAnn Lee\t09:00\n"
    )
    path = tmp_path / "bericht.tsv"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    table = read_source(path)
    assert table.headers == ("Name", "E-Mail", "Rolle")
    assert table.rows == ((6, ("Ann Lee", "ann@x.org", "Organisator")),)


def test_trailing_nul_padding_is_not_binary(tmp_path: Path) -> None:
    path = tmp_path / "padded.csv"
    path.write_bytes(b"Name,Email\nAnn Lee,ann@x.org\n" + bytes(64))
    assert read_source(path).rows == ((2, ("Ann Lee", "ann@x.org")),)


def test_ragged_rows_are_padded_and_extra_cells_reported(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("Name,Email,\nAnn Lee\nBo Chen,bo@x.org,,surprise\n", encoding="utf-8")
    table = read_source(path)
    assert table.headers == ("Name", "Email")  # the trailing empty header is not a column
    assert table.rows == ((2, ("Ann Lee", "")), (3, ("Bo Chen", "bo@x.org")))
    assert len(table.warnings) == 1
    assert "more cells" in table.warnings[0]


def test_zoom_report_with_meeting_block_and_rejoins(tmp_path: Path) -> None:
    path = tmp_path / "participants_812.csv"
    path.write_text(
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
        "812 3456 7890,Advisory board,03/05/2024 08:58:00 AM,03/05/2024 11:02:00 AM,host@x.com,124,3\n"
        ",,,,,,\n"
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        "Dr Jane (Jane Doe),jane@x.org,03/05/2024 09:01:00 AM,03/05/2024 10:00:00 AM,59,Yes\n"
        "Bob Ray,,03/05/2024 09:30:00 AM,03/05/2024 09:45:00 AM,15,No\n"
        "Dr Jane (Jane Doe),jane@x.org,03/05/2024 10:05:00 AM,03/05/2024 11:00:00 AM,55,Yes\n",
        encoding="utf-8",
    )
    table = read_source(path)
    assert table.kind == "zoom-report"
    assert table.headers[0] == "Name (Original Name)"
    assert [n for n, _ in table.rows] == [5, 6, 7]
    records = {r.email or r.name: r for r in table.attendance}
    assert set(records) == {"jane@x.org", "Bob Ray"}
    jane = records["jane@x.org"]
    assert (jane.name, jane.minutes) == ("Dr Jane", 114)
    assert jane.first_join == dt.datetime(2024, 3, 5, 9, 1)
    assert jane.last_leave == dt.datetime(2024, 3, 5, 11, 0)
    assert records["Bob Ray"].minutes == 15


def test_zoom_overlapping_sessions_count_once(tmp_path: Path) -> None:
    """Joined from a laptop and a phone at once: the time covered, not the sum."""
    path = tmp_path / "zoom.csv"
    path.write_text(
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        "Ann,ann@x.org,11/19/2021 10:00:00 AM,11/19/2021 11:00:00 AM,60,Yes\n"
        "Ann,ann@x.org,11/19/2021 10:30:00 AM,11/19/2021 11:10:00 AM,40,Yes\n",
        encoding="utf-8",
    )
    (record,) = read_source(path).attendance
    assert record.minutes == 70


def test_teams_report_sections(tmp_path: Path) -> None:
    text = (
        "1. Summary\nMeeting title\tBoard\nStart time\t03/04/23, 09:00:00\n\n"
        "2. Participants\n"
        "Name\tFirst join\tLast leave\tIn-meeting duration\tEmail\tParticipant ID (UPN)\tRole\n"
        "Lee, Ann\t03/04/23, 09:01:00\t03/04/23, 10:06:30\t1h 5m\tann@x.org\tann@x.org\tOrganizer\n"
        "Bo Chen\t03/04/23, 09:02:00\t03/04/23, 09:02:45\t45s\tbo@x.org\tbo@x.org\tAttendee\n"
        "\n3. In-Meeting activities\nName\tJoin time\tLeave time\tDuration\tEmail\tRole\n"
        "Lee, Ann\t03/04/23, 09:01:00\t03/04/23, 10:06:30\t1h 5m\tann@x.org\tOrganizer\n"
    )
    path = tmp_path / "attendance.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    table = read_source(path)
    assert (table.kind, table.encoding, table.delimiter) == ("teams-report", "utf-16-le", "\t")
    assert [n for n, _ in table.rows] == [7, 8]
    ann, bo = table.attendance
    assert (ann.name, ann.minutes, ann.role) == ("Lee, Ann", 65, "Organizer")
    assert ann.first_join == dt.datetime(2023, 4, 3, 9, 1)  # no AM/PM: the day comes first
    assert table.meeting_start == dt.datetime(2023, 4, 3, 9, 0)  # the summary's start time
    assert bo.minutes == 1
    rows, errors = map_rows(table, suggest_mapping(table.headers, table.kind))
    assert errors == []
    assert (rows[0].person.first_name, rows[0].person.last_name) == ("Ann", "Lee")
    assert [r.role for r in rows] == ["internal", "advisor"]  # organizer: internal; attendee: advisor


def test_older_teams_layout_joined_left(tmp_path: Path) -> None:
    text = (
        "Full Name\tUser Action\tTimestamp\n"
        "Ann Lee\tJoined\t3/17/2021, 9:00:00 AM\n"
        "Bo Chen\tJoined before\t3/17/2021, 9:00:00 AM\n"
        "Ann Lee\tLeft\t3/17/2021, 9:30:00 AM\n"
        "Ann Lee\tJoined\t3/17/2021, 9:40:00 AM\n"
        "Bo Chen\tLeft\t3/17/2021, 10:00:00 AM\n"
    )
    path = tmp_path / "meetingAttendanceList.csv"
    path.write_bytes(text.encode("utf-16"))
    table = read_source(path)
    assert table.kind == "teams-report"
    minutes = {r.name: (r.minutes, r.first_join, r.last_leave) for r in table.attendance}
    assert minutes == {
        # Ann rejoined and was still there when the report ended.
        "Ann Lee": (50, dt.datetime(2021, 3, 17, 9, 0), dt.datetime(2021, 3, 17, 10, 0)),
        "Bo Chen": (60, dt.datetime(2021, 3, 17, 9, 0), dt.datetime(2021, 3, 17, 10, 0)),
    }


def test_open_payments_kind_and_taxonomy(tmp_path: Path) -> None:
    path = tmp_path / "OP_DTL_GNRL.csv"
    path.write_text(
        "Covered_Recipient_NPI,Covered_Recipient_First_Name,Covered_Recipient_Last_Name,"
        "Covered_Recipient_Primary_Type_1,Covered_Recipient_Specialty_1,Recipient_City,Recipient_State,"
        "Recipient_Country,Total_Amount_of_Payment_USDollars\n"
        "1234567893,ANN,LEE,Medical Doctor,Allopathic & Osteopathic Physicians|Internal Medicine|Cardiology|,"
        "Boston,MA,United States,100.0\n",
        encoding="utf-8",
    )
    table = read_source(path)
    assert table.kind == "open-payments"
    (row,), errors = map_rows(table, suggest_mapping(table.headers, table.kind))
    assert errors == []
    person = row.person
    assert (person.npi, person.credentials, person.specialty) == ("1234567893", "MD", "Cardiology")
    assert (person.city, person.state, person.country) == ("Boston", "MA", "United States")


def test_xlsx_with_number_npi_date_and_empty_first_sheet(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Cover"
    sheet = workbook.create_sheet("People")
    sheet.append(["Board attendees"])
    sheet.append([])
    sheet.append(["First Name", "Last Name", "NPI", "Registered", "Consent", "Email"])
    sheet.append(["Ann", "Lee", 1234567893.0, dt.date(2024, 3, 5), True, "ann@x.org"])
    sheet.append(["Bo", "Chen", 1234567893, dt.datetime(2024, 3, 5, 9, 30), "no", None])
    sheet.append([])
    sheet.append(["Cy", "Dee", None, None, None, "cy@x.org"])
    path = tmp_path / "people.bin"  # the extension does not matter, the content does
    workbook.save(path)
    table = read_source(path)
    assert (table.kind, table.encoding, table.delimiter) == ("xlsx", "", "")
    assert table.headers == ("First Name", "Last Name", "NPI", "Registered", "Consent", "Email")
    assert table.rows == (
        (4, ("Ann", "Lee", "1234567893", "2024-03-05", "TRUE", "ann@x.org")),
        (5, ("Bo", "Chen", "1234567893", "2024-03-05 09:30:00", "no", "")),
        (7, ("Cy", "Dee", "", "", "", "cy@x.org")),
    )
    rows, errors = map_rows(table, suggest_mapping(table.headers))
    assert errors == []
    assert [(r.person.npi, r.person.consent_to_contact) for r in rows] == [
        ("1234567893", True),
        ("1234567893", False),
        ("", None),
    ]


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Excel 97-2003 .xls"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "password-protected"),
        ("list.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG"),
        ("blob.csv", bytes(range(256)) * 8, "not a text table"),
        ("empty.csv", b"", "no rows"),
        ("blank.csv", b"  \r\n\r\n\t\n", "no rows"),
        ("commas.csv", b",,,\n,,,\n", "no rows"),
        ("header.csv", b"First Name,Last Name,Email\r\n", "no rows"),
        ("header-blank.csv", b"First Name,Last Name,Email\r\n,,\r\n", "no rows"),
        ("archive.zip", _zip({"people.csv": b"Name\nAnn\n"}), "ZIP archive"),
        ("letter.docx", _zip({"word/document.xml": b"<w/>"}), "Word document"),
        ("sheet.ods", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), ".ods"),
        ("page.csv", b"<!DOCTYPE html><html><body><table></table></body></html>", "web page"),
        ("broken.xlsx", _zip({"xl/workbook.xml": b"not xml"}), "damaged"),
    ],
)
def test_files_that_are_refused_say_why(tmp_path: Path, name: str, data: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(FileRefusedError) as caught:
        read_source(path)
    assert words in caught.value.user_message
    assert name in caught.value.user_message


def test_too_big_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:  # sparse: no 50 MB written to disk
        handle.truncate(sources.MAX_BYTES + 1)
    with pytest.raises(FileRefusedError, match="MB"):
        read_source(path)


def test_too_many_rows_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_ROWS", 50)
    path = tmp_path / "many.csv"
    path.write_text("Name\n" + "".join(f"Person {i}\n" for i in range(60)), encoding="utf-8")
    with pytest.raises(FileRefusedError, match="more than 50 rows"):
        read_source(path)
    path.write_text("Name\n" + "".join(f"Person {i}\n" for i in range(50)), encoding="utf-8")
    assert len(read_source(path).rows) == 50


def test_cancel_stops_a_long_read() -> None:
    token = CancelToken()
    token.cancel()
    data = ("Name\n" + "".join(f"Person {i}\n" for i in range(3000))).encode()
    with pytest.raises(CancelledError):
        read_source_bytes(data, "big.csv", token)


def test_bytes_and_path_give_the_same_table(tmp_path: Path) -> None:
    data = PEOPLE_TEXT.encode("utf-8")
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    assert read_source(path) == read_source_bytes(data, "p.csv")


def test_other_formats_are_sniffed_from_content(tmp_path: Path) -> None:
    """vCard / iCalendar / JSON go to their own readers whatever the extension says."""
    vcard = b"\xef\xbb\xbf\r\n\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nFN:Ann Lee\r\nEND:VCARD\r\n"
    table = read_source_bytes(vcard, "contacts.csv")
    assert isinstance(table, SourceTable)
    assert table.kind == "vcard"
    calendar = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        b"DTSTART:20240305T090000Z\r\nSUMMARY:Board\r\n"
        b"ATTENDEE;CN=Ann Lee;PARTSTAT=ACCEPTED:mailto:ann@x.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert read_source_bytes(calendar, "invite.txt").kind == "ics"
    with pytest.raises(FileRefusedError):  # an NPI Registry error reply: refused by the NPPES reader
        read_source_bytes(b'{"Errors":[{"description":"No valid search criteria provided"}]}', "npi.csv")


def test_ten_thousand_rows_read_mapped_and_checked_quickly(tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "First Name",
            "Last Name",
            "Email",
            "Organization",
            "City",
            "State",
            "NPI",
            "Specialty",
            "Mobile Phone",
            "RSVP",
            "Consent",
            "Notes",
            "Title",
        ]
    )
    for i in range(10_000):
        writer.writerow(
            [
                f"First{i}",
                f"Last{i}",
                f"p{i}@example.org",
                "General Hospital",
                "Boston",
                "MA",
                "1234567893",
                "Cardiology",
                "555-0100",
                "yes",
                "y",
                "a note",
                "MD",
            ]
        )
    path = tmp_path / "big.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    start = time.process_time()
    table = read_source(path)
    rows, errors = map_rows(table, suggest_mapping(table.headers, table.kind))
    elapsed = time.process_time() - start
    print(f"10,000-row CSV read + mapped + validated in {elapsed:.3f} s")
    assert len(rows) == 10_000
    assert errors == []
    assert Counter(r.person.credentials for r in rows) == {"MD": 10_000}
    assert elapsed < 3.0
