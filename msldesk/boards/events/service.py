"""Events, their agendas, attendee lists and planning checklists: the public API for all of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from msldesk.boards.events import fmv
from msldesk.boards.events.counts import count_attendance
from msldesk.boards.orm import (
    AgendaCollectionRow,
    AgendaItemRow,
    AgendaSlideRow,
    AttendanceRow,
    ChecklistRow,
    EventRow,
    PersonRow,
)
from msldesk.boards.people.service import now, to_person
from msldesk.boards.records import (
    AgendaItem,
    AgendaItemFields,
    AgendaKind,
    Attendance,
    AttendanceCounts,
    AttendanceFields,
    AttendeeRole,
    ChecklistItem,
    Event,
    EventFields,
    EventKind,
    EventStatus,
    Invitation,
    Payment,
)
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.text_safety import limit
from msldesk.protect import audit

CENT = Decimal("0.01")
MANUAL_CHECKLIST = (("materials", "Materials approved"), ("venue", "Venue or virtual link confirmed"))
# Open Payments "nature of payment" for an honorarium, by event kind.
HONORARIUM_NATURE = {
    EventKind.SPEAKER_PROGRAM: "Compensation for services other than consulting, including serving as "
    "faculty or as a speaker at a venue other than a continuing education program",
}
DEFAULT_HONORARIUM_NATURE = "Consulting Fee"


# -- conversions ---------------------------------------------------------------------------------


def cents(amount: Decimal | int | float | str) -> int:
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def money(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(CENT)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInputError(
            f"{name!r} is not a time zone msldesk knows. Use a name like Europe/Berlin or America/New_York."
        ) from exc


def to_utc(moment: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    """Aware (or naive = wall time in the event's zone) -> naive UTC for storage."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def from_utc(moment: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    return None if moment is None else moment.replace(tzinfo=dt.UTC).astimezone(tz)


def instant_to_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment something happened (aware, or naive = this computer's local time) -> naive UTC,
    to the second, for storage."""
    return None if moment is None else moment.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)


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
    cleaned: dict[str, Any] = {
        n: limit(getattr(fields, n), kind, what) for n, (kind, what) in _EVENT_TEXT.items()
    }
    fields = replace(fields, **cleaned)
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


class EventService:
    def __init__(self, sessions: sessionmaker[Session], rate_card_path: Path, today: dt.date | None = None):
        self.sessions = sessions
        self.rate_card_path = rate_card_path
        self._today = today

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # -- events ----------------------------------------------------------------------------------

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
            row = self._event_row(session, event_id)
            before = event_snapshot(row)
            write_event(row, fields)
            row.updated_at = now()
            audit_change(session, "event.update", "event", event_id, before, event_snapshot(row))
        return self.get(event_id), Changes(events=True)

    def delete(self, event_id: int) -> Changes:
        with self.sessions.begin() as session:
            row = self._event_row(session, event_id)
            audit_change(session, "event.delete", "event", event_id, event_snapshot(row), {})
            session.delete(row)
        return Changes(events=True)

    def get(self, event_id: int) -> Event:
        with self.sessions() as session:
            return self._to_event(session, self._event_row(session, event_id))

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

    @staticmethod
    def _attendee_counts(session: Session, event_ids: list[int]) -> dict[int, AttendanceCounts]:
        """The counts of each event, by the one definition in msldesk.boards.events.counts."""
        if not event_ids:
            return {}
        by_event: dict[int, list[AttendanceFields]] = {}
        for row in session.scalars(select(AttendanceRow).where(AttendanceRow.event_id.in_(event_ids))):
            by_event.setdefault(row.event_id, []).append(attendance_fields(row))
        return {event_id: count_attendance(people) for event_id, people in by_event.items()}

    @staticmethod
    def _event_row(session: Session, event_id: int) -> EventRow:
        row = session.get(EventRow, event_id)
        if row is None:
            raise NotFoundError(f"There is no event with id {event_id}.")
        return row

    # -- agenda ----------------------------------------------------------------------------------

    def agenda(self, event_id: int) -> list[AgendaItem]:
        """The agenda in order, with clock times computed from the event start."""
        from msldesk.boards.events.agenda import schedule

        with self.sessions() as session:
            event = event_fields(self._event_row(session, event_id))
            rows = list(
                session.scalars(
                    select(AgendaItemRow)
                    .where(AgendaItemRow.event_id == event_id)
                    .order_by(AgendaItemRow.position, AgendaItemRow.id)
                )
            )
            ids = [r.id for r in rows]
            slides: dict[int, list[int]] = {}
            for item_id, slide_id in session.execute(
                select(AgendaSlideRow.item_id, AgendaSlideRow.slide_id)
                .where(AgendaSlideRow.item_id.in_(ids))
                .order_by(AgendaSlideRow.item_id, AgendaSlideRow.position)
            ):
                slides.setdefault(item_id, []).append(slide_id)
            collections: dict[int, list[int]] = {}
            for item_id, collection_id in session.execute(
                select(AgendaCollectionRow.item_id, AgendaCollectionRow.collection_id).where(
                    AgendaCollectionRow.item_id.in_(ids)
                )
            ):
                collections.setdefault(item_id, []).append(collection_id)
            presenter_ids = {r.presenter_id for r in rows if r.presenter_id}
            names = {
                p.id: to_person(p).display_name
                for p in session.scalars(select(PersonRow).where(PersonRow.id.in_(presenter_ids)))
            }
        slots = schedule(event.starts_at, event.ends_at, [r.minutes for r in rows])
        tz = zone(event.timezone)
        items = []
        for position, (row, slot) in enumerate(zip(rows, slots, strict=True)):
            fields = AgendaItemFields(
                title=row.title,
                minutes=row.minutes,
                kind=AgendaKind(row.kind),
                presenter_id=row.presenter_id,
                questions=row.questions,
                slide_ids=tuple(slides.get(row.id, ())),
                collection_ids=tuple(collections.get(row.id, ())),
            )
            items.append(
                AgendaItem(
                    row.id,
                    event_id,
                    position,
                    fields,
                    names.get(row.presenter_id or 0, ""),
                    slot.starts_at if slot else None,
                    slot.ends_at if slot else None,
                    bool(slot and slot.overruns),
                    from_utc(row.actual_start_utc, tz),
                    from_utc(row.actual_end_utc, tz),
                    row.note,
                )  # fmt: skip
            )
        return items

    def add_agenda_item(
        self, event_id: int, fields: AgendaItemFields, position: int | None = None
    ) -> tuple[AgendaItem, Changes]:
        fields = self._check_item(fields)
        with self.sessions.begin() as session:
            self._event_row(session, event_id)
            self._check_links(session, fields)
            order = self._item_ids(session, event_id)
            row = AgendaItemRow(event_id=event_id, position=len(order))
            self._write_item(session, row, fields)
            session.flush()
            if position is not None and 0 <= position < len(order):
                order.insert(position, row.id)
                self._renumber(session, order)
            item_id = row.id
            audit_change(session, "agenda.add", "event", event_id, None, item_snapshot(row))
        return self._item(event_id, item_id), Changes(events=True)

    def update_agenda_item(self, item_id: int, fields: AgendaItemFields) -> tuple[AgendaItem, Changes]:
        fields = self._check_item(fields)
        with self.sessions.begin() as session:
            row = self._item_row(session, item_id)
            self._check_links(session, fields)
            before = item_snapshot(row)
            links_before = self._links(session, item_id)
            self._write_item(session, row, fields)
            if (set(fields.slide_ids), set(fields.collection_ids)) != links_before:
                row.note = ""  # linked again by the user: what it lost before is no longer news
            event_id = row.event_id
            after = {"item_id": item_id, **item_snapshot(row)}
            audit_change(session, "agenda.update", "event", event_id, {"item_id": item_id, **before}, after)
        return self._item(event_id, item_id), Changes(events=True)

    def remove_agenda_item(self, item_id: int) -> Changes:
        with self.sessions.begin() as session:
            row = self._item_row(session, item_id)
            event_id = row.event_id
            audit_change(
                session, "agenda.remove", "event", event_id, {"item_id": item_id, **item_snapshot(row)}, {}
            )
            session.delete(row)
            session.flush()
            self._renumber(session, self._item_ids(session, event_id))
        return Changes(events=True)

    def move_agenda_item(self, item_id: int, to_position: int) -> tuple[list[AgendaItem], Changes]:
        """Move one item; the clock times of everything after the change follow."""
        from msldesk.boards.events.agenda import move

        with self.sessions.begin() as session:
            row = self._item_row(session, item_id)
            event_id = row.event_id
            order = self._item_ids(session, event_id)
            new_order = move(order, order.index(item_id), to_position)
            self._renumber(session, new_order)
            audit_change(session, "agenda.reorder", "event", event_id, {"order": order}, {"order": new_order})
        return self.agenda(event_id), Changes(events=True)

    def reorder_agenda(self, event_id: int, item_ids: Sequence[int]) -> tuple[list[AgendaItem], Changes]:
        with self.sessions.begin() as session:
            current = self._item_ids(session, event_id)
            if sorted(current) != sorted(item_ids):
                raise InvalidInputError("The new order must list every agenda item of the event once.")
            self._renumber(session, list(item_ids))
            audit_change(
                session, "agenda.reorder", "event", event_id, {"order": current}, {"order": list(item_ids)}
            )
        return self.agenda(event_id), Changes(events=True)

    def _item(self, event_id: int, item_id: int) -> AgendaItem:
        return next(i for i in self.agenda(event_id) if i.item_id == item_id)

    @staticmethod
    def _check_item(fields: AgendaItemFields) -> AgendaItemFields:
        title = " ".join(limit(fields.title, "line", "The agenda item's title").split())
        fields = replace(fields, questions=limit(fields.questions, "text", "The agenda item's questions"))
        if not title:
            raise InvalidInputError("An agenda item needs a title.")
        if not 0 <= int(fields.minutes) <= 24 * 60:
            raise InvalidInputError("An agenda item lasts between 0 and 1440 minutes.")
        try:
            kind = AgendaKind(fields.kind)
        except ValueError as exc:
            raise InvalidInputError(f"Unknown agenda item kind {fields.kind!r}.") from exc
        return replace(fields, title=title, minutes=int(fields.minutes), kind=kind)

    @staticmethod
    def _check_links(session: Session, fields: AgendaItemFields) -> None:
        from msldesk.decks.orm import CollectionRow, SlideRow

        if fields.presenter_id is not None and session.get(PersonRow, fields.presenter_id) is None:
            raise NotFoundError(f"There is no person with id {fields.presenter_id} to present this item.")
        if fields.slide_ids:
            found = set(session.scalars(select(SlideRow.id).where(SlideRow.id.in_(fields.slide_ids))))
            missing = sorted(set(fields.slide_ids) - found)
            if missing:
                raise NotFoundError(f"These slides are not in the library: {missing}.")
        if fields.collection_ids:
            found = set(
                session.scalars(select(CollectionRow.id).where(CollectionRow.id.in_(fields.collection_ids)))
            )
            missing = sorted(set(fields.collection_ids) - found)
            if missing:
                raise NotFoundError(f"These collections do not exist: {missing}.")

    @staticmethod
    def _write_item(session: Session, row: AgendaItemRow, fields: AgendaItemFields) -> None:
        row.title, row.kind, row.minutes = fields.title, fields.kind.value, fields.minutes
        row.presenter_id, row.questions = fields.presenter_id, fields.questions
        if row.id is None:
            session.add(row)
            session.flush()
        session.execute(delete(AgendaSlideRow).where(AgendaSlideRow.item_id == row.id))
        session.execute(delete(AgendaCollectionRow).where(AgendaCollectionRow.item_id == row.id))
        session.add_all(
            AgendaSlideRow(item_id=row.id, position=i, slide_id=s) for i, s in enumerate(fields.slide_ids)
        )
        session.add_all(
            AgendaCollectionRow(item_id=row.id, collection_id=c) for c in dict.fromkeys(fields.collection_ids)
        )

    @staticmethod
    def _links(session: Session, item_id: int) -> tuple[set[int], set[int]]:
        """The slides and collections an item links, as sets (their order is not news)."""
        slides = session.scalars(select(AgendaSlideRow.slide_id).where(AgendaSlideRow.item_id == item_id))
        collections = session.scalars(
            select(AgendaCollectionRow.collection_id).where(AgendaCollectionRow.item_id == item_id)
        )
        return set(slides), set(collections)

    @staticmethod
    def _item_row(session: Session, item_id: int) -> AgendaItemRow:
        row = session.get(AgendaItemRow, item_id)
        if row is None:
            raise NotFoundError(f"There is no agenda item with id {item_id}.")
        return row

    @staticmethod
    def _item_ids(session: Session, event_id: int) -> list[int]:
        return list(
            session.scalars(
                select(AgendaItemRow.id)
                .where(AgendaItemRow.event_id == event_id)
                .order_by(AgendaItemRow.position, AgendaItemRow.id)
            )
        )

    @staticmethod
    def _renumber(session: Session, order: Sequence[int]) -> None:
        for position, item_id in enumerate(order):
            session.get(AgendaItemRow, item_id).position = position  # type: ignore[union-attr]

    # -- attendance ------------------------------------------------------------------------------

    def attendees(self, event_id: int) -> list[Attendance]:
        """The event's attendees by last name, each with any FMV warnings on their honorarium."""
        card = self.rate_card()
        with self.sessions() as session:
            event = self._event_row(session, event_id)
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
            self._event_row(session, event_id)
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
        with self.sessions.begin() as session:
            row = self._attendance_row(session, attendance_id)
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

    # -- checklist -------------------------------------------------------------------------------

    def checklist(self, event_id: int) -> list[ChecklistItem]:
        counts = count_attendance(a.fields for a in self.attendees(event_id))
        with self.sessions() as session:
            event = event_fields(self._event_row(session, event_id))
            ticked = dict(
                session.execute(
                    select(ChecklistRow.key, ChecklistRow.done).where(ChecklistRow.event_id == event_id)
                ).all()
            )

        def step(key: str, label: str, done: int, total: int, noun: str) -> ChecklistItem:
            return ChecklistItem(key, label, total > 0 and done == total, f"{done} of {total} {noun}", True)

        items = [
            step("invitations", "Invitations sent", counts.invited, counts.external, "invited"),
            step("contracts", "Contracts signed", counts.contracted, counts.accepted, "accepted attendees"),
            step("disclosures", "Conflicts of interest disclosed", counts.disclosed, counts.accepted,
                 "accepted attendees"),
        ]  # fmt: skip
        for key, label in MANUAL_CHECKLIST:
            detail = ""
            if key == "venue":
                detail = event.venue or event.virtual_link
            items.append(ChecklistItem(key, label, bool(ticked.get(key, False)), detail, False))
        return items

    def set_checklist(self, event_id: int, key: str, done: bool) -> Changes:
        if key not in dict(MANUAL_CHECKLIST):
            raise InvalidInputError(
                f"{key!r} is worked out from the attendee list and cannot be ticked by hand."
            )
        with self.sessions.begin() as session:
            self._event_row(session, event_id)
            row = session.get(ChecklistRow, (event_id, key))
            if row is None:
                session.add(ChecklistRow(event_id=event_id, key=key, done=done))
            else:
                row.done = done
        return Changes(events=True)

    # -- transfers of value ----------------------------------------------------------------------

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
                .where(
                    EventRow.status != EventStatus.CANCELLED.value,
                    EventRow.starts_at_utc.is_not(None),
                    AttendanceRow.role != AttendeeRole.INTERNAL.value,
                    AttendanceRow.invitation == Invitation.ACCEPTED.value,
                )
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
