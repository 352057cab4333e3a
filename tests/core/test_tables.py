"""The one table writer: what a spreadsheet sees when it opens our CSV and XLSX files."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from msldesk.core import tables


def test_csv_cells_that_a_spreadsheet_would_run_are_inert(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    tables.write_csv(path, ["Name", "Note"], [["Müller", "=HYPERLINK(1)"], ["\x00+1", None]])
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["Name", "Note"], ["Müller", "'=HYPERLINK(1)"], ["'+1", ""]]
    assert not tables.csv_bytes(["a"], [], byte_order_mark=False).startswith(b"\xef\xbb\xbf")


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    when = dt.datetime(2027, 1, 18, 9, 30)
    rows = [["=1+1", Decimal("1500.00"), when], ["0012345", Decimal("0"), None]]
    formats = {1: "#,##0.00", 2: "yyyy-mm-dd hh:mm"}
    sheet = tables.Sheet("A/B: notes*", ["Text", "Amount", "When"], rows, formats)
    tables.write_xlsx(path, [sheet])
    ws = load_workbook(path)["AB notes"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    assert ws["A2"].value == "=1+1"
    assert ws["A2"].data_type == "s"
    assert ws["A2"].quotePrefix
    assert ws["A3"].value == "0012345", "digits keep their leading zeros"
    assert ws["B2"].value == 1500
    assert ws["B2"].number_format == "#,##0.00"
    assert ws["C2"].value == when
    assert ws["C3"].value is None


def test_sheet_titles_follow_excels_rules() -> None:
    assert tables.sheet_title("'quoted'") == "quoted"
    assert tables.sheet_title("***", "Attendees") == "Attendees"
    assert len(tables.sheet_title("x" * 80)) == 31


def test_a_workbook_cut_short_by_a_full_disk_leaves_no_error_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openpyxl's zip file, cut short while writing to disk, failed again when it was collected
    ("seek of closed file", printed after the plain-words message); the workbook is made in memory."""
    import gc
    import sys

    from msldesk.core.errors import DiskFullError
    from msldesk.core.tables import Sheet, write_xlsx
    from tests.protect.test_full_disk import DiskFiller

    folder = tmp_path / "full"
    folder.mkdir()
    DiskFiller(folder, at="write", budget=100).install(monkeypatch)
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    rows = [(f"row {n}", "x" * 50) for n in range(200)]
    with pytest.raises(DiskFullError):
        write_xlsx(folder / "list.xlsx", [Sheet("List", ("A", "B"), rows)])
    gc.collect()
    assert unraisable == []
    assert list(folder.iterdir()) == []
