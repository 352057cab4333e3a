"""Meeting capture's public API: the running agenda, time-stamped entries, the autosaved draft,
review (key insights, merges, flagged entries, executive summary), finalization and amendments."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from msldesk.boards.events.days import check_report_day
from msldesk.boards.events.rows import zone
from msldesk.boards.events.service import EventService
from msldesk.boards.meeting.entry_text import parse_entry
from msldesk.boards.meeting.guard import RestrictedTerms, load_terms, save_terms
from msldesk.boards.orm import (
    AgendaItemRow,
    AttendanceRow,
    EventRow,
    EventThemeRow,
    NoteAmendmentRow,
    NoteDraftRow,
    NoteEntryRow,
    NoteThemeRow,
    PersonRow,
)
from msldesk.boards.people.service import to_person
from msldesk.boards.records import (
    AgendaItem,
    Amendment,
    Audience,
    Draft,
    EntryFields,
    EntryKind,
    Event,
    MeetingDay,
    MeetingReport,
    MergedPart,
    NoteEntry,
    merge_differences,
)
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.folding import fold
from msldesk.core.text_safety import LIMITS, clean_text, limit
from msldesk.protect import audit

MAX_ENTRY_LENGTH = LIMITS["text"]
NOTES = Changes(notes=True)
_KEEP = object()  # "not given": the entry goes under the agenda item running now


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise InvalidInputError("A meeting time must carry its time zone.", repr(moment))
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.replace(tzinfo=dt.UTC)


class FinalizedError(InvalidInputError):
    """The event's notes were finalized: they are read-only, corrections go in as amendments."""

    kind = "finalized"


class MergeNeedsConfirmationError(InvalidInputError):
    """The entries to merge have different speakers or kinds: the caller must confirm first."""

    kind = "merge-needs-confirmation"


def clean_theme(name: str) -> str:
    return " ".join(limit(str(name), "name", "A theme").split()).lstrip("#").strip()


class MeetingService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        events: EventService,
        restricted_terms_path: Path,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.sessions = sessions
        self.events = events
        self.restricted_terms_path = Path(restricted_terms_path)
        self.clock = clock  # aware UTC "now"; tests pass a fixed clock
        self._terms: RestrictedTerms | None = None

    # -- compliance guard ------------------------------------------------------------------------

    def restricted_terms(self) -> RestrictedTerms:
        if self._terms is None:
            self._terms = load_terms(self.restricted_terms_path)
        return self._terms

    def save_restricted_terms(self, terms: Sequence[str]) -> tuple[RestrictedTerms, Changes]:
        """Save the list and re-check every entry not yet finalized against it."""
        self._terms = save_terms(self.restricted_terms_path, terms)
        with self.sessions.begin() as session:
            rows = session.scalars(
                select(NoteEntryRow)
                .join(EventRow, EventRow.id == NoteEntryRow.event_id)
                .where(EventRow.finalized_at_utc.is_(None))
            )
            for row in rows:
                self._flag(session, row)
        return self._terms, NOTES

    def _flag(self, session: Session, row: NoteEntryRow) -> None:
        amended = session.scalars(
            select(NoteAmendmentRow.text)
            .where(NoteAmendmentRow.entry_id == row.id)
            .order_by(NoteAmendmentRow.id.desc())
        ).first()
        terms = "\n".join(self.restricted_terms().find(amended if amended is not None else row.text))
        if terms != row.flag_terms:  # new words found: the earlier review no longer holds
            row.flag_terms, row.flag_reviewed, row.flag_cleared = terms, False, False
            row.flag_reviewed_by, row.flag_reviewed_at_utc = "", None

    # -- theme taxonomy --------------------------------------------------------------------------

    def themes(self, event_id: int) -> list[str]:
        with self.sessions() as session:
            self._event_row(session, event_id)
            return list(
                session.scalars(
                    select(EventThemeRow.name)
                    .where(EventThemeRow.event_id == event_id)
                    .order_by(EventThemeRow.position)
                )
            )

    def set_themes(self, event_id: int, names: Sequence[str]) -> tuple[list[str], Changes]:
        themes: list[str] = []
        for name in names:
            theme = clean_theme(name)
            if theme and fold(theme) not in {fold(t) for t in themes}:
                themes.append(theme)
        with self.sessions.begin() as session:
            self._event_row(session, event_id)
            session.execute(delete(EventThemeRow).where(EventThemeRow.event_id == event_id))
            session.add_all(
                EventThemeRow(event_id=event_id, position=i, name=t) for i, t in enumerate(themes)
            )
        return themes, Changes(events=True, notes=True)

    # -- the running agenda ----------------------------------------------------------------------

    def current_item(self, event_id: int) -> AgendaItem | None:
        """The item started last and not yet ended, if any."""
        running = [i for i in self.events.agenda(event_id) if i.actual_start and not i.actual_end]
        return max(running, key=lambda i: i.actual_start) if running else None  # type: ignore[arg-type,return-value]

    def start_item(
        self, event_id: int, item_id: int | None, when: dt.datetime | None = None
    ) -> tuple[list[AgendaItem], Changes]:
        """End the running item and start `item_id` (None: just end the running one). Starting an
        item again keeps its first start, so going back to an item does not lose its history."""
        self._rehearsing(event_id, when or self.clock())
        moment = _naive_utc(when or self.clock())
        with self.sessions.begin() as session:
            self._writable_event(session, event_id)
            session.execute(
                update(AgendaItemRow)
                .where(
                    AgendaItemRow.event_id == event_id,
                    AgendaItemRow.actual_start_utc.is_not(None),
                    AgendaItemRow.actual_end_utc.is_(None),
                    AgendaItemRow.id != (item_id or 0),
                )
                .values(actual_end_utc=moment)
            )
            if item_id is not None:
                row = session.get(AgendaItemRow, item_id)
                if row is None or row.event_id != event_id:
                    raise NotFoundError(f"The agenda item {item_id} is not on this event's agenda.")
                if row.actual_start_utc is None:
                    row.actual_start_utc = moment
                row.actual_end_utc = None
        return self.events.agenda(event_id), Changes(events=True)

    def next_item(self, event_id: int, when: dt.datetime | None = None) -> tuple[list[AgendaItem], Changes]:
        """Move the meeting on: start the first item, or end the running one and start the one after
        it; after the last item, end it (the meeting is over)."""
        self._rehearsing(event_id, when or self.clock())  # on the day, a rehearsal's times go first
        agenda = self.events.agenda(event_id)
        if not agenda:
            raise InvalidInputError("This event has no agenda to move through. Add agenda items first.")
        current = self.current_item(event_id)
        if current is None:
            started = [i for i in agenda if i.actual_start]
            if not started:
                return self.start_item(event_id, agenda[0].item_id, when)
            last = max(started, key=lambda i: i.actual_start)  # type: ignore[arg-type,return-value]
            position = last.position
        else:
            position = current.position
        following = agenda[position + 1] if position + 1 < len(agenda) else None
        return self.start_item(event_id, following.item_id if following else None, when)

    def agenda(self, event_id: int) -> list[AgendaItem]:
        """The agenda as meeting mode runs it: in a rehearsal, planned times count from the
        rehearsal's start (planned versus actual compares like with like)."""
        agenda = self.events.agenda(event_id)
        started = self.meeting_day(event_id).rehearsal_started
        event_start = self.events.get(event_id).fields.starts_at
        if started is None or event_start is None:
            return agenda
        shift = started - event_start
        return [
            replace(
                item,
                starts_at=item.starts_at + shift if item.starts_at else None,
                ends_at=item.ends_at + shift if item.ends_at else None,
            )
            for item in agenda
        ]

    # -- the meeting's day and rehearsals --------------------------------------------------------

    def meeting_day(self, event_id: int, now: dt.datetime | None = None) -> MeetingDay:
        """Whether `now` (the clock's by default) falls on the event's day(s) in the event's zone, or
        in the small hours after (a meeting past midnight): the rule attendance reports follow too."""
        moment = now or self.clock()
        with self.sessions() as session:
            row = self._event_row(session, event_id)
            started = _aware(row.rehearsal_started_at_utc)
            rehearsed = session.scalar(
                select(func.count())
                .select_from(NoteEntryRow)
                .where(NoteEntryRow.event_id == event_id, NoteEntryRow.rehearsal.is_(True))
            )
        fields = self.events.get(event_id).fields
        today = moment.astimezone(zone(fields.timezone)).date()
        day = check_report_day(moment, fields)
        if day is None:  # an undated event is on whatever day it is run
            return MeetingDay(True, None, today, started, rehearsed or 0)
        return MeetingDay(day.matches, day.event_day, today, started, rehearsed or 0)

    def start_rehearsal(self, event_id: int) -> Changes:
        """Rehearse the meeting: entries typed from now on are marked as rehearsal (left out of every
        output) and agenda times recorded from now on are the rehearsal's, cleared when it ends."""
        moment = _naive_utc(self.clock())
        with self.sessions.begin() as session:
            event = self._writable_event(session, event_id)
            if event.rehearsal_started_at_utc is not None:
                return Changes(events=True, notes=True)
            timed = session.scalar(
                select(func.count())
                .select_from(AgendaItemRow)
                .where(AgendaItemRow.event_id == event_id, AgendaItemRow.actual_start_utc.is_not(None))
            )
            if timed:
                raise InvalidInputError(
                    "This meeting's agenda already has times recorded, so it has been run: a rehearsal "
                    "would mix its times with the meeting's. Review the notes in the Notes & review tab.",
                    f"{timed} agenda items timed",
                )
            event.rehearsal_started_at_utc = moment
        return Changes(events=True, notes=True)

    def end_rehearsal(self, event_id: int) -> Changes:
        """The real meeting begins: agenda times recorded in the rehearsal are cleared; the
        rehearsal's entries stay stored (and out of every output) until deleted."""
        with self.sessions.begin() as session:
            self._end_rehearsal(session, self._event_row(session, event_id))
        return Changes(events=True, notes=True)

    def delete_rehearsal(self, event_id: int) -> tuple[int, Changes]:
        """Delete every entry typed in a rehearsal of this event, in one go, and end a running
        rehearsal. Returns how many entries went."""
        with self.sessions.begin() as session:
            # Allowed after finalization too: rehearsal entries were never part of the notes.
            event = self._event_row(session, event_id)
            self._end_rehearsal(session, event)
            ids = list(
                session.scalars(
                    select(NoteEntryRow.id).where(
                        NoteEntryRow.event_id == event_id, NoteEntryRow.rehearsal.is_(True)
                    )
                )
            )
            if ids:
                session.execute(
                    update(NoteEntryRow)
                    .where(NoteEntryRow.merged_into_id.in_(ids))
                    .values(merged_into_id=None)
                )
                session.execute(delete(NoteThemeRow).where(NoteThemeRow.entry_id.in_(ids)))
                session.execute(delete(NoteEntryRow).where(NoteEntryRow.id.in_(ids)))
        return len(ids), Changes(events=True, notes=True)

    def move_to_today(self, event_id: int) -> tuple[Event, Changes]:
        """The meeting moved to today: its start and end move to today in its zone, keeping their
        clock times and its length. Saved as an event edit (audited like any other); a running
        rehearsal ends, since the real meeting begins."""
        event = self.events.get(event_id)
        fields = event.fields
        if fields.starts_at is None:
            raise InvalidInputError("This event has no date to move.")
        local = zone(fields.timezone)
        start = fields.starts_at.astimezone(local)
        today = self.clock().astimezone(local).date()
        moved = dt.datetime.combine(today, start.time().replace(tzinfo=None), local)
        length = (fields.ends_at - fields.starts_at) if fields.ends_at else None
        with self.sessions() as session:
            self._writable_event(session, event_id)
        updated, changes = self.events.update(
            event_id, replace(fields, starts_at=moved, ends_at=moved + length if length is not None else None)
        )
        self.end_rehearsal(event_id)
        return updated, changes | NOTES

    def _end_rehearsal(self, session: Session, event: EventRow) -> None:
        started = event.rehearsal_started_at_utc
        if started is None:
            return
        session.execute(
            update(AgendaItemRow)
            .where(AgendaItemRow.event_id == event.id, AgendaItemRow.actual_start_utc >= started)
            .values(actual_start_utc=None, actual_end_utc=None)
        )
        event.rehearsal_started_at_utc = None

    def _rehearsing(self, event_id: int, moment: dt.datetime) -> bool:
        """Whether what is recorded at `moment` belongs to a rehearsal. A rehearsal still running
        on the event's day ends: the real meeting begins, without the rehearsal's times."""
        with self.sessions() as session:  # the common case, no rehearsal, costs one small query
            started = session.scalar(select(EventRow.rehearsal_started_at_utc).where(EventRow.id == event_id))
        if started is None:
            return False
        day = self.meeting_day(event_id, moment)
        if day.rehearsing and day.on_the_day:
            self.end_rehearsal(event_id)
            return False
        return day.rehearsing

    # -- entries ---------------------------------------------------------------------------------

    def add_entry(
        self,
        event_id: int,
        text: str,
        *,
        kind: EntryKind | None = None,
        agenda_item_id: int | None | object = _KEEP,
        speaker_id: int | None = None,
        themes: Sequence[str] = (),
        owner: str = "",
        due: dt.date | None = None,
        when: dt.datetime | None = None,
        clear_draft: bool = True,
    ) -> tuple[NoteEntry, Changes]:
        """File a typed entry. Markers in `text` (see entry_text) set the kind, speaker, themes,
        owner and due date; the keyword arguments win over them. Without `agenda_item_id` the entry
        goes under the item running now."""
        moment = when or self.clock()
        people = self._mentionable(event_id)
        taxonomy = self.themes(event_id)
        # Cleaned before parsing: U+0085 and form feeds would otherwise split the entry into lines.
        parsed = parse_entry(self._checked_text(text), people, taxonomy, today=moment.date(), kind=kind)
        if agenda_item_id is _KEEP:
            current = self.current_item(event_id)
            agenda_item_id = current.item_id if current else None
        fields = EntryFields(
            text=parsed.text,
            kind=kind or parsed.kind or EntryKind.NOTE,
            agenda_item_id=agenda_item_id,  # type: ignore[arg-type]
            speaker_id=speaker_id if speaker_id is not None else parsed.speaker_id,
            themes=(*parsed.themes, *themes),
            owner_id=parsed.owner_id,
            owner=owner or parsed.owner,
            due=due or parsed.due,
        )
        rehearsal = self._rehearsing(event_id, moment)
        with self.sessions.begin() as session:
            self._writable_event(session, event_id)
            row = NoteEntryRow(event_id=event_id, created_at_utc=_naive_utc(moment), rehearsal=rehearsal)
            self._write_entry(session, row, fields, event_id)
            if clear_draft:
                session.execute(delete(NoteDraftRow).where(NoteDraftRow.event_id == event_id))
            entry_id = row.id
        return self.entry(entry_id), NOTES

    def update_entry(self, entry_id: int, fields: EntryFields) -> tuple[NoteEntry, Changes]:
        """Edit an entry before the event is finalized; the time of the edit is kept."""
        with self.sessions.begin() as session:
            row = self._entry_row(session, entry_id)
            self._writable_event(session, row.event_id)
            self._write_entry(session, row, fields, row.event_id)
            row.edited_at_utc = _naive_utc(self.clock())
        return self.entry(entry_id), NOTES

    def delete_entry(self, entry_id: int) -> Changes:
        with self.sessions.begin() as session:
            row = self._entry_row(session, entry_id)
            self._writable_event(session, row.event_id)
            session.execute(
                update(NoteEntryRow)
                .where(NoteEntryRow.merged_into_id == entry_id)
                .values(merged_into_id=None)
            )
            session.delete(row)
        return NOTES

    def amend_entry(self, entry_id: int, text: str, reason: str = "") -> tuple[NoteEntry, Changes]:
        """A correction to a finalized entry: kept beside the original, which is not changed."""
        text = self._checked_text(text)
        reason = limit(reason, "line", "The reason for the correction").strip()
        with self.sessions.begin() as session:
            row = self._entry_row(session, entry_id)
            event = self._event_row(session, row.event_id)
            if event.finalized_at_utc is None:
                raise InvalidInputError("This meeting is not finalized yet: edit the entry instead.")
            previous = session.scalars(
                select(NoteAmendmentRow.text)
                .where(NoteAmendmentRow.entry_id == entry_id)
                .order_by(NoteAmendmentRow.id.desc())
            ).first()
            moment = self.clock()
            session.add(
                NoteAmendmentRow(
                    entry_id=entry_id, text=text, reason=reason, created_at_utc=_naive_utc(moment)
                )
            )
            session.flush()
            self._flag(session, row)
            before = {"text": previous if previous is not None else row.text}
            after = {"text": text, "reason": reason}
            audit.record(session, "note.amend", "note", entry_id, before, after, when=moment)
        return self.entry(entry_id), NOTES

    def set_key(self, entry_id: int, key: bool = True) -> tuple[NoteEntry, Changes]:
        """Mark or unmark a key insight (review metadata: allowed after finalization)."""
        with self.sessions.begin() as session:
            row = self._entry_row(session, entry_id)
            if row.is_key != bool(key):
                self._audit_if_finalized(session, row, "note.key", {"key": row.is_key}, {"key": bool(key)})
            row.is_key = bool(key)
        return self.entry(entry_id), NOTES

    def review_flag(self, entry_id: int, acceptable: bool) -> tuple[NoteEntry, Changes]:
        """Record the review of a flagged entry: acceptable (the flag is cleared) or not (it stays
        flagged and is left out of the commercial summary)."""
        with self.sessions.begin() as session:
            row = self._entry_row(session, entry_id)
            if not row.flag_terms:
                raise InvalidInputError("That entry is not flagged.")
            before: dict[str, object] = {"reviewed": row.flag_reviewed, "cleared": row.flag_cleared}
            after: dict[str, object] = {"reviewed": True, "cleared": bool(acceptable)}
            self._audit_if_finalized(session, row, "note.flag_review", before, after)
            row.flag_reviewed, row.flag_cleared = True, bool(acceptable)
            # who decided and when: the compliance summary lists it for every flagged entry
            row.flag_reviewed_by = audit.current_actor()[:200]
            row.flag_reviewed_at_utc = _naive_utc(self.clock())
        return self.entry(entry_id), NOTES

    def merge_entries(
        self, keep_id: int, other_ids: Sequence[int], *, confirmed: bool = False
    ) -> tuple[NoteEntry, Changes]:
        """Fold duplicates into `keep_id`: their themes join it, they leave the report's lists and
        stay stored (linked to the kept entry), and their speakers stay credited on it
        (NoteEntry.merged_parts). Entries of different speakers or kinds are merged only when
        `confirmed` (MergeNeedsConfirmationError says what differs)."""
        others = [i for i in dict.fromkeys(other_ids) if i != keep_id]
        if not others:
            raise InvalidInputError("Pick at least two entries to merge.")
        if not confirmed:
            differences = merge_differences([self.entry(i) for i in [keep_id, *others]])
            if differences:
                raise MergeNeedsConfirmationError(
                    "These entries differ: " + "; ".join(differences) + ". Merge them only if they "
                    "say the same thing; every speaker stays credited on the kept entry.",
                    "\n".join(differences),
                )
        with self.sessions.begin() as session:
            keep = self._entry_row(session, keep_id)
            self._writable_event(session, keep.event_id)
            themes = self._themes_of(session, [keep_id]).get(keep_id, [])
            for other_id in others:
                other = self._entry_row(session, other_id)
                if other.event_id != keep.event_id:
                    raise InvalidInputError("Only entries of the same meeting can be merged.")
                for theme in self._themes_of(session, [other_id]).get(other_id, []):
                    if fold(theme) not in {fold(t) for t in themes}:
                        themes.append(theme)
                        session.add(NoteThemeRow(entry_id=keep_id, theme=theme))
                keep.is_key = keep.is_key or other.is_key
                other.merged_into_id = keep_id
                session.execute(
                    update(NoteEntryRow)
                    .where(NoteEntryRow.merged_into_id == other_id)
                    .values(merged_into_id=keep_id)
                )
        return self.entry(keep_id), NOTES

    def entry(self, entry_id: int) -> NoteEntry:
        with self.sessions() as session:
            row = self._entry_row(session, entry_id)
            return self._to_entries(session, row.event_id, [row])[0]

    def entries(
        self, event_id: int, include_merged: bool = False, rehearsal: bool = False
    ) -> list[NoteEntry]:
        """The meeting's entries in the order they were typed; with `rehearsal`, those typed in
        rehearsals instead (which nothing else lists, reports or exports)."""
        with self.sessions() as session:
            self._event_row(session, event_id)
            query = select(NoteEntryRow).where(
                NoteEntryRow.event_id == event_id, NoteEntryRow.rehearsal.is_(bool(rehearsal))
            )
            if not include_merged:
                query = query.where(NoteEntryRow.merged_into_id.is_(None))
            rows = list(session.scalars(query.order_by(NoteEntryRow.created_at_utc, NoteEntryRow.id)))
            return self._to_entries(session, event_id, rows)

    # -- the draft -------------------------------------------------------------------------------

    def save_draft(self, event_id: int, text: str, agenda_item_id: int | None = None) -> None:
        """Keep what is typed but not yet entered; an empty text removes the draft. Cheap enough to
        call on every pause in typing."""
        with self.sessions.begin() as session:
            row = session.get(NoteDraftRow, event_id)
            if not text.strip():
                if row is not None:
                    session.delete(row)
                return
            if row is None:
                self._event_row(session, event_id)
                row = NoteDraftRow(event_id=event_id)
                session.add(row)
            row.text, row.agenda_item_id = clean_text(text)[:MAX_ENTRY_LENGTH], agenda_item_id
            row.saved_at_utc = _naive_utc(self.clock())

    def draft(self, event_id: int) -> Draft | None:
        with self.sessions() as session:
            row = session.get(NoteDraftRow, event_id)
            if row is None:
                return None
            return Draft(event_id, row.text, row.agenda_item_id, _aware(row.saved_at_utc))  # type: ignore[arg-type]

    # -- review and finalization -----------------------------------------------------------------

    def executive_summary(self, event_id: int) -> str:
        with self.sessions() as session:
            return self._event_row(session, event_id).executive_summary

    def set_executive_summary(self, event_id: int, text: str) -> Changes:
        with self.sessions.begin() as session:
            summary = limit(text, "text", "The executive summary").strip()
            self._event_row(session, event_id).executive_summary = summary
        return NOTES

    def finalized_at(self, event_id: int) -> dt.datetime | None:
        with self.sessions() as session:
            return _aware(self._event_row(session, event_id).finalized_at_utc)

    def finalize(self, event_id: int) -> Changes:
        """Make the notes read-only; later corrections are amendments. The running item ends and the
        draft, if any, is kept as an entry so nothing typed is lost."""
        if self.meeting_day(event_id).rehearsing:
            raise InvalidInputError(
                "A rehearsal of this meeting is running. Delete the rehearsal (or start the real meeting "
                "on its day) before finalizing the notes."
            )
        draft = self.draft(event_id)
        if draft is not None:
            self.add_entry(event_id, draft.text, agenda_item_id=draft.agenda_item_id)
        if self.current_item(event_id) is not None:
            self.start_item(event_id, None)
        with self.sessions.begin() as session:
            event = self._writable_event(session, event_id)
            moment = self.clock()
            event.finalized_at_utc = _naive_utc(moment)
            # A digest of what was finalized: a later change to the stored notes shows against it.
            notes = [
                [r.id, r.kind, r.text, r.speaker_id, r.is_key, r.merged_into_id]
                for r in session.scalars(
                    select(NoteEntryRow)
                    .where(NoteEntryRow.event_id == event_id, NoteEntryRow.rehearsal.is_(False))
                    .order_by(NoteEntryRow.id)
                )
            ]
            digest = hashlib.sha256(audit.canonical(notes).encode("utf-8")).hexdigest()
            after = {"finalized": True, "entries": len(notes), "notes_sha256": digest}
            audit.record(
                session, "notes.finalize", "event", event_id, {"finalized": False}, after, when=moment
            )
        return Changes(events=True, notes=True)

    @staticmethod
    def _audit_if_finalized(
        session: Session, row: NoteEntryRow, action: str, before: dict[str, object], after: dict[str, object]
    ) -> None:
        """Review changes to finalized notes are audited; before finalization they are drafting."""
        event = session.get(EventRow, row.event_id)
        if event is not None and event.finalized_at_utc is not None:
            audit.record(session, action, "note", row.id, before, after)

    def report(self, event_id: int, audience: Audience = Audience.MEDICAL) -> MeetingReport:
        """The meeting as a summary, readout deck or export shows it to `audience`."""
        from msldesk.boards.meeting.audience import cut_for_audience

        event = self.events.get(event_id)
        entries = self.entries(event_id)
        themes = self.themes(event_id)
        for entry in entries:  # themes typed on the fly join the taxonomy's order, at its end
            for theme in entry.fields.themes:
                if fold(theme) not in {fold(t) for t in themes}:
                    themes.append(theme)
        starts = event.fields.starts_at
        paid = self.events.payments(starts.year) if starts is not None else []
        payments = tuple(p for p in paid if p.event_id == event_id)
        agenda = self.events.agenda(event_id)
        rehearsal = self.meeting_day(event_id).rehearsal_started
        if rehearsal is not None:  # times recorded in a running rehearsal are not the meeting's
            agenda = [
                replace(i, actual_start=None, actual_end=None)
                if i.actual_start is not None and i.actual_start >= rehearsal
                else i
                for i in agenda
            ]
        full = MeetingReport(
            event=event,
            audience=Audience.MEDICAL,
            agenda=tuple(agenda),
            attendees=tuple(self.events.attendees(event_id)),
            entries=tuple(entries),
            themes=tuple(themes),
            executive_summary=self.executive_summary(event_id),
            finalized_at=self.finalized_at(event_id),
            generated_at=self.clock(),
            payments=payments,
        )
        return cut_for_audience(full, Audience(audience))

    # -- helpers ---------------------------------------------------------------------------------

    def _mentionable(self, event_id: int) -> list[tuple[int, str]]:
        """Who "@" may name: the event's attendees and agenda presenters."""
        with self.sessions() as session:
            people = session.scalars(
                select(PersonRow)
                .join(AttendanceRow, AttendanceRow.person_id == PersonRow.id)
                .where(AttendanceRow.event_id == event_id)
            ).all()
            presenters = session.scalars(
                select(PersonRow)
                .join(AgendaItemRow, AgendaItemRow.presenter_id == PersonRow.id)
                .where(AgendaItemRow.event_id == event_id)
            ).all()
        seen: dict[int, str] = {}
        for row in (*people, *presenters):
            seen.setdefault(row.id, to_person(row).display_name)
        return list(seen.items())

    def _checked_text(self, text: str) -> str:
        text = limit(text, "text", "An entry").strip() if isinstance(text, str) else ""
        if not text:
            raise InvalidInputError("An entry needs some text.")
        return text

    def _write_entry(self, session: Session, row: NoteEntryRow, fields: EntryFields, event_id: int) -> None:
        row.text = self._checked_text(fields.text)
        try:
            row.kind = EntryKind(fields.kind).value
        except ValueError as exc:
            raise InvalidInputError(f"Unknown entry kind {fields.kind!r}.") from exc
        if fields.agenda_item_id is not None:
            item = session.get(AgendaItemRow, fields.agenda_item_id)
            if item is None or item.event_id != event_id:
                raise NotFoundError(f"The agenda item {fields.agenda_item_id} is not on this event's agenda.")
        for person_id in (fields.speaker_id, fields.owner_id):
            if person_id is not None and session.get(PersonRow, person_id) is None:
                raise NotFoundError(f"There is no person with id {person_id}.")
        row.agenda_item_id, row.speaker_id = fields.agenda_item_id, fields.speaker_id
        row.owner_id, row.owner = fields.owner_id, " ".join(clean_text(fields.owner).split())[:300]
        row.due, row.is_key = fields.due, bool(fields.key)
        if row.id is None:
            session.add(row)
            session.flush()
        else:
            session.execute(delete(NoteThemeRow).where(NoteThemeRow.entry_id == row.id))
        kept: list[str] = []
        for name in fields.themes:
            theme = clean_theme(name)
            if theme and fold(theme) not in {fold(t) for t in kept}:
                kept.append(theme)
        session.add_all(NoteThemeRow(entry_id=row.id, theme=t) for t in kept)
        self._flag(session, row)

    @staticmethod
    def _themes_of(session: Session, entry_ids: Sequence[int]) -> dict[int, list[str]]:
        themes: dict[int, list[str]] = {}
        for entry_id, theme in session.execute(
            select(NoteThemeRow.entry_id, NoteThemeRow.theme).where(NoteThemeRow.entry_id.in_(entry_ids))
        ):
            themes.setdefault(entry_id, []).append(theme)
        return themes

    def _to_entries(self, session: Session, event_id: int, rows: Sequence[NoteEntryRow]) -> list[NoteEntry]:
        ids = [r.id for r in rows]
        themes = self._themes_of(session, ids)
        taxonomy = {
            fold(name): position
            for position, name in session.execute(
                select(EventThemeRow.position, EventThemeRow.name).where(EventThemeRow.event_id == event_id)
            )
        }
        amendments: dict[int, list[Amendment]] = {}
        for a in session.scalars(
            select(NoteAmendmentRow).where(NoteAmendmentRow.entry_id.in_(ids)).order_by(NoteAmendmentRow.id)
        ):
            amendments.setdefault(a.entry_id, []).append(
                Amendment(a.id, a.text, a.reason, _aware(a.created_at_utc))  # type: ignore[arg-type]
            )
        merged_rows = list(
            session.scalars(
                select(NoteEntryRow)
                .where(NoteEntryRow.merged_into_id.in_(ids))
                .order_by(NoteEntryRow.created_at_utc, NoteEntryRow.id)
            )
        )
        person_ids = {p for r in [*rows, *merged_rows] for p in (r.speaker_id, r.owner_id) if p}
        names = {
            p.id: to_person(p).display_name
            for p in session.scalars(select(PersonRow).where(PersonRow.id.in_(person_ids)))
        }
        roles = dict(
            session.execute(
                select(AttendanceRow.person_id, AttendanceRow.role).where(
                    AttendanceRow.event_id == event_id, AttendanceRow.person_id.in_(person_ids)
                )
            ).all()
        )
        titles = dict(
            session.execute(
                select(AgendaItemRow.id, AgendaItemRow.title).where(AgendaItemRow.event_id == event_id)
            ).all()
        )
        merged: dict[int, list[MergedPart]] = {}
        for other in merged_rows:
            merged.setdefault(other.merged_into_id, []).append(  # type: ignore[arg-type]
                MergedPart(
                    entry_id=other.id,
                    kind=EntryKind(other.kind),
                    text=other.text,
                    speaker_id=other.speaker_id,
                    speaker_name=names.get(other.speaker_id or 0, ""),
                    speaker_role=roles.get(other.speaker_id or 0, ""),
                )
            )
        result = []
        for row in rows:
            entry_themes = sorted(themes.get(row.id, []), key=lambda t: taxonomy.get(fold(t), len(taxonomy)))
            fields = EntryFields(
                text=row.text,
                kind=EntryKind(row.kind),
                agenda_item_id=row.agenda_item_id,
                speaker_id=row.speaker_id,
                themes=tuple(entry_themes),
                owner_id=row.owner_id,
                owner=row.owner,
                due=row.due,
                key=row.is_key,
            )
            result.append(
                NoteEntry(
                    entry_id=row.id,
                    event_id=row.event_id,
                    fields=fields,
                    created_at=_aware(row.created_at_utc),  # type: ignore[arg-type]
                    edited_at=_aware(row.edited_at_utc),
                    speaker_name=names.get(row.speaker_id or 0, ""),
                    speaker_role=roles.get(row.speaker_id or 0, ""),
                    owner_name=names.get(row.owner_id or 0, "") or row.owner,
                    agenda_title=titles.get(row.agenda_item_id or 0, ""),
                    flag_terms=tuple(t for t in row.flag_terms.split("\n") if t),
                    flag_reviewed=row.flag_reviewed,
                    flag_cleared=row.flag_cleared,
                    flag_reviewed_by=row.flag_reviewed_by,
                    flag_reviewed_at=_aware(row.flag_reviewed_at_utc),
                    merged_ids=tuple(p.entry_id for p in merged.get(row.id, ())),
                    amendments=tuple(amendments.get(row.id, ())),
                    merged_parts=tuple(merged.get(row.id, ())),
                )
            )
        return result

    @staticmethod
    def _event_row(session: Session, event_id: int) -> EventRow:
        row = session.get(EventRow, event_id)
        if row is None:
            raise NotFoundError(f"There is no event with id {event_id}.")
        return row

    def _writable_event(self, session: Session, event_id: int) -> EventRow:
        row = self._event_row(session, event_id)
        if row.finalized_at_utc is not None:
            raise FinalizedError(
                "This meeting's notes are finalized and read-only. Add an amendment to correct an entry."
            )
        return row

    @staticmethod
    def _entry_row(session: Session, entry_id: int) -> NoteEntryRow:
        row = session.get(NoteEntryRow, entry_id)
        if row is None:
            raise NotFoundError(f"There is no note entry with id {entry_id}.")
        return row


def with_fields(entry: NoteEntry, **changes: object) -> EntryFields:
    """The entry's fields with some changed: what an edit dialog hands to update_entry."""
    return replace(entry.fields, **changes)  # type: ignore[arg-type]
