"""Inputs the fuzzer found that broke an importer, kept as plain tests of the fix."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from msldesk.core.errors import FileRefusedError

from .harness import PEOPLE_TABLES, _count, message_problem


def _workbook(rows: list[list[str]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _replace_part(package: bytes, part: str, change) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, change(data) if info.filename == part else data)
    return out.getvalue()


@pytest.mark.parametrize(
    "damage",
    [
        lambda xml: xml[: len(xml) // 2],  # cut off mid-sheet
        lambda xml: xml.replace(b"<row", b"<row \x01", 1),  # an invalid byte in the markup
        lambda xml: xml.replace(b'r="A2"', b'r="A2" t="s"', 1),  # a shared string that does not exist
    ],
    ids=["truncated", "invalid-token", "missing-shared-string"],
)
def test_workbook_whose_sheet_is_damaged_is_refused_cleanly(app, tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    """openpyxl's read-only mode parses a sheet while it is read, so damage inside the sheet came out
    of the row loop as a raw xml ParseError (a crash) instead of a refusal."""
    good = _workbook([["First Name", "Last Name", "Email"], ["Ana", "Souza", "ana@example.org"]] * 3)
    path = tmp_path / "people.xlsx"
    path.write_bytes(_replace_part(good, "xl/worksheets/sheet1.xml", damage))
    before = _count(app, PEOPLE_TABLES)
    with pytest.raises(FileRefusedError) as caught:
        app.people_import.import_file(path)
    assert "people.xlsx is a damaged Excel workbook" in caught.value.user_message
    assert not message_problem(caught.value.user_message)
    assert _count(app, PEOPLE_TABLES) == before
