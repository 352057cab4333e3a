"""What removing a deck, or deleting or replacing a saved collection, takes from elsewhere: saved
collections, and whatever links slides or collections from above the library (event agendas), which
hears of it through the SlideLinks seam and keeps a note."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from msldesk.core import clock
from msldesk.core.wording import plural
from msldesk.decks.orm import CollectionItemRow, CollectionRow, SlideRow
from msldesk.decks.records import SlidesInUse


@dataclass(frozen=True)
class LostSlides:
    """What goes, as the SlideLinks hear of it: a deck removed from the library (its slides, and the
    saved collections that lose some of them), a saved collection deleted (its slides stay in the
    library; the links to the collection go) or saved over with other slides (the links stay and
    show the new slides)."""

    source: str  # what goes: "deck" or "collection"
    source_id: int
    title: str  # the deck's title or the collection's name
    slide_ids: frozenset[int]  # slides leaving the library: every version's slides of a removed deck
    # Saved collection id -> (its name, the slides it loses): a link to the collection loses these. A
    # deleted collection is here with all its slides.
    collections: Mapping[int, tuple[str, frozenset[int]]]
    when: dt.datetime  # the removal, as stored (naive UTC)
    # A collection saved over: the slides it holds from now on (its entry in `collections` lists those
    # it held before). None when it is deleted, or a deck is removed.
    now_holds: tuple[int, ...] | None = None

    @property
    def day(self) -> dt.date:
        """The removal's date on this computer's calendar, for the notes people read."""
        return clock.local(clock.stored(self.when)).date()

    @property
    def collection_deleted(self) -> bool:
        return self.source == "collection" and self.now_holds is None

    @property
    def collection_replaced(self) -> bool:
        return self.source == "collection" and self.now_holds is not None

    @property
    def anything(self) -> bool:
        """Whether anything can lose links: a deck without slides takes nothing from anyone."""
        return bool(self.slide_ids) or self.source == "collection"


class SlideLinks(Protocol):
    """Something above the library that links its slides or saved collections by id (event agendas).
    The composition root (msldesk.app.services) registers it with the deck and assembly services, so
    the library never imports it."""

    def users(self, session: Session, lost: LostSlides) -> list[SlidesInUse]:
        """Who links any of the slides or the deleted collection (read only): for the question first."""
        ...

    def slides_removed(self, session: Session, lost: LostSlides) -> list[SlidesInUse]:
        """Called in the removal's (or deletion's) transaction before the rows go: note the loss where
        the slides or the collection were linked (the links themselves go with the rows)."""
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
    return LostSlides("deck", deck_id, title, slide_ids, collections, when)


def lost_collection(
    session: Session, collection: CollectionRow, when: dt.datetime, now_holds: Sequence[int] | None = None
) -> LostSlides:
    """A saved collection about to be deleted (its slides stay in the library, links to it lose them),
    or saved over with `now_holds` (links to it lose the slides that leave it)."""
    ids = frozenset(
        session.scalars(
            select(CollectionItemRow.slide_id).where(CollectionItemRow.collection_id == collection.id)
        )
    )
    return LostSlides(
        "collection",
        collection.id,
        collection.name,
        frozenset(),
        {collection.id: (collection.name, ids)},
        when,
        None if now_holds is None else tuple(now_holds),
    )


def collection_slides(session: Session, collection_ids: Sequence[int]) -> dict[int, frozenset[int]]:
    """The slides of each saved collection: what a link to a collection other than the deleted one keeps."""
    found: dict[int, set[int]] = {}
    if collection_ids:
        rows = session.execute(
            select(CollectionItemRow.collection_id, CollectionItemRow.slide_id).where(
                CollectionItemRow.collection_id.in_(sorted(collection_ids))
            )
        )
        for collection_id, slide_id in rows:
            found.setdefault(collection_id, set()).add(slide_id)
    return {collection_id: frozenset(ids) for collection_id, ids in found.items()}


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
            f"{plural(count, 'slide')} of the deck “{lost.title}” left this collection when the deck "
            f"was removed from the library on {lost.day:%Y-%m-%d}."
        )
        collection.note = f"{collection.note}\n{line}".strip()
        collection.updated_at = lost.when
        names.append(collection.name)
    session.execute(delete(CollectionItemRow).where(CollectionItemRow.slide_id.in_(sorted(lost.slide_ids))))
    return tuple(sorted(names))


def find_uses(session: Session, links: Sequence[SlideLinks], lost: LostSlides) -> tuple[SlidesInUse, ...]:
    if not lost.anything:
        return ()
    return tuple(use for link in links for use in link.users(session, lost))


def note_uses(session: Session, links: Sequence[SlideLinks], lost: LostSlides) -> tuple[SlidesInUse, ...]:
    if not lost.anything:
        return ()
    return tuple(use for link in links for use in link.slides_removed(session, lost))
