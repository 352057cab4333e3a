"""The event's exports: what each one is called and how it is written (called on the export lane,
with what they show read on the db lane first): the planning files (calendar, attendee list, sign-in
sheet) and the meeting's outputs (insight summary PDF, briefing and readout decks, insights CSV/XLSX)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from msldesk.boards.records import AgendaItem, Attendance, Audience, Event, MeetingReport
from msldesk.core.progress import CancelToken, ProgressCallback
from msldesk.ui.widgets.file_dialogs import safe_file_name

if TYPE_CHECKING:  # the service modules load SQLAlchemy; the GUI starts without it
    from msldesk.boards.events.service import EventService
    from msldesk.boards.meeting.service import MeetingService
    from msldesk.decks.assembly import AssemblyService


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str  # menu text
    noun: str  # "calendar invitation"
    suffix: str
    file_filter: str
    other_suffixes: tuple[str, ...] = ()  # also accepted as typed (e.g. .csv beside .xlsx)
    by_audience: bool = False  # a meeting output cut to an audience (medical, commercial, compliance)
    review_first: bool = False  # carries the notes: ask before exporting unreviewed flagged entries
    audit_kind: str = ""  # how the audit trail names it (OutputService's kinds); "" = the key
    audience: Audience | None = None  # set by for_audience

    def for_audience(self, audience: Audience) -> ExportKind:
        if not self.by_audience:
            return self
        return replace(self, noun=f"{self.noun} ({audience.value})", audience=Audience(audience))

    @property
    def audited_as(self) -> str:
        return self.audit_kind or self.key

    def accepts(self, suffix: str) -> bool:
        return suffix.lower() in (self.suffix, *self.other_suffixes)


EXPORT_KINDS = (
    ExportKind(
        "ics", "Calendar invitation (.ics)…", "calendar invitation", ".ics", "Calendar files (*.ics)",
        audit_kind="calendar",
    ),
    ExportKind(
        "csv", "Attendee list (CSV)…", "attendee list", ".csv", "CSV files (*.csv)", audit_kind="attendees"
    ),
    ExportKind(
        "xlsx", "Attendee list (Excel)…", "attendee list", ".xlsx", "Excel workbooks (*.xlsx)",
        audit_kind="attendees",
    ),
    ExportKind(
        "pdf", "Sign-in sheet (PDF)…", "sign-in sheet", ".pdf", "PDF files (*.pdf)",
        audit_kind="sign_in_sheet",
    ),
)  # fmt: skip
NOTES_EXPORT_KINDS = (
    ExportKind(
        "summary", "Insight summary PDF", "insight summary", ".pdf", "PDF files (*.pdf)",
        by_audience=True, review_first=True,
    ),
    ExportKind(
        "briefing", "Briefing deck (PPTX)…", "briefing deck", ".pptx", "PowerPoint decks (*.pptx)",
    ),
    ExportKind(
        "readout", "Insight readout deck (PPTX)", "insight readout", ".pptx", "PowerPoint decks (*.pptx)",
        by_audience=True, review_first=True,
    ),
    ExportKind(
        "insights", "Insights and actions (CSV/XLSX)", "insights and actions", ".xlsx",
        "Excel workbooks (*.xlsx);;CSV files (*.csv)", other_suffixes=(".csv",),
        by_audience=True, review_first=True,
    ),
)  # fmt: skip
AUDIENCE_LABELS = {
    Audience.MEDICAL: "For medical affairs (everything)…",
    Audience.COMMERCIAL: "For commercial colleagues (no attendee names, no flagged entries)…",
    Audience.COMPLIANCE: "For compliance (adds attendance, contracts and payments)…",
}
KINDS = {k.key: k for k in (*EXPORT_KINDS, *NOTES_EXPORT_KINDS)}


@dataclass(frozen=True)
class ExportData:
    event: Event
    agenda: tuple[AgendaItem, ...]
    attendees: tuple[Attendance, ...]


def suggested_name(title: str, kind: ExportKind, starts_at: dt.datetime | None = None) -> str:
    """A file name from the event: "Oncology board - 2025-10-14 - sign-in sheet.pdf"."""
    day = f"{starts_at:%Y-%m-%d}" if starts_at is not None else ""
    return safe_file_name(title or "event", day, kind.noun, suffix=kind.suffix)


def fetch(events: EventService, event_id: int) -> ExportData:
    """db lane: a snapshot of what the export writes."""
    return ExportData(events.get(event_id), tuple(events.agenda(event_id)), tuple(events.attendees(event_id)))


@dataclass(frozen=True)
class NotesExportData:
    """What a meeting output is written from: the report cut to its audience (none for the briefing
    deck, which reads the event itself) and how many flagged entries still wait for review."""

    event_id: int
    event_title: str
    report: MeetingReport | None
    needing_review: int


@dataclass(frozen=True)
class Written:
    path: Path
    detail: str = ""  # e.g. "14 slides"
    warnings: tuple[str, ...] = ()


def fetch_notes(
    meetings: MeetingService, events: EventService, event_id: int, key: str, audience: Audience
) -> NotesExportData:
    """db lane: the report a meeting output shows, and the entries still waiting for review."""
    needing = sum(1 for e in meetings.entries(event_id) if e.needs_review)
    if key == "briefing":
        return NotesExportData(event_id, events.get(event_id).title, None, needing)
    report = meetings.report(event_id, audience)
    return NotesExportData(event_id, report.event.title, report, needing)


def write_notes(
    key: str,
    data: NotesExportData,
    path: Path,
    progress: ProgressCallback,
    cancel: CancelToken,
    events: EventService | None = None,
    assembly: AssemblyService | None = None,
) -> Written:
    """export lane: write a meeting output (atomically, by the boards writers)."""
    if key == "briefing":
        from msldesk.boards.outputs.briefing import write_briefing_deck

        if events is None or assembly is None:
            raise ValueError("the briefing deck needs the event and assembly services")
        deck = write_briefing_deck(events, assembly, data.event_id, path, progress=progress, cancel=cancel)
        return Written(deck.path, _slides(deck.slides), deck.warnings)
    if data.report is None:
        raise ValueError(f"the {key} export needs a meeting report")
    if key == "summary":
        from msldesk.boards.outputs.summary_pdf import write_summary_pdf

        return Written(write_summary_pdf(data.report, path, progress=progress, cancel=cancel))
    if key == "readout":
        from msldesk.boards.outputs.briefing import write_readout_deck

        deck = write_readout_deck(data.report, path, progress=progress, cancel=cancel)
        return Written(deck.path, _slides(deck.slides), deck.warnings)
    if key == "insights":
        from msldesk.boards.outputs.insights import write_insights

        progress(0, 1, "Writing the insights")
        cancel.raise_if_cancelled()
        return Written(write_insights(data.report, path))
    raise ValueError(f"unknown export {key!r}")


def _slides(count: int) -> str:
    return f"{count} slide{'s' if count != 1 else ''}"


def write(kind: str, data: ExportData, path: Path) -> Path:
    """export lane: write the file (atomically, by the boards writers) and return its path."""
    if kind == "ics":
        from msldesk.boards.outputs.ics import write_event_ics

        write_event_ics(data.event, data.agenda, data.attendees, path)
    elif kind == "csv":
        from msldesk.boards.outputs.attendee_lists import write_attendees_csv

        write_attendees_csv(data.event, data.attendees, path)
    elif kind == "xlsx":
        from msldesk.boards.outputs.attendee_lists import write_attendees_xlsx

        write_attendees_xlsx(data.event, data.attendees, path)
    elif kind == "pdf":
        from msldesk.boards.outputs.signin_sheet import write_sign_in_sheet

        write_sign_in_sheet(data.event, data.attendees, path)
    else:
        raise ValueError(f"unknown export {kind!r}")
    return path
