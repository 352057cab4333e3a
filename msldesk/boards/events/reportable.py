"""Which attendance the Open Payments export reports, in one place: an accepted external attendee of a
dated event that was not cancelled, with an honorarium, travel or expenses. Deleting an event or
removing an attendee keeps these records, as a person's erasure does."""

from __future__ import annotations

from decimal import Decimal

from msldesk.boards.kinds import AttendeeRole, EventStatus, Invitation
from msldesk.boards.orm import AttendanceRow, EventRow


def has_amounts(row: AttendanceRow) -> bool:
    return row.honorarium_cents > 0 or row.travel_cents > 0 or row.expenses_cents > 0


def is_reported(row: AttendanceRow, event: EventRow) -> bool:
    """Whether EventService.payments() reports this attendance (for the event's year)."""
    return (
        row.role != AttendeeRole.INTERNAL.value
        and row.invitation == Invitation.ACCEPTED.value
        and event.status != EventStatus.CANCELLED.value
        and event.starts_at_utc is not None
        and has_amounts(row)
    )


def amounts_text(row: AttendanceRow) -> str:
    """ "honorarium USD 1,500.00, travel USD 650.00" """
    amounts = (("honorarium", row.honorarium_cents), ("travel", row.travel_cents),
               ("expenses", row.expenses_cents))  # fmt: skip
    return ", ".join(f"{what} {row.currency} {Decimal(c) / 100:,.2f}" for what, c in amounts if c > 0)
