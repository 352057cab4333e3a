"""Write attendee lists and the people directory as CSV or XLSX that msldesk's importer reads back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from msldesk.boards.records import Attendance, Event, Person, PersonFields
from msldesk.core.fileio import atomic_write_bytes, atomic_writer
from msldesk.core.text_safety import clean_text, formula_safe, xlsx_text

PERSON_COLUMNS: tuple[str, ...] = (
    "First Name",
    "Last Name",
    "Credentials",
    "Specialty",
    "Institution",
    "City",
    "State",
    "Country",
    "Email",
    "Phone",
    "NPI",
    "Tier",
)
ATTENDANCE_COLUMNS: tuple[str, ...] = (
    "Role",
    "Invitation",
    "Contract Signed",
    "COI Disclosed",
    "Honorarium",
    "Currency",
    "Checked In",
)
ATTENDEE_COLUMNS: tuple[str, ...] = PERSON_COLUMNS + ATTENDANCE_COLUMNS

_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def _person_values(p: PersonFields) -> list[str]:
    return [p.first_name, p.last_name, p.credentials, p.specialty, p.institution, p.city, p.state,
            p.country, p.email, p.phone, p.npi, p.tier]  # fmt: skip


def _money(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _zone(event: Event) -> dt.tzinfo:
    try:
        return ZoneInfo(event.fields.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC  # a bad zone name should not stop a list export; check-in times stay exact


def _checked_in_local(event: Event, attendance: Attendance) -> dt.datetime | None:
    """The check-in time as a naive wall-clock time in the event's zone (what people expect to read)."""
    when = attendance.fields.checked_in_at
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(_zone(event)).replace(tzinfo=None)
    return when.replace(second=0, microsecond=0)


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def _attendee_texts(event: Event, attendance: Attendance) -> list[str]:
    a = attendance.fields
    checked_in = _checked_in_local(event, attendance)
    return _person_values(attendance.person.fields) + [
        a.role.label,
        a.invitation.label,
        _yes_no(a.contract_signed),
        _yes_no(a.coi_disclosed),
        f"{_money(a.honorarium_amount):f}",
        a.currency,
        f"{checked_in:%Y-%m-%d %H:%M}" if checked_in else "",
    ]


def write_csv_table(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    # UTF-8 with a BOM: Excel on Windows otherwise opens UTF-8 as the ANSI code page (Müller -> MÃ¼ller).
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([formula_safe(v) for v in row])
    atomic_write_bytes(Path(path), buffer.getvalue().encode("utf-8-sig"))


def write_attendees_csv(event: Event, attendees: Sequence[Attendance], path: Path) -> None:
    """One row per attendee, in the order given."""
    write_csv_table(path, ATTENDEE_COLUMNS, [_attendee_texts(event, a) for a in attendees])


def write_people_csv(people: Sequence[Person], path: Path) -> None:
    """The people directory: the person columns only, in the order given."""
    write_csv_table(path, PERSON_COLUMNS, [_person_values(p.fields) for p in people])


def sheet_title(title: str) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, not starting/ending with '."""
    cleaned = _SHEET_TITLE_BAD.sub("", " ".join(clean_text(title).split()))[:31].strip().strip("'").strip()
    return cleaned or "Attendees"


def write_attendees_xlsx(event: Event, attendees: Sequence[Attendance], path: Path) -> None:
    """The attendee list as a workbook: bold frozen header, NPI as text, amounts as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(event.title)
    sheet.append(list(ATTENDEE_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"

    honorarium_col = ATTENDEE_COLUMNS.index("Honorarium") + 1
    checked_in_col = ATTENDEE_COLUMNS.index("Checked In") + 1
    widths = [len(name) for name in ATTENDEE_COLUMNS]
    for row_number, attendance in enumerate(attendees, start=2):
        texts = _attendee_texts(event, attendance)
        for col, text in enumerate(texts, start=1):
            cell = sheet.cell(row=row_number, column=col)
            widths[col - 1] = max(widths[col - 1], len(text))
            if col == honorarium_col:
                cell.value = _money(attendance.fields.honorarium_amount)
                cell.number_format = "#,##0.00"
            elif col == checked_in_col and text:
                cell.value = _checked_in_local(event, attendance)
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif text:
                # Always a text cell: openpyxl would store "=..." as a live formula, and a text NPI
                # keeps its exact digits (no 1.23E+09, no lost leading zero).
                xlsx_text(cell, text)
                cell.number_format = "@"
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 50)

    with atomic_writer(Path(path)) as handle:
        workbook.save(handle)
