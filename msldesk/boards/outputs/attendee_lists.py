"""Write attendee lists and the people directory as CSV or XLSX that msldesk's importer reads back."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from msldesk.boards.records import Attendance, Event, Person, PersonFields
from msldesk.core import clock, tables

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


def _checked_in_local(event: Event, attendance: Attendance) -> dt.datetime | None:
    """The check-in time as a naive wall-clock time in the event's zone (what people expect to read)."""
    when = attendance.fields.checked_in_at
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(clock.zone(event.fields.timezone)).replace(tzinfo=None)
    return when.replace(second=0, microsecond=0)


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def _attendee_texts(event: Event, attendance: Attendance) -> list[str]:
    a = attendance.fields
    checked_in = _checked_in_local(event, attendance)
    return [
        *_person_values(attendance.person.fields),
        a.role.label,
        a.invitation.label,
        _yes_no(a.contract_signed),
        _yes_no(a.coi_disclosed),
        f"{_money(a.honorarium_amount):f}",
        a.currency,
        f"{checked_in:%Y-%m-%d %H:%M}" if checked_in else "",
    ]


def write_attendees_csv(event: Event, attendees: Sequence[Attendance], path: Path) -> None:
    """One row per attendee, in the order given."""
    tables.write_csv(path, ATTENDEE_COLUMNS, [_attendee_texts(event, a) for a in attendees])


def write_people_csv(people: Sequence[Person], path: Path) -> None:
    """The people directory: the person columns only, in the order given."""
    tables.write_csv(path, PERSON_COLUMNS, [_person_values(p.fields) for p in people])


def write_attendees_xlsx(event: Event, attendees: Sequence[Attendance], path: Path) -> None:
    """The attendee list as a workbook: bold frozen header, NPI as text, amounts as numbers."""
    honorarium = ATTENDEE_COLUMNS.index("Honorarium")
    checked_in = ATTENDEE_COLUMNS.index("Checked In")
    rows: list[list[tables.Cell]] = []
    for attendance in attendees:
        row: list[tables.Cell] = list(_attendee_texts(event, attendance))
        row[honorarium] = _money(attendance.fields.honorarium_amount)
        row[checked_in] = _checked_in_local(event, attendance)
        rows.append(row)
    formats = {honorarium: "#,##0.00", checked_in: "yyyy-mm-dd hh:mm"}
    sheet = tables.Sheet(tables.sheet_title(event.title, "Attendees"), ATTENDEE_COLUMNS, rows, formats)
    tables.write_xlsx(path, [sheet])
