"""Agenda items' links to library slides and saved collections as the deck library sees them (its
SlideLinks seam): which events' agendas use a deck's slides or a collection, and the note each agenda
item keeps when the deck is removed or the collection deleted or saved over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from msldesk.boards.orm import AgendaCollectionRow, AgendaItemRow, AgendaSlideRow, EventRow
from msldesk.core.clock import from_utc, zone
from msldesk.core.wording import plural
from msldesk.decks.records import SlidesInUse
from msldesk.decks.removal import LostSlides, collection_slides
from msldesk.protect import audit


@dataclass(frozen=True)
class _ItemLoss:
    item: AgendaItemRow
    slides: frozenset[int]  # linked directly or through a collection, each once
    collections: tuple[str, ...]  # linked collections that held some of them
    through: int  # of `slides`, those linked only through those collections


def loss_note(
    count: int, deck_title: str, day: dt.date, collections: tuple[str, ...] = (), through: int = 0
) -> str:
    """ "2 slides from “Deck X” were removed from the library on 2026-12-04." and, when collections
    linked some of them, which (their own notes say the rest)."""
    verb = "was" if count == 1 else "were"
    line = f"{plural(count, 'slide')} from “{deck_title}” {verb} removed from the library on {day:%Y-%m-%d}"
    if collections and through:
        names = ", ".join(f"“{name}”" for name in collections)
        what = "collection" if len(collections) == 1 else "collections"
        share = "" if through >= count else f"{through} of them "
        line += f", {share}through the {what} {names}"
    return line + "."


def collection_note(name: str, day: dt.date, lost: int, held: int) -> str:
    """ "The collection “Board” was deleted on 2026-12-04; its 2 slides are no longer linked." and, when
    the item links some of them otherwise (directly, another collection), how many it lost."""
    line = f"The collection “{name}” was deleted on {day:%Y-%m-%d}; "
    if not held:
        return line + "it held no slides."
    if lost == held:
        return line + f"its {plural(held, 'slide')} {_be(held)} no longer linked."
    otherwise = "linked directly or through another collection"
    if not lost:
        return line + f"its {plural(held, 'slide')} {'stays' if held == 1 else 'stay'} {otherwise}."
    return (
        line
        + f"{lost} of its {plural(held, 'slide')} {_be(lost)} no longer linked; the rest stay {otherwise}."
    )


def replaced_note(name: str, day: dt.date, before: Sequence[int], after: Sequence[int], lost: int) -> str:
    """ "The collection “Board” was replaced on 2026-12-05: it held 2 slides and now holds 3; 1 of the
    earlier ones is no longer linked here." (a saved collection saved over with other slides)."""
    line = f"The collection “{name}” was replaced on {day:%Y-%m-%d}: "
    if set(before) == set(after):
        return line + "it holds the same slides in another order."
    line += f"it held {plural(len(before), 'slide')} and now holds {len(after)}"
    if lost:
        line += f"; {lost} of the earlier ones {_be(lost)} no longer linked here"
    return line + "."


def _be(count: int) -> str:
    return "is" if count == 1 else "are"


class AgendaSlideLinks:
    """Registered with the deck and assembly services by msldesk.app.services."""

    kind = "event"

    def users(self, session: Session, lost: LostSlides) -> list[SlidesInUse]:
        return [use for use, _ in self._by_event(session, lost)]

    def slides_removed(self, session: Session, lost: LostSlides) -> list[SlidesInUse]:
        """Each agenda item that loses slides (or links the deleted or replaced collection) gets a line
        in its note; each event an audit record."""
        found = self._by_event(session, lost)
        day = lost.day
        # The slides a deleted collection held, or a replaced one held before.
        held = [s for _, ids in lost.collections.values() for s in ids]
        for use, losses in found:
            for loss in losses:
                if lost.now_holds is not None:
                    line = replaced_note(lost.title, day, held, lost.now_holds, len(loss.slides))
                elif lost.collection_deleted:
                    line = collection_note(lost.title, day, len(loss.slides), len(held))
                else:
                    line = loss_note(len(loss.slides), lost.title, day, loss.collections, loss.through)
                loss.item.note = f"{loss.item.note}\n{line}".strip()
            titles = [loss.item.title for loss in losses]
            if lost.now_holds is not None:  # the links stay: what the collection held, and what it lost
                before = {"collection": lost.title, "collection_slides": len(held)}
                after = {"collection": lost.title, "collection_slides": len(lost.now_holds),
                         "slides_lost": use.slides, "agenda_items": titles}  # fmt: skip
                audit.record(session, "agenda.collection_replaced", "event", use.ref_id, before, after)
                continue
            # A deleted collection: the slides linked only through it, which the event no longer links.
            action, what, count = (
                ("agenda.collection_deleted", "collection", "collection_slides")
                if lost.collection_deleted
                else ("agenda.slides_removed", "deck", "linked_slides")
            )
            before = {what: lost.title, count: use.slides}
            after = {what: lost.title, count: 0, "agenda_items": titles}
            audit.record(session, action, "event", use.ref_id, before, after)
        return [use for use, _ in found]

    def _by_event(self, session: Session, lost: LostSlides) -> list[tuple[SlidesInUse, list[_ItemLoss]]]:
        """The events whose agendas link the slides (earliest first, undated last), with their items."""
        losses = (
            _collection_losses(session, lost) if lost.source == "collection" else _item_losses(session, lost)
        )
        if not losses:
            return []
        event_ids = {loss.item.event_id for loss in losses}
        events = {e.id: e for e in session.scalars(select(EventRow).where(EventRow.id.in_(event_ids)))}
        found = []
        for event_id, event in events.items():
            mine = sorted(
                (loss for loss in losses if loss.item.event_id == event_id),
                key=lambda loss: (loss.item.position, loss.item.id),
            )
            slides = {slide for loss in mine for slide in loss.slides}
            use = SlidesInUse(
                self.kind, event_id, event.title, _event_day(event), len(slides),
                tuple(loss.item.title for loss in mine),
            )  # fmt: skip
            found.append((use, mine))
        found.sort(key=lambda pair: (pair[0].date is None, pair[0].date or dt.date.min, pair[0].title))
        return found


def _item_losses(session: Session, lost: LostSlides) -> list[_ItemLoss]:
    direct: dict[int, set[int]] = {}
    if lost.slide_ids:
        rows = session.execute(
            select(AgendaSlideRow.item_id, AgendaSlideRow.slide_id).where(
                AgendaSlideRow.slide_id.in_(sorted(lost.slide_ids))
            )
        )
        for item_id, slide_id in rows:
            direct.setdefault(item_id, set()).add(slide_id)
    collections: dict[int, list[int]] = {}
    if lost.collections:
        rows = session.execute(
            select(AgendaCollectionRow.item_id, AgendaCollectionRow.collection_id).where(
                AgendaCollectionRow.collection_id.in_(sorted(lost.collections))
            )
        )
        for item_id, collection_id in rows:
            collections.setdefault(item_id, []).append(collection_id)
    item_ids = set(direct) | set(collections)
    if not item_ids:
        return []
    losses = []
    for item in session.scalars(select(AgendaItemRow).where(AgendaItemRow.id.in_(item_ids))):
        own = direct.get(item.id, set())
        linked = [lost.collections[c] for c in collections.get(item.id, ())]
        via = {slide for _, ids in linked for slide in ids} - own
        names = tuple(sorted(name for name, ids in linked if ids - own))
        losses.append(_ItemLoss(item, frozenset(own | via), names, len(via)))
    return losses


def _collection_losses(session: Session, lost: LostSlides) -> list[_ItemLoss]:
    """The items linking the deleted (or replaced) collection, each with the slides it links only
    through it (of a replaced one: those that leave it)."""
    ((collection_id, (name, held)),) = lost.collections.items()
    held = held - frozenset(lost.now_holds or ())
    item_ids = sorted(
        session.scalars(
            select(AgendaCollectionRow.item_id).where(AgendaCollectionRow.collection_id == collection_id)
        )
    )
    if not item_ids:
        return []
    kept: dict[int, set[int]] = {}
    rows = session.execute(
        select(AgendaSlideRow.item_id, AgendaSlideRow.slide_id).where(AgendaSlideRow.item_id.in_(item_ids))
    )
    for item_id, slide_id in rows:
        kept.setdefault(item_id, set()).add(slide_id)
    others = session.execute(
        select(AgendaCollectionRow.item_id, AgendaCollectionRow.collection_id).where(
            AgendaCollectionRow.item_id.in_(item_ids), AgendaCollectionRow.collection_id != collection_id
        )
    ).all()
    slides_of = collection_slides(session, [other for _, other in others])
    for item_id, other in others:
        kept.setdefault(item_id, set()).update(slides_of.get(other, ()))
    losses = []
    for item in session.scalars(select(AgendaItemRow).where(AgendaItemRow.id.in_(item_ids))):
        gone = held - kept.get(item.id, set())
        losses.append(_ItemLoss(item, frozenset(gone), (name,), len(gone)))
    return losses


def _event_day(event: EventRow) -> dt.date | None:
    start = from_utc(event.starts_at_utc, zone(event.timezone))
    return start.date() if start is not None else None
