"""Events and their agendas, attendee lists, planning checklists and payments: the public API for all
of them. EventService is put together from one part per seam: agenda.py, attendance.py, checklist.py
and payments.py, and what a delete takes (or keeps) in removals.py; conversions between rows and records
are in rows.py."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from msldesk.boards.events.agenda import EventAgenda
from msldesk.boards.events.attendance import EventAttendance
from msldesk.boards.events.checklist import EventChecklist
from msldesk.boards.events.removals import EventRemovalPlans, take_event
from msldesk.boards.events.rows import (
    audit_change,
    check_event,
    event_fields,
    event_row,
    event_snapshot,
    write_event,
)
from msldesk.boards.orm import EventRow
from msldesk.boards.people.service import now
from msldesk.boards.records import AttendanceCounts, Event, EventFields
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError


class EventService(EventAgenda, EventAttendance, EventChecklist, EventRemovalPlans):
    """Events themselves here; the agenda, attendance, checklist and payment methods come from the parts,
    and the questions asked before a delete from removals.py."""

    def create(self, fields: EventFields) -> tuple[Event, Changes]:
        fields = check_event(fields)
        with self.sessions.begin() as session:
            stamp = now()
            row = EventRow(created_at=stamp, updated_at=stamp)
            write_event(row, fields)
            session.add(row)
            session.flush()
            event_id = row.id
            audit_change(session, "event.create", "event", event_id, None, event_snapshot(row))
        return self.get(event_id), Changes(events=True)

    def update(self, event_id: int, fields: EventFields) -> tuple[Event, Changes]:
        fields = check_event(fields)
        with self.sessions.begin() as session:
            row = event_row(session, event_id)
            before = event_snapshot(row)
            write_event(row, fields)
            row.updated_at = now()
            audit_change(session, "event.update", "event", event_id, before, event_snapshot(row))
        return self.get(event_id), Changes(events=True)

    def delete(self, event_id: int) -> Changes:
        """Refused (KeptRecordsError) when the Open Payments export reports payments on it or its notes
        are finalized; otherwise audited with what goes with it (events/removals.py). deletion_plan()
        says which before asking."""
        with self.sessions.begin() as session:
            row = event_row(session, event_id)
            taken = take_event(session, row)
            audit_change(session, "event.delete", "event", event_id, {**event_snapshot(row), **taken}, {})
            session.delete(row)
        return Changes(events=True, notes=True)

    def get(self, event_id: int) -> Event:
        with self.sessions() as session:
            return self._to_event(session, event_row(session, event_id))

    def list_events(self, when: str = "all") -> list[Event]:
        """'upcoming' (not yet ended, or undated), 'past', or 'all'; upcoming soonest first."""
        if when not in ("all", "upcoming", "past"):
            raise InvalidInputError("Choose upcoming, past or all events.")
        cutoff = dt.datetime.combine(self.today, dt.time())
        with self.sessions() as session:
            query = select(EventRow)
            ends = func.coalesce(EventRow.ends_at_utc, EventRow.starts_at_utc)
            if when == "upcoming":
                query = query.where((ends.is_(None)) | (ends >= cutoff)).order_by(
                    EventRow.starts_at_utc.is_(None), EventRow.starts_at_utc, EventRow.id
                )
            elif when == "past":
                query = query.where(ends < cutoff).order_by(EventRow.starts_at_utc.desc(), EventRow.id)
            else:
                query = query.order_by(EventRow.starts_at_utc.desc(), EventRow.id)
            rows = list(session.scalars(query))
            counts = self._attendee_counts(session, [r.id for r in rows])
            return [Event(r.id, event_fields(r), counts.get(r.id, AttendanceCounts())) for r in rows]

    def _to_event(self, session: Session, row: EventRow) -> Event:
        return Event(
            row.id,
            event_fields(row),
            self._attendee_counts(session, [row.id]).get(row.id, AttendanceCounts()),
        )
