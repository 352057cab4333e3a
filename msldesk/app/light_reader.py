"""A read-only look into an existing, current library without SQLAlchemy, for the command line's light
commands (`msldesk decks`) and the desktop's first slides; anything short of that (a first start,
pending recovery, an older schema, a plain library to encrypt) is left to the full start of
msldesk.app.services.App."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msldesk.core.config import Settings
from msldesk.core.errors import LibraryUnavailableError
from msldesk.core.paths import LibraryPaths, default_data_dir
from msldesk.db import copies, crypto
from msldesk.decks import listing
from msldesk.decks.records import DeckInfo, SlideInfo
from msldesk.protect.library_guard import damaged_library, is_damage, refuse_missing_database

# Left behind by a restore or an encryption that stopped half-way: the full start finishes them.
_PENDING_WORK = (".restore-pending.json", ".restore-previous")
_PENDING_SIBLINGS = ("restoring", "restoring-anchor", "encrypting", "plaintext")


class LibraryReader:
    """An open, keyed, read-only connection to the library's database, with the one query it serves.
    Damage met by a query is raised as LibraryDamagedError naming the newest backup."""

    def __init__(self, paths: LibraryPaths, connection: Any, settings: Settings) -> None:
        self.paths = paths
        self.connection = connection
        self.settings = settings
        self.decks = self  # reads as app.decks.list_decks(), like the full App
        self.read_only = False  # a library in a read-only folder is left to the full start

    def list_decks(self) -> list[DeckInfo]:
        days = self.settings.expiring_within_days
        return listing.deck_infos(self._run, self.paths.previews, dt.date.today(), days)

    def count_slides(self) -> int:
        """Current slides of the whole library."""
        return listing.count_slides(self._run, self._status_sql())

    def list_slides(self, offset: int = 0, limit: int | None = None) -> list[SlideInfo]:
        """Current slides of the whole library, in the deck service's order, a page at a time."""
        thumbnail = listing.slide_thumbnail(self.paths.thumbnails, self.settings.render_max_slides)
        return listing.list_slides(self._run, self._status_sql(), thumbnail, offset=offset, limit=limit)

    def _status_sql(self) -> str:
        return listing.status_sql(dt.date.today(), self.settings.expiring_within_days)

    def _run(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        try:
            return self.connection.execute(sql, tuple(params)).fetchall()
        except Exception as exc:
            if is_damage(exc):
                raise damaged_library(self.paths, f"{self.paths.database}: {exc}") from exc
            raise

    def close(self) -> None:
        self.connection.close()


def open_for_reading(
    data_dir: Path | None, provider: crypto.PassphraseProvider | None = None
) -> LibraryReader | None:
    """The library opened for reading, or None when it needs the full start. Refuses, as the full start
    does, a database that went missing or cannot be one, and a key that does not open it. Reads no page
    beyond the schema version: damage elsewhere is found by the query that meets it, or by the full
    page check of the next full start."""
    paths = LibraryPaths(data_dir or default_data_dir())
    state = _readable_state(paths)
    if state is None:
        return None
    return _reader(paths, _unlock(paths, provider, state))


@dataclass(frozen=True)
class FirstSlides:
    """The first page of the library's slides, read before the full start (the desktop shows them
    while it builds the rest), and the key that opened the library, for the full start (kept in
    memory only) so that it asks for no passphrase and derives no key again."""

    library_key: crypto.LibraryKey = field(repr=False)
    total: int = 0
    slides: list[SlideInfo] | None = None  # None: unlocked, but only the full start can read it


def first_slides(
    data_dir: Path | None, provider: crypto.PassphraseProvider | None, limit: int
) -> FirstSlides | None:
    """The first `limit` slides of an existing, current library, read as open_for_reading reads. None
    when the library needs the full start before it is even unlocked."""
    paths = LibraryPaths(data_dir or default_data_dir())
    state = _readable_state(paths)
    if state is None:
        return None
    library_key = _unlock(paths, provider, state)
    reader = _reader(paths, library_key)
    if reader is None:
        return FirstSlides(library_key)
    try:
        return FirstSlides(library_key, reader.count_slides(), reader.list_slides(0, limit))
    finally:
        reader.close()


def _readable_state(paths: LibraryPaths) -> crypto.State | None:
    """The database's state ("plain" or "encrypted") when the light read may open it; None when the
    full start must. Raises, as the full start would, for a database that cannot be one."""
    database = paths.database
    if not database.is_file() or not os.access(paths.root, os.W_OK) or _pending_work(paths):
        return None  # a first start, a read-only folder (opened read-only by the full start), recovery
    if _wal_in_use(database):
        return None
    refuse_missing_database(paths)  # a stub or zeroed file: the plain "damaged" message
    keyfile = crypto.KeyFile.load(paths.key_file)
    state = crypto.database_state(database)
    if state == "plain" and (crypto.encryption_wanted() or keyfile is not None):
        return None  # to be encrypted in place
    if state == "encrypted" and (keyfile is None or not keyfile.check):
        return None  # no key file or an older one: the full start explains or adds the check value
    return state


def _unlock(
    paths: LibraryPaths, provider: crypto.PassphraseProvider | None, state: crypto.State
) -> crypto.LibraryKey:
    from msldesk.core.secrets import SecretStore

    return crypto.unlock(paths, SecretStore(), provider, encrypt=state == "encrypted")


def _reader(paths: LibraryPaths, library_key: crypto.LibraryKey) -> LibraryReader | None:
    """A reader on the unlocked database; None when its schema is not this msldesk's (a migration,
    and the backup before it, are the full start's work) or it cannot be read for a reason other
    than damage (a lock, a read-only mount: the full start says what it is)."""
    from msldesk.db.migrate import HEAD_REVISION

    connection = crypto.connect(paths.database, library_key.key)
    try:
        revision = _revision(paths, connection)
    except LibraryUnavailableError:
        connection.close()
        raise
    except Exception:  # noqa: BLE001 - any other failure hands over to the full start, which explains it
        connection.close()
        return None
    if revision != HEAD_REVISION:
        connection.close()
        return None
    return LibraryReader(paths, connection, Settings.load(paths.settings))


def _pending_work(paths: LibraryPaths) -> bool:
    names = [paths.root / name for name in _PENDING_WORK]
    names += [copies.sibling(paths.database, purpose) for purpose in _PENDING_SIBLINGS]
    return any(os.path.lexists(p) for p in names)


def _wal_in_use(database: Path) -> bool:
    """A write-ahead log with pages in it (msldesk running, or stopped unclean): the file alone is not
    the whole database, so its size says nothing; the full start takes over."""
    try:
        return os.path.getsize(f"{database}-wal") > 0
    except FileNotFoundError:
        return False


def _revision(paths: LibraryPaths, connection: Any) -> str | None:
    """The schema version, after checking the file is as long as its header says (a file cut short
    is refused here even when the pages a listing reads survived)."""
    try:
        page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
        pages = int(connection.execute("PRAGMA page_count").fetchone()[0])
        versioned = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone() if versioned else None
    except Exception as exc:
        if is_damage(exc):
            raise damaged_library(paths, f"{paths.database}: {exc}") from exc
        raise
    size = os.path.getsize(paths.database)
    if size < pages * page_size:
        raise damaged_library(paths, f"{paths.database}: {size} bytes, its header counts {pages} pages")
    return None if row is None else row[0]
