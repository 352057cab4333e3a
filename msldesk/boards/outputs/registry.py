"""Every kind of file msldesk exports, in one registry that the command line and the desktop app both
read, each under one name. An export is three steps: `snapshot` reads what the file needs into frozen
records (the database's lane), `render` writes the file from that snapshot alone, atomically, with
progress and cancel (the export lane; no database), and `record` notes it (the database's lane: the
audit trail, or a deck's bill of materials). `OutputService.export` runs the three in one thread.

This module is light on purpose (the CLI builds its verbs from it before any library opens): the
writers load when a file is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

from msldesk.boards.kinds import Audience
from msldesk.core.errors import InvalidInputError
from msldesk.core.progress import CancelToken, ProgressCallback

if TYPE_CHECKING:  # the services and the heavier records: types only
    from msldesk.boards.outputs.briefing import BriefingSnapshot, DeckResult
    from msldesk.boards.outputs.service import OutputService
    from msldesk.boards.records import AgendaItem, Attendance, Event, MeetingReport, Payment
    from msldesk.decks.assembly import AssemblyResult, DeckRequest, DeckSnapshot


class Written(Protocol):
    """What `render` returns: the file, a few words about it ("14 slides"), what to check in it."""

    @property
    def path(self) -> Path: ...

    @property
    def detail(self) -> str: ...

    @property
    def warnings(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class File:
    path: Path
    detail: str = ""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PaymentsFile:
    path: Path
    rows: int
    warnings: tuple[str, ...] = ()

    @property
    def detail(self) -> str:
        return f"{self.rows} payment{'s' if self.rows != 1 else ''}"


@dataclass(frozen=True)
class EventTarget:
    """An event's file; the meeting's outputs are cut to an audience."""

    event_id: int
    audience: Audience = Audience.MEDICAL


# ---- snapshots: frozen records, nothing that reaches the database --------------------------------


@dataclass(frozen=True)
class EventFiles:
    """What the planning files show: the event, its agenda and attendee list."""

    event: Event
    agenda: tuple[AgendaItem, ...]
    attendees: tuple[Attendance, ...]

    @property
    def event_id(self) -> int:
        return self.event.event_id


@dataclass(frozen=True)
class ReportSnapshot:
    """A meeting output's report, cut to its audience, and how many flagged entries still wait for
    review (the desktop app asks about those, the command line warns)."""

    report: MeetingReport
    needing_review: int

    @property
    def event(self) -> Event:
        return self.report.event

    @property
    def event_id(self) -> int:
        return self.report.event.event_id


@dataclass(frozen=True)
class PaymentsSnapshot:
    year: int
    payments: tuple[Payment, ...]


T = TypeVar("T")  # what is exported: an EventTarget, a year, a DeckRequest
S = TypeVar("S")  # its snapshot
R = TypeVar("R", bound=Written)  # what render returns
Subject = Literal["event", "year", "slides"]


@dataclass(frozen=True)
class ExportKind(Generic[T, S, R]):
    name: str  # one name everywhere: this registry, the CLI's verbs, the desktop app's actions
    label: str  # the desktop app's menu text
    noun: str  # "attendee list": messages and suggested file names
    suffixes: tuple[str, ...]  # the first is the one added to a name typed without one
    file_filter: str  # the save dialog's
    subject: Subject  # what a target names: an event, a year, library slides
    command: str  # how the command line reaches it (shown as a tip in the desktop app)
    command_help: str  # the command line's help for that command or flag
    snapshot: Callable[[OutputService, T], S]
    render: Callable[[S, Path, ProgressCallback, CancelToken], R]
    record: Callable[[OutputService, S, R], None]
    by_audience: bool = False  # a meeting output cut to an audience (medical, commercial, compliance)
    review_first: bool = False  # carries the notes: unreviewed flagged entries are asked about
    companions: Callable[[Path], tuple[Path, ...]] = lambda _out: ()  # files written beside the file

    @property
    def cli_words(self) -> tuple[str, ...]:
        """The command's words and flags without their values: ("event", "export", "--ics")."""
        return tuple(w for w in self.command.split() if not (w.isupper() or "." in w))

    def noun_for(self, target: object) -> str:
        """ "insight summary (commercial)" for a meeting output's audience; the noun otherwise."""
        if self.by_audience and isinstance(target, EventTarget):
            return f"{self.noun} ({Audience(target.audience).value})"
        return self.noun

    def accepts(self, path: Path) -> bool:
        return Path(path).suffix.lower() in self.suffixes

    def checked_path(self, out: Path) -> Path:
        """`out`, when its ending says this kind; a plain-words refusal otherwise."""
        kind_for_file((self,), out)
        return Path(out)

    def write(
        self,
        data: S,
        out: Path,
        progress: ProgressCallback,
        cancel: CancelToken,
        *,
        overwrite: bool = False,
        companions_too: bool = True,
    ) -> R:
        """`render`, once the file and its companions (a deck's bill of materials) can be written
        where the user named them: a folder, a pipe, a link, a missing folder, a name no disk takes
        and (unless `overwrite`: the user agreed to replace them) an existing file are refused in
        plain words before anything is written; `companions_too` False: `overwrite` is for `out`
        only (the save dialog asked about that file alone). Every front end writes through here."""
        from msldesk.core.fileio import check_output_file

        out = self.checked_path(out)
        check_output_file(out, overwrite=overwrite)
        for path in self.companions(out):
            check_output_file(path, overwrite=overwrite and companions_too)
        return self.render(data, out, progress, cancel)


def kind_for_file(kinds: tuple[ExportKind[Any, Any, Any], ...], out: Path) -> ExportKind[Any, Any, Any]:
    """The kind among `kinds` (one command line flag can name several: --attendees) whose ending
    `out` has; a plain-words refusal naming the endings that would do otherwise."""
    for kind in kinds:
        if kind.accepts(out):
            return kind
    names = " or ".join(dict.fromkeys(s for k in kinds for s in k.suffixes))
    what = kinds[0].noun[:1].upper() + kinds[0].noun[1:]
    raise InvalidInputError(
        f"{what} files are written as {names}; choose a file name ending in {names}.", details=str(out)
    )


# ---- the kinds' steps ----------------------------------------------------------------------------


def _event_files(outputs: OutputService, target: EventTarget) -> EventFiles:
    events, event_id = outputs.events, target.event_id
    return EventFiles(events.get(event_id), tuple(events.agenda(event_id)), tuple(events.attendees(event_id)))


def _report(outputs: OutputService, target: EventTarget) -> ReportSnapshot:
    needing = sum(1 for e in outputs.meetings.entries(target.event_id) if e.needs_review)
    return ReportSnapshot(outputs.meetings.report(target.event_id, Audience(target.audience)), needing)


def _briefing(outputs: OutputService, target: EventTarget) -> BriefingSnapshot:
    from msldesk.boards.outputs.briefing import briefing_snapshot

    return briefing_snapshot(outputs.events, outputs.assembly, target.event_id)


def _payments(outputs: OutputService, year: int) -> PaymentsSnapshot:
    return PaymentsSnapshot(year, tuple(outputs.events.payments(year)))


def _deck(outputs: OutputService, request: DeckRequest) -> DeckSnapshot:
    return outputs.assembly.snapshot(request)


def _step(progress: ProgressCallback, cancel: CancelToken, what: str) -> None:
    progress(0, 1, f"Writing the {what}")
    cancel.raise_if_cancelled()


def _calendar_file(data: EventFiles, out: Path, progress: ProgressCallback, cancel: CancelToken) -> File:
    from msldesk.boards.outputs.ics import write_event_ics

    _step(progress, cancel, "calendar invitation")
    write_event_ics(data.event, data.agenda, data.attendees, out)
    return File(out)


def _attendees_csv(data: EventFiles, out: Path, progress: ProgressCallback, cancel: CancelToken) -> File:
    from msldesk.boards.outputs.attendee_lists import write_attendees_csv

    _step(progress, cancel, "attendee list")
    write_attendees_csv(data.event, data.attendees, out)
    return File(out)


def _attendees_xlsx(data: EventFiles, out: Path, progress: ProgressCallback, cancel: CancelToken) -> File:
    from msldesk.boards.outputs.attendee_lists import write_attendees_xlsx

    _step(progress, cancel, "attendee list")
    write_attendees_xlsx(data.event, data.attendees, out)
    return File(out)


def _sign_in_sheet(data: EventFiles, out: Path, progress: ProgressCallback, cancel: CancelToken) -> File:
    from msldesk.boards.outputs.signin_sheet import write_sign_in_sheet

    _step(progress, cancel, "sign-in sheet")
    write_sign_in_sheet(data.event, data.attendees, out)
    return File(out)


def _summary_pdf(data: ReportSnapshot, out: Path, progress: ProgressCallback, cancel: CancelToken) -> File:
    from msldesk.boards.outputs.summary_pdf import write_summary_pdf

    return File(write_summary_pdf(data.report, out, progress, cancel))


def _readout(data: ReportSnapshot, out: Path, progress: ProgressCallback, cancel: CancelToken) -> DeckResult:
    from msldesk.boards.outputs.briefing import write_readout_deck

    return write_readout_deck(data.report, out, progress, cancel)


def _insights(data: ReportSnapshot, out: Path, progress: ProgressCallback, cancel: CancelToken) -> File:
    from msldesk.boards.outputs.insights import write_insights

    _step(progress, cancel, "insights")
    return File(write_insights(data.report, out))


def _briefing_deck(
    data: BriefingSnapshot, out: Path, progress: ProgressCallback, cancel: CancelToken
) -> DeckResult:
    from msldesk.boards.outputs.briefing import render_briefing_deck

    return render_briefing_deck(data, out, progress, cancel)


def _payments_csv(
    data: PaymentsSnapshot, out: Path, progress: ProgressCallback, cancel: CancelToken
) -> PaymentsFile:
    from msldesk.boards.outputs.open_payments import write_open_payments_csv

    _step(progress, cancel, "payments")
    return PaymentsFile(out, write_open_payments_csv(data.payments, out, data.year))


def _deck_file(
    data: DeckSnapshot, out: Path, progress: ProgressCallback, cancel: CancelToken
) -> AssemblyResult:
    from msldesk.decks.assembly import build_deck

    return build_deck(data, out, progress, cancel)


def _audited(action: str) -> Callable[[OutputService, Any, Written], None]:
    """A record step: the export in the event's audit trail (with the audience of a meeting output)."""

    def record(outputs: OutputService, data: Any, written: Written) -> None:
        audience = data.report.audience if isinstance(data, ReportSnapshot) else None
        outputs.record(action, data.event_id, written.path, audience)

    return record


def _record_briefing(outputs: OutputService, data: BriefingSnapshot, written: DeckResult) -> None:
    from msldesk.boards.outputs.briefing import record_briefing_deck

    record_briefing_deck(outputs.assembly, data, written)
    outputs.record("briefing", data.event_id, written.path)


def _record_payments(outputs: OutputService, data: PaymentsSnapshot, written: PaymentsFile) -> None:
    outputs.record_payments(data.year, written.path, written.rows)


def _record_deck(outputs: OutputService, data: DeckSnapshot, written: AssemblyResult) -> None:
    outputs.assembly.record(data, written)


def _bill_of_materials(out: Path) -> tuple[Path, ...]:
    from msldesk.decks.assembly import bill_of_materials_path

    return (bill_of_materials_path(out),)


# ---- the registry --------------------------------------------------------------------------------

PDF, PPTX = "PDF files (*.pdf)", "PowerPoint decks (*.pptx)"
EVENT_MENU_KINDS: tuple[ExportKind[Any, Any, Any], ...] = (
    ExportKind(
        "calendar", "Calendar invitation (.ics)…", "calendar invitation", (".ics",), "Calendar files (*.ics)",
        "event", "event export EVENT_ID --ics FILE.ics", "calendar invitation (.ics)",
        _event_files, _calendar_file, _audited("calendar"),
    ),
    ExportKind(
        "attendees-csv", "Attendee list (CSV)…", "attendee list", (".csv",), "CSV files (*.csv)",
        "event", "event export EVENT_ID --attendees FILE.csv", "attendee list (.csv or .xlsx)",
        _event_files, _attendees_csv, _audited("attendees"),
    ),
    ExportKind(
        "attendees-xlsx", "Attendee list (Excel)…", "attendee list", (".xlsx",), "Excel workbooks (*.xlsx)",
        "event", "event export EVENT_ID --attendees FILE.xlsx", "attendee list (.csv or .xlsx)",
        _event_files, _attendees_xlsx, _audited("attendees"),
    ),
    ExportKind(
        "sign-in-sheet", "Sign-in sheet (PDF)…", "sign-in sheet", (".pdf",), PDF,
        "event", "event export EVENT_ID --sign-in FILE.pdf", "printable sign-in sheet (.pdf)",
        _event_files, _sign_in_sheet, _audited("sign_in_sheet"),
    ),
    ExportKind(
        "open-payments", "Payments of the event's year (Open Payments CSV)…", "year's payments", (".csv",),
        "CSV files (*.csv)",
        "year", "payments export --year YEAR --out FILE.csv",
        "a year's payments as an Open Payments-shaped CSV",
        _payments, _payments_csv, _record_payments,
    ),
)  # fmt: skip
MEETING_MENU_KINDS: tuple[ExportKind[Any, Any, Any], ...] = (
    ExportKind(
        "summary-pdf", "Insight summary PDF", "insight summary", (".pdf",), PDF,
        "event", "export summary EVENT_ID --audience AUDIENCE --out FILE.pdf",
        "the insight summary as a PDF for one audience",
        _report, _summary_pdf, _audited("summary"), by_audience=True, review_first=True,
    ),
    ExportKind(
        "briefing", "Briefing deck (PPTX)…", "briefing deck", (".pptx",), PPTX,
        "event", "export briefing EVENT_ID --out FILE.pptx", "the briefing deck before the meeting (PPTX)",
        _briefing, _briefing_deck, _record_briefing, companions=_bill_of_materials,
    ),
    ExportKind(
        "readout", "Insight readout deck (PPTX)", "insight readout", (".pptx",), PPTX,
        "event", "export readout EVENT_ID --audience AUDIENCE --out FILE.pptx",
        "the insight readout deck after the meeting (PPTX)",
        _report, _readout, _audited("readout"), by_audience=True, review_first=True,
    ),
    ExportKind(
        "insights", "Insights and actions (CSV/XLSX)", "insights and actions", (".xlsx", ".csv"),
        "Excel workbooks (*.xlsx);;CSV files (*.csv)",
        "event", "export insights EVENT_ID --audience AUDIENCE --out FILE.xlsx",
        "entries and actions as CSV or XLSX",
        _report, _insights, _audited("insights"), by_audience=True, review_first=True,
    ),
)  # fmt: skip
DECK: ExportKind[DeckRequest, DeckSnapshot, AssemblyResult] = ExportKind(
    "deck", "Export deck…", "deck", (".pptx",), "PowerPoint deck (*.pptx)",
    "slides", "compose SLIDE_ID --out FILE.pptx", "build a .pptx from library slides",
    _deck, _deck_file, _record_deck, companions=_bill_of_materials,
)  # fmt: skip

KINDS: dict[str, ExportKind[Any, Any, Any]] = {
    k.name: k for k in (*EVENT_MENU_KINDS, *MEETING_MENU_KINDS, DECK)
}

# How the desktop app offers each audience of a meeting output.
AUDIENCE_LABELS = {
    Audience.MEDICAL: "For medical affairs (everything)…",
    Audience.COMMERCIAL: "For commercial colleagues (no attendee names, no flagged entries)…",
    Audience.COMPLIANCE: "For compliance (adds attendance, contracts and payments)…",
}


def kinds_of_command(*words: str) -> tuple[ExportKind[Any, Any, Any], ...]:
    """The kinds a command line reaches with these words: ("export", "summary"), or every kind of
    ("event", "export", "--attendees") (one per file ending)."""
    return tuple(k for k in KINDS.values() if k.cli_words[: len(words)] == words)
