"""Frozen records the boards service and its readers/writers exchange (never ORM objects)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal

from msldesk.boards.kinds import (  # re-exported: the records' own vocabulary
    AgendaKind,
    AttendeeRole,
    Audience,
    EntryKind,
    EventKind,
    EventStatus,
    Invitation,
    Labelled,
)
from msldesk.core.wording import plural


@dataclass(frozen=True)
class PersonFields:
    """What is known about a person: typed in, imported from a file, or stored."""

    first_name: str = ""
    last_name: str = ""
    credentials: str = ""  # MD, PhD, PharmD ...
    specialty: str = ""
    institution: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""
    npi: str = ""
    tier: str = ""  # FMV tier, e.g. "1" (national KOL) .. "4" (local)
    notes: str = ""
    consent_to_contact: bool | None = None  # None: not recorded

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.email

    @property
    def name_missing(self) -> bool:
        """Known by an e-mail address only (imported from a contact without a name): to complete."""
        return not (self.first_name or self.last_name)

    def merged_with(self, other: PersonFields) -> PersonFields:
        """These fields, with blanks filled from `other` (used by re-import and merge)."""
        changes = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if (mine is None or mine == "") and theirs not in (None, ""):
                changes[f.name] = theirs
        return replace(self, **changes) if changes else self


PERSON_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(PersonFields))


@dataclass(frozen=True)
class Person:
    person_id: int
    fields: PersonFields
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def display_name(self) -> str:
        return self.fields.display_name


@dataclass(frozen=True)
class ImportRow:
    """One data row of an imported file, after mapping: a person plus what the file says about
    their attendance (only used when importing into an event)."""

    row: int  # 1-based line/record number in the source, as a user would count it
    person: PersonFields
    role: str = ""
    invitation: str = ""


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass(frozen=True)
class EventFields:
    kind: EventKind = EventKind.ADVISORY_BOARD
    title: str = ""
    objectives: str = ""
    key_questions: str = ""
    therapeutic_area: str = ""
    product: str = ""
    starts_at: dt.datetime | None = None  # aware, in `timezone`
    ends_at: dt.datetime | None = None  # aware, in `timezone`
    timezone: str = "UTC"  # IANA name
    venue: str = ""
    virtual_link: str = ""
    status: EventStatus = EventStatus.PLANNING
    currency: str = "USD"
    budget_estimated: Decimal = Decimal("0")
    budget_committed: Decimal = Decimal("0")
    budget_actual: Decimal = Decimal("0")


@dataclass(frozen=True)
class AttendanceCounts:
    """Worked out by msldesk.boards.events.counts.count_attendance, the one place that defines them."""

    on_list: int = 0  # everyone on the attendee list, company staff included
    staff: int = 0  # company staff (role "internal"): not invited, contracted or paid
    invited: int = 0  # external attendees whose invitation went out (any answer since)
    accepted: int = 0  # external attendees who accepted: the ones who need a contract and a COI form
    contracted: int = 0  # accepted external attendees with a signed contract
    disclosed: int = 0  # accepted external attendees who disclosed conflicts of interest

    @property
    def external(self) -> int:
        """The attendees invitations, contracts and disclosures are counted among."""
        return self.on_list - self.staff


@dataclass(frozen=True)
class Event:
    event_id: int
    fields: EventFields
    counts: AttendanceCounts = AttendanceCounts()

    @property
    def attendee_count(self) -> int:
        return self.counts.on_list

    @property
    def accepted_count(self) -> int:
        return self.counts.accepted

    @property
    def title(self) -> str:
        return self.fields.title


@dataclass(frozen=True)
class AgendaItemFields:
    title: str
    minutes: int
    kind: AgendaKind = AgendaKind.PRESENTATION
    presenter_id: int | None = None
    questions: str = ""
    slide_ids: tuple[int, ...] = ()
    collection_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class AgendaItem:
    item_id: int
    event_id: int
    position: int  # 0-based order
    fields: AgendaItemFields
    presenter_name: str = ""
    starts_at: dt.datetime | None = None  # computed from the event start and earlier items
    ends_at: dt.datetime | None = None
    overruns: bool = False  # ends after the event ends
    actual_start: dt.datetime | None = None  # recorded in meeting mode, in the event's zone
    actual_end: dt.datetime | None = None
    # What happened to its linked library slides (slides of a removed deck); linking slides clears it.
    note: str = ""

    @property
    def actual_minutes(self) -> int | None:
        if self.actual_start is None or self.actual_end is None:
            return None
        return round((self.actual_end - self.actual_start).total_seconds() / 60)


@dataclass(frozen=True)
class AttendanceFields:
    role: AttendeeRole = AttendeeRole.ADVISOR
    invitation: Invitation = Invitation.NOT_SENT
    contract_signed: bool = False
    coi_disclosed: bool = False
    honorarium_hours: Decimal = Decimal("0")
    honorarium_rate: Decimal = Decimal("0")  # per hour
    honorarium_amount: Decimal = Decimal("0")
    currency: str = "USD"
    travel_amount: Decimal = Decimal("0")
    expenses_amount: Decimal = Decimal("0")
    checked_in_at: dt.datetime | None = None
    attended_minutes: int | None = None  # from a Teams/Zoom report; None: not known


@dataclass(frozen=True)
class Attendance:
    attendance_id: int
    event_id: int
    person: Person
    fields: AttendanceFields
    warnings: tuple[str, ...] = ()  # e.g. honorarium above an FMV cap


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    done: bool
    detail: str = ""  # e.g. "7 of 9 contracts signed"
    automatic: bool = False  # derived from attendance; not ticked by hand


@dataclass(frozen=True)
class Payment:
    """One transfer of value, the shape of a row in an Open Payments general-payments file."""

    event_id: int
    event_title: str
    date: dt.date
    person: Person
    nature: str  # e.g. "Consulting Fee", "Travel and Lodging", "Food and Beverage"
    amount: Decimal
    currency: str = "USD"


@dataclass(frozen=True)
class EventDeletion:
    """What deleting an event takes with it, read before the question is asked. `refusal` says why it
    cannot be deleted and what to do instead ("" when it can): payments the Open Payments export
    reports and finalized meeting notes are kept."""

    event_id: int
    title: str
    agenda_items: int = 0
    attendees: int = 0
    with_amounts: int = 0  # of the attendees: honorarium, travel or expenses recorded, none reported
    notes: int = 0  # meeting notes as the review lists them (not finalized)
    rehearsal_notes: int = 0
    refusal: str = ""

    def takes(self) -> list[str]:
        """What goes with it, in plain words: "3 meeting notes (not finalized)", "2 attendees …"."""
        found = []
        if self.notes:
            found.append(f"{plural(self.notes, 'meeting note')} (not finalized)")
        if self.rehearsal_notes:
            found.append(plural(self.rehearsal_notes, "rehearsal note"))
        if self.attendees:
            amounts = f", {self.with_amounts} with amounts recorded" if self.with_amounts else ""
            found.append(
                f"{plural(self.attendees, 'attendee')} with their invitation, contract and disclosure "
                f"records{amounts}"
            )
        if self.agenda_items:
            found.append(plural(self.agenda_items, "agenda item"))
        return found


@dataclass(frozen=True)
class AgendaItemRemoval:
    """What removing an agenda item takes, read before the question: the meeting notes filed under it
    leave it, each keeping the item's title. `refusal` ("" when it can go): its notes are finalized."""

    item_id: int
    event_id: int
    title: str
    notes: int = 0  # meeting notes filed under it (rehearsal ones apart)
    refusal: str = ""


@dataclass(frozen=True)
class AttendanceRecord:
    """One participant line of a Teams or Zoom attendance report."""

    name: str
    email: str = ""
    first_join: dt.datetime | None = None
    last_leave: dt.datetime | None = None
    minutes: int = 0
    role: str = ""


@dataclass(frozen=True)
class DuplicateGroup:
    """People who look like one person, and why."""

    person_ids: tuple[int, ...]
    reason: str  # "same NPI", "same name and email", "similar name at the same institution"


class RowOutcome(Labelled):
    """What importing one valid row of a file does to the directory."""

    ADD = "add"  # a new person
    UPDATE = "update"  # someone already in the directory, with something new from the file
    UNCHANGED = "unchanged"  # someone already in the directory exactly as the file has them: skipped
    REPEAT = "repeat"  # the same person as an earlier row of the file: merged into that row


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do; nothing is written until the user confirms."""

    source_kind: str  # "csv", "xlsx", "vcard", "nppes-json", "ics", "teams-report", "zoom-report" ...
    headers: tuple[str, ...]
    mapping: dict[str, str]  # source header -> person field name or "" (ignored)
    rows: tuple[ImportRow, ...]  # valid rows
    errors: tuple[RowError, ...]
    new_count: int = 0
    update_count: int = 0
    duplicate_count: int = 0  # rows that repeat an earlier row of the same file
    encoding: str = ""
    delimiter: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)
    attendance: tuple[AttendanceRecord, ...] = ()  # meeting reports: who attended, for how long
    source_name: str = ""
    unchanged_count: int = 0  # rows of people already in the directory exactly as the file has them
    meeting_start: dt.datetime | None = None  # meeting reports: when the meeting began (its wall time)
    outcomes: tuple[RowOutcome, ...] = ()  # per row of `rows`, in order
    # header -> the first non-blank value of its column (mapped or not), for choosing a mapping
    samples: dict[str, str] = field(default_factory=dict)

    @property
    def nameless_count(self) -> int:
        """Rows imported under their e-mail address only, marked "name missing"."""
        return sum(1 for r in self.rows if r.person.name_missing)


@dataclass(frozen=True)
class ImportResult:
    imported: int
    updated: int
    duplicates: int
    errors: tuple[RowError, ...]
    attendees_added: int = 0
    attendance_marked: int = 0
    dry_run: bool = False
    warnings: tuple[str, ...] = ()  # about the file as a whole, e.g. rows read as Windows-1252
    unchanged: int = 0  # rows of people already in the directory exactly as the file has them
    people_only: bool = False  # a meeting report of another day: people imported, nothing put on the event


# -- meeting capture ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryFields:
    text: str
    kind: EntryKind = EntryKind.NOTE
    agenda_item_id: int | None = None
    speaker_id: int | None = None
    themes: tuple[str, ...] = ()
    owner_id: int | None = None  # actions: the person who does it, if they are in the directory
    owner: str = ""  # actions: the owner's name as written
    due: dt.date | None = None  # actions
    key: bool = False  # marked as a key insight in review


@dataclass(frozen=True)
class Amendment:
    amendment_id: int
    text: str
    reason: str
    created_at: dt.datetime  # aware, UTC


@dataclass(frozen=True)
class MergedPart:
    """An entry merged into another: its words and who said them stay with the kept entry."""

    entry_id: int
    kind: EntryKind
    text: str
    speaker_id: int | None = None
    speaker_name: str = ""
    speaker_role: str = ""


@dataclass(frozen=True)
class NoteEntry:
    entry_id: int
    event_id: int
    fields: EntryFields
    created_at: dt.datetime  # aware, UTC
    edited_at: dt.datetime | None = None  # aware, UTC; the last edit before finalization
    speaker_name: str = ""
    speaker_role: str = ""  # the speaker's attendee role at this event ("" if not an attendee)
    owner_name: str = ""  # the owner's name: from the directory if linked, else as written
    # The agenda item it is filed under; when none, the one it was filed under before that was removed.
    agenda_title: str = ""
    flag_terms: tuple[str, ...] = ()  # restricted words or phrases found in the text
    flag_reviewed: bool = False
    flag_cleared: bool = False  # reviewed and judged acceptable
    flag_reviewed_by: str = ""  # the reviewer's account name ("" if not reviewed, or not recorded)
    flag_reviewed_at: dt.datetime | None = None  # aware, UTC
    merged_ids: tuple[int, ...] = ()  # entries merged into this one
    amendments: tuple[Amendment, ...] = ()
    merged_parts: tuple[MergedPart, ...] = ()  # the entries merged into this one, as typed

    @property
    def speakers(self) -> tuple[tuple[str, str], ...]:
        """(name, role) of everyone this entry is credited to: its speaker, then the speakers of the
        entries merged into it (a merge never drops an attribution)."""
        found: dict[tuple[str, str], None] = {}
        for name, role in (
            (self.speaker_name, self.speaker_role),
            *((p.speaker_name, p.speaker_role) for p in self.merged_parts),
        ):
            if name or role:
                found.setdefault((name, role))
        return tuple(found)

    @property
    def item_removed(self) -> bool:
        """It was filed under an agenda item since removed (whose title is `agenda_title`)."""
        return self.fields.agenda_item_id is None and bool(self.agenda_title)

    @property
    def text(self) -> str:
        """The text as it now stands: the latest amendment, else the entry."""
        return self.amendments[-1].text if self.amendments else self.fields.text

    @property
    def kind(self) -> EntryKind:
        return self.fields.kind

    @property
    def flagged(self) -> bool:
        return bool(self.flag_terms) and not self.flag_cleared

    @property
    def needs_review(self) -> bool:
        return bool(self.flag_terms) and not self.flag_reviewed

    @property
    def review_state(self) -> str:
        """ "Needs review", "Kept flagged", "Cleared" or "" (not flagged): the review decision."""
        if not self.flag_terms:
            return ""
        if self.needs_review:
            return "Needs review"
        return "Cleared" if self.flag_cleared else "Kept flagged"


@dataclass(frozen=True)
class MeetingDay:
    """Whether meeting mode is opened on the event's day (in its zone), and any rehearsal."""

    on_the_day: bool  # also true for an undated event, and past midnight of a late meeting
    event_day: dt.date | None  # the event's first day, in its zone
    today: dt.date  # in the event's zone
    rehearsal_started: dt.datetime | None = None  # aware, UTC: a rehearsal is running
    rehearsal_entries: int = 0  # entries typed in rehearsals, kept out of every output

    @property
    def rehearsing(self) -> bool:
        return self.rehearsal_started is not None


@dataclass(frozen=True)
class Draft:
    """The unfinished entry in the note field, as last autosaved."""

    event_id: int
    text: str
    agenda_item_id: int | None
    saved_at: dt.datetime  # aware, UTC


@dataclass(frozen=True)
class MeetingReport:
    """Everything a summary, a readout deck or an export shows about one meeting, already cut to
    its audience (see boards.audience)."""

    event: Event
    audience: Audience
    agenda: tuple[AgendaItem, ...]
    attendees: tuple[Attendance, ...]
    entries: tuple[NoteEntry, ...]  # in time order, merged-away entries left out
    themes: tuple[str, ...]  # the event's taxonomy order, then any other theme used
    executive_summary: str
    finalized_at: dt.datetime | None  # aware, UTC
    generated_at: dt.datetime  # aware, UTC
    payments: tuple[Payment, ...] = ()  # compliance audience only
    removed_flagged: int = 0  # flagged entries left out for this audience

    def of_kind(self, kind: EntryKind) -> tuple[NoteEntry, ...]:
        return tuple(e for e in self.entries if e.kind == kind)

    def by_theme(
        self, kinds: tuple[EntryKind, ...] = (EntryKind.INSIGHT,)
    ) -> list[tuple[str, list[NoteEntry]]]:
        """(theme, entries) in taxonomy order; entries without a theme come last under "Other"."""
        groups: dict[str, list[NoteEntry]] = {t: [] for t in self.themes}
        other: list[NoteEntry] = []
        for entry in self.entries:
            if entry.kind not in kinds:
                continue
            if not entry.fields.themes:
                other.append(entry)
            for theme in entry.fields.themes:
                groups.setdefault(theme, []).append(entry)
        result = [(t, es) for t, es in groups.items() if es]
        if other:
            result.append(("Other", other))
        return result


def merge_differences(entries: Sequence[NoteEntry]) -> list[str]:
    """What merging these entries would bring together that is not the same: speakers ("different
    speakers: Anna Weber, Li Wei") and kinds ("different kinds: insight, quote"). Empty: duplicates."""
    differences = []
    if len({e.fields.speaker_id for e in entries}) > 1:
        names = [e.speaker_name or "no speaker" for e in entries]
        differences.append("different speakers: " + ", ".join(dict.fromkeys(names)))
    kinds = [e.kind.value for e in entries]
    if len(set(kinds)) > 1:
        differences.append("different kinds: " + ", ".join(dict.fromkeys(kinds)))
    return differences
