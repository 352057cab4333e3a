"""The meeting as it runs: which agenda item runs now and when each started and ended, whether today
is the meeting's day, and rehearsals (their entries and times kept apart from the meeting's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from msldesk.boards.events.days import check_report_day
from msldesk.boards.events.rows import event_row
from msldesk.boards.meeting.base import NOTES, MeetingServiceBase, aware, naive_utc
from msldesk.boards.orm import AgendaItemRow, EventRow, NoteEntryRow, NoteThemeRow
from msldesk.boards.records import AgendaItem, Event, MeetingDay
from msldesk.core.changes import Changes
from msldesk.core.clock import zone
from msldesk.core.errors import InvalidInputError, NotFoundError

# An item left within this long of its first start, with nothing typed under it, was a mis-step
# (F8 pressed by accident, then Shift+F8; or F8 twice to skip it): it goes back to not run.
MISSTEP = dt.timedelta(seconds=60)


def _misstep(session: Session, row: AgendaItemRow, moment: dt.datetime) -> bool:
    started = row.actual_start_utc
    if started is None or not dt.timedelta(0) <= moment - started < MISSTEP:
        return False
    typed = select(NoteEntryRow.id).where(NoteEntryRow.agenda_item_id == row.id).limit(1)
    return session.scalar(typed) is None


class MeetingRunning(MeetingServiceBase):
    """The running-agenda and rehearsal methods of MeetingService."""

    def current_item(self, event_id: int) -> AgendaItem | None:
        """The item started last and not yet ended, if any."""
        running = [i for i in self.events.agenda(event_id) if i.actual_start and not i.actual_end]
        return max(running, key=lambda i: i.actual_start) if running else None  # type: ignore[arg-type,return-value]

    def start_item(
        self, event_id: int, item_id: int | None, when: dt.datetime | None = None
    ) -> tuple[list[AgendaItem], Changes]:
        """End the running item and start `item_id` (None: just end the running one). Starting an
        item again keeps its first start, so going back to an item does not lose its history. A
        running item left within a minute of its first start with no entry under it goes back to
        not run (a mis-step, not a 0-minute item)."""
        self._rehearsing(event_id, when or self.clock())
        moment = naive_utc(when or self.clock())
        with self.sessions.begin() as session:
            self._writable_event(session, event_id)
            running = session.scalars(
                select(AgendaItemRow).where(
                    AgendaItemRow.event_id == event_id,
                    AgendaItemRow.actual_start_utc.is_not(None),
                    AgendaItemRow.actual_end_utc.is_(None),
                    AgendaItemRow.id != (item_id or 0),
                )
            ).all()
            for running_row in running:
                if _misstep(session, running_row, moment):
                    running_row.actual_start_utc = None  # not run, rather than run for 0 min
                else:
                    running_row.actual_end_utc = moment
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
            row = event_row(session, event_id)
            started = aware(row.rehearsal_started_at_utc)
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
        moment = naive_utc(self.clock())
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
            self._end_rehearsal(session, event_row(session, event_id))
        return Changes(events=True, notes=True)

    def delete_rehearsal(self, event_id: int) -> tuple[int, Changes]:
        """Delete every entry typed in a rehearsal of this event, in one go, and end a running
        rehearsal. Returns how many entries went."""
        with self.sessions.begin() as session:
            # Allowed after finalization too: rehearsal entries were never part of the notes.
            event = event_row(session, event_id)
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
