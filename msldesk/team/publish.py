"""`msldesk team publish` and `withdraw`, from a publisher's library: a deck's file goes up by content
(only the chunks the hub lacks), then its metadata in one transaction; a withdrawal is one update. The
hub decides who may do either (its grants): a refusal is said in plain words, nothing changes here.

A deck keeps one hub uid, made here before its first upload and remembered (team_decks), so a publish
retried after a cut updates the same hub deck instead of publishing it twice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.progress import ProgressCallback, no_progress
from msldesk.decks.orm import TEAM
from msldesk.decks.published import DeckFile, PublishedMeta, apply_published, read_published
from msldesk.hub.connect import hub_errors, make_durable
from msldesk.hub.errors import HubError
from msldesk.team.files import OnChunk, _no_chunk, upload_file
from msldesk.team.orm import TeamDeckRow
from msldesk.team.service import NoHubError, TeamService

if TYPE_CHECKING:
    from msldesk.decks.service import DeckService

_FIELDS = (
    "title", "file_name", "file_sha256", "slide_count", "approval_code", "approved_on", "expires_on",
    "therapeutic_area", "product", "audience", "tags", "companions", "withdrawn",
)  # fmt: skip


@dataclass(frozen=True)
class PublishedDeck:
    """`outcome`: "published" (new on the hub), "updated" (a new revision), "reinstated" (a new revision of
    a deck withdrawn on the hub: no longer withdrawn, in every library at its next sync) or "unchanged"."""

    deck_id: int
    hub_uid: str
    title: str
    revision: int
    outcome: str
    chunks_sent: int
    bytes_sent: int


@dataclass(frozen=True)
class WithdrawnDeck:
    deck_id: int | None
    hub_uid: str
    title: str
    revision: int


class DeckPublisher:
    def __init__(self, team: TeamService, decks: DeckService, on_chunk: OnChunk = _no_chunk) -> None:
        self.team, self.decks, self.sessions, self.on_chunk = team, decks, team.sessions, on_chunk

    def _open(self) -> Any:
        from msldesk.team.hub_link import open_hub

        link = self.team.link()
        if link is None:
            raise NoHubError("This library is not connected to a team hub: run msldesk team connect DSN.")
        return open_hub(link.dsn, self.team.password())

    def publish(self, deck_ids: list[int], progress: ProgressCallback = no_progress) -> list[PublishedDeck]:
        """Publish each deck (all are checked before anything is sent)."""
        prepared = [self._prepare(deck_id) for deck_id in deck_ids]
        connection = self._open()
        try:
            done = []
            for n, (deck_id, meta, file) in enumerate(prepared):
                progress(n, len(prepared), f"Publishing {meta.title}")
                done.append(self._publish_one(connection, deck_id, meta, file))
            progress(len(prepared), len(prepared), "Published")
            return done
        finally:
            connection.close()

    def _prepare(self, deck_id: int) -> tuple[int, PublishedMeta, DeckFile]:
        with self.sessions() as session:
            deck, meta, file = read_published(session, deck_id)
            origin = deck.origin
        if origin == TEAM:
            raise InvalidInputError(
                f"“{meta.title}” (deck {deck_id}) is a Team deck that came from the hub: it is published "
                "from the library it was made in."
            )
        if meta.withdrawn:
            raise InvalidInputError(
                f"“{meta.title}” (deck {deck_id}) is marked withdrawn in this library: to publish it again "
                "(which reinstates it on the hub), clear that first "
                f"(msldesk deck set {deck_id} --withdrawn no)."
            )
        return deck_id, meta, file

    def _publish_one(
        self, connection: Any, deck_id: int, meta: PublishedMeta, file: DeckFile
    ) -> PublishedDeck:
        uid = self._uid(deck_id)
        path = self.decks.store.path_for(file.sha256, file.ext)
        if not path.is_file():
            raise NotFoundError(
                f"The file of “{meta.title}” is missing from the library's store: import it again."
            )
        chunks, sent = upload_file(connection, path, file.sha256, self.on_chunk)
        values = _values(meta, file)
        with hub_errors("publish decks (only the hub's publishers may)"), connection.transaction():
            make_durable(connection)
            row = connection.execute(
                f"SELECT {', '.join(_FIELDS)}, revision FROM msldesk.decks WHERE uid = %s FOR UPDATE", (uid,)
            ).fetchone()
            if row is not None and _same(row, values):
                outcome, revision = "unchanged", int(row[-1])
            elif row is None:
                outcome = "published"
                revision = connection.execute(
                    f"INSERT INTO msldesk.decks (uid, {', '.join(_FIELDS)}) "
                    f"VALUES (%s, {', '.join(['%s'] * len(_FIELDS))}) RETURNING revision",
                    (uid, *values),
                ).fetchone()[0]
            else:
                outcome = "reinstated" if row[_FIELDS.index("withdrawn")] else "updated"
                revision = connection.execute(
                    f"UPDATE msldesk.decks SET {', '.join(f'{f} = %s' for f in _FIELDS)} WHERE uid = %s "
                    "RETURNING revision",
                    (*values, uid),
                ).fetchone()[0]
        self._remember(deck_id, uid, revision)
        return PublishedDeck(deck_id, uid, meta.title, revision, outcome, chunks, sent)

    def _uid(self, deck_id: int) -> str:
        """The deck's hub uid: the one it was published under, else a new one, kept before any upload."""
        with self.sessions.begin() as session:
            row = session.get(TeamDeckRow, deck_id)
            if row is None:
                row = TeamDeckRow(deck_id=deck_id, hub_uid=str(uuid.uuid4()), revision=0)
                session.add(row)
            return row.hub_uid

    def _remember(self, deck_id: int, uid: str, revision: int) -> None:
        with self.sessions.begin() as session:
            row = session.get(TeamDeckRow, deck_id)
            if row is not None and row.hub_uid == uid:
                row.revision = revision

    # -- withdrawal -------------------------------------------------------------------------------

    def withdraw(self, deck: str, reason: str) -> WithdrawnDeck:
        """Withdraw a published deck (a local deck id, or its hub uid) for `reason`; the library's own copy
        is marked withdrawn at once, every other library at its next sync."""
        reason = " ".join(reason.split())
        if not reason:
            raise InvalidInputError("Say why the deck is withdrawn (--reason): every MSL is told.")
        deck_id, uid = self._which(deck)
        connection = self._open()
        try:
            with hub_errors("withdraw decks (only the hub's publishers may)"), connection.transaction():
                make_durable(connection)
                row = connection.execute(
                    "SELECT title, withdrawn, revision FROM msldesk.decks WHERE uid = %s FOR UPDATE", (uid,)
                ).fetchone()
                if row is None:
                    raise HubError(f"The hub has no published deck {uid}.")
                title, withdrawn, revision = row
                if withdrawn:
                    raise InvalidInputError(f"“{title}” is already withdrawn on the hub.")
                (revision,) = connection.execute(
                    "UPDATE msldesk.decks SET withdrawn = true, withdrawn_reason = %s WHERE uid = %s "
                    "RETURNING revision",
                    (reason, uid),
                ).fetchone()
        finally:
            connection.close()
        if deck_id is not None:
            with self.sessions.begin() as session:
                meta = PublishedMeta(title=title, withdrawn=True)
                apply_published(session, self.decks.index, deck_id, meta, withdrawn_only=True)
                mapping = session.get(TeamDeckRow, deck_id)
                if mapping is not None:
                    mapping.revision = revision
        return WithdrawnDeck(deck_id, uid, title, revision)

    def _which(self, deck: str) -> tuple[int | None, str]:
        """(the local deck id or None, the hub uid) of a deck named by its id here or its hub uid."""
        with self.sessions() as session:
            if deck.strip().isdigit():
                row = session.get(TeamDeckRow, int(deck))
                if row is None:
                    raise InvalidInputError(
                        f"Deck {deck} of this library was never published to the team hub."
                    )
                return row.deck_id, row.hub_uid
            try:
                uid = str(uuid.UUID(deck.strip()))
            except ValueError as exc:
                raise InvalidInputError(f"{deck!r} is neither a deck id nor a hub deck uid.") from exc
            local = session.scalars(select(TeamDeckRow.deck_id).where(TeamDeckRow.hub_uid == uid)).first()
            return local, uid


def _values(meta: PublishedMeta, file: DeckFile) -> tuple[Any, ...]:
    from psycopg.types.json import Jsonb

    companions = {str(k): list(v) for k, v in meta.companions.items()}
    return (meta.title, file.file_name, file.sha256, file.slide_count, meta.approval_code, meta.approved_on,
            meta.expires_on, meta.therapeutic_area, meta.product, meta.audience, list(meta.tags),
            Jsonb(companions), False)  # fmt: skip


def _same(row: tuple[Any, ...], values: tuple[Any, ...]) -> bool:
    """The hub's row already says all this (a publish run again changes nothing, not even the revision)."""
    mine = [getattr(v, "obj", v) for v in values]  # the companions, unwrapped from Jsonb
    return list(row[: len(_FIELDS)]) == mine
