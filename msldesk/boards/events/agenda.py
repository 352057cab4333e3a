"""An event's agenda: its items with their slides, presenters and questions (EventService's agenda
methods), when each item starts and ends, which items run past the event, and reordering."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from msldesk.boards.events.base import EventServiceBase
from msldesk.boards.events.removals import unfile_notes
from msldesk.boards.events.rows import audit_change, event_fields, event_row, item_row, item_snapshot
from msldesk.boards.events.timing import move, schedule
from msldesk.boards.orm import AgendaCollectionRow, AgendaItemRow, AgendaSlideRow, PersonRow
from msldesk.boards.people.service import to_person
from msldesk.boards.records import AgendaItem, AgendaItemFields, AgendaKind
from msldesk.core.changes import Changes
from msldesk.core.clock import from_utc, zone
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.text_safety import limit


class EventAgenda(EventServiceBase):
    """The agenda methods of EventService."""

    def agenda(self, event_id: int) -> list[AgendaItem]:
        """The agenda in order, with clock times computed from the event start."""
        with self.sessions() as session:
            event = event_fields(event_row(session, event_id))
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
                )
            )
        return items

    def add_agenda_item(
        self, event_id: int, fields: AgendaItemFields, position: int | None = None
    ) -> tuple[AgendaItem, Changes]:
        fields = self._check_item(fields)
        with self.sessions.begin() as session:
            event_row(session, event_id)
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
            row = item_row(session, item_id)
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
        """The meeting notes filed under it stay, keeping its title; refused when they are finalized
        (events/removals.py). EventService.agenda_removal_plan() says which before asking."""
        with self.sessions.begin() as session:
            row = item_row(session, item_id)
            event_id = row.event_id
            notes = unfile_notes(session, row)  # KeptRecordsError for finalized notes
            before = {"item_id": item_id, **item_snapshot(row), "notes_filed_under": notes}
            audit_change(session, "agenda.remove", "event", event_id, before, {})
            session.delete(row)
            session.flush()
            self._renumber(session, self._item_ids(session, event_id))
        return Changes(events=True, notes=bool(notes))

    def move_agenda_item(self, item_id: int, to_position: int) -> tuple[list[AgendaItem], Changes]:
        """Move one item; the clock times of everything after the change follow."""
        with self.sessions.begin() as session:
            row = item_row(session, item_id)
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
