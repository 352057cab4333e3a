"""The one table writer: CSV and XLSX that a spreadsheet opens as plain data, never as a formula.

Every export that writes rows (attendee lists, the people directory, insights, Open Payments, a
deck's bill of materials) goes through here, so the escaping, the encoding and the atomic write are
decided once. Text cells are cleaned of control characters; a cell a spreadsheet would run (=, +, -,
@ ...) gets a leading apostrophe in CSV and Excel's own quote prefix in XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from msldesk.core.fileio import atomic_write_bytes
from msldesk.core.text_safety import clean_text, formula_safe, xlsx_text

Cell = str | int | float | Decimal | dt.date | dt.datetime | None

_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def csv_bytes(
    header: Sequence[str], rows: Sequence[Sequence[object]], *, byte_order_mark: bool = True
) -> bytes:
    """The table as CSV (CRLF line ends, every cell formula-safe), UTF-8 with a byte-order mark
    unless told otherwise: Excel on Windows reads UTF-8 without one as its ANSI code page
    (Müller -> MÃ¼ller)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([formula_safe(h) for h in header])
    for row in rows:
        writer.writerow([formula_safe("" if v is None else v) for v in row])
    return buffer.getvalue().encode("utf-8-sig" if byte_order_mark else "utf-8")


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], *, byte_order_mark: bool = True
) -> None:
    """Write the table as CSV (see csv_bytes), atomically."""
    atomic_write_bytes(Path(path), csv_bytes(header, rows, byte_order_mark=byte_order_mark))


def sheet_title(title: str, fallback: str = "Sheet") -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, not starting/ending with '."""
    cleaned = _SHEET_TITLE_BAD.sub("", " ".join(clean_text(title).split()))[:31].strip().strip("'").strip()
    return cleaned or fallback


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a bold, frozen header row, then the rows.

    Strings are always text cells (a text NPI keeps its digits, "=..." never becomes a formula);
    numbers and dates stay numbers and dates, shown with `number_formats` by column index (0-based).
    """

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    number_formats: Mapping[int, str] = field(default_factory=dict)
    wrap_text: bool = False  # long notes: wrapped, aligned to the top
    max_width: int = 50  # in characters


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> None:
    """Write the sheets as one workbook, atomically."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        _fill(workbook.create_sheet(sheet_title(sheet.title)), sheet)
    # Saved in memory first: openpyxl's zip file, cut short by a full disk, fails again when it is
    # collected ("seek of closed file") after the plain-words error was given.
    buffer = io.BytesIO()
    workbook.save(buffer)
    atomic_write_bytes(Path(path), buffer.getvalue())


def _fill(ws: Any, sheet: Sheet) -> None:  # ws: an openpyxl Worksheet (an untyped library)
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for col, name in enumerate(sheet.header, start=1):
        xlsx_text(ws.cell(row=1, column=col), name)
        ws.cell(row=1, column=col).font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = [len(h) for h in sheet.header]
    wrap = Alignment(wrap_text=True, vertical="top") if sheet.wrap_text else None
    for row_number, row in enumerate(sheet.rows, start=2):
        for index, value in enumerate(row):
            if value is None or value == "":
                continue
            cell = ws.cell(row=row_number, column=index + 1)
            if isinstance(value, str):
                xlsx_text(cell, value)
                cell.number_format = "@"
                shown = len(value)
            else:
                cell.value = value
                shown = len(str(value))
            if index in sheet.number_formats:
                cell.number_format = sheet.number_formats[index]
            if wrap is not None:
                cell.alignment = wrap
            widths[index] = max(widths[index], min(shown, sheet.max_width))
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), sheet.max_width)
