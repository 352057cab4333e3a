"""People files built to hurt the reader: a cell or a row without end, a workbook that lies about its
size or unpacks to gigabytes. Each is refused in plain words naming the file, quickly, or read right."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest

from msldesk.boards.intake import sources, tabular
from msldesk.boards.intake.sources import read_source
from msldesk.core.errors import FileRefusedError


def _refused(path: Path) -> str:
    with pytest.raises(FileRefusedError) as refused:
        read_source(path)
    message = refused.value.user_message
    assert path.name in message, message
    return message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"First Name,Last Name\nAda," + b"L" * 200_000 + b"\n", "row 2 (line 2) has a cell over 131,072"),
        (b'First Name,Last Name\nAda,"Lovelace\nBo,Chen\n' + b"x," * 70_000, "never closed"),
    ],
    ids=["long-cell", "unclosed-quote"],
)
def test_a_cell_longer_than_csv_takes_is_refused_in_words(tmp_path: Path, content: bytes, words: str) -> None:
    """csv stops at 131,072 characters a cell with csv.Error, which came out of the import as it was."""
    path = tmp_path / "invitees.csv"
    path.write_bytes(content)
    assert words in _refused(path)


def test_a_row_wider_than_any_spreadsheet_is_refused_quickly(tmp_path: Path) -> None:
    """A 10 MB line of 'A,' (5 million cells) took 19 s of header matching; a wider row is no table."""
    path = tmp_path / "wide.csv"
    path.write_bytes(b"First Name,Last Name\n" + b"A," * (5 * 1024 * 1024))
    started = time.monotonic()
    assert "row 2 has 5,242,881 cells (the most is 16,384)" in _refused(path)
    assert time.monotonic() - started < 5
    path.write_bytes(b"First Name,Last Name" + b",x" * (tabular.MAX_COLUMNS - 2) + b"\nAda,Lovelace\n")
    assert read_source(path).rows[0][1][:2] == ("Ada", "Lovelace")  # as wide as Excel allows: read


def _workbook(tmp_path: Path, sheet_xml: bytes | None = None, rows: int = 2) -> Path:
    """A real workbook of `rows` people, its first sheet's XML optionally rewritten by hand."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["First Name", "Last Name"])
    for number in range(rows):
        workbook.active.append([f"Person{number}", "Lee"])
    path = tmp_path / "people.xlsx"
    workbook.save(path)
    if sheet_xml is None:
        return path
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', sheet_xml, data)
            out.writestr(info, data)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_workbook_whose_stated_size_is_stale_keeps_every_row(tmp_path: Path) -> None:
    """openpyxl's read-only mode trusts the size a sheet states: 'A1:B2' over five rows of people
    dropped three of them without a word. The cells decide."""
    path = _workbook(tmp_path, b'<dimension ref="A1:B2"/>', rows=4)
    table = read_source(path)
    assert [cells[0] for _, cells in table.rows] == ["Person0", "Person1", "Person2", "Person3"]


def test_a_workbook_claiming_the_largest_size_is_not_padded_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'A1:XFD1048576' padded every row to 16,384 cells, each turned into text: 150,000 rows of two
    names took hours. Only the cells a row has are looked at."""
    path = _workbook(tmp_path, b'<dimension ref="A1:XFD1048576"/>', rows=300)
    looked_at = 0
    real_cell_text = tabular.cell_text

    def counting(value: object) -> str:
        nonlocal looked_at
        looked_at += 1
        return real_cell_text(value)

    monkeypatch.setattr(tabular, "cell_text", counting)
    table = read_source(path)
    assert len(table.rows) == 300
    assert table.headers == ("First Name", "Last Name")
    assert looked_at <= 2 * 301


def test_a_workbook_that_would_unpack_past_the_limit_is_refused_before_unpacking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook(tmp_path)
    unzipped = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    monkeypatch.setattr(sources, "MAX_UNZIPPED_BYTES", unzipped - 1)
    assert "would unpack to" in _refused(path)
    monkeypatch.setattr(sources, "MAX_UNZIPPED_BYTES", unzipped)
    assert len(read_source(path).rows) == 2


def test_a_workbook_part_that_swells_like_a_bomb_is_refused_at_once(tmp_path: Path) -> None:
    """One cell of 20 million "A"s: a 20 KB part that took seconds to parse (400 million: a minute),
    refused as the deck importer refuses such parts."""
    cell = b'<row r="9"><c r="A9" t="inlineStr"><is><t>' + b"A" * (20 * 1024 * 1024) + b"</t></is></c></row>"
    path = _workbook(tmp_path, b'<dimension ref="A1:B3"/>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if "sheet1" in info.filename:
                data = data.replace(b"</sheetData>", cell + b"</sheetData>")
            out.writestr(info, data)
    path.write_bytes(buffer.getvalue())
    started = time.monotonic()
    assert "xl/worksheets/sheet1.xml unpacks to" in _refused(path)
    assert time.monotonic() - started < 1


def test_a_workbook_with_more_cells_than_a_list_of_people_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook(tmp_path, rows=50)
    monkeypatch.setattr(tabular, "MAX_CELLS", 60)
    assert "more than 60 cells by row 31" in _refused(path)


def test_json_nested_too_deeply_is_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "npi.json"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(FileRefusedError, match=r"not valid JSON.*nested too deeply"):
        read_source(path)  # RecursionError before


@pytest.mark.parametrize(
    "content",
    [
        b'{"results": "none"}',  # JSON, not an NPPES answer
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Board\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",  # nobody
        b"\xff\xfeF\x00i\x00\x00\xd8",  # a UTF-16 BOM over bytes that are not UTF-16
    ],
    ids=["json", "calendar", "false-bom"],
)
def test_every_refusal_names_the_file(tmp_path: Path, content: bytes) -> None:
    """The readers of vCards, calendars and NPPES JSON said 'This file ...': with three files open in
    a terminal or the wizard's history, which one? Every refusal now starts with the file's name."""
    path = tmp_path / "board-invitees.dat"
    path.write_bytes(content)
    assert _refused(path).startswith("board-invitees.dat")


def test_names_read_from_a_file_lose_the_bidi_controls_that_would_spoof_them(app, tmp_path: Path) -> None:
    """A right-to-left override in a cell made 'Love\u202elace' print as 'Loveecal' in 'msldesk people'."""
    path = tmp_path / "invitees.csv"
    path.write_text(
        "First Name,Last Name,Institution\nAda,Love\u202elace,\u2067Uni\u2069 Hospital\n", encoding="utf-8"
    )
    app.people_import.apply(app.people_import.preview(path))
    [person] = app.people.search("")
    assert (person.fields.last_name, person.fields.institution) == ("Lovelace", "Uni Hospital")


@pytest.mark.parametrize(
    ("name", "person"),
    [
        (
            "cards.vcf",
            lambda n: f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lee{n}\r\nN:Lee{n};Ada;;;\r\nEND:VCARD\r\n",
        ),
        ("invite.ics", lambda n: f"ATTENDEE;CN=Ada Lee{n}:mailto:ada{n}@example.org\r\n"),
    ],
    ids=["vcard", "calendar"],
)
def test_the_row_limit_holds_for_vcards_and_calendars_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, person: object
) -> None:
    """Only tables were held to MAX_ROWS: a 50 MB calendar of a million attendees was read whole."""
    monkeypatch.setattr(sources, "MAX_ROWS", 5)
    body = "".join(person(n) for n in range(6))  # type: ignore[operator]
    if name.endswith(".ics"):
        body = f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Board\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    assert "more than 5 rows" in _refused(path)
    monkeypatch.setattr(sources, "MAX_ROWS", 6)
    assert len(read_source(path).rows) == 6
