"""PPTX decks for an event on the house template: the briefing before it, the insight readout after it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from msldesk.boards.records import (
    AgendaItem,
    Attendance,
    AttendeeRole,
    EntryKind,
    Event,
    Invitation,
    MeetingReport,
    NoteEntry,
)
from msldesk.core import clock
from msldesk.core.errors import InvalidInputError, MsldeskError
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.core.wording import plural
from msldesk.decks.generated import build_generated_deck
from msldesk.decks.slide_specs import (
    AgendaEntry,
    AgendaSlide,
    ChartSlide,
    GeneratedSlide,
    SectionSlide,
    TableSlide,
    TextSlide,
    TitleSlide,
)

if TYPE_CHECKING:  # the services come from the caller (App, CLI, a test); only their types here
    from msldesk.boards.events.service import EventService
    from msldesk.decks.assembly import AssemblyPlan, AssemblyResult, AssemblyService, DeckSnapshot

# Who is profiled as an expert, in this order; internal colleagues are listed on their own.
EXPERT_ROLES = (
    AttendeeRole.CHAIR,
    AttendeeRole.FACULTY,
    AttendeeRole.MODERATOR,
    AttendeeRole.ADVISOR,
    AttendeeRole.OBSERVER,
)
# A leading "-", "*", "•", "1." or "a)" typed in a multi-line field is list markup, not text.
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·–]+|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+", re.IGNORECASE)


@dataclass(frozen=True)
class DeckResult:
    path: Path
    slides: int  # in the written deck, continued slides included
    library_slides: int  # library slides (with their companions) after the generated ones
    bill_of_materials: Path | None  # the CSV beside a deck with library slides
    warnings: tuple[str, ...] = ()
    assembly: AssemblyResult | None = None  # what the library slides' record is made from

    @property
    def detail(self) -> str:
        return plural(self.slides, "slide")


# ------------------------------------------------------------------------------------------ helpers


def _local(moment: dt.datetime | None, event: Event) -> dt.datetime | None:
    """`moment` on the event's clock (records carry aware times; a naive one is already local)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(clock.zone(event.fields.timezone))


def when_line(event: Event) -> str:
    """ "Thursday 6 January 2027, 09:00–13:00 CET", in the event's own zone."""
    start = _local(event.fields.starts_at, event)
    end = _local(event.fields.ends_at, event)
    if start is None:
        return "Date to be confirmed"
    zone = clock.zone_abbreviation(start) if start.tzinfo else ""
    if end is None:
        text = f"{clock.long_date(start)}, {start:%H:%M}"
    elif end.date() == start.date():
        text = f"{clock.long_date(start)}, {start:%H:%M}–{end:%H:%M}"
    else:
        text = f"{clock.long_date(start)}, {start:%H:%M} – {clock.long_date(end)}, {end:%H:%M}"
    return f"{text} {zone}".strip()


def _lines(text: str) -> list[str]:
    """The items of a multi-line field, without list markers or blank lines."""
    items = (_LIST_MARKER.sub("", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return [item for item in items if item]


def _spans_days(agenda: Sequence[AgendaItem], event: Event) -> bool:
    days = {local.date() for item in agenda if (local := _local(item.starts_at, event)) is not None}
    return len(days) > 1


def _role(attendance: Attendance) -> str:
    label = attendance.fields.role.label
    if attendance.fields.invitation in (Invitation.TENTATIVE, Invitation.WAITLISTED):
        label += f" ({attendance.fields.invitation.label.lower()})"
    return label


def _place(attendance: Attendance) -> str:
    fields = attendance.person.fields
    where = ", ".join(p for p in (fields.city, fields.country) if p.strip())
    return ", ".join(p for p in (fields.institution.strip(), where) if p)


def _attending(attendees: Sequence[Attendance]) -> list[Attendance]:
    return [a for a in attendees if a.fields.invitation is not Invitation.DECLINED]


# ------------------------------------------------------------------------------------------ briefing


def briefing_slides(
    event: Event, agenda: Sequence[AgendaItem], attendees: Sequence[Attendance]
) -> list[GeneratedSlide]:
    """Cover, objectives, agenda with clock times, who is coming, and the questions to discuss.

    Sections with nothing to show are left out, so a new event still gives a short, sensible deck.
    Declined invitations are not listed.
    """
    fields = event.fields
    subtitle = " · ".join(
        p for p in ("Briefing", fields.kind.label, fields.therapeutic_area, fields.product) if p
    )
    where = fields.venue.strip() or fields.virtual_link.strip()
    slides: list[GeneratedSlide] = [
        TitleSlide(
            event.title or "Event briefing", subtitle, " · ".join(p for p in (when_line(event), where) if p)
        )
    ]
    objectives = _lines(fields.objectives)
    if objectives:
        slides.append(TextSlide("Objectives", tuple(objectives)))

    if agenda:
        with_day = _spans_days(agenda, event)
        entries = []
        zone = ""
        for item in agenda:
            start = _local(item.starts_at, event)
            if start is not None and start.tzinfo is not None:
                zone = zone or clock.zone_abbreviation(start)
            at = (
                ""
                if start is None
                else (f"{clock.short_weekday(start)} {start:%H:%M}" if with_day else f"{start:%H:%M}")
            )
            entries.append(AgendaEntry(at, item.fields.title, item.presenter_name, item.fields.minutes))
        slides.append(AgendaSlide(f"Agenda ({zone})" if zone else "Agenda", tuple(entries)))

    present = _attending(attendees)
    experts = sorted(
        (a for a in present if a.fields.role in EXPERT_ROLES),
        key=lambda a: EXPERT_ROLES.index(a.fields.role),  # stable: last names stay in order
    )
    if experts:
        rows = tuple(
            (
                a.person.display_name,
                a.person.fields.credentials,
                a.person.fields.specialty,
                _place(a),
                _role(a),
            )
            for a in experts
        )
        header = ("Name", "Credentials", "Specialty", "Institution", "Role")
        slides.append(TableSlide("Participants", header, rows))
    internal = [a for a in present if a.fields.role not in EXPERT_ROLES]
    if internal:
        staff = tuple(
            (a.person.display_name, a.person.fields.specialty, a.person.fields.institution) for a in internal
        )
        slides.append(TableSlide("Company participants", ("Name", "Function", "Organisation"), staff))

    key_questions = _lines(fields.key_questions)
    if key_questions:
        slides.append(TextSlide("Key questions", tuple(key_questions)))
    questions = tuple(
        (item.fields.title if number == 0 else "", question)
        for item in agenda
        for number, question in enumerate(_lines(item.fields.questions))
    )
    if questions:
        slides.append(TableSlide("Discussion questions by session", ("Session", "Question"), questions))
    return slides


def linked_slide_ids(agenda: Sequence[AgendaItem], assembly: AssemblyService) -> list[int]:
    """Library slides linked to the agenda, in agenda order: each item's own slides, then its
    collections' slides; a slide linked twice is used where it first appears."""
    return list(_linked_slides(agenda, assembly))


def _linked_slides(agenda: Sequence[AgendaItem], assembly: AssemblyService) -> dict[int, str]:
    """Linked slide id -> the title of the agenda item it is first linked to, in deck order."""
    collections = assembly.collection_slide_ids(
        list(dict.fromkeys(c for item in agenda for c in item.fields.collection_ids))
    )
    linked: dict[int, str] = {}
    for item in agenda:
        ids = list(item.fields.slide_ids)
        for collection_id in item.fields.collection_ids:
            ids.extend(collections.get(collection_id, ()))
        for slide_id in ids:
            linked.setdefault(slide_id, item.fields.title)
    return linked


@dataclass(frozen=True)
class BriefingSnapshot:
    """What the briefing deck is built from, read on the database's lane: the event, its agenda and
    attendees, and the checked plan of the library slides linked to the agenda (None: none linked)."""

    event: Event
    agenda: tuple[AgendaItem, ...]
    attendees: tuple[Attendance, ...]
    deck: DeckSnapshot | None

    @property
    def event_id(self) -> int:
        return self.event.event_id


def briefing_snapshot(events: EventService, assembly: AssemblyService, event_id: int) -> BriefingSnapshot:
    """Read the briefing's event and check its linked slides. Expired or withdrawn linked slides stop
    it with a ComplianceError that names them and their agenda items."""
    from msldesk.decks.assembly import DeckRequest

    event = events.get(event_id)
    agenda = tuple(events.agenda(event_id))
    attendees = tuple(events.attendees(event_id))
    linked = _linked_slides(agenda, assembly)
    deck = None
    if linked:
        plan = assembly.plan(list(linked))
        _refuse_blocked(plan, linked)
        deck = assembly.snapshot(DeckRequest(tuple(linked), f"Briefing: {event.title}"), plan)
    return BriefingSnapshot(event, agenda, attendees, deck)


def render_briefing_deck(
    snapshot: BriefingSnapshot,
    out: Path,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> DeckResult:
    """Write the briefing deck (no database: everything is in the snapshot): the generated slides,
    then the library slides linked to its agenda with a bill of materials. Agenda items whose slides
    left the library (a removed deck) are named in the warnings: the deck goes without those slides."""
    from msldesk.decks.assembly import build_deck

    out = _pptx_path(out)
    progress(0, 3, "Building the briefing slides")
    leading = briefing_slides(snapshot.event, snapshot.agenda, snapshot.attendees)
    if cancel is not None:
        cancel.raise_if_cancelled()
    lost = lost_slides_warnings(snapshot.agenda)
    if snapshot.deck is None:  # nothing from the library: the generated slides are the whole deck
        slides = _build_checked(leading, out)
        progress(3, 3, "Done")
        return DeckResult(out, slides, 0, None, lost)
    leading.append(SectionSlide("Session materials", "Library slides linked to the agenda"))
    deck = replace(snapshot.deck, request=replace(snapshot.deck.request, leading=tuple(leading)))
    result = build_deck(deck, out, progress, cancel)
    return DeckResult(
        out, result.slides, len(result.items), result.bill_of_materials, (*lost, *result.warnings), result
    )


def write_briefing_deck(
    events: EventService,
    assembly: AssemblyService,
    event_id: int,
    out: Path,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> DeckResult:
    """The briefing deck's snapshot, build and assembly record in one thread (scripts, tests)."""
    out = _pptx_path(out)
    snapshot = briefing_snapshot(events, assembly, event_id)
    result = render_briefing_deck(snapshot, out, progress, cancel)
    record_briefing_deck(assembly, snapshot, result)
    return result


def record_briefing_deck(assembly: AssemblyService, snapshot: BriefingSnapshot, result: DeckResult) -> None:
    """Record the library slides that went into a briefing deck (database's lane), as for any deck."""
    if snapshot.deck is not None and result.assembly is not None:
        assembly.record(snapshot.deck, result.assembly)


def lost_slides_warnings(agenda: Sequence[AgendaItem]) -> tuple[str, ...]:
    """One line per loss an agenda item noted (slides of a removed deck): they are not in the deck."""
    return tuple(
        f"The agenda item “{item.fields.title}” lost library slides: {line}"
        for item in agenda
        for line in item.note.splitlines()
        if line.strip()
    )


def _refuse_blocked(plan: AssemblyPlan, linked: dict[int, str]) -> None:
    """Expired or withdrawn linked slides stop the briefing, named with their agenda item: there is
    no reason to record here, so the way out is to change the links (assembly would ask for one)."""
    from msldesk.decks.assembly import ComplianceError

    blocked = plan.blocked
    if not blocked:
        return
    names = "; ".join(
        f"“{i.display_title}” ({i.deck_title}, {i.status.value}) in “{linked[i.companion_of or i.slide_id]}”"
        for i in blocked[:5]
    )
    more = f" and {len(blocked) - 5} more" if len(blocked) > 5 else ""
    raise ComplianceError(
        f"The briefing was not built: {plural(len(blocked), 'slide')} linked to the agenda "
        f"{'comes' if len(blocked) == 1 else 'come'} from expired or withdrawn decks: {names}{more}. "
        "Unlink them from those agenda items or link a current version, then build the briefing again."
    )


# ------------------------------------------------------------------------------------------ readout


def attribution(entry: NoteEntry) -> str:
    """Who said it as this report's audience may see it: each speaker's name, else their role at the
    event (the speakers of merged entries too)."""
    shown = []
    for name, role in entry.speakers:
        if name.strip():
            shown.append(name.strip())
        elif role.strip():
            try:
                shown.append(AttendeeRole(role.strip()).label)
            except ValueError:
                shown.append(role.strip().capitalize())
    return "; ".join(dict.fromkeys(shown))


def _said(text: str, entry: NoteEntry) -> str:
    who = attribution(entry)
    return f"{text} — {who}" if who else text


def _unquoted(text: str) -> str:
    text = " ".join(text.split())
    for opening, closing in (('"', '"'), ("“", "”"), ("'", "'"), ("„", "“"), ("«", "»"), ("「", "」")):
        if len(text) > 1 and text.startswith(opening) and text.endswith(closing):
            return text[1:-1].strip()
    return text


def _key_first(entries: Sequence[NoteEntry]) -> list[NoteEntry]:
    return sorted(entries, key=lambda e: not e.fields.key)  # stable: time order within each


def readout_slides(report: MeetingReport) -> list[GeneratedSlide]:
    """Cover, executive summary, key insights, a chart of insights per theme, the insights of each
    theme, notable quotes, questions raised and action items, as the report's audience may see them."""
    event = report.event
    start = _local(event.fields.starts_at, event)
    date = clock.long_date(start) if start is not None else "Date not recorded"
    status = "" if report.finalized_at is not None else "Draft: notes not finalized"
    slides: list[GeneratedSlide] = [
        TitleSlide(
            "Insight readout",
            " · ".join(p for p in (event.title, event.fields.kind.label) if p),
            " · ".join(p for p in (date, f"{report.audience.label} audience", status) if p),
        )
    ]
    insights = report.of_kind(EntryKind.INSIGHT)
    groups = report.by_theme()
    attended = [
        a
        for a in report.attendees
        if a.fields.role is not AttendeeRole.INTERNAL
        and (a.fields.checked_in_at is not None or a.fields.attended_minutes)
    ]
    facts = [
        f"{plural(len(insights), 'insight')} in {plural(len(groups), 'theme')}; "
        f"{plural(len(report.of_kind(EntryKind.QUESTION)), 'question')} raised; "
        f"{plural(len(report.of_kind(EntryKind.ACTION)), 'action item')}.",
    ]
    if attended:
        facts.append(f"{plural(len(attended), 'expert')} attended.")
    summary = _lines(report.executive_summary) if report.executive_summary.strip() else []
    removed = report.removed_flagged
    left_out = f"{plural(removed, 'flagged entry')} left out for this audience." if removed else ""
    slides.append(TextSlide("Executive summary", tuple(summary + facts), notes=left_out))

    key = [e for e in insights if e.fields.key]
    if key:
        bullets = tuple(
            _said(f"{', '.join(e.fields.themes)}: {e.text}" if e.fields.themes else e.text, e) for e in key
        )
        slides.append(TextSlide("Key insights", bullets))
    if groups:
        slides.append(
            ChartSlide(
                "Insights per theme",
                tuple(theme for theme, _ in groups),
                tuple(len(entries) for _, entries in groups),
                series_name="Insights",
                notes="An insight filed under two themes counts in both.",
            )
        )
        # One compact table (continued as needed) rather than a near-empty slide per small theme.
        rows = tuple(
            (theme if number == 0 else "", entry.text, attribution(entry))
            for theme, entries in groups
            for number, entry in enumerate(_key_first(entries))
        )
        slides.append(TableSlide("Insights by theme", ("Theme", "Insight", "From"), rows))
    else:
        slides.append(TextSlide("Insights", ("No insights were recorded.",)))

    quotes = _key_first(report.of_kind(EntryKind.QUOTE))
    if quotes:
        slides.append(TextSlide("Notable quotes", tuple(_said(f"“{_unquoted(q.text)}”", q) for q in quotes)))
    questions = report.of_kind(EntryKind.QUESTION)
    if questions:
        slides.append(TextSlide("Questions raised", tuple(_said(q.text, q) for q in questions)))
    actions = report.of_kind(EntryKind.ACTION)
    if actions:
        rows = tuple(
            (
                a.text,
                a.owner_name or a.fields.owner,
                clock.short_date(a.fields.due) if a.fields.due else "",
            )
            for a in actions
        )
        slides.append(TableSlide("Action items", ("Action", "Owner", "Due"), rows))
    return slides


def write_readout_deck(
    report: MeetingReport,
    out: Path,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> DeckResult:
    """Write the insight readout deck for a meeting report (already cut to its audience)."""
    out = _pptx_path(out)
    progress(0, 2, "Building the readout slides")
    slides = readout_slides(report)
    if cancel is not None:
        cancel.raise_if_cancelled()
    count = _build_checked(slides, out)
    progress(2, 2, "Done")
    return DeckResult(out, count, 0, None)


# ------------------------------------------------------------------------------------------ writing


def _pptx_path(out: Path) -> Path:
    out = Path(out)
    if out.suffix.lower() != ".pptx":
        raise InvalidInputError("The deck must be saved as a .pptx file.", details=str(out))
    return out


def _build_checked(slides: Sequence[GeneratedSlide], out: Path) -> int:
    """Build the deck, run the package check (a failed one leaves no file), return its slide count."""
    from msldesk.decks.ooxml.package import read_deck
    from msldesk.decks.ooxml.validate import validate_package

    build_generated_deck(slides, out)
    report = validate_package(out)
    if not report.ok:
        out.unlink(missing_ok=True)
        raise MsldeskError(
            "The new deck failed its package check and was not kept. Please report this.", report.explain()
        )
    return len(read_deck(out).slides)
