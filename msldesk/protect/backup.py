"""Backups: one encrypted file with a consistent copy of the database, the deck store and the audit
anchor; a restore that checks everything before it replaces anything; rolling automatic backups.

A backup is itself a SQLCipher database: the library's tables (sqlcipher_export inside one read
transaction, so a snapshot even while the app writes), the store's files in 1 MiB chunks, and a
manifest written last. It is locked with a passphrase when there is one (scrypt, its salt in the
file's first 16 bytes, so the passphrase alone opens it on any computer), else with the library's
own key (then it opens only where that key is, i.e. in this computer's keyring).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from msldesk import __version__
from msldesk.core.errors import LibraryDamagedError, ReadOnlyLibraryError
from msldesk.core.fileio import (
    check_output_file,
    disk_full_cause,
    disk_full_error,
    folder_is_writable,
    not_writable_error,
    temp_prefix,
)
from msldesk.core.paths import LibraryPaths
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.core.user_files import parse_json, read_small_file
from msldesk.db import copies, crypto
from msldesk.protect import backup_restore
from msldesk.protect.backup_check import (
    CHUNK,
    CHUNKS_TABLE,
    FILES_TABLE,
    FORMAT,
    KEYED_HERE,
    MANIFEST_TABLE,
    SUFFIX,
    BackupError,
    BackupInfo,
    Lock,
    dbapi_error,
    open_backup,
    verify_backup,
)

if TYPE_CHECKING:
    from msldesk.protect.audit import AuditService

# Automatic backups kept per kind; the daily ones are the rolling backups.
KEEP = {"daily": 7, "before-upgrade": 3, "before-restore": 3}
DAILY_EVERY = dt.timedelta(days=1)
_AUTOMATIC_NAME = re.compile(r"^(?P<kind>[a-z-]+)-(?P<stamp>\d{8}-\d{6})Z(?:-\d+)?" + re.escape(SUFFIX) + "$")
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class RestoreResult:
    info: BackupInfo
    safety_backup: Path | None  # the library as it was just before, in the backups folder
    erasures_reapplied: int = 0  # erasures made since the backup, made again on the restored library

    @property
    def erasure_note(self) -> str:
        """What a user is told about them ("" when there were none)."""
        n = self.erasures_reapplied
        if not n:
            return ""
        made = (
            "1 erasure made since this backup was" if n == 1 else f"{n} erasures made since this backup were"
        )
        return f"{made} applied again: the people erased stay erased."


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class BackupService:
    """Backups of one library. Runs on a worker; `restore` must run with no other database work going."""

    def __init__(
        self,
        paths: LibraryPaths,
        engine: Engine,
        library_key: crypto.LibraryKey,
        audit: AuditService,
        library_healthy: bool = True,
        read_only: bool = False,
    ) -> None:
        """`library_healthy` False: the database is missing or damaged (see protect.library_guard), so a
        restore saves no copy of it first and keeps the damaged file aside instead of reading it.
        `read_only`: the library folder cannot be written, so backups go elsewhere only."""
        self.paths = paths
        self.engine = engine
        self.library_key = library_key
        self.audit = audit
        # Run on the restored library before restore() returns; says how many erasures it made again
        # (the App sets it: erasures live in msldesk.boards, above this module).
        self.after_restore: Callable[[], int] | None = None
        self.library_healthy = library_healthy
        self.read_only = read_only

    # ---- making ---------------------------------------------------------------------------------

    def create(
        self,
        target: Path,
        passphrase: str | None = None,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> BackupInfo:
        """Write a backup to `target` (a new file). Locked with `passphrase` if given, else with the
        library's passphrase if it has one, else with the library's key."""
        target = check_output_file(Path(target), replaceable=False)  # a new file, never a link or pipe
        if not folder_is_writable(target.parent):  # said before SQLite (or a cleanup) meets it
            raise not_writable_error(target, OSError(errno.EACCES, os.strerror(errno.EACCES)))
        lock = self._lock_for(passphrase)
        partial = target.with_name(f"{temp_prefix(target.name)}partial")
        copies.remove_with_side_files(partial)
        # The anchor is read before the snapshot starts: the snapshot then holds at least the records
        # it names (removing records after this cannot hide in a backup).
        anchor = _read_text(self.paths.audit_anchor)
        connection = crypto.connect(
            self.paths.database, self.library_key.key, isolation_level=None, read_only=self.read_only
        )
        try:
            # A read-only connection would open the attached file read-only too, unless told otherwise.
            attach = f"{partial.resolve().as_uri()}?mode=rwc" if self.read_only else str(partial)
            info = self._write(connection, attach, lock, anchor, progress, cancel)
        except BaseException as exc:
            connection.close()
            copies.remove_with_side_files(partial)
            full = disk_full_cause(exc)
            if full is not None:
                raise disk_full_error(target, full) from exc
            raise
        connection.close()
        os.replace(partial, target)
        copies.fsync_folder(target.parent)
        return BackupInfo(target, *info)

    def _write(
        self,
        connection: Any,
        partial: str,
        lock: Lock,
        anchor: str | None,
        progress: ProgressCallback,
        cancel: CancelToken | None,
    ) -> tuple[Any, ...]:
        connection.execute("ATTACH DATABASE ? AS bak KEY ?", (copies.attach_name(partial), lock.pragma))
        progress(0, 1, "Copying the database")
        revision, anchor, counts, referenced = self._copy_database(connection, anchor)
        _create_store_tables(connection)
        files = store_files(self.paths.store)
        missing = sorted(referenced - set(files))
        if missing:
            raise BackupError(
                f"The deck store is missing {len(missing)} file(s) the library uses; no backup was made.",
                ", ".join(missing[:10]),
            )
        total_bytes = sum(files.values())
        done_bytes = 0
        for file_id, (name, size) in enumerate(sorted(files.items()), start=1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(done_bytes, total_bytes or 1, f"Copying deck files ({file_id} of {len(files)})")
            _copy_store_file(connection, file_id, self.paths.store / name, name, size)
            done_bytes += size
        created = _utcnow()
        manifest = {
            "format": FORMAT,
            "app": "msldesk",
            "app_version": __version__,
            "schema_revision": revision,
            "created_at": created.isoformat(),
            "tables": counts,
            "files": len(files),
            "file_bytes": total_bytes,
            "audit_anchor": anchor,
            "audit_key_id": self.audit.key_id,
        }
        connection.execute(
            f"INSERT INTO bak.{MANIFEST_TABLE} VALUES ('manifest', ?)", (json.dumps(manifest),)
        )
        connection.execute("DETACH DATABASE bak")
        progress(1, 1, "Backup written")
        return (
            created,
            __version__,
            revision,
            counts,
            len(files),
            total_bytes,
            lock.label,
            anchor is not None,
            KEYED_HERE,
        )

    def _copy_database(
        self, connection: Any, anchor: str | None
    ) -> tuple[str, str | None, dict[str, int], set[str]]:
        """Export the library's tables into the attached backup in one read snapshot, and take from
        the same snapshot its schema revision, the audit anchor, the row counts and the store files
        its deck versions use."""
        connection.execute("BEGIN")  # one read snapshot for the export, the counts and the file list
        _refuse_damaged(connection, self.paths)
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        connection.execute("SELECT sqlcipher_export('bak', 'main')")
        anchor = _snapshot_anchor(connection, anchor)
        counts = copies.table_counts(connection, "main")
        referenced = {
            f"{sha[:2]}/{sha}{ext.lower()}"
            for sha, ext in connection.execute("SELECT sha256, file_ext FROM deck_versions")
        }
        connection.execute("COMMIT")  # store files never change once named, so no need to hold it
        return revision, anchor, counts, referenced

    def _lock_for(self, passphrase: str | None) -> Lock:
        if passphrase is None:
            passphrase = self.library_key.passphrase
        elif passphrase:
            crypto.check_new_passphrase(passphrase)
        if passphrase:
            salt = os.urandom(crypto.SALT_BYTES)
            return Lock(crypto.derive_key(passphrase, salt), salt, "passphrase")
        if self.library_key.key is not None:
            return Lock(self.library_key.key, b"", "library key")
        return Lock(None, b"", "nothing")

    # ---- checking ---------------------------------------------------------------------------------

    def check(
        self,
        source: Path,
        passphrase: str | None = None,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> BackupInfo:
        """Open and verify a backup completely (every page, every row count, every file's hash)."""
        connection, lock = open_backup(Path(source), passphrase, self.library_key)
        try:
            return verify_backup(connection, Path(source), lock, self.audit, progress, cancel)
        finally:
            connection.close()

    # ---- restoring --------------------------------------------------------------------------------

    def restore(
        self,
        source: Path,
        passphrase: str | None = None,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
        safety_backup: bool = True,
    ) -> RestoreResult:
        """Replace this library with a backup's content, after checking all of it. The library as it
        was is first saved as a 'before-restore' backup. Nothing else may use the database meanwhile:
        the engine's connections are closed and reopen on the restored file."""
        if self.read_only:
            raise ReadOnlyLibraryError.for_folder(self.paths.root, "restore a backup into it")
        try:
            return self._restore(Path(source), passphrase, progress, cancel, safety_backup)
        except BaseException as exc:
            full = disk_full_cause(exc)
            if full is not None:  # the same plain words as every other full disk; the library is unchanged
                raise disk_full_error(self.paths.database, full) from exc
            raise

    def _restore(
        self,
        source: Path,
        passphrase: str | None,
        progress: ProgressCallback,
        cancel: CancelToken | None,
        safety_backup: bool,
    ) -> RestoreResult:
        connection, lock = open_backup(source, passphrase, self.library_key)
        try:
            info = verify_backup(connection, source, lock, self.audit, progress, cancel)
            saved = None
            if safety_backup and self.library_healthy and self.paths.database.exists():
                saved = self._automatic("before-restore", progress=progress, cancel=cancel)
            staged = backup_restore.stage_database(connection, self.paths, self.library_key, info, progress)
            try:
                backup_restore.stage_store(connection, self.paths, progress, cancel)
                if cancel is not None:
                    cancel.raise_if_cancelled()
                manifest = json.loads(
                    connection.execute(
                        f"SELECT value FROM {MANIFEST_TABLE} WHERE key = 'manifest'"
                    ).fetchone()[0]
                )
                anchor = backup_restore.bring_up_to_date(
                    self.paths, self.library_key, self.audit.key, staged, info, manifest
                )
            except BaseException:
                copies.remove_with_side_files(staged)
                raise
        finally:
            connection.close()
        backup_restore.swap(self.paths, self.engine, self.library_key, self.library_healthy, staged, anchor)
        reapplied = self.after_restore() if self.after_restore is not None else 0
        progress(1, 1, "Restored")
        return RestoreResult(info, saved, reapplied)

    # ---- automatic backups ------------------------------------------------------------------------

    def automatic(self) -> list[Path]:
        """The automatic backups in the library's backups folder, newest first."""
        return automatic_backups(self.paths)

    def take_daily(
        self,
        now: dt.datetime | None = None,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> Path | None:
        """The rolling backup: when the newest daily one is a day old (or there is none), take one and
        keep the last 7. Returns the new file, or None when none was due."""
        if self.read_only:
            return None  # nowhere to keep it; the library cannot change either
        now = now or _utcnow()
        newest = next((_stamp_of(p) for p in self.automatic() if p.name.startswith("daily-")), None)
        if newest is not None and now - newest < DAILY_EVERY:
            return None
        return self._automatic("daily", now, progress, cancel)

    def before_upgrade(self, revision: str) -> Path:
        """Called by migrate.upgrade() before it changes an existing library's schema."""
        return self._automatic("before-upgrade")

    def _automatic(
        self,
        kind: str,
        now: dt.datetime | None = None,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> Path:
        folder = self.paths.backups
        folder.mkdir(parents=True, exist_ok=True)
        stamp = (now or _utcnow()).astimezone(dt.UTC).strftime(_STAMP)
        target = folder / f"{kind}-{stamp}Z{SUFFIX}"
        n = 2
        while target.exists():
            target = folder / f"{kind}-{stamp}Z-{n}{SUFFIX}"
            n += 1
        self.create(target, None, progress, cancel)
        self._prune(kind)
        return target

    def _prune(self, kind: str) -> None:
        mine = [p for p in self.automatic() if p.name.startswith(f"{kind}-")]
        for old in mine[KEEP.get(kind, 7) :]:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()


def automatic_backups(paths: LibraryPaths) -> list[Path]:
    """The automatic backups in a library's backups folder, newest first."""
    return sorted(
        (p for p in _list(paths.backups) if _AUTOMATIC_NAME.match(p.name)),
        key=lambda p: _AUTOMATIC_NAME.match(p.name).group("stamp"),  # type: ignore[union-attr]
        reverse=True,
    )


def _refuse_damaged(connection: Any, paths: LibraryPaths) -> None:
    """Every page of the library is read and checked before a backup is written: a backup is made
    only from a healthy library, so rotating backups never pushes a healthy one out for a damaged one."""
    try:
        result = [r[0] for r in connection.execute("PRAGMA main.quick_check")]
    except dbapi_error() as exc:  # SQLCipher: a page failed its HMAC
        result = [str(exc)]
    if result != ["ok"]:
        raise LibraryDamagedError(
            "The library's database is damaged, so no backup was made and the earlier backups are all "
            "kept. Restore the newest one (File › Restore, or `msldesk restore`).",
            f"{paths.database}: {'; '.join(result[:5])}",
            library=paths.root,
            database=paths.database,
        )


def _snapshot_anchor(connection: Any, anchor_file: str | None) -> str | None:
    """The anchor a backup carries: the snapshot's newest record when the library's anchor file names
    that record or an earlier one of the snapshot (written while the app kept working); otherwise the
    file as it was, so that a problem of the library travels with its backup."""
    from msldesk.protect import audit

    if not connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'"
    ).fetchone():
        return anchor_file  # a library from before the audit trail (a backup before its upgrade)
    head = connection.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    if head is None or anchor_file is None:
        return anchor_file
    try:
        named = parse_json(anchor_file)
        row = connection.execute("SELECT hash FROM audit_log WHERE id = ?", (int(named["id"]),)).fetchone()
    except (ValueError, KeyError, TypeError):
        return anchor_file
    if row is None or row[0] != named.get("hash"):
        return anchor_file
    return audit.anchor_text(head[0], head[1])


def _create_store_tables(connection: Any) -> None:
    """The backup's own tables beside the library's: its manifest, and the deck store's files."""
    connection.execute(f"CREATE TABLE bak.{MANIFEST_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    connection.execute(
        f"CREATE TABLE bak.{FILES_TABLE} (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, "
        "sha256 TEXT NOT NULL, size INTEGER NOT NULL)"
    )
    connection.execute(
        f"CREATE TABLE bak.{CHUNKS_TABLE} (file_id INTEGER NOT NULL, seq INTEGER NOT NULL, "
        "data BLOB NOT NULL, PRIMARY KEY (file_id, seq))"
    )


def _copy_store_file(connection: Any, file_id: int, path: Path, name: str, size: int) -> None:
    """One store file into the backup in CHUNK-sized rows, with its hash, in a transaction of its own."""
    digest = hashlib.sha256()
    connection.execute("BEGIN")
    with open(path, "rb") as handle:
        seq = 0
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            connection.execute(f"INSERT INTO bak.{CHUNKS_TABLE} VALUES (?, ?, ?)", (file_id, seq, chunk))
            seq += 1
    connection.execute(
        f"INSERT INTO bak.{FILES_TABLE} VALUES (?, ?, ?, ?)",
        (file_id, name, digest.hexdigest(), size),
    )
    connection.execute("COMMIT")


def store_files(root: Path) -> dict[str, int]:
    """Finished store files (relative name -> size); temp files being staged start with a dot."""
    found: dict[str, int] = {}
    if not root.is_dir():
        return found
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                found[f"{folder.name}/{path.name}"] = path.stat().st_size
    return found


def _list(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_file()]
    except FileNotFoundError:
        return []


def _stamp_of(path: Path) -> dt.datetime:
    match = _AUTOMATIC_NAME.match(path.name)
    assert match is not None
    return dt.datetime.strptime(match.group("stamp"), _STAMP).replace(tzinfo=dt.UTC)


def _read_text(path: Path) -> str | None:
    try:
        return read_small_file(path).decode("utf-8")
    except FileNotFoundError:
        return None


def default_backup_name(now: dt.datetime | None = None) -> str:
    """A file name for a manual backup, e.g. for a save dialog's suggestion."""
    return f"msldesk-{(now or _utcnow()).astimezone():%Y-%m-%d-%H%M}{SUFFIX}"
