"""Library upkeep at open: read-only detection, private file modes, leftover removal, store/database check."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from msldesk.core import fileio
from msldesk.core.errors import ReadOnlyLibraryError
from msldesk.core.user_files import check_folder, walk
from msldesk.protect.backup import store_files
from msldesk.protect.backup_check import STORE_NAME
from msldesk.protect.library_guard import refuse_missing_database

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from msldesk.core.paths import LibraryPaths

log = logging.getLogger(__name__)

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
# In the scratch folder (it always exists), held shared by every process that has the library open.
LOCK_NAME = "library.lock"
# What msldesk's own writers leave behind when a process dies mid-write. Each is named by a writer:
#   .<name>.<random>.tmp   fileio.atomic_writer (settings, anchor, key file, thumbnails, journal)
#   .import-*.tmp          decks.store.DeckStore.stage          .restore-*.tmp  backup_restore.stage_store
#   .<name>.partial(-wal|-shm|-journal)  backup.BackupService.create, inside the backups folder
# The database's own siblings (.library.sqlite3.restoring/.encrypting/.plaintext) and the restore
# journal are not here on purpose: recover_interrupted_restore/_encryption decide what they mean.
_TEMP_FILE = re.compile(r"^\.(?:.+\.tmp|.+\.partial(?:-wal|-shm|-journal)?)$")
# The scratch folder holds only work in progress (render output, composed decks); LibreOffice
# profiles are kept because building one costs a second or two per render process.
_KEEP_IN_CACHE = re.compile(r"^(?:lo-profile-\d+|" + re.escape(LOCK_NAME) + ")$")


@dataclass(frozen=True)
class StoreReport:
    """How the deck store and the database agree."""

    referenced: int  # store files named by a deck version row
    orphans: tuple[str, ...] = ()  # store files no row names (store-relative)
    missing: tuple[str, ...] = ()  # files rows name that are not in the store

    @property
    def ok(self) -> bool:
        return not self.orphans and not self.missing


@dataclass(frozen=True)
class LibraryCheck:
    """`msldesk check`: what is wrong with the library folder, in plain words."""

    store: StoreReport
    leftovers: tuple[str, ...] = ()  # temp files found (root-relative)
    not_private: tuple[str, ...] = ()  # files/folders others can read (root-relative)
    read_only: bool = False

    @property
    def ok(self) -> bool:
        return self.store.ok and not self.leftovers and not self.not_private


@dataclass
class LibraryAccess:
    """One App's hold on its library folder: read-only or not, and the shared open-lock."""

    paths: LibraryPaths
    read_only: bool
    _lock: IO[bytes] | None = field(default=None, repr=False)

    def only_user(self) -> bool:
        """True when no other msldesk process has this library open (so its temp files are dead)."""
        if self._lock is None:
            return False
        try:
            import fcntl
        except ImportError:  # Windows has no flock: there, a second window may lose a temp file
            return True
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False
        finally:
            # Back to shared (a failed upgrade may have dropped it): others see this process as a user.
            fcntl.flock(self._lock, fcntl.LOCK_SH)

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None
            _private_umask(-1)


_umask_users = [0, 0o022]  # open writable libraries, the umask from before the first
_umask_guard = threading.Lock()


def _private_umask(change: int) -> None:
    """While a library is open, every file and folder this process creates, and the programs it starts
    (LibreOffice) create, is private: SQLite's -wal/-shm, soffice's PDFs, backups, exports. A umask is
    the one setting all of those obey; the previous one is back when the last library closes."""
    if os.name != "posix":
        return
    with _umask_guard:
        if change > 0:
            before = os.umask(0o077)  # set on every opening: something may have changed it meanwhile
            if _umask_users[0] == 0:
                _umask_users[1] = before
        _umask_users[0] += change
        if change < 0 and _umask_users[0] == 0:
            os.umask(_umask_users[1])


def open_library(paths: LibraryPaths) -> LibraryAccess:
    """Before anything else touches the folder: is it writable? If so, make it (and all new files)
    private to the user, create its folders, tighten an older library's modes and take the open-lock."""
    root = paths.root
    database = paths.database
    # A file, a pipe or a device named as the folder: said in words, never a FileExistsError.
    check_folder(root, "The library folder")
    if root.is_dir() and (
        not fileio.folder_is_writable(root) or (database.exists() and not os.access(database, os.W_OK))
    ):
        if not database.exists():
            # A library that was here (key file, deck files, backups) and lost its database is told
            # as such, with the backup to restore; only a folder with no library is "cannot create".
            refuse_missing_database(paths)
            raise ReadOnlyLibraryError.for_folder(root, "create a library in it", can_read=False)
        return LibraryAccess(paths, read_only=True)
    _private_umask(+1)
    try:
        paths.ensure()
    except OSError as exc:
        if exc.errno not in fileio.WRITE_ERRORS:
            raise
        _private_umask(-1)
        raise ReadOnlyLibraryError.for_folder(root, "create a library in it", can_read=False) from exc
    make_private(root)
    lock = open(paths.cache / LOCK_NAME, "ab")  # noqa: SIM115 - held open for the App's life
    with contextlib.suppress(ImportError):
        import fcntl

        fcntl.flock(lock, fcntl.LOCK_SH)
    return LibraryAccess(paths, read_only=False, _lock=lock)


def not_private(root: Path) -> list[tuple[Path, int]]:
    """Folders not 0700 and files not 0600 under `root` (and root itself), with the mode each
    should have. Symlinks and special files are left alone, never followed. Empty off POSIX."""
    if os.name != "posix":
        return []
    found: list[tuple[Path, int]] = []
    paths = [root]
    for folder, dirs, files in walk(root):
        paths += [Path(folder, name) for name in (*dirs, *files)]
    for path in paths:
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:  # a temp file another msldesk process finished with meanwhile
            continue
        wanted = PRIVATE_FOLDER if stat.S_ISDIR(mode) else PRIVATE_FILE if stat.S_ISREG(mode) else None
        if wanted is not None and stat.S_IMODE(mode) != wanted:
            found.append((path, wanted))
    return found


def make_private(root: Path) -> None:
    """Tighten a library made before msldesk kept its files private (or copied in with loose modes).

    Its root folder is the sign: msldesk makes it 0700 last, after everything under it, so a private
    root means the walk is done (~0.4 s for 20,000 thumbnails: too slow for every opening; files made
    since are private through the umask). `msldesk check` walks every time and reports any stray mode."""
    if os.name != "posix" or stat.S_IMODE(root.stat().st_mode) == PRIVATE_FOLDER:
        return
    for path, wanted in reversed(not_private(root)):  # root is first in the list: tighten it last
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, wanted)


def find_leftovers(paths: LibraryPaths) -> list[Path]:
    """Temp and partial files msldesk's writers leave when killed, and the scratch folder's content."""
    found: list[Path] = []
    for folder, dirs, files in walk(paths.root):
        base = Path(folder)
        if base == paths.cache:
            found += [base / n for n in sorted((*dirs, *files)) if not _KEEP_IN_CACHE.match(n)]
            dirs[:] = []
            continue
        # The restore's aside folder belongs to recover_interrupted_restore, which runs first.
        dirs[:] = [d for d in dirs if d != ".restore-previous"]
        found += [base / n for n in sorted(files) if _TEMP_FILE.match(n)]
    return found


def remove_leftovers(access: LibraryAccess) -> list[Path]:
    """Delete leftovers, but only when no other msldesk process has the library open: its temp files
    are then live work, not leftovers. Run after recover_interrupted_restore."""
    if access.read_only or not access.only_user():
        return []
    removed = find_leftovers(access.paths)
    if removed:
        log.info("Removing %d leftover file(s): %s", len(removed), ", ".join(map(str, removed[:20])))
    for path in removed:
        if path.is_dir() and not path.is_symlink():
            try:
                shutil.rmtree(path, ignore_errors=True)
            except RecursionError:  # a tree deeper than rmtree recurses (Python 3.11): left, said
                log.warning("Leftover folder %s is nested too deeply to remove; remove it by hand", path)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    return removed


# ---- the deck store and the database ----------------------------------------------------------------


def check_store(engine: Engine, store: Path) -> StoreReport:
    """Store files against deck_versions rows: orphans (a crash between the store copy and the
    database commit) and rows whose file is gone."""
    from sqlalchemy import text

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sha256, file_ext FROM deck_versions")).all()
    referenced = {f"{sha[:2]}/{sha}{ext.lower()}" for sha, ext in rows}
    # Only files named as the store names them count: anything else someone put there is left alone.
    present = {name for name in store_files(store) if STORE_NAME.match(name)}
    return StoreReport(
        referenced=len(referenced),
        orphans=tuple(sorted(present - referenced)),
        missing=tuple(sorted(referenced - present)),
    )


def remove_orphans(access: LibraryAccess, engine: Engine) -> tuple[str, ...]:
    """At open: delete store files no deck row names (the copy of a deck whose import never
    committed) and say which. Rows whose file is missing are left for `msldesk check` to report.
    Nothing is removed when another process has the library open (its import may be between the
    copy and the commit), nor when the database names no file at all while the store holds some:
    that is a replaced or lost database, not a crash, and the store may be the only copy of those
    decks."""
    report = check_store(engine, access.paths.store)
    if not report.orphans or access.read_only or not report.referenced or not access.only_user():
        return ()
    log.info(
        "Removing %d store file(s) no deck uses: %s", len(report.orphans), ", ".join(report.orphans[:20])
    )
    for name in report.orphans:
        with contextlib.suppress(FileNotFoundError):
            (access.paths.store / name).unlink()
    return report.orphans


def check_library(access: LibraryAccess, engine: Engine) -> LibraryCheck:
    """Everything `msldesk check` reports; changes nothing."""
    root = access.paths.root
    return LibraryCheck(
        store=check_store(engine, access.paths.store),
        leftovers=tuple(str(p.relative_to(root)) for p in find_leftovers(access.paths)),
        not_private=tuple(sorted(str(p.relative_to(root)) for p, _ in not_private(root))),
        read_only=access.read_only,
    )
