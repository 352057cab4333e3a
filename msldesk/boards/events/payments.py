"""Transfers of value: the FMV rate card, and the honoraria, travel and expenses paid to attendees
in a year (EventService's payment methods; Open Payments and the FMV caps read them)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from msldesk.boards.events import fmv
from msldesk.boards.events.base import EventServiceBase
from msldesk.boards.events.reportable import reported_where
from msldesk.boards.events.rows import event_fields, money
from msldesk.boards.orm import AttendanceRow, EventRow, PersonRow
from msldesk.boards.people.service import to_person
from msldesk.boards.records import EventKind, Payment
from msldesk.core.changes import Changes

# Open Payments "nature of payment" for an honorarium, by event kind.
HONORARIUM_NATURE = {
    EventKind.SPEAKER_PROGRAM: "Compensation for services other than consulting, including serving as "
    "faculty or as a speaker at a venue other than a continuing education program",
}
DEFAULT_HONORARIUM_NATURE = "Consulting Fee"


class EventPayments(EventServiceBase):
    """The payment and rate-card methods of EventService."""

    def rate_card(self) -> fmv.RateCard:
        return fmv.load_rate_card(self.rate_card_path)

    def save_rate_card(self, card: fmv.RateCard) -> Changes:
        fmv.save_rate_card(card, self.rate_card_path)
        return Changes(events=True)

    def payments(self, year: int) -> list[Payment]:
        """Transfers of value in a calendar year: honoraria, travel and expenses of accepted external
        attendees of events that were not cancelled, dated on the event's (local) start date."""
        with self.sessions() as session:
            rows = session.execute(
                select(AttendanceRow, PersonRow, EventRow)
                .join(PersonRow, PersonRow.id == AttendanceRow.person_id)
                .join(EventRow, EventRow.id == AttendanceRow.event_id)
                .where(*reported_where())
                .order_by(EventRow.starts_at_utc, PersonRow.last_name, PersonRow.first_name)
            ).all()
        payments = []
        for attendance, person_row, event_row in rows:
            event = event_fields(event_row)
            assert event.starts_at is not None
            date = event.starts_at.date()
            if date.year != year:
                continue
            person = to_person(person_row)
            nature = HONORARIUM_NATURE.get(event.kind, DEFAULT_HONORARIUM_NATURE)
            for amount, what in (
                (attendance.honorarium_cents, nature),
                (attendance.travel_cents, "Travel and Lodging"),
                (attendance.expenses_cents, "Food and Beverage"),
            ):
                if amount > 0:
                    payments.append(
                        Payment(
                            event_row.id, event.title, date, person, what, money(amount), attendance.currency
                        )
                    )
        return payments

    def year_totals(self, year: int) -> dict[int, Decimal]:
        """Honoraria per person in a year (what the yearly FMV cap limits)."""
        totals: dict[int, Decimal] = {}
        for payment in self.payments(year):
            if payment.nature not in ("Travel and Lodging", "Food and Beverage"):
                totals[payment.person.person_id] = (
                    totals.get(payment.person.person_id, Decimal("0")) + payment.amount
                )
        return totals
