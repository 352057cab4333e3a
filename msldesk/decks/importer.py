"""Import decks into the library: find files, store them by content, index their slides.

Each deck is one transaction: a file that fails leaves nothing behind and never stops the batch.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from msldesk.decks.formats import DECK_EXTENSIONS
from msldesk.decks.orm import DeckRow, DeckSourceRow, DeckTagRow, DeckVersionRow, SlideRow
from msldesk.decks.package import DEFAULT_LIMITS, DeckContent, PackageLimits, read_deck
from msldesk.decks.records import ImportOutcome
from msldesk.decks.search import SlideSearchIndex
from msldesk.decks.store import DeckStore
from msldesk.errors import DeckImportError
from msldesk.progress import CancelToken, ProgressCallback, no_progress

log = logging.getLogger(__name__)


def find_deck_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly are always tried; folders are searched recursively for deck files."""
    found: list[Path] = []
    for path in paths:
        path = Path(path).expanduser()
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    Path(root, name)
                    for name in sorted(files)
                    if Path(name).suffix.lower() in DECK_EXTENSIONS and not name.startswith("~$")
                )
        else:
            found.append(path)
    return found


@dataclass(frozen=True)
class _KnownSource:
    deck_id: int
    size: int
    mtime_ns: int
    sha256: str


class DeckImporter:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        store: DeckStore,
        index: SlideSearchIndex,
        limits: PackageLimits = DEFAULT_LIMITS,
    ) -> None:
        self.sessions = sessions
        self.store = store
        self.index = index
        self.limits = limits

    def import_paths(
        self,
        paths: Iterable[Path],
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> Iterator[ImportOutcome]:
        """Yield one outcome per file, as each is done (so callers can stream them)."""
        files = find_deck_files(paths)
        known, current_sha = self._load_known()
        total = len(files)
        for done, path in enumerate(files):
            if cancel is not None and cancel.cancelled:
                return
            progress(done, total, f"Importing {path.name}")
            try:
                outcome = self._import_one(path, known, current_sha)
            except (OSError, SQLAlchemyError) as exc:
                # Disk full, database locked...: this deck fails cleanly (its transaction rolled
                # back), the batch goes on.
                log.warning("Could not store %s", path, exc_info=True)
                outcome = ImportOutcome(
                    str(path),
                    "failed",
                    error_kind="storage",
                    message=f"The deck could not be saved in the library: {exc}",
                )
            yield outcome
        progress(total, total, "Import finished")

    def _load_known(self) -> tuple[dict[str, _KnownSource], dict[str, int]]:
        with self.sessions() as session:
            sources = {
                row.path: _KnownSource(row.deck_id, row.size, row.mtime_ns, row.sha256)
                for row in session.execute(select(DeckSourceRow)).scalars()
            }
            current = {
                sha: deck_id
                for sha, deck_id in session.execute(
                    select(DeckVersionRow.sha256, DeckVersionRow.deck_id).where(DeckVersionRow.is_current)
                )
            }
        return sources, current

    def _import_one(
        self, path: Path, known: dict[str, _KnownSource], current_sha: dict[str, int]
    ) -> ImportOutcome:
        try:
            resolved = path.resolve()
            stat = resolved.stat()
        except OSError as exc:
            return _os_failure(path, exc)
        key = str(resolved)
        source = known.get(key)
        if (
            source is not None
            and source.size == stat.st_size
            and source.mtime_ns == stat.st_mtime_ns
            and current_sha.get(source.sha256) == source.deck_id
        ):
            return ImportOutcome(str(path), "unchanged", deck_id=source.deck_id)
        try:
            staged, sha = self.store.stage(resolved)
        except OSError as exc:
            return _os_failure(path, exc)
        try:
            if sha in current_sha:
                deck_id = current_sha[sha]
                self._remember_source(key, deck_id, stat, sha)
                known[key] = _KnownSource(deck_id, stat.st_size, stat.st_mtime_ns, sha)
                self.store.discard(staged)
                return ImportOutcome(str(path), "unchanged", deck_id=deck_id)
            try:
                content = read_deck(staged, self.limits, file_name=resolved.name)
            except DeckImportError as exc:
                return ImportOutcome(str(path), "failed", error_kind=exc.kind, message=exc.user_message)
            except (RecursionError, MemoryError, LookupError, ValueError, TypeError) as exc:
                # Malformed input that slipped past the package checks: report it, keep going.
                log.warning("Unexpected failure reading %s", path, exc_info=True)
                return ImportOutcome(
                    str(path),
                    "failed",
                    error_kind="damaged",
                    message=f"The file is damaged and could not be read ({type(exc).__name__}).",
                )
            ext = resolved.suffix.lower() if resolved.suffix.lower() in DECK_EXTENSIONS else ".pptx"
            self.store.commit(staged, sha, ext)
            outcome = self._write_deck(key, stat, sha, ext, resolved.name, content, source)
        finally:
            self.store.discard(staged)
        current_sha[sha] = outcome.deck_id or 0
        known[key] = _KnownSource(outcome.deck_id or 0, stat.st_size, stat.st_mtime_ns, sha)
        return ImportOutcome(
            str(path),
            outcome.status,
            outcome.deck_id,
            outcome.slides,
            message="; ".join(content.warnings[:3]),
            slides_added=outcome.slides_added,
            slides_changed=outcome.slides_changed,
            slides_removed=outcome.slides_removed,
        )

    def _remember_source(self, key: str, deck_id: int, stat: os.stat_result, sha: str) -> None:
        with self.sessions.begin() as session:
            self._upsert_source(session, key, deck_id, stat, sha)

    @staticmethod
    def _upsert_source(session: Session, key: str, deck_id: int, stat: os.stat_result, sha: str) -> None:
        row = session.execute(select(DeckSourceRow).where(DeckSourceRow.path == key)).scalar()
        if row is None:
            session.add(
                DeckSourceRow(
                    path=key,
                    deck_id=deck_id,
                    size=stat.st_size,
                    mtime_ns=stat.st_mtime_ns,
                    sha256=sha,
                )
            )
        else:
            row.deck_id, row.size, row.mtime_ns, row.sha256 = (
                deck_id,
                stat.st_size,
                stat.st_mtime_ns,
                sha,
            )

    def _write_deck(
        self,
        key: str,
        stat: os.stat_result,
        sha: str,
        ext: str,
        file_name: str,
        content: DeckContent,
        source: _KnownSource | None,
    ) -> ImportOutcome:
        now = dt.datetime.now().replace(microsecond=0)
        with self.sessions.begin() as session:
            deck = session.get(DeckRow, source.deck_id) if source is not None else None
            previous: DeckVersionRow | None = None
            if deck is None:
                deck = DeckRow(
                    title=content.title,
                    approval_code="",
                    withdrawn=False,
                    therapeutic_area="",
                    product="",
                    audience="",
                    created_at=now,
                    updated_at=now,
                )
                session.add(deck)
                session.flush()
            else:
                previous = session.execute(
                    select(DeckVersionRow).where(DeckVersionRow.deck_id == deck.id, DeckVersionRow.is_current)
                ).scalar()
                deck.updated_at = now
            changes, added, changed, removed = _compare_slides(session, previous, content)
            version = DeckVersionRow(
                deck_id=deck.id,
                number=(previous.number + 1) if previous is not None else 1,
                is_current=True,
                sha256=sha,
                file_name=file_name[:500],
                file_ext=ext,
                size=stat.st_size,
                imported_at=now,
                kind=content.kind,
                macro_enabled=content.macro_enabled,
                strict=content.strict,
                warnings="\n".join(content.warnings),
                slide_count=len(content.slides),
                slides_added=added,
                slides_changed=changed,
                slides_removed=removed,
                thumbnail_state="pending" if content.slides else "none",
                thumbnail_error="",
            )
            if previous is not None:
                old_ids = (
                    session.execute(select(SlideRow.id).where(SlideRow.version_id == previous.id))
                    .scalars()
                    .all()
                )
                self.index.remove(session, old_ids)
                session.execute(
                    update(DeckVersionRow).where(DeckVersionRow.id == previous.id).values(is_current=False)
                )
            session.add(version)
            session.flush()
            rows = [
                {
                    "deck_id": deck.id,
                    "version_id": version.id,
                    "number": s.number,
                    "title": s.title,
                    "text": s.text,
                    "notes": s.notes,
                    "layout": s.layout[:200],
                    "hidden": s.hidden,
                    "has_chart": s.has_chart,
                    "has_table": s.has_table,
                    "has_picture": s.has_picture,
                    "has_media": s.has_media,
                    "content_hash": s.content_hash,
                    "change": changes[i],
                    "warning": s.warning,
                }
                for i, s in enumerate(content.slides)
            ]
            if rows:
                session.execute(insert(SlideRow), rows)
            slide_ids = (
                session.execute(
                    select(SlideRow.id).where(SlideRow.version_id == version.id).order_by(SlideRow.number)
                )
                .scalars()
                .all()
            )
            deck_tags = (
                session.execute(select(DeckTagRow.tag).where(DeckTagRow.deck_id == deck.id)).scalars().all()
            )
            self.index.add(
                session,
                (
                    {**row, "slide_id": sid, "deck_title": deck.title, "tags": deck_tags}
                    for sid, row in zip(slide_ids, rows, strict=True)
                ),
            )
            self._upsert_source(session, key, deck.id, stat, sha)
            deck_id = deck.id
        return ImportOutcome(
            key,
            "updated" if previous is not None else "imported",
            deck_id,
            len(content.slides),
            slides_added=added,
            slides_changed=changed,
            slides_removed=removed,
        )


def _os_failure(path: Path, exc: OSError) -> ImportOutcome:
    """A file that cannot be read, or a library that cannot be written (disk full, read-only)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
        return ImportOutcome(
            str(path),
            "failed",
            error_kind="storage",
            message=f"The deck could not be saved in the library: {exc.strerror or exc}.",
        )
    return ImportOutcome(
        str(path),
        "failed",
        error_kind="unreadable",
        message=f"The file cannot be read: {exc.strerror or exc}.",
    )


def _compare_slides(
    session: Session, previous: DeckVersionRow | None, content: DeckContent
) -> tuple[list[str], int, int, int]:
    """Mark each new slide new/changed/unchanged against the previous version.

    Slides match by content, counted as a multiset so a duplicated slide matches once. A slide
    without a match is "changed" (it replaces an old slide that no longer matches) while such old
    slides remain and it lies within the old deck's length; otherwise it is "new". So the counts
    always add up: old slides + added - removed == new slides.
    """
    if previous is None:
        return [""] * len(content.slides), 0, 0, 0
    old = (
        session.execute(select(SlideRow.content_hash).where(SlideRow.version_id == previous.id))
        .scalars()
        .all()
    )
    unmatched = Counter(old)
    marks: list[str | None] = []
    for slide in content.slides:
        if unmatched[slide.content_hash] > 0:
            unmatched[slide.content_hash] -= 1
            marks.append("unchanged")
        else:
            marks.append(None)
    gone = sum(unmatched.values())  # old slides whose content is no longer in the deck
    changed = 0
    changes: list[str] = []
    for slide, mark in zip(content.slides, marks, strict=True):
        if mark is None and changed < gone and slide.number <= len(old):
            mark = "changed"
            changed += 1
        changes.append(mark or "new")
    return changes, changes.count("new"), changed, gone - changed
