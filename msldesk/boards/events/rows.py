"""Event, attendance and agenda-item rows to records and back: the conversions (money in cents,
times in UTC), the checks an event's fields pass, and the snapshots the audit trail keeps."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from msldesk.boards.orm import AgendaItemRow, AttendanceRow, EventRow
from msldesk.boards.records import (
    AttendanceFields,
    AttendeeRole,
    EventFields,
    EventKind,
    EventStatus,
    Invitation,
)
from msldesk.core.clock import from_utc, instant_to_utc, to_utc, zone
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.text_safety import limit
from msldesk.protect import audit

CENT = Decimal("0.01")


# -- conversions ---------------------------------------------------------------------------------


def cents(amount: Decimal | int | float | str) -> int:
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def money(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(CENT)


def event_fields(row: EventRow) -> EventFields:
    tz = zone(row.timezone)
    return EventFields(
        kind=EventKind(row.kind),
        title=row.title,
        objectives=row.objectives,
        key_questions=row.key_questions,
        therapeutic_area=row.therapeutic_area,
        product=row.product,
        starts_at=from_utc(row.starts_at_utc, tz),
        ends_at=from_utc(row.ends_at_utc, tz),
        timezone=row.timezone,
        venue=row.venue,
        virtual_link=row.virtual_link,
        status=EventStatus(row.status),
        currency=row.currency,
        budget_estimated=money(row.budget_estimated_cents),
        budget_committed=money(row.budget_committed_cents),
        budget_actual=money(row.budget_actual_cents),
    )


# The kind of limit (text_safety.LIMITS) and the plain name of each text field of an event.
_EVENT_TEXT = {
    "title": ("line", "The event title"), "objectives": ("text", "The objectives"),
    "key_questions": ("text", "The key questions"), "therapeutic_area": ("line", "The therapeutic area"),
    "product": ("line", "The product"), "venue": ("line", "The venue"),
    "virtual_link": ("link", "The meeting link"), "timezone": ("short", "The time zone"),
}  # fmt: skip


def check_event(fields: EventFields) -> EventFields:
    """Cleaned fields, or InvalidInputError naming what is wrong."""
    texts: dict[str, Any] = {
        n: limit(getattr(fields, n), kind, what) for n, (kind, what) in _EVENT_TEXT.items()
    }
    fields = replace(fields, **texts)
    title = " ".join(fields.title.split())
    if not title:
        raise InvalidInputError("An event needs a title.")
    try:
        kind, status = EventKind(fields.kind), EventStatus(fields.status)
    except ValueError as exc:
        raise InvalidInputError(f"Unknown event kind or status: {exc}") from exc
    tz = zone(fields.timezone.strip() or "UTC")
    starts, ends = fields.starts_at, fields.ends_at
    starts = (
        None if starts is None else (starts if starts.tzinfo else starts.replace(tzinfo=tz)).astimezone(tz)
    )
    ends = None if ends is None else (ends if ends.tzinfo else ends.replace(tzinfo=tz)).astimezone(tz)
    if starts and ends and ends <= starts:
        raise InvalidInputError("The event must end after it starts.")
    currency = fields.currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidInputError(f"{fields.currency!r} is not a currency code like USD or EUR.")
    budgets = (fields.budget_estimated, fields.budget_committed, fields.budget_actual)
    if any(Decimal(b) < 0 for b in budgets):
        raise InvalidInputError("Budget amounts cannot be negative.")
    return replace(
        fields, title=title, kind=kind, status=status, timezone=tz.key, starts_at=starts, ends_at=ends,
        currency=currency,
    )  # fmt: skip


def write_event(row: EventRow, fields: EventFields) -> None:
    tz = zone(fields.timezone)
    row.kind, row.title = fields.kind.value, fields.title
    row.objectives, row.key_questions = fields.objectives, fields.key_questions
    row.therapeutic_area, row.product = fields.therapeutic_area, fields.product
    row.starts_at_utc, row.ends_at_utc = to_utc(fields.starts_at, tz), to_utc(fields.ends_at, tz)
    row.timezone, row.venue, row.virtual_link = fields.timezone, fields.venue, fields.virtual_link
    row.status, row.currency = fields.status.value, fields.currency
    row.budget_estimated_cents = cents(fields.budget_estimated)
    row.budget_committed_cents = cents(fields.budget_committed)
    row.budget_actual_cents = cents(fields.budget_actual)


def attendance_fields(row: AttendanceRow) -> AttendanceFields:
    return AttendanceFields(
        role=AttendeeRole(row.role),
        invitation=Invitation(row.invitation),
        contract_signed=row.contract_signed,
        coi_disclosed=row.coi_disclosed,
        honorarium_hours=(Decimal(row.honorarium_hundredth_hours) / 100).quantize(CENT),
        honorarium_rate=money(row.honorarium_rate_cents),
        honorarium_amount=money(row.honorarium_cents),
        currency=row.currency,
        travel_amount=money(row.travel_cents),
        expenses_amount=money(row.expenses_cents),
        checked_in_at=from_utc(row.checked_in_at_utc, dt.UTC),
        attended_minutes=row.attended_minutes,
    )


def write_attendance(row: AttendanceRow, fields: AttendanceFields) -> None:
    amounts = (fields.honorarium_hours, fields.honorarium_rate, fields.honorarium_amount,
               fields.travel_amount, fields.expenses_amount)  # fmt: skip
    if any(Decimal(a) < 0 for a in amounts):
        raise InvalidInputError("Hours and amounts cannot be negative.")
    try:
        row.role, row.invitation = AttendeeRole(fields.role).value, Invitation(fields.invitation).value
    except ValueError as exc:
        raise InvalidInputError(f"Unknown role or invitation status: {exc}") from exc
    row.contract_signed, row.coi_disclosed = bool(fields.contract_signed), bool(fields.coi_disclosed)
    row.honorarium_hundredth_hours = cents(fields.honorarium_hours)
    row.honorarium_rate_cents = cents(fields.honorarium_rate)
    row.honorarium_cents = cents(fields.honorarium_amount)
    row.currency = (fields.currency or "USD").upper()
    row.travel_cents, row.expenses_cents = cents(fields.travel_amount), cents(fields.expenses_amount)
    row.checked_in_at_utc = instant_to_utc(fields.checked_in_at)
    row.attended_minutes = fields.attended_minutes


def event_snapshot(row: EventRow) -> dict[str, object]:
    return asdict(event_fields(row))


def attendance_snapshot(row: AttendanceRow) -> dict[str, object]:
    return {"event_id": row.event_id, "person_id": row.person_id, **asdict(attendance_fields(row))}


def item_snapshot(row: AgendaItemRow) -> dict[str, object]:
    return {"event_id": row.event_id, "position": row.position, "title": row.title, "kind": row.kind,
            "minutes": row.minutes, "presenter_id": row.presenter_id, "questions": row.questions}  # fmt: skip


def audit_change(session: Session, action: str, entity: str, entity_id: int, before, after) -> None:  # type: ignore[no-untyped-def]
    """Record what changed (only the fields that did); nothing when nothing changed."""
    if before is None or after is None:
        audit.record(session, action, entity, entity_id, before, after)
        return
    old, new = audit.changed(before, after)
    if old or new:
        audit.record(session, action, entity, entity_id, old, new)


def event_row(session: Session, event_id: int) -> EventRow:
    row = session.get(EventRow, event_id)
    if row is None:
        raise NotFoundError(f"There is no event with id {event_id}.")
    return row


def item_row(session: Session, item_id: int) -> AgendaItemRow:
    row = session.get(AgendaItemRow, item_id)
    if row is None:
        raise NotFoundError(f"There is no agenda item with id {item_id}.")
    return row
