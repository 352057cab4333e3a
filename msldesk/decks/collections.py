"""Saved slide collections (AssemblyService's part): save one, replacing one of the same name only
when asked, list, and delete; what replacing or deleting takes from the event agendas linking a
collection is noted there through the SlideLinks seam (decks/removal.py), with audit records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from msldesk.core import clock
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.wording import plural
from msldesk.decks.orm import CollectionItemRow, CollectionRow, SlideRow
from msldesk.decks.records import CollectionDeletion, CollectionReplacement, SlidesInUse
from msldesk.decks.removal import SlideLinks, find_uses, lost_collection, note_uses
from msldesk.protect import audit


@dataclass(frozen=True)
class CollectionInfo:
    name: str
    slide_ids: tuple[int, ...]
    updated_at: dt.datetime  # aware, UTC
    collection_id: int = 0  # what an agenda item links to
    note: str = ""  # e.g. slides that left it with a removed deck; shown when it is opened


class CollectionExistsError(InvalidInputError):
    """A collection of that name holds other slides: saving over it needs the user's yes."""

    kind = "exists"


class SavedCollections:
    """The saved-collection methods of AssemblyService."""

    sessions: sessionmaker[Session]
    # What links saved collections from above the library (event agendas): set by msldesk.app.services.
    slide_links: list[SlideLinks]

    def save_collection(self, name: str, slide_ids: Sequence[int], replace: bool = False) -> Changes:
        """Save slides under a name. A collection of that name holding other slides is replaced only
        with `replace` (CollectionExistsError otherwise): agenda items linking it then show the new
        slides and keep a note, with an audit record per event and one for the collection."""
        name = " ".join(name.split())
        if not name:
            raise InvalidInputError("A collection needs a name.")
        now = clock.utc_now()
        in_use: tuple[SlidesInUse, ...] = ()
        with self.sessions.begin() as session:
            known = set(session.scalars(select(SlideRow.id).where(SlideRow.id.in_(set(slide_ids)))))
            missing = [i for i in slide_ids if i not in known]
            if missing:
                raise NotFoundError(f"There is no slide {missing[0]} in the library.")
            row = session.execute(select(CollectionRow).where(CollectionRow.name == name)).scalar()
            if row is None:
                row = CollectionRow(name=name[:200], created_at=now, updated_at=now)
                session.add(row)
                session.flush()
            else:
                held = self._slide_ids_of(session, row.id)
                if held != tuple(slide_ids):
                    if not replace:
                        raise CollectionExistsError(
                            f"There is already a collection named “{row.name}” "
                            f"({plural(len(held), 'slide')}). Save under another name, or replace it."
                        )
                    in_use = self._note_replacement(session, row, held, slide_ids, now)
                row.updated_at = now
                row.note = ""  # saved again by the user: what it lost before is no longer news
                session.execute(delete(CollectionItemRow).where(CollectionItemRow.collection_id == row.id))
            session.add_all(
                CollectionItemRow(collection_id=row.id, position=p, slide_id=s)
                for p, s in enumerate(slide_ids, 1)
            )
        return Changes(metadata=True, events=bool(in_use))

    def replacement_plan(self, name: str, slide_ids: Sequence[int]) -> CollectionReplacement | None:
        """What saving `slide_ids` under `name` would change in the collection of that name and the
        event agendas linking it (None: there is no such collection). Nothing changes."""
        with self.sessions() as session:
            row = session.execute(select(CollectionRow).where(CollectionRow.name == " ".join(name.split())))
            found = row.scalar()
            if found is None:
                return None
            held = self._slide_ids_of(session, found.id)
            lost = lost_collection(session, found, clock.utc_now(), slide_ids)
            in_use = () if held == tuple(slide_ids) else find_uses(session, self.slide_links, lost)
        return CollectionReplacement(
            found.id, found.name, len(held), len(slide_ids), len(set(held) - set(slide_ids)),
            len(set(slide_ids) - set(held)), held == tuple(slide_ids), in_use,
        )  # fmt: skip

    def _note_replacement(
        self, session: Session, row: CollectionRow, held: tuple[int, ...], slide_ids: Sequence[int],
        now: dt.datetime,
    ) -> tuple[SlidesInUse, ...]:  # fmt: skip
        """Before the slides change: the agenda items linking the collection note it; the audit
        trail keeps what it held and holds, and who links it."""
        in_use = note_uses(session, self.slide_links, lost_collection(session, row, now, slide_ids))
        linked = [{"kind": u.kind, "id": u.ref_id, "title": u.title, "slides": u.slides} for u in in_use]
        audit.record(
            session, "collection.replace", "collection", row.id, {"name": row.name, "slide_ids": list(held)},
            {"name": row.name, "slide_ids": list(slide_ids), "linked_from": linked},
        )  # fmt: skip
        return in_use

    @staticmethod
    def _slide_ids_of(session: Session, collection_id: int) -> tuple[int, ...]:
        return tuple(
            session.scalars(
                select(CollectionItemRow.slide_id)
                .where(CollectionItemRow.collection_id == collection_id)
                .order_by(CollectionItemRow.position)
            )
        )

    def collections(self) -> list[CollectionInfo]:
        with self.sessions() as session:
            rows = session.execute(select(CollectionRow).order_by(CollectionRow.name)).scalars().all()
            return [self._collection_info(session, row) for row in rows]

    def collection(self, name: str) -> CollectionInfo:
        with self.sessions() as session:
            return self._collection_info(session, self._collection_row(session, name))

    @staticmethod
    def _collection_row(session: Session, name: str) -> CollectionRow:
        row = session.execute(select(CollectionRow).where(CollectionRow.name == name.strip())).scalar()
        if row is None:
            raise NotFoundError(f"There is no collection named “{name}”.")
        return row

    def collection_slide_ids(self, collection_ids: Sequence[int]) -> dict[int, tuple[int, ...]]:
        """The slides of each collection by its id (agenda items link collections by id), in the
        collection's order; ids of collections that no longer exist are left out."""
        if not collection_ids:
            return {}
        with self.sessions() as session:
            known = session.scalars(select(CollectionRow.id).where(CollectionRow.id.in_(collection_ids)))
            result: dict[int, list[int]] = {collection_id: [] for collection_id in known}
            rows = session.execute(
                select(CollectionItemRow.collection_id, CollectionItemRow.slide_id)
                .where(CollectionItemRow.collection_id.in_(collection_ids))
                .order_by(CollectionItemRow.collection_id, CollectionItemRow.position)
            )
            for collection_id, slide_id in rows:
                result[collection_id].append(slide_id)
        return {collection_id: tuple(ids) for collection_id, ids in result.items()}

    @classmethod
    def _collection_info(cls, session: Session, row: CollectionRow) -> CollectionInfo:
        ids = cls._slide_ids_of(session, row.id)
        return CollectionInfo(row.name, ids, clock.stored(row.updated_at), row.id, row.note)

    def deletion_plan(self, name: str) -> CollectionDeletion:
        """What deleting the collection would take: the event agendas linking it (through the
        registered SlideLinks), read before the question is asked. Nothing changes."""
        with self.sessions() as session:
            row = self._collection_row(session, name)
            lost = lost_collection(session, row, clock.utc_now())
            in_use = find_uses(session, self.slide_links, lost)
        return CollectionDeletion(row.id, row.name, len(lost.collections[row.id][1]), in_use)

    def delete_collection(self, name: str) -> CollectionDeletion:
        """Delete a saved collection (its slides stay in the library). Agenda items linking it keep a
        note of what they lost, in the same transaction, with an audit record per event and one for
        the collection naming them."""
        with self.sessions.begin() as session:
            row = self._collection_row(session, name)
            lost = lost_collection(session, row, clock.utc_now())
            # Before the row goes: the agenda links to the collection are deleted with it (cascade).
            in_use = note_uses(session, self.slide_links, lost)
            slides = len(lost.collections[row.id][1])
            snapshot = {
                "name": row.name,
                "slides": slides,
                "linked_from": [
                    {"kind": u.kind, "id": u.ref_id, "title": u.title, "slides": u.slides} for u in in_use
                ],
            }
            audit.record(session, "collection.delete", "collection", row.id, snapshot, None)
            session.delete(row)
        return CollectionDeletion(lost.source_id, lost.title, slides, in_use)
