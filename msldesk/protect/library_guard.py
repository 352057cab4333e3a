"""An existing library is never replaced: a missing, empty, unreadable or damaged database is an error
that names the newest backup, never the start of a new, empty library."""

from __future__ import annotations

import os
import shlex
import stat
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from msldesk.core import fileio
from msldesk.core.errors import (
    LibraryDamagedError,
    LibraryMissingError,
    NotARegularFileError,
    ReadOnlyLibraryError,
    error_chain,
)
from msldesk.core.paths import LibraryPaths
from msldesk.core.user_files import display_message, display_name, kind_of, open_regular
from msldesk.db import crypto, encrypting

if TYPE_CHECKING:
    from msldesk.core.secrets import SecretStore
    from msldesk.protect.backup import BackupService

# Smallest SQLite page: a real database (plain or SQLCipher) is never shorter than one.
_MIN_DATABASE_BYTES = 512
_RANDOM_HEAD = crypto.SALT_BYTES  # a SQLCipher file starts with its random salt, never all zeros


def library_traces(paths: LibraryPaths) -> list[str]:
    """What shows that a library existed in this folder (empty: nothing, a first start)."""
    from msldesk.protect.backup_check import SUFFIX

    traces = [p.name for p in (paths.key_file, paths.audit_anchor, paths.erasures) if os.path.lexists(p)]
    deck_files = _count_files(paths.store, lambda p: not p.name.startswith("."), depth=2)
    if deck_files:
        traces.append(f"{deck_files} deck file{'s' if deck_files != 1 else ''} in {paths.store.name}/")
    backups = _count_files(paths.backups, lambda p: p.name.endswith(SUFFIX), depth=1)
    if backups:
        traces.append(f"{backups} backup{'s' if backups != 1 else ''} in {paths.backups.name}/")
    return traces


def _count_files(folder: Path, wanted: Callable[[Path], bool], depth: int) -> int:
    count = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if entry.is_dir(follow_symlinks=False) and depth > 1 and not entry.name.startswith("."):
            count += _count_files(Path(entry.path), wanted, depth - 1)
        elif entry.is_file(follow_symlinks=False) and wanted(Path(entry.path)):
            count += 1
    return count


def database_problem(database: Path) -> tuple[str, str] | None:
    """("missing" | "empty" | "unreadable" | "damaged", why) for a database file that cannot be a
    library, judged from its first bytes only; None when it may be one (the key and a full check
    decide later)."""
    try:
        found = os.stat(database)
        if not stat.S_ISREG(found.st_mode):  # never opened: a pipe would block, a device never end
            return "unreadable", f"it is {kind_of(found.st_mode)}, not a file"
        with open_regular(database) as handle:
            head = handle.read(_MIN_DATABASE_BYTES)
    except FileNotFoundError:
        return "missing", "there is no such file"
    except NotARegularFileError as exc:  # swapped for a pipe or device since the stat
        return "unreadable", exc.details or str(exc)
    except OSError as exc:  # no permission, a link loop, a sync placeholder that will not load
        return "unreadable", exc.strerror or str(exc)
    if not head:
        return "empty", "the file is empty (0 bytes)"
    if len(head) < _MIN_DATABASE_BYTES:
        return "damaged", f"the file is only {len(head)} bytes long"
    if not any(head[:_RANDOM_HEAD]):
        return "damaged", "the file begins with zeros"
    return None


def newest_backup(paths: LibraryPaths) -> Path | None:
    from msldesk.protect.backup import automatic_backups

    backups = automatic_backups(paths)
    return backups[0] if backups else None


def restore_command(paths: LibraryPaths, backup: Path | None) -> str:
    """The command that restores `backup` into this library folder (a placeholder without one)."""
    source = shlex.quote(str(backup)) if backup is not None else "BACKUP-FILE"
    return f"msldesk --data-dir {shlex.quote(str(paths.root))} restore {source}"


def _backup_advice(paths: LibraryPaths, backup: Path | None) -> str:
    if backup is None:
        return (
            f" There is no backup in {display_name(str(paths.backups))}. Restore a backup you keep "
            "elsewhere, or choose another library folder."
        )
    return f" The newest backup is {display_name(str(backup))}."


def refuse_missing_database(paths: LibraryPaths) -> None:
    """Raise LibraryUnavailableError when the database cannot be a library and a library existed here
    (an unreadable or damaged file is refused even on a first start: nothing could be made there)."""
    problem = database_problem(paths.database)
    if problem is None:
        return
    kind, why = problem
    traces = library_traces(paths)
    if kind in ("missing", "empty") and not traces:
        return  # a first start: a new library is made
    if kind == "damaged":
        raise damaged_library(paths, why)
    backup = newest_backup(paths)
    database = display_name(str(paths.database))
    if kind == "unreadable":
        said = f"The library's database {database} cannot be read ({why})."
    elif kind == "empty":
        said = (
            f"The library's database {database} is empty (0 bytes). An antivirus program or a "
            "sync program may have replaced it."
        )
    else:
        said = (
            f"The library's database {paths.database.name} is missing from {display_name(str(paths.root))}."
        )
    if traces:
        said += (
            f" A library existed in this folder ({', '.join(traces)}), so msldesk will not start a new, "
            "empty one in its place."
        )
    raise LibraryMissingError(
        said + _backup_advice(paths, backup),
        f"{paths.database}: {why}",
        library=paths.root,
        database=paths.database,
        newest_backup=backup,
    )


def damaged_library(paths: LibraryPaths, details: str) -> LibraryDamagedError:
    """The one message for a database that the right key (or no key) cannot read."""
    backup = newest_backup(paths)
    return LibraryDamagedError(
        f"The library's database {display_name(str(paths.database))} is damaged — restore from a backup. "
        "Its key is not the problem: the file itself cannot be read (cut short, overwritten or changed "
        "on disk)." + _backup_advice(paths, backup),
        details,
        library=paths.root,
        database=paths.database,
        newest_backup=backup,
    )


_CORRUPT_CODES = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB
_CORRUPT_WORDS = ("malformed", "not a database")  # sqlcipher_export passes them on as SQLITE_ERROR


def is_damage(error: BaseException) -> bool:
    """True when `error` (raised by any query, SQLAlchemy-wrapped or not) comes from an unreadable page
    of a database, rather than from a wrong query, a lock or a full disk."""
    for current in error_chain(error):
        code = getattr(current, "sqlite_errorcode", None)
        if code in _CORRUPT_CODES or (code is not None and any(w in str(current) for w in _CORRUPT_WORDS)):
            return True
    return False


# Where stored rows become records. A ValueError (a date that is no date, a kind msldesk does not
# know), an OverflowError (year 9999 moved into a time zone) or a TypeError raised while one of them
# runs means a stored value is none msldesk wrote: the database was changed by another program.
_ROW_READERS = (
    "sqlalchemy/engine/",
    "msldesk/boards/events/rows.py",
    "msldesk/boards/events/timing.py",  # an agenda's times from a stored start (year 9999 overflows)
    "msldesk/boards/meeting/entry_rows.py",
    "msldesk/decks/listing.py",  # stored_date: every deck date read from a row
    "msldesk/app/light_reader.py",
)
_VALUE_ERRORS = (ValueError, OverflowError, TypeError, LookupError, ArithmeticError)
_DRIVER_CALLS = ("do_execute", "do_executemany", "do_execute_no_params")  # SQLAlchemy's calls into sqlite3


def unreadable_value(error: BaseException) -> bool:
    """True when `error` was raised turning a stored value into a record (see _ROW_READERS)."""
    if not isinstance(error, _VALUE_ERRORS):
        return False
    frames = traceback.extract_tb(error.__traceback__)
    if frames and frames[-1].name in _DRIVER_CALLS:
        return False  # raised sending a value to SQLite (a number typed too large), not reading one
    files = (frame.filename.replace(os.sep, "/") for frame in frames)
    return any(reader in name for name in files for reader in _ROW_READERS)


def damage_behind(paths: LibraryPaths, error: BaseException) -> LibraryDamagedError | None:
    """The damaged-library error (naming the newest backup) when `error` is damage or a stored value
    msldesk cannot read; None otherwise."""
    if is_damage(error):
        return damaged_library(paths, f"{display_name(str(paths.database))}: {display_message(str(error))}")
    if not unreadable_value(error):
        return None
    backup = newest_backup(paths)
    return LibraryDamagedError(
        f"The library's database {display_name(str(paths.database))} holds a value msldesk cannot read "
        f"({display_message(str(error))}): it was "
        "changed by another program or is damaged. Restore it from a backup." + _backup_advice(paths, backup),
        f"{paths.database}: {error!r}",
        library=paths.root,
        database=paths.database,
        newest_backup=backup,
    )


def check_database(paths: LibraryPaths, key: bytes | None, read_only: bool = False) -> None:
    """Read every page once (SQLCipher checks each page's HMAC as it reads it; SQLite checks the
    structure), so that damage is found at the start, in plain words, not by a later query.
    `read_only`: the check writes nothing (a library in a read-only folder)."""
    import sqlcipher3.dbapi2 as sqlcipher

    try:
        connection = crypto.connect(paths.database, key, read_only=read_only)
        try:
            result = [r[0] for r in connection.execute("PRAGMA quick_check")]
        finally:
            connection.close()
    except sqlcipher.DatabaseError as exc:
        raise damaged_library(paths, f"{paths.database}: {exc}") from exc
    if result != ["ok"]:
        raise damaged_library(paths, f"{paths.database}: {'; '.join(result[:5])}")


def open_library_key(
    paths: LibraryPaths,
    secrets: SecretStore,
    provider: crypto.PassphraseProvider | None = None,
    encrypt: bool | None = None,
    read_only: bool = False,
    check_pages: bool = True,
    unlocked: crypto.LibraryKey | None = None,
) -> crypto.LibraryKey:
    """encrypting.prepare_library, refusing first a database that went missing and afterwards one that is
    damaged: a start never makes a new library over an old one, nor a new key file. `read_only`: a
    library in a read-only folder is checked the same way, and nothing is written or recovered.
    `check_pages` False leaves the full page check (check_database) to the caller: the desktop app
    runs it in the background once the first slides are on screen. `unlocked`: the key the light read
    (app.light_reader) unlocked a moment ago, kept in memory only: it found an encrypted library with a
    checked key file, or a plain one staying plain, with nothing to recover or encrypt, so
    prepare_library would only unlock it again (ask the keyring or the user, derive from a passphrase)."""
    if not read_only:
        encrypting.recover_interrupted_encryption(paths.database)
    refuse_missing_database(paths)
    try:
        library_key = unlocked
        if library_key is None:
            library_key = encrypting.prepare_library(
                paths, secrets, provider, encrypt, newest_backup(paths), read_only=read_only
            )
        if check_pages and paths.database.exists():
            check_database(paths, library_key.key, read_only)
    except LibraryDamagedError as exc:
        if exc.library is not None:
            raise  # already says which library and which backup
        raise damaged_library(paths, exc.details) from exc
    return library_key


def backups_for_restore(
    paths: LibraryPaths,
    secrets: SecretStore,
    provider: crypto.PassphraseProvider | None = None,
    encrypt: bool | None = None,
) -> BackupService:
    """Backups of a library whose database is missing or damaged, to restore one into it: the key
    comes from the key file (checked by its check value), never from the broken database."""
    from msldesk.db.engine import make_engine, make_session_factory
    from msldesk.protect.audit import AuditService
    from msldesk.protect.backup import BackupService
    from msldesk.protect.backup_restore import recover_interrupted_restore

    if paths.root.is_dir() and not fileio.folder_is_writable(paths.root):
        # A restore writes the database, the deck store and its journal: say so before asking a key.
        raise ReadOnlyLibraryError.for_folder(paths.root, "restore a backup into it", can_read=False)
    recover_interrupted_restore(paths)
    encrypting.recover_interrupted_encryption(paths.database)
    if encrypt is None:
        encrypt = crypto.encryption_wanted()
    if encrypt or paths.key_file.exists():
        library_key = crypto.key_without_database(paths, secrets, provider)
    else:
        library_key = crypto.LibraryKey(None, "none")
    engine = make_engine(paths.database, library_key.key)
    audit = AuditService(make_session_factory(engine), paths.audit_anchor, library_key.audit_key)
    return BackupService(paths, engine, library_key, audit, library_healthy=False)
