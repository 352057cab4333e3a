"""Which attendance the Open Payments export reports, in one place: an accepted external attendee of a
dated event that was not cancelled, with an honorarium, travel or expenses. The export reads these
(EventService.payments), a person's erasure keeps them, and deleting an event or removing an attendee
refuses to take them."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ColumnElement

from msldesk.boards.kinds import AttendeeRole, EventStatus, Invitation
from msldesk.boards.orm import AttendanceRow, EventRow


def reported_where() -> tuple[ColumnElement[bool], ...]:
    """The rule as SQL over attendance joined with its event (the amounts are checked one by one)."""
    return (
        EventRow.status != EventStatus.CANCELLED.value,
        EventRow.starts_at_utc.is_not(None),
        AttendanceRow.role != AttendeeRole.INTERNAL.value,
        AttendanceRow.invitation == Invitation.ACCEPTED.value,
    )


def is_reported(row: AttendanceRow, event: EventRow) -> bool:
    """Whether EventService.payments() reports this attendance (for the event's year): reported_where()
    for one row already read."""
    return (
        event.status != EventStatus.CANCELLED.value
        and event.starts_at_utc is not None
        and row.role != AttendeeRole.INTERNAL.value
        and row.invitation == Invitation.ACCEPTED.value
        and row.has_amounts
    )


def amounts_text(row: AttendanceRow) -> str:
    """ "honorarium USD 1,500.00, travel USD 650.00" """
    amounts = (("honorarium", row.honorarium_cents), ("travel", row.travel_cents),
               ("expenses", row.expenses_cents))  # fmt: skip
    return ", ".join(f"{what} {row.currency} {Decimal(c) / 100:,.2f}" for what, c in amounts if c > 0)
