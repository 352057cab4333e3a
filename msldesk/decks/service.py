"""The slide-deck library's public API: every call is one unit of work returning frozen records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from msldesk.core import clock
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.core.text_safety import limit
from msldesk.decks import listing
from msldesk.decks.importer import DeckImporter
from msldesk.decks.listing import RunSql, deck_infos
from msldesk.decks.ooxml.opc import DEFAULT_LIMITS, PackageLimits
from msldesk.decks.orm import (
    LOCAL,
    TEAM,
    DeckRow,
    DeckTagRow,
    DeckVersionRow,
    SlideRow,
    SlideTagRow,
)
from msldesk.decks.published import approval_fields as _approval
from msldesk.decks.published import normalise_tags
from msldesk.decks.records import (
    DeckInfo,
    DeckRemoval,
    DeckRemovalPlan,
    DeckUpdate,
    ImportOutcome,
    SearchFilters,
    SearchHit,
    SlideInfo,
)
from msldesk.decks.removal import (
    SlideLinks,
    find_uses,
    lost_slides,
    note_uses,
    take_out_of_collections,
)
from msldesk.decks.search import SlideSearchIndex, display_snippet
from msldesk.decks.store import DeckStore
from msldesk.decks.thumbnails import RenderJob, SlideRenderer, ThumbnailCache
from msldesk.protect import audit

_METADATA_TEXT = {
    "approval_code": "The approval code",
    "therapeutic_area": "The therapeutic area",
    "product": "The product",
    "audience": "The audience",
}


class DeckService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        store: DeckStore,
        cache: ThumbnailCache,
        renderer: SlideRenderer,
        expiring_within_days: int = 30,
        today: dt.date | None = None,
        package_limits: PackageLimits = DEFAULT_LIMITS,
    ) -> None:
        self.sessions = sessions
        self.store = store
        self.cache = cache
        self.renderer = renderer
        self.index = SlideSearchIndex()
        self.importer = DeckImporter(sessions, store, self.index, package_limits)
        self.expiring_within_days = expiring_within_days
        self._today = today  # fixed in tests; None means the real date
        self._render_first: frozenset[int] = frozenset()  # decks on screen: rendered before the rest
        # What links library slides from above the library (event agendas): set by msldesk.app.services.
        self.slide_links: list[SlideLinks] = []

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # ---- import -------------------------------------------------------------------------------

    def import_paths(
        self,
        paths: Iterable[Path],
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
        origin: str = LOCAL,
    ) -> Iterator[ImportOutcome]:
        """Import files and folders; yields one outcome per file as it is done. `origin` TEAM: decks
        pulled from the team hub (msldesk.team), read-only here."""
        self.store.require_writable("import decks into it")  # once, not once per file
        yield from self.importer.import_paths([Path(p) for p in paths], progress, cancel, origin)

    # ---- decks --------------------------------------------------------------------------------

    def list_decks(self) -> list[DeckInfo]:
        with self.sessions() as session:
            return self._deck_infos(session, None)

    def deck(self, deck_id: int) -> DeckInfo:
        with self.sessions() as session:
            decks = self._deck_infos(session, deck_id)
        if not decks:
            raise NotFoundError(f"There is no deck {deck_id} in the library.")
        return decks[0]

    def _deck_infos(self, session: Session, deck_id: int | None) -> list[DeckInfo]:
        run = _run_sql(session)
        return deck_infos(run, self.cache.previews, self.today, self.expiring_within_days, deck_id)

    def update_deck(self, deck_id: int, change: DeckUpdate) -> Changes:
        """Edit a deck's library metadata; approval and expiry dates are checked for sense."""
        with self.sessions.begin() as session:
            deck = session.get(DeckRow, deck_id)
            if deck is None:
                raise NotFoundError(f"There is no deck {deck_id} in the library.")
            _refuse_team_deck(deck)
            approval_before = _approval(deck)
            reindex = _apply_title(deck, change.title)
            for name, what in _METADATA_TEXT.items():
                value = getattr(change, name)
                if value is not None:
                    setattr(deck, name, limit(value, "name", what).strip())
            _apply_dates(deck, change)
            if change.withdrawn is not None:
                deck.withdrawn = change.withdrawn
            if change.tags is not None or change.add_tags:
                reindex = _replace_tags(session, deck_id, change) or reindex
            deck.updated_at = clock.utc_now()
            session.flush()
            before, after = audit.changed(approval_before, _approval(deck))
            if before or after:
                audit.record(session, "deck.approval", "deck", deck_id, before, after)
            if reindex:
                self.index.reindex_deck(session, deck_id)
        return Changes(decks=True, metadata=True)

    def removal_plan(self, deck_id: int) -> DeckRemovalPlan:
        """What removing the deck would take from where: the saved collections holding its slides and
        the event agendas linking them (through the registered SlideLinks). Nothing changes."""
        deck = self.deck(deck_id)
        with self.sessions() as session:
            lost = lost_slides(session, deck_id, deck.title, clock.utc_now())
            in_use = find_uses(session, self.slide_links, lost)
        names = tuple(sorted(name for name, _ in lost.collections.values()))
        return DeckRemovalPlan(deck, names, in_use)

    def remove_deck(self, deck_id: int) -> DeckRemoval:
        """Take a deck out of the library: its rows, search entries and saved-collection places in
        one transaction (with an audit record), then the files no other deck version uses. Saved
        collections and agenda items (through the SlideLinks) that lose slides keep a note of it.

        Bills of materials of decks already assembled keep their rows: they copy the deck title,
        version and approval code and hold no link to the slides."""
        now = clock.utc_now()
        with self.sessions.begin() as session:
            deck = session.get(DeckRow, deck_id)
            if deck is None:
                raise NotFoundError(f"There is no deck {deck_id} in the library.")
            title = deck.title
            versions = session.execute(
                select(DeckVersionRow.number, DeckVersionRow.sha256, DeckVersionRow.file_ext,
                       DeckVersionRow.file_name, DeckVersionRow.is_current)
                .where(DeckVersionRow.deck_id == deck_id).order_by(DeckVersionRow.number)
            ).all()  # fmt: skip
            current = select(DeckVersionRow.id).where(
                DeckVersionRow.deck_id == deck_id, DeckVersionRow.is_current
            )
            current_slides = session.scalar(
                select(func.count()).select_from(SlideRow).where(SlideRow.version_id.in_(current))
            ) or 0  # fmt: skip
            lost = lost_slides(session, deck_id, title, now)
            # Before the rows go: the links to the slides are deleted with them (cascade).
            in_use = note_uses(session, self.slide_links, lost)
            collections = take_out_of_collections(session, lost)
            snapshot = {
                **_approval(deck),
                "therapeutic_area": deck.therapeutic_area,
                "product": deck.product,
                "slides": current_slides,
                "versions": [
                    {"number": v.number, "file_name": v.file_name, "sha256": v.sha256} for v in versions
                ],
                "collections": list(collections),
                "linked_from": [
                    {"kind": u.kind, "id": u.ref_id, "title": u.title, "slides": u.slides} for u in in_use
                ],
            }
            self.index.remove(session, list(lost.slide_ids))
            session.delete(deck)  # versions, slides, tags, sources and companions go with it (cascade)
            session.flush()
            audit.record(session, "deck.remove", "deck", deck_id, snapshot, None)
        deleted, kept, left = self._delete_unused_files({(v.sha256, v.file_ext) for v in versions})
        return DeckRemoval(
            deck_id=deck_id,
            title=title,
            slides=current_slides,
            versions=len(versions),
            collections=collections,
            files_deleted=deleted,
            files_kept=kept,
            files_left=tuple(left),
            in_use=in_use,
        )

    def _delete_unused_files(self, contents: set[tuple[str, str]]) -> tuple[int, int, list[str]]:
        """Delete stored files, previews and thumbnails of content no remaining deck version uses.

        After the commit: a failure here leaves a harmless orphan file, never a row without its file."""
        deleted = kept = 0
        left: list[str] = []
        with self.sessions() as session:
            used = set(
                session.scalars(
                    select(DeckVersionRow.sha256).where(
                        DeckVersionRow.sha256.in_([sha for sha, _ in contents])
                    )
                )
            )
        for sha, ext in sorted(contents):
            if sha in used:
                kept += 1
                continue
            try:
                deleted += self.store.remove(sha, ext)
                deleted += self.cache.remove(sha)
            except OSError as exc:
                left.append(f"{self.store.path_for(sha, ext).name}: {exc.strerror or exc}")
        return deleted, kept, left

    def set_slide_tags(self, slide_id: int, tags: Sequence[str]) -> Changes:
        with self.sessions.begin() as session:
            slide = session.get(SlideRow, slide_id)
            if slide is None:
                raise NotFoundError(f"There is no slide {slide_id} in the library.")
            deck = session.get(DeckRow, slide.deck_id)
            if deck is not None:
                _refuse_team_deck(deck)
            session.execute(delete(SlideTagRow).where(SlideTagRow.slide_id == slide_id))
            session.add_all(SlideTagRow(slide_id=slide_id, tag=t) for t in normalise_tags(tags))
            session.flush()
            self.index.reindex_deck(session, slide.deck_id)
        return Changes(slides=True, metadata=True)

    def all_tags(self) -> list[str]:
        with self.sessions() as session:
            rows = session.execute(
                text("SELECT tag FROM deck_tags UNION SELECT tag FROM slide_tags ORDER BY 1")
            ).scalars()
            return list(rows)

    def therapeutic_areas(self) -> list[str]:
        with self.sessions() as session:
            return list(
                session.execute(
                    select(DeckRow.therapeutic_area)
                    .where(DeckRow.therapeutic_area != "")
                    .distinct()
                    .order_by(DeckRow.therapeutic_area)
                ).scalars()
            )

    # ---- slides -------------------------------------------------------------------------------

    def count_slides(
        self, deck_id: int | None = None, include_expired: bool = True, narrow: SearchFilters | None = None
    ) -> int:
        with self.sessions() as session:
            run, status = _run_sql(session), self._status_sql()
            return listing.count_slides(run, status, deck_id, include_expired, narrow)

    def list_slides(
        self,
        deck_id: int | None = None,
        offset: int = 0,
        limit: int | None = None,
        include_expired: bool = True,
        narrow: SearchFilters | None = None,
    ) -> list[SlideInfo]:
        """Current slides of one deck, or of the whole library (deck title order), a page at a time;
        `narrow`: only those with its tag, therapeutic area and status (the library's filters)."""
        with self.sessions() as session:
            if deck_id is not None and session.get(DeckRow, deck_id) is None:
                raise NotFoundError(f"There is no deck {deck_id} in the library.")
            run, status = _run_sql(session), self._status_sql()
            return listing.list_slides(
                run, status, self._thumbnail, deck_id, offset, limit, include_expired, narrow
            )

    def slide(self, slide_id: int) -> SlideInfo:
        found = self._slides("s.id = ?", [slide_id], limit=1)
        if not found:
            raise NotFoundError(f"There is no slide {slide_id} in the library.")
        return found[0]

    def slides_by_id(self, slide_ids: Sequence[int]) -> list[SlideInfo]:
        if not slide_ids:
            return []
        marks = ", ".join(str(int(i)) for i in slide_ids)
        found = {s.slide_id: s for s in self._slides(f"s.id IN ({marks})", [])}
        return [found[i] for i in slide_ids if i in found]

    def _status_sql(self) -> str:
        return listing.status_sql(self.today, self.expiring_within_days)

    def _slides(self, where: str, params: Sequence[Any], limit: int | None = None) -> list[SlideInfo]:
        with self.sessions() as session:
            return listing.slide_infos(
                _run_sql(session), self._status_sql(), self._thumbnail, where, params, limit=limit
            )

    @property
    def _thumbnail(self) -> listing.ThumbnailPath:
        return listing.slide_thumbnail(self.cache.thumbnails, self.renderer.max_slides)

    # ---- search -------------------------------------------------------------------------------

    def search(self, query: str, filters: SearchFilters | None = None, limit: int = 50) -> list[SearchHit]:
        filters = filters or SearchFilters()
        today = self.today
        with self.sessions() as session:
            rows = self.index.search(
                session,
                query,
                filters,
                max(1, min(limit, 1000)),
                self.today,
                self.expiring_within_days,
            )
        return [
            SearchHit(
                deck_id=hit.deck_id,
                deck_title=hit.deck_title,
                slide_id=hit.slide_id,
                number=hit.number,
                title=hit.title,
                snippet=display_snippet(hit.snippet or ""),
                status=hit.status(today, self.expiring_within_days),
                thumbnail=self._thumbnail(hit.sha256, hit.thumbnail_state, hit.number),
            )
            for hit in rows
        ]

    # ---- thumbnails ---------------------------------------------------------------------------

    @property
    def can_render_thumbnails(self) -> bool:
        return self.renderer.available

    def pending_thumbnail_slides(self) -> int:
        with self.sessions() as session:
            return int(
                session.execute(
                    select(func.coalesce(func.sum(DeckVersionRow.slide_count), 0)).where(
                        DeckVersionRow.is_current, DeckVersionRow.thumbnail_state == "pending"
                    )
                ).scalar()
                or 0
            )

    def render_thumbnails(
        self,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
        retry_failed: bool = False,
    ) -> Changes:
        """Render thumbnails of every current deck version that has none yet: the decks on screen
        first (`render_first`), then the newest; decks imported meanwhile join in."""
        self.store.require_writable("render thumbnails into it")
        changes = Changes()
        tried: set[str] = set()  # each deck once per call, even when it fails again
        token = cancel or CancelToken()
        while not token.cancelled:
            more = self._render_pending(progress, token, retry_failed, tried)
            if not more.any:
                return changes
            changes = more
        return changes

    def render_first(self, deck_ids: Iterable[int]) -> None:
        """The decks now on screen (a deck's slides, search results): a running render takes
        them next. Only a set is replaced, so the UI thread may call it."""
        self._render_first = frozenset(deck_ids)

    def preview_pdf(self, deck: DeckInfo, cancel: CancelToken | None = None) -> Path | None:
        """The PDF a rendered deck's large slide preview is drawn from, made now (by LibreOffice:
        a second or more) when the render wrote thumbnails only; None when there is none to
        have (not rendered yet, a read-only library without one, or LibreOffice failed)."""
        if deck.thumbnail_state != "done":
            return None
        if self.store.read_only:
            made = self.cache.preview_pdf(deck.sha256)
            return made if made.is_file() else None
        with self.sessions() as session:
            ext = session.execute(
                select(DeckVersionRow.file_ext).where(DeckVersionRow.id == deck.version_id)
            ).scalar()
        if ext is None:
            return None
        job = RenderJob(deck.sha256, self.store.path_for(deck.sha256, ext), deck.slide_count)
        return self.renderer.preview_pdf(job, cancel)

    def warm_up_thumbnails(self) -> None:
        """A render is coming (an import has started): start LibreOffice now, in the background,
        so that the new decks' thumbnails do not wait for it. Returns at once."""
        if self.renderer.available and not self.store.read_only:
            self.renderer.warm_up()

    def _render_pending(
        self, progress: ProgressCallback, cancel: CancelToken, retry_failed: bool, tried: set[str]
    ) -> Changes:
        states = ["pending", "failed"] if retry_failed else ["pending"]
        by_sha: dict[str, list[int]] = {}
        decks_by_sha: dict[str, set[int]] = {}

        def pending() -> list[RenderJob]:
            """Deck versions without thumbnails not yet tried in this call, newest first; those
            whose content was rendered before are marked done at once."""
            with self.sessions() as session:
                versions = session.execute(
                    select(
                        DeckVersionRow.id,
                        DeckVersionRow.sha256,
                        DeckVersionRow.file_ext,
                        DeckVersionRow.slide_count,
                        DeckVersionRow.deck_id,
                    )
                    .where(DeckVersionRow.is_current, DeckVersionRow.thumbnail_state.in_(states))
                    .order_by(DeckVersionRow.id.desc())  # the newest import is the one being looked at
                ).all()
            jobs: list[RenderJob] = []
            for version_id, sha, ext, count, deck_id in versions:
                decks_by_sha.setdefault(sha, set()).add(deck_id)
                if sha in by_sha:  # in this render: its result sets every version's state
                    if version_id not in by_sha[sha]:
                        by_sha[sha].append(version_id)
                    continue
                if self.cache.is_complete(sha, self.renderer.pages_for(count)):
                    by_sha[sha] = [version_id]  # rendered before (same content elsewhere): reuse
                    cached.append(sha)
                    self._set_thumbnail_state(by_sha[sha], "done", self.renderer.partial_note(count))
                elif sha not in tried:  # each deck once per call, even when it fails again
                    tried.add(sha)
                    by_sha[sha] = [version_id]
                    jobs.append(RenderJob(sha, self.store.path_for(sha, ext), count))
            return jobs

        cached: list[str] = []
        jobs = pending()
        if not jobs or not self.renderer.available:
            return Changes(thumbnails=bool(cached))

        def wanted() -> set[str]:
            on_screen = self._render_first
            return {sha for sha, decks in decks_by_sha.items() if decks & on_screen}

        # Decks imported while this runs join it, ahead of the rest (`pending` runs on this thread).
        for result in self.renderer.render(jobs, progress, cancel, first=wanted, more=pending):
            state, message = ("done", result.note) if result.ok else ("failed", result.error)
            self._set_thumbnail_state(by_sha[result.sha256], state, message)
        return Changes(thumbnails=True)

    def _set_thumbnail_state(self, version_ids: list[int], state: str, error: str) -> None:
        with self.sessions.begin() as session:
            for version_id in version_ids:
                version = session.get(DeckVersionRow, version_id)
                if version is not None:
                    version.thumbnail_state = state
                    version.thumbnail_error = error


def _apply_title(deck: DeckRow, title: str | None) -> bool:
    """Set a new title (None keeps it); True when it changed, so the search index needs it."""
    if title is None:
        return False
    title = " ".join(limit(title, "line", "The deck title").split())
    if not title:
        raise InvalidInputError("A deck needs a title.")
    changed = title != deck.title
    deck.title = title
    return changed


def _apply_dates(deck: DeckRow, change: DeckUpdate) -> None:
    """Set or clear the approval and expiry dates; an expiry before the approval makes no sense."""
    if change.clear_approved_on:
        deck.approved_on = None
    elif change.approved_on is not None:
        deck.approved_on = change.approved_on
    if change.clear_expires_on:
        deck.expires_on = None
    elif change.expires_on is not None:
        deck.expires_on = change.expires_on
    if deck.approved_on and deck.expires_on and deck.expires_on < deck.approved_on:
        raise InvalidInputError(
            f"The expiry date ({deck.expires_on}) is before the approval date ({deck.approved_on})."
        )


def _replace_tags(session: Session, deck_id: int, change: DeckUpdate) -> bool:
    """The deck's tags as `change` says (replaced, or added to); True when they changed."""
    current = session.execute(select(DeckTagRow.tag).where(DeckTagRow.deck_id == deck_id)).scalars().all()
    base = list(change.tags) if change.tags is not None else list(current)
    wanted = normalise_tags([*base, *change.add_tags])
    if set(wanted) == set(current):
        return False
    session.execute(delete(DeckTagRow).where(DeckTagRow.deck_id == deck_id))
    session.add_all(DeckTagRow(deck_id=deck_id, tag=t) for t in wanted)
    return True


def _refuse_team_deck(deck: DeckRow) -> None:
    """A Team deck is the organisation's: it changes only through the hub (the next sync)."""
    if deck.origin == TEAM:
        raise InvalidInputError(
            f"“{deck.title}” is a Team deck, published by your organisation: it is read-only here and "
            "changes only when the team hub publishes a new version."
        )


def _run_sql(session: Session) -> RunSql:
    """The listings' plain SQL, on the session's connection (qmark parameters, rows as tuples)."""
    connection = session.connection()

    def run(sql: str, params: Sequence[Any]) -> list[Any]:
        return list(connection.exec_driver_sql(sql, tuple(params)))

    return run
