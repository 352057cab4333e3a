"""`msldesk team sync`: the published decks come down from the hub, as one consistent snapshot (the change
cursor of msldesk.hub.changes), and become Team decks in the library through the deck service's own
import (origin "team", read-only here). Only files the library lacks are fetched, and a fetch cut off
resumes. The user's own decks never go up.

Each deck is applied in its own local transactions and remembered with the hub's revision; the cursor
and the time of the sync are written only once every deck of the snapshot is in, so a sync killed at
any point is simply run again: what was applied is recognised by its revision (no duplicate), and the
rest comes again (no gap)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from msldesk.core import clock
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.core.user_files import storable_path
from msldesk.decks.formats import DECK_EXTENSIONS
from msldesk.decks.orm import (
    TEAM,
    AssemblyItemRow,
    AssemblyRow,
    CollectionItemRow,
    CollectionRow,
    DeckRow,
    DeckSourceRow,
    DeckVersionRow,
    SlideRow,
)
from msldesk.decks.published import PublishedMeta, apply_published
from msldesk.hub.connect import hub_errors
from msldesk.team.files import OnChunk, _no_chunk, download_file
from msldesk.team.hub_link import Opener, open_hub
from msldesk.team.orm import TeamDeckRow, TeamHubRow
from msldesk.team.service import HUB_ROW, NoHubError, TeamService

if TYPE_CHECKING:
    from msldesk.decks.service import DeckService


@dataclass(frozen=True)
class PulledDeck:
    """What a sync did with one published deck: "imported", "updated", "withdrawn", "reinstated" (withdrawn
    here, no longer on the hub), "unchanged",
    "skipped" (withdrawn before this library ever had it) or "failed" (`message` says why)."""

    hub_uid: str
    deck_id: int | None
    title: str
    outcome: str
    message: str = ""


@dataclass(frozen=True)
class WithdrawnUse:
    """A saved collection ("collection") or a deck built from the library ("assembly") that used slides
    of a deck this sync withdrew."""

    kind: str
    name: str
    decks: tuple[str, ...]
    path: str = ""
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class SyncReport:
    decks: tuple[PulledDeck, ...]
    full: bool  # everything was read (a first sync)
    complete: bool  # every deck is in, so the cursor moved on (else the next sync reads them again)
    files_fetched: int = 0
    bytes_fetched: int = 0
    uses: tuple[WithdrawnUse, ...] = field(default_factory=tuple)

    def count(self, outcome: str) -> int:
        return sum(1 for d in self.decks if d.outcome == outcome)


class DeckPull:
    """`downloads`: where files wait while they arrive (a part file per content, kept between syncs);
    `opener`: where the hub connection comes from (the desktop's is kept between its syncs)."""

    def __init__(
        self,
        team: TeamService,
        decks: DeckService,
        downloads: Path,
        on_chunk: OnChunk = _no_chunk,
        opener: Opener = open_hub,
    ):
        self.team, self.decks, self.downloads, self.on_chunk = team, decks, Path(downloads), on_chunk
        self.opener = opener
        self.sessions = team.sessions
        self.fetched = [0, 0]  # files, bytes
        self.cancel: CancelToken | None = None

    def sync(self, progress: ProgressCallback = no_progress, cancel: CancelToken | None = None) -> SyncReport:
        """`cancel` is polled between decks and between a file's chunks: a sync stopped there is a sync
        cut off (run it again: the fetch resumes from its part file, nothing was imported half)."""
        from msldesk.hub.changes import read_deck_changes

        link = self.team.link()
        if link is None:
            raise NoHubError("This library is not connected to a team hub: run msldesk team connect DSN.")
        self.decks.store.require_writable("bring the team's decks into it")
        self.cancel = cancel
        connection = self.opener(link.dsn, self.team.password())
        try:
            with hub_errors("read the published decks"):
                changes = read_deck_changes(connection, link.pull_cursor)
            done: list[PulledDeck] = []
            for n, published in enumerate(changes.decks):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                progress(n, len(changes.decks), f"Team deck {published['title']}")
                done.append(self._pull_one(connection, published))
        finally:
            connection.close()
        complete = all(d.outcome != "failed" for d in done)
        if complete:  # only now: a sync stopped before this point reads the same snapshot's decks again
            with self.sessions.begin() as session:
                row = session.get(TeamHubRow, HUB_ROW)
                if row is not None and row.dsn == link.dsn:
                    row.pull_cursor, row.last_sync_utc = changes.cursor, clock.utc_now()
        progress(len(changes.decks), len(changes.decks), "Team decks up to date")
        withdrawn = [d.deck_id for d in done if d.outcome == "withdrawn" and d.deck_id is not None]
        return SyncReport(
            tuple(done), changes.full, complete, self.fetched[0], self.fetched[1], self._uses(withdrawn)
        )

    # -- one deck ---------------------------------------------------------------------------------

    def _pull_one(self, connection: Any, published: dict[str, Any]) -> PulledDeck:
        uid, title, revision = str(published["uid"]), str(published["title"]), int(published["revision"])
        if not _names_a_file_safely(uid, str(published["file_sha256"])):
            # Both become file names here; msldesk's hub checks them, a server that is not one may not.
            return PulledDeck(
                uid, None, title, "failed", "The hub sent this deck with a malformed id or file name."
            )
        deck_id, known_revision, origin, current_sha = self._local(uid)
        meta = _meta(published)
        if deck_id is not None and known_revision == revision:
            return PulledDeck(uid, deck_id, title, "unchanged")
        if deck_id is None and published["withdrawn"]:
            return PulledDeck(uid, None, title, "skipped")
        own = deck_id is not None and origin != TEAM  # published from this library: its file is here
        outcome = "updated" if deck_id is not None else "imported"
        staged: Path | None = None
        if not own and not published["withdrawn"] and current_sha != published["file_sha256"]:
            staged = self._file(connection, uid, published)
            (imported,) = list(self.decks.import_paths([staged], origin=TEAM))  # one file, one outcome
            if imported.status == "failed" or imported.deck_id is None:
                return PulledDeck(uid, deck_id, title, "failed", imported.message)
            deck_id = imported.deck_id
        assert deck_id is not None
        with self.sessions.begin() as session:
            change = apply_published(session, self.decks.index, deck_id, meta, withdrawn_only=own)
            mapping = session.get(TeamDeckRow, deck_id) or TeamDeckRow(deck_id=deck_id, hub_uid=uid)
            mapping.revision = revision
            session.add(mapping)
        if staged is not None:
            staged.unlink(missing_ok=True)  # the store has its own copy now
        return PulledDeck(uid, deck_id, title, change or outcome)

    def _local(self, uid: str) -> tuple[int | None, int, str, str]:
        """The library's deck for a hub deck: (deck id or None, the revision it has, origin, the sha256 of
        its current file). A deck imported by a sync that stopped before it was remembered is found by
        the file it was imported from."""
        with self.sessions() as session:
            mapping = session.scalars(select(TeamDeckRow).where(TeamDeckRow.hub_uid == uid)).first()
            deck_id, revision = (mapping.deck_id, mapping.revision) if mapping else (None, 0)
            if deck_id is None:
                deck_id = session.scalars(
                    select(DeckSourceRow.deck_id).where(DeckSourceRow.path.in_(self._source_keys(uid)))
                ).first()
            if deck_id is None:
                return None, 0, "", ""
            deck = session.get(DeckRow, deck_id)
            sha = session.scalars(
                select(DeckVersionRow.sha256).where(
                    DeckVersionRow.deck_id == deck_id, DeckVersionRow.is_current
                )
            ).first()
            return deck_id, revision, deck.origin if deck else "", sha or ""

    def _target(self, uid: str, file_name: str) -> Path:
        """Where a hub deck's file is imported from: one name per hub deck, so that a new revision becomes
        a new version of the same Team deck."""
        ext = Path(file_name).suffix.lower()
        return self.downloads / "decks" / f"{uid}{ext if ext in DECK_EXTENSIONS else '.pptx'}"

    def _source_keys(self, uid: str) -> list[str]:
        folder = self.downloads / "decks"
        return [
            storable_path(Path(os.path.realpath(folder / f"{uid}{ext}"))) for ext in sorted(DECK_EXTENSIONS)
        ]

    def _file(self, connection: Any, uid: str, published: dict[str, Any]) -> Path:
        """The deck's file at its import name: copied from the library's store when it holds that content
        already, else fetched from the hub (resuming a fetch cut off before)."""
        sha, target = str(published["file_sha256"]), self._target(uid, str(published["file_name"]))
        target.parent.mkdir(parents=True, exist_ok=True)
        in_store = [self.decks.store.path_for(sha, ext) for ext in sorted(DECK_EXTENSIONS)]
        for stored in in_store:
            if stored.is_file():
                part = target.with_name(target.name + ".copy")
                shutil.copyfile(stored, part)
                os.replace(part, target)
                return target
        _fetched, size = download_file(connection, sha, self.downloads / f"{sha}.part", target, self._chunk)
        self.fetched[0] += 1
        self.fetched[1] += size
        return target

    def _chunk(self, size: int) -> None:
        """After each chunk is on disk: a Stop pressed during a long fetch stops it here."""
        self.on_chunk(size)
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()

    # -- what used the decks withdrawn ------------------------------------------------------------

    def _uses(self, deck_ids: list[int]) -> tuple[WithdrawnUse, ...]:
        """The saved collections and the decks built (compose, briefing decks) that hold slides of them."""
        if not deck_ids:
            return ()
        with self.sessions() as session:
            titles = dict(
                session.execute(select(DeckRow.id, DeckRow.title).where(DeckRow.id.in_(deck_ids))).all()
            )
            in_collections: dict[str, set[str]] = {}
            for name, deck_id in session.execute(
                select(CollectionRow.name, SlideRow.deck_id)
                .join(CollectionItemRow, CollectionItemRow.collection_id == CollectionRow.id)
                .join(SlideRow, SlideRow.id == CollectionItemRow.slide_id)
                .where(SlideRow.deck_id.in_(deck_ids))
            ):
                in_collections.setdefault(name, set()).add(titles[deck_id])
            built: dict[int, tuple[AssemblyRow, set[str]]] = {}
            for assembly, built_from in session.execute(
                select(AssemblyRow, AssemblyItemRow.deck_id)
                .join(AssemblyItemRow, AssemblyItemRow.assembly_id == AssemblyRow.id)
                .where(AssemblyItemRow.deck_id.in_(deck_ids))
            ):
                built.setdefault(assembly.id, (assembly, set()))[1].add(titles.get(built_from or 0, ""))
            uses = [
                WithdrawnUse("collection", n, tuple(sorted(t))) for n, t in sorted(in_collections.items())
            ]
            uses += [
                WithdrawnUse("assembly", a.title, tuple(sorted(t)), a.output_path, clock.stored(a.created_at))
                for a, t in sorted(built.values(), key=lambda pair: pair[0].created_at)
            ]
        return tuple(uses)


def _meta(published: dict[str, Any]) -> PublishedMeta:
    companions = {
        int(slide): tuple(int(f) for f in followers)
        for slide, followers in (published["companions"] or {}).items()
        if str(slide).isdigit()
    }
    return PublishedMeta(
        title=str(published["title"]),
        approval_code=str(published["approval_code"] or ""),
        approved_on=published["approved_on"],
        expires_on=published["expires_on"],
        therapeutic_area=str(published["therapeutic_area"] or ""),
        product=str(published["product"] or ""),
        audience=str(published["audience"] or ""),
        tags=tuple(published["tags"] or ()),
        companions=companions,
        withdrawn=bool(published["withdrawn"]),
    )


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _names_a_file_safely(uid: str, sha256: str) -> bool:
    """A deck's uid is a UUID and its file's name a SHA-256 in hex: nothing else may name a file."""
    try:
        uuid.UUID(uid)
    except ValueError:
        return False
    return _SHA256.fullmatch(sha256) is not None
