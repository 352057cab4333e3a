"""What every part of the event service shares: its session factory, today's date, the rate card's
file and the one definition of an event's attendance counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from msldesk.boards.events.counts import count_attendance
from msldesk.boards.events.rows import attendance_fields
from msldesk.boards.orm import AttendanceRow
from msldesk.boards.records import AttendanceCounts, AttendanceFields


class EventServiceBase:
    """EventService is this plus its parts (agenda, attendance, checklist, payments), one module each."""

    def __init__(self, sessions: sessionmaker[Session], rate_card_path: Path, today: dt.date | None = None):
        self.sessions = sessions
        self.rate_card_path = rate_card_path
        self._today = today

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    @staticmethod
    def _attendee_counts(session: Session, event_ids: list[int]) -> dict[int, AttendanceCounts]:
        """The counts of each event, by the one definition in msldesk.boards.events.counts."""
        if not event_ids:
            return {}
        by_event: dict[int, list[AttendanceFields]] = {}
        for row in session.scalars(select(AttendanceRow).where(AttendanceRow.event_id.in_(event_ids))):
            by_event.setdefault(row.event_id, []).append(attendance_fields(row))
        return {event_id: count_attendance(people) for event_id, people in by_event.items()}
