"""What removing a deck takes from elsewhere: saved collections, and whatever links its slides from
above the library (event agendas), which hears of it through the SlideLinks seam and keeps a note."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from msldesk.core.wording import plural
from msldesk.decks.orm import CollectionItemRow, CollectionRow, SlideRow
from msldesk.decks.records import SlidesInUse


@dataclass(frozen=True)
class LostSlides:
    """The slides a deck removal takes out of the library, as the SlideLinks hear of them."""

    deck_id: int
    deck_title: str
    slide_ids: frozenset[int]  # every version's slides
    # Saved collection id -> (its name, the deck's slides it holds): a link to a collection loses these.
    collections: Mapping[int, tuple[str, frozenset[int]]]
    when: dt.datetime  # local time of the removal


class SlideLinks(Protocol):
    """Something above the library that links its slides by id (event agendas). The composition root
    (msldesk.app.services) registers it with the deck service, so the library never imports it."""

    def users(self, session: Session, lost: LostSlides) -> list[SlidesInUse]:
        """Who links any of the slides (read only): for the question before a removal."""
        ...

    def slides_removed(self, session: Session, lost: LostSlides) -> list[SlidesInUse]:
        """Called in the removal's transaction before the slide rows go: note the loss where the
        slides were linked (the links themselves go with the rows)."""
        ...


def lost_slides(session: Session, deck_id: int, title: str, when: dt.datetime) -> LostSlides:
    slide_ids = frozenset(session.scalars(select(SlideRow.id).where(SlideRow.deck_id == deck_id)))
    holding: dict[int, tuple[str, set[int]]] = {}
    if slide_ids:
        rows = session.execute(
            select(CollectionRow.id, CollectionRow.name, CollectionItemRow.slide_id)
            .join(CollectionItemRow, CollectionItemRow.collection_id == CollectionRow.id)
            .where(CollectionItemRow.slide_id.in_(sorted(slide_ids)))
        )
        for collection_id, name, slide_id in rows:
            holding.setdefault(collection_id, (name, set()))[1].add(slide_id)
    collections = {c: (name, frozenset(ids)) for c, (name, ids) in holding.items()}
    return LostSlides(deck_id, title, slide_ids, collections, when)


def take_out_of_collections(session: Session, lost: LostSlides) -> tuple[str, ...]:
    """Remove the slides from saved collections, each collection noting what it lost."""
    if not lost.slide_ids:
        return ()
    counts = session.execute(
        select(CollectionItemRow.collection_id, func.count())
        .where(CollectionItemRow.slide_id.in_(sorted(lost.slide_ids)))
        .group_by(CollectionItemRow.collection_id)
    ).all()
    names = []
    for collection_id, count in counts:
        collection = session.get(CollectionRow, collection_id)
        if collection is None:
            continue
        line = (
            f"{plural(count, 'slide')} of the deck “{lost.deck_title}” left this collection when the deck "
            f"was removed from the library on {lost.when:%Y-%m-%d}."
        )
        collection.note = f"{collection.note}\n{line}".strip()
        collection.updated_at = lost.when
        names.append(collection.name)
    session.execute(delete(CollectionItemRow).where(CollectionItemRow.slide_id.in_(sorted(lost.slide_ids))))
    return tuple(sorted(names))


def find_uses(session: Session, links: Sequence[SlideLinks], lost: LostSlides) -> tuple[SlidesInUse, ...]:
    if not lost.slide_ids:
        return ()
    return tuple(use for link in links for use in link.users(session, lost))


def note_uses(session: Session, links: Sequence[SlideLinks], lost: LostSlides) -> tuple[SlidesInUse, ...]:
    if not lost.slide_ids:
        return ()
    return tuple(use for link in links for use in link.slides_removed(session, lost))
