"""Who is on an event's list: adding, updating and removing attendees, check-in, and the honorarium
priced from the FMV rate card with its warnings (EventService's attendance methods)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from msldesk.boards.events.payments import EventPayments
from msldesk.boards.events.removals import keep_reported
from msldesk.boards.events.rows import (
    CENT,
    attendance_fields,
    attendance_snapshot,
    audit_change,
    event_row,
    money,
    write_attendance,
)
from msldesk.boards.orm import AttendanceRow, EventRow, PersonRow
from msldesk.boards.people.service import to_person
from msldesk.boards.records import (
    Attendance,
    AttendanceFields,
    AttendeeRole,
    EventStatus,
    Invitation,
)
from msldesk.core.changes import Changes
from msldesk.core.clock import instant_to_utc
from msldesk.core.errors import InvalidInputError, NotFoundError


class EventAttendance(EventPayments):
    """The attendance methods of EventService (the rate card comes with the payments)."""

    def attendees(self, event_id: int) -> list[Attendance]:
        """The event's attendees by last name, each with any FMV warnings on their honorarium."""
        card = self.rate_card()
        with self.sessions() as session:
            event = event_row(session, event_id)
            rows = session.execute(
                select(AttendanceRow, PersonRow)
                .join(PersonRow, PersonRow.id == AttendanceRow.person_id)
                .where(AttendanceRow.event_id == event_id)
                .order_by(PersonRow.last_name, PersonRow.first_name, PersonRow.id)
            ).all()
            year = event.starts_at_utc.year if event.starts_at_utc else self.today.year
            totals = self._year_totals(session, [p.id for _, p in rows], year, exclude_event=event_id)
        result = []
        for attendance, person in rows:
            fields = attendance_fields(attendance)
            warnings: tuple[str, ...] = ()
            if fields.honorarium_amount > 0 and fields.role is not AttendeeRole.INTERNAL:
                if fields.currency != card.currency:  # no exchange rates offline: say so, never guess
                    warnings = (
                        f"Honorarium is in {fields.currency} but the FMV rate card is in {card.currency}: "
                        "check it against the caps by hand",
                    )
                else:
                    warnings = card.warnings(
                        fields.honorarium_amount, totals.get(person.id, Decimal("0")), year
                    )
            result.append(Attendance(attendance.id, event_id, to_person(person), fields, tuple(warnings)))
        return result

    def add_attendee(
        self, event_id: int, person_id: int, fields: AttendanceFields | None = None
    ) -> tuple[Attendance, Changes]:
        fields = fields or AttendanceFields()
        with self.sessions.begin() as session:
            event_row(session, event_id)
            person = session.get(PersonRow, person_id)
            if person is None:
                raise NotFoundError(f"There is no person with id {person_id}.")
            exists = session.scalar(
                select(AttendanceRow.id).where(
                    AttendanceRow.event_id == event_id, AttendanceRow.person_id == person_id
                )
            )
            if exists:
                raise InvalidInputError(f"{to_person(person).display_name} is already on this event's list.")
            row = AttendanceRow(event_id=event_id, person_id=person_id)
            write_attendance(row, self._priced(fields, person))
            session.add(row)
            session.flush()
            attendance_id = row.id
            audit_change(
                session, "attendance.add", "attendance", attendance_id, None, attendance_snapshot(row)
            )
        return self._attendance(event_id, attendance_id), Changes(events=True)

    def update_attendance(self, attendance_id: int, fields: AttendanceFields) -> tuple[Attendance, Changes]:
        with self.sessions.begin() as session:
            row = self._attendance_row(session, attendance_id)
            person = session.get(PersonRow, row.person_id)
            before = attendance_snapshot(row)
            write_attendance(row, self._priced(fields, person))
            event_id = row.event_id
            audit_change(
                session, "attendance.update", "attendance", attendance_id, before, attendance_snapshot(row)
            )
        return self._attendance(event_id, attendance_id), Changes(events=True)

    def remove_attendee(self, attendance_id: int) -> Changes:
        """Refused (KeptRecordsError) when the Open Payments export reports their payment here."""
        with self.sessions.begin() as session:
            row = self._attendance_row(session, attendance_id)
            keep_reported(session, row)
            audit_change(
                session, "attendance.remove", "attendance", attendance_id, attendance_snapshot(row), {}
            )
            session.delete(row)
        return Changes(events=True)

    def check_in(self, attendance_id: int, when: dt.datetime | None = None) -> tuple[Attendance, Changes]:
        with self.sessions.begin() as session:
            row = self._attendance_row(session, attendance_id)
            before = attendance_snapshot(row)
            row.checked_in_at_utc = instant_to_utc(when or dt.datetime.now(dt.UTC))
            event_id = row.event_id
            audit_change(
                session, "attendance.check_in", "attendance", attendance_id, before, attendance_snapshot(row)
            )
        return self._attendance(event_id, attendance_id), Changes(events=True)

    def _attendance(self, event_id: int, attendance_id: int) -> Attendance:
        return next(a for a in self.attendees(event_id) if a.attendance_id == attendance_id)

    @staticmethod
    def _attendance_row(session: Session, attendance_id: int) -> AttendanceRow:
        row = session.get(AttendanceRow, attendance_id)
        if row is None:
            raise NotFoundError(f"There is no attendee record with id {attendance_id}.")
        return row

    def _priced(self, fields: AttendanceFields, person: PersonRow | None) -> AttendanceFields:
        """Fill the hourly rate from the FMV card, and the amount from hours x rate, when blank."""
        if fields.honorarium_hours <= 0 or fields.role is AttendeeRole.INTERNAL:
            return fields
        rate = fields.honorarium_rate
        if rate <= 0 and person is not None:
            rate = self.rate_card().hourly_rate(person.tier, person.specialty) or Decimal("0")
        amount = fields.honorarium_amount
        if amount <= 0 and rate > 0:
            amount = (rate * fields.honorarium_hours).quantize(CENT, rounding=ROUND_HALF_UP)
        return replace(fields, honorarium_rate=rate, honorarium_amount=amount)

    def _year_totals(
        self, session: Session, person_ids: list[int], year: int, exclude_event: int
    ) -> dict[int, Decimal]:
        """Honoraria of these people in `year` on other events (for the yearly-cap warning)."""
        if not person_ids:
            return {}
        start, end = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
        rows = session.execute(
            select(AttendanceRow.person_id, func.sum(AttendanceRow.honorarium_cents))
            .join(EventRow, EventRow.id == AttendanceRow.event_id)
            .where(
                AttendanceRow.person_id.in_(person_ids),
                AttendanceRow.event_id != exclude_event,
                AttendanceRow.invitation == Invitation.ACCEPTED.value,
                EventRow.status != EventStatus.CANCELLED.value,
                EventRow.starts_at_utc >= start,
                EventRow.starts_at_utc < end,
            )
            .group_by(AttendanceRow.person_id)
        )
        return {pid: money(total or 0) for pid, total in rows}
