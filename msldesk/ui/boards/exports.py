"""The event's exports: what each one is called and how it is written (called on the export lane,
with the event, agenda and attendees read on the db lane first)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from msldesk.boards.records import AgendaItem, Attendance, Event

if TYPE_CHECKING:  # the service module loads SQLAlchemy; the GUI starts without it
    from msldesk.boards.events import EventService


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str  # menu text
    noun: str  # "calendar invitation"
    suffix: str
    file_filter: str


EXPORT_KINDS = (
    ExportKind("ics", "Calendar invitation (.ics)…", "calendar invitation", ".ics", "Calendar files (*.ics)"),
    ExportKind("csv", "Attendee list (CSV)…", "attendee list", ".csv", "CSV files (*.csv)"),
    ExportKind("xlsx", "Attendee list (Excel)…", "attendee list", ".xlsx", "Excel workbooks (*.xlsx)"),
    ExportKind("pdf", "Sign-in sheet (PDF)…", "sign-in sheet", ".pdf", "PDF files (*.pdf)"),
)
KINDS = {k.key: k for k in EXPORT_KINDS}


@dataclass(frozen=True)
class ExportData:
    event: Event
    agenda: tuple[AgendaItem, ...]
    attendees: tuple[Attendance, ...]


def suggested_name(title: str, kind: ExportKind) -> str:
    """A file name from the event title: "Oncology board 2025 - sign-in sheet.pdf"."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", title)
    stem = " ".join(stem.split())[:80].strip(" .") or "event"
    return f"{stem} - {kind.noun}{kind.suffix}"


def fetch(events: EventService, event_id: int) -> ExportData:
    """db lane: a snapshot of what the export writes."""
    return ExportData(events.get(event_id), tuple(events.agenda(event_id)), tuple(events.attendees(event_id)))


def write(kind: str, data: ExportData, path: Path) -> Path:
    """export lane: write the file (atomically, by the boards writers) and return its path."""
    if kind == "ics":
        from msldesk.boards.calendar_export import write_event_ics

        write_event_ics(data.event, data.agenda, data.attendees, path)
    elif kind == "csv":
        from msldesk.boards.attendee_export import write_attendees_csv

        write_attendees_csv(data.event, data.attendees, path)
    elif kind == "xlsx":
        from msldesk.boards.attendee_export import write_attendees_xlsx

        write_attendees_xlsx(data.event, data.attendees, path)
    elif kind == "pdf":
        from msldesk.boards.signin_sheet import write_sign_in_sheet

        write_sign_in_sheet(data.event, data.attendees, path)
    else:
        raise ValueError(f"unknown export {kind!r}")
    return path
