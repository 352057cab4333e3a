"""Import decks into the library: find files, store them by content, index their slides.

Each deck is one transaction: a file that fails leaves nothing behind and never stops the batch.
While a deck is read and indexed, a helper thread copies the next one into the store (files only;
the database is used from the calling thread alone).
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import SQLAlchemyError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from msldesk.core import clock
from msldesk.core.errors import DeckImportError, MsldeskError, NotARegularFileError
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.core.user_files import check_regular, display_name, storable_path, walk
from msldesk.decks.formats import DECK_EXTENSIONS
from msldesk.decks.ooxml.opc import DEFAULT_LIMITS, PackageLimits
from msldesk.decks.ooxml.package import DeckContent, read_deck
from msldesk.decks.orm import LOCAL, TEAM, DeckRow, DeckSourceRow, DeckTagRow, DeckVersionRow, SlideRow
from msldesk.decks.records import ImportOutcome
from msldesk.decks.search import SlideSearchIndex
from msldesk.decks.store import DeckStore

log = logging.getLogger(__name__)

# The import writes through SQLAlchemy Core statements built once (so each execution skips
# building the statement and its cache key), not through ORM objects and flushes: the ORM's unit
# of work cost more per deck than SQLite's own work.
_TABLES = DeckRow.metadata.tables
_DECKS = _TABLES[DeckRow.__tablename__]
_VERSIONS = _TABLES[DeckVersionRow.__tablename__]
_SOURCES = _TABLES[DeckSourceRow.__tablename__]
_SLIDES = _TABLES[SlideRow.__tablename__]
_TAGS = _TABLES[DeckTagRow.__tablename__]

_SELECT_DECK = select(_DECKS.c.id, _DECKS.c.title).where(_DECKS.c.id == bindparam("deck_id"))
_INSERT_DECK = insert(_DECKS).returning(_DECKS.c.id)
_TOUCH_DECK = update(_DECKS).where(_DECKS.c.id == bindparam("deck_id")).values(updated_at=bindparam("now"))
_DECK_TAGS = select(_TAGS.c.tag).where(_TAGS.c.deck_id == bindparam("deck_id"))
_CURRENT_VERSION = select(_VERSIONS.c.id, _VERSIONS.c.number).where(
    _VERSIONS.c.deck_id == bindparam("deck_id"), _VERSIONS.c.is_current
)
_RETIRE_VERSION = update(_VERSIONS).where(_VERSIONS.c.id == bindparam("version_id")).values(is_current=False)
_INSERT_VERSION = insert(_VERSIONS).returning(_VERSIONS.c.id)
_VERSION_SLIDES = select(_SLIDES.c.id, _SLIDES.c.content_hash).where(
    _SLIDES.c.version_id == bindparam("version_id")
)
# Ids in the order of the rows given, so no second query is needed to find them.
_INSERT_SLIDES = insert(_SLIDES).returning(_SLIDES.c.id, sort_by_parameter_order=True)
# Parameters named after columns set those columns; "source_path" selects the row.
_UPDATE_SOURCE = update(_SOURCES).where(_SOURCES.c.path == bindparam("source_path"))
_INSERT_SOURCE = insert(_SOURCES)


def find_deck_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly are always tried; folders are searched recursively for deck files.

    A walk lists every entry named like a deck that is not a folder, so a pipe, device, socket or
    link loop there is refused with its reason, not skipped in silence; links to folders are not
    followed. A folder named directly in which nothing was found, or one inside that cannot be
    listed, is listed itself (then refused, saying why)."""
    found: list[Path] = []
    for path in paths:
        path = Path(path).expanduser()
        if os.path.isdir(path):  # not Path.is_dir: that raises on a name too long
            before = len(found)
            # A folder that cannot be listed is listed itself, and refused with the reason on import.
            for root, dirs, files in walk(path, onerror=lambda exc: found.append(Path(exc.filename))):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    Path(root, name)
                    for name in sorted(files)
                    if Path(name).suffix.lower() in DECK_EXTENSIONS and not name.startswith("~$")
                )
            if len(found) == before:
                found.append(path)
        else:
            found.append(path)
    return found


@dataclass(frozen=True)
class _KnownSource:
    deck_id: int
    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True)
class _Prepared:
    """A file looked at one step ahead: its real path, its stat, and its copy into the store when
    it needs one (made on the copier thread)."""

    resolved: Path
    stat: os.stat_result
    copy: Future[tuple[Path, str]] | None


# Why a file cannot be imported, found before or while copying it: missing or unreadable (OSError),
# not a regular file, too large.
_Refusal = OSError | MsldeskError


def _unchanged_source(
    source: _KnownSource | None, stat: os.stat_result, current_sha: dict[str, int]
) -> int | None:
    """The deck id if this path was imported before and its size and mtime still match."""
    if (
        source is not None
        and source.size == stat.st_size
        and source.mtime_ns == stat.st_mtime_ns
        and current_sha.get(source.sha256) == source.deck_id
    ):
        return source.deck_id
    return None


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
        origin: str = LOCAL,
    ) -> Iterator[ImportOutcome]:
        """Yield one outcome per file, as each is done (so callers can stream them). `origin` TEAM: the
        files are the hub's (msldesk.team pulls them), each its own deck, never merged with a deck of the
        same content that the user imported (that one stays theirs, and editable)."""
        files = find_deck_files(paths)
        known, current_sha = self._load_known()
        if origin == TEAM:
            own = {
                known[k].deck_id for f in files if (k := storable_path(Path(os.path.realpath(f)))) in known
            }
            current_sha = {sha: deck for sha, deck in current_sha.items() if deck in own}
        total = len(files)
        # One helper thread copies the next deck into the store while this thread reads and
        # indexes the current one. Copying is file creation, hashing, writing and fsync: system
        # calls and C code that release the GIL, and about a third of the import's time. Only
        # files are touched there; the database stays on this thread.
        copier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="msldesk-import-copy")
        ahead: _Prepared | _Refusal | None = None
        try:
            for done, path in enumerate(files):
                if cancel is not None and cancel.cancelled:
                    return
                progress(done, total, f"Importing {display_name(path.name)}")
                prepared = ahead if ahead is not None else self._prepare(path, known, current_sha, copier)
                ahead = None
                if done + 1 < total:
                    ahead = self._prepare(files[done + 1], known, current_sha, copier)
                try:
                    outcome = self._import_one(path, prepared, known, current_sha, origin)
                except (OSError, SQLAlchemyError) as exc:
                    # Disk full, database locked...: this deck fails cleanly (its transaction
                    # rolled back), the batch goes on.
                    log.warning("Could not store %s", path, exc_info=True)
                    outcome = _storage_failure(path, exc)
                yield outcome
            progress(total, total, "Import finished")
        finally:
            # Cancelled, abandoned or failed: the copy made ahead is not needed.
            if isinstance(ahead, _Prepared) and ahead.copy is not None:
                self._drop_copy(ahead.copy)
            copier.shutdown(wait=True)

    def _prepare(
        self,
        path: Path,
        known: dict[str, _KnownSource],
        current_sha: dict[str, int],
        copier: ThreadPoolExecutor,
    ) -> _Prepared | _Refusal:
        """Resolve and stat a file, and start copying it into the store unless it looks unchanged."""
        try:
            if os.path.isdir(path):  # a folder named on its own whose walk found no decks
                return _empty_or_unlisted(path)
            stat = check_regular(path)  # the user's own path, so the reason names their file
            # os.path.realpath, not Path.resolve: that raises RuntimeError on a link loop (3.11).
            resolved = Path(os.path.realpath(path))
        except (OSError, MsldeskError) as exc:
            return exc
        copy = None
        if _unchanged_source(known.get(storable_path(resolved)), stat, current_sha) is None:
            try:
                copy = copier.submit(self.store.stage, resolved, self.limits.max_file_bytes)
            except RuntimeError:  # no thread to be had (interpreter shutting down): copy inline
                copy = None
        return _Prepared(resolved, stat, copy)

    def _drop_copy(self, copy: Future[tuple[Path, str]]) -> None:
        try:
            staged, _sha = copy.result()
        except (OSError, MsldeskError):
            return  # stage() removed its own temp file
        self.store.discard(staged)

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
        self,
        path: Path,
        prepared: _Prepared | _Refusal,
        known: dict[str, _KnownSource],
        current_sha: dict[str, int],
        origin: str,
    ) -> ImportOutcome:
        if not isinstance(prepared, _Prepared):
            return _refused(path, prepared)
        resolved, stat = prepared.resolved, prepared.stat
        # The database holds text: a name with bytes that are not UTF-8 is stored escaped.
        key = storable_path(resolved)
        shown = display_name(str(path))
        source = known.get(key)
        # Checked again now: the decks imported since this file was prepared may have made it
        # unchanged (the same file named twice).
        unchanged = _unchanged_source(source, stat, current_sha)
        if unchanged is not None:
            if prepared.copy is not None:
                self._drop_copy(prepared.copy)
            return ImportOutcome(shown, "unchanged", deck_id=unchanged)
        try:
            if prepared.copy is not None:
                staged, sha = prepared.copy.result()
            else:
                staged, sha = self.store.stage(resolved, self.limits.max_file_bytes)
        except (OSError, MsldeskError) as exc:
            return _refused(path, exc)
        committed = False  # once moved to its final name, there is no staged file to discard
        try:
            if sha in current_sha:
                deck_id = current_sha[sha]
                self._remember_source(key, deck_id, stat, sha)
                known[key] = _KnownSource(deck_id, stat.st_size, stat.st_mtime_ns, sha)
                return ImportOutcome(shown, "unchanged", deck_id=deck_id)
            try:
                content = read_deck(staged, self.limits, file_name=display_name(resolved.name))
            except DeckImportError as exc:
                return ImportOutcome(shown, "failed", error_kind=exc.kind, message=exc.user_message)
            except (RecursionError, MemoryError, LookupError, ValueError, TypeError) as exc:
                # Malformed input that slipped past the package checks: report it, keep going.
                log.warning("Unexpected failure reading %s", path, exc_info=True)
                return ImportOutcome(
                    shown,
                    "failed",
                    error_kind="damaged",
                    message=f"The file is damaged and could not be read ({type(exc).__name__}).",
                )
            ext = resolved.suffix.lower() if resolved.suffix.lower() in DECK_EXTENSIONS else ".pptx"
            self.store.commit(staged, sha, ext)
            committed = True
            outcome = self._write_deck(
                key, stat, sha, ext, display_name(resolved.name), content, source, origin
            )
        finally:
            if not committed:
                self.store.discard(staged)
        current_sha[sha] = outcome.deck_id or 0
        known[key] = _KnownSource(outcome.deck_id or 0, stat.st_size, stat.st_mtime_ns, sha)
        return ImportOutcome(
            shown,
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
            _upsert_source(session.connection(), key, deck_id, stat, sha)

    def _write_deck(
        self,
        key: str,
        stat: os.stat_result,
        sha: str,
        ext: str,
        file_name: str,
        content: DeckContent,
        source: _KnownSource | None,
        origin: str,
    ) -> ImportOutcome:
        now = clock.utc_now()
        with self.sessions.begin() as session:
            connection = session.connection()
            deck = _target_deck(connection, source, content.title, now, origin)
            old_hashes = self._retire_version(session, deck.previous_id)
            changes, added, changed, removed = _compare_slides(old_hashes, content)
            counts = {"slides_added": added, "slides_changed": changed, "slides_removed": removed}
            version = {"deck_id": deck.deck_id, "number": deck.next_number, **counts}
            version_id = connection.execute(
                _INSERT_VERSION, {**version, **_version_values(stat, sha, ext, file_name, content, now)}
            ).scalar_one()
            rows = _slide_rows(deck.deck_id, version_id, content, changes)
            if rows:
                slide_ids = connection.execute(_INSERT_SLIDES, rows).scalars().all()
                self.index.add(
                    session,
                    (
                        {**row, "slide_id": sid, "deck_title": deck.title, "tags": deck.tags}
                        for sid, row in zip(slide_ids, rows, strict=True)
                    ),
                )
            _upsert_source(connection, key, deck.deck_id, stat, sha)
        return ImportOutcome(
            key,
            "updated" if deck.previous_id is not None else "imported",
            deck.deck_id,
            len(content.slides),
            slides_added=added,
            slides_changed=changed,
            slides_removed=removed,
        )

    def _retire_version(self, session: Session, version_id: int | None) -> list[str] | None:
        """Take the replaced version's slides out of the search index and mark it no longer current;
        returns their content hashes (None for a deck's first version)."""
        if version_id is None:
            return None
        connection = session.connection()
        old_slides = connection.execute(_VERSION_SLIDES, {"version_id": version_id}).all()
        self.index.remove(session, [slide.id for slide in old_slides])
        connection.execute(_RETIRE_VERSION, {"version_id": version_id})
        return [slide.content_hash for slide in old_slides]


class _TargetDeck(NamedTuple):
    """The deck an imported file becomes a version of: its current version (None: a new deck) and the
    number the new version takes."""

    deck_id: int
    title: str
    tags: Sequence[str]
    previous_id: int | None
    next_number: int


def _target_deck(
    connection: Connection, source: _KnownSource | None, title: str, now: dt.datetime, origin: str
) -> _TargetDeck:
    """The deck this file was imported into before (touched), else a new deck titled `title`."""
    existing = None
    if source is not None:
        existing = connection.execute(_SELECT_DECK, {"deck_id": source.deck_id}).first()
    if existing is None:
        deck = {"title": title, "approval_code": "", "withdrawn": False, "therapeutic_area": "",
                "product": "", "audience": "", "created_at": now, "updated_at": now,
                "origin": origin}  # fmt: skip
        return _TargetDeck(connection.execute(_INSERT_DECK, deck).scalar_one(), title, (), None, 1)
    connection.execute(_TOUCH_DECK, {"deck_id": existing.id, "now": now})
    tags = connection.execute(_DECK_TAGS, {"deck_id": existing.id}).scalars().all()
    previous = connection.execute(_CURRENT_VERSION, {"deck_id": existing.id}).first()
    if previous is None:
        return _TargetDeck(existing.id, existing.title, tags, None, 1)
    return _TargetDeck(existing.id, existing.title, tags, previous.id, previous.number + 1)


def _version_values(
    stat: os.stat_result, sha: str, ext: str, file_name: str, content: DeckContent, now: dt.datetime
) -> dict[str, Any]:
    """What a new version row says of the file it was read from."""
    return {
        "is_current": True,
        "sha256": sha,
        "file_name": file_name[:500],
        "file_ext": ext,
        "size": stat.st_size,
        "imported_at": now,
        "kind": content.kind,
        "macro_enabled": content.macro_enabled,
        "strict": content.strict,
        "warnings": "\n".join(content.warnings),
        "slide_count": len(content.slides),
        "thumbnail_state": "pending" if content.slides else "none",
        "thumbnail_error": "",
    }


def _slide_rows(
    deck_id: int, version_id: int, content: DeckContent, changes: list[str]
) -> list[dict[str, Any]]:
    return [
        {
            "deck_id": deck_id,
            "version_id": version_id,
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


def _upsert_source(connection: Connection, key: str, deck_id: int, stat: os.stat_result, sha: str) -> None:
    """Remember where a deck was imported from: update the path's row, or add one. (Updating
    first, inside the deck's transaction, stays right even if another writer added the path since
    this batch loaded the known sources.)"""
    values = {"deck_id": deck_id, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha}
    if not connection.execute(_UPDATE_SOURCE, {"source_path": key, **values}).rowcount:
        connection.execute(_INSERT_SOURCE, {"path": key, **values})


DISK_FULL_MESSAGE = (
    "The library's disk is full, so this deck could not be saved. Free some space and import it again."
)


def _storage_failure(path: Path, exc: OSError | SQLAlchemyError) -> ImportOutcome:
    """A deck that was read but could not be stored; the library is as it was before it."""
    full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
    full = full or "database or disk is full" in str(exc)  # SQLite's SQLITE_FULL
    if full:
        message = DISK_FULL_MESSAGE
    elif isinstance(exc, OSError):
        message = f"The deck could not be saved in the library: {exc.strerror or exc}."
    else:
        said = exc.orig if isinstance(exc, StatementError) else None  # the driver's own error, if any
        message = f"The deck could not be saved in the library (the database said: {said or exc})."
    return ImportOutcome(display_name(str(path)), "failed", error_kind="storage", message=message)


def _empty_or_unlisted(folder: Path) -> NotARegularFileError:
    name = display_name(folder.name or str(folder))
    try:
        with os.scandir(folder):
            pass
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        return NotARegularFileError(
            f"{name} is a folder that cannot be read ({why}); its decks were not imported."
        )
    return NotARegularFileError(
        f"{name} is a folder with no PowerPoint files in it ({', '.join(sorted(DECK_EXTENSIONS))})."
    )


def _refused(path: Path, exc: _Refusal) -> ImportOutcome:
    """A file that cannot be read (missing, not a regular file, too large), or a library that cannot
    be written (disk full, read-only)."""
    shown = display_name(str(path))
    if isinstance(exc, MsldeskError):
        return ImportOutcome(shown, "failed", error_kind=exc.kind, message=exc.user_message)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
        return _storage_failure(path, exc)
    return ImportOutcome(
        shown,
        "failed",
        error_kind="unreadable",
        message=f"The file cannot be read: {exc.strerror or display_name(str(exc))}.",
    )


def _compare_slides(old: list[str] | None, content: DeckContent) -> tuple[list[str], int, int, int]:
    """Mark each new slide new/changed/unchanged against the previous version's content hashes
    (`old`, None for a deck's first version).

    Slides match by content, counted as a multiset so a duplicated slide matches once. A slide
    without a match is "changed" (it replaces an old slide that no longer matches) while such old
    slides remain and it lies within the old deck's length; otherwise it is "new". So the counts
    always add up: old slides + added - removed == new slides.
    """
    if old is None:
        return [""] * len(content.slides), 0, 0, 0
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
