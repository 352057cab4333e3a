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
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from msldesk import __version__
from msldesk.db import crypto, migrate
from msldesk.db.migrate import refuse_unknown
from msldesk.errors import InvalidInputError, LibraryDamagedError, MsldeskError, ReadOnlyLibraryError
from msldesk.fileio import atomic_write_bytes, atomic_writer, disk_full_cause, disk_full_error
from msldesk.paths import LibraryPaths
from msldesk.progress import CancelToken, ProgressCallback, no_progress
from msldesk.user_files import display_name, open_regular

if TYPE_CHECKING:
    from msldesk.audit import AuditService

FORMAT = 1
SUFFIX = ".msldesk-backup"
BACKUP_PASSPHRASE_ENV = "MSLDESK_BACKUP_PASSPHRASE"
CHUNK = 1024 * 1024
MANIFEST_TABLE = "msldesk_backup_manifest"
FILES_TABLE = "msldesk_backup_files"
CHUNKS_TABLE = "msldesk_backup_chunks"
BACKUP_TABLES = frozenset({MANIFEST_TABLE, FILES_TABLE, CHUNKS_TABLE})
# Automatic backups kept per kind; the daily ones are the rolling backups.
KEEP = {"daily": 7, "before-upgrade": 3, "before-restore": 3}
DAILY_EVERY = dt.timedelta(days=1)
# Store files are named by their own content: <2 hex>/<sha256><ext>. Anything else in a backup is
# refused, so a crafted backup cannot write outside the store.
STORE_NAME = re.compile(r"^([0-9a-f]{2})/([0-9a-f]{64})(\.[a-z0-9]{1,10})$")
_AUTOMATIC_NAME = re.compile(r"^(?P<kind>[a-z-]+)-(?P<stamp>\d{8}-\d{6})Z(?:-\d+)?" + re.escape(SUFFIX) + "$")
_STAMP = "%Y%m%d-%H%M%S"


class BackupError(MsldeskError):
    kind = "backup"


class BackupLockedError(BackupError):
    """The backup did not open with the passphrase or key tried (ask for the backup's passphrase)."""

    kind = "backup-locked"


class DamagedBackupError(BackupError):
    kind = "backup-damaged"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: dt.datetime  # aware, UTC
    app_version: str
    schema_revision: str
    tables: Mapping[str, int]  # rows per library table
    files: int  # deck store files
    file_bytes: int
    locked_with: str  # "passphrase", "library key" or "nothing" (a library with encryption off)
    has_audit_anchor: bool
    # How the backup's audit trail was checked: with this library's key, as records of an earlier
    # msldesk (unkeyed), or (a backup of another library) its order, seals and anchor only.
    audit_check: str = ""


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


@dataclass(frozen=True)
class _Lock:
    key: bytes | None
    salt: bytes
    label: str

    @property
    def pragma(self) -> str:
        return "" if self.key is None else crypto.key_pragma_value(self.key, self.salt)


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
        """`library_healthy` False: the database is missing or damaged (see msldesk.library_guard), so a
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
        target = Path(target)
        if target.exists():
            raise InvalidInputError(f"{target} already exists; choose another name for the backup.")
        if not target.parent.is_dir():
            raise InvalidInputError(f"There is no folder {target.parent} to put the backup in.")
        lock = self._lock_for(passphrase)
        partial = target.with_name(f".{target.name}.partial")
        crypto.remove_with_side_files(partial)
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
            crypto.remove_with_side_files(partial)
            full = disk_full_cause(exc)
            if full is not None:
                raise disk_full_error(target, full) from exc
            raise
        connection.close()
        os.replace(partial, target)
        crypto.fsync_folder(target.parent)
        return BackupInfo(target, *info)

    def _write(
        self,
        connection: Any,
        partial: str,
        lock: _Lock,
        anchor: str | None,
        progress: ProgressCallback,
        cancel: CancelToken | None,
    ) -> tuple[Any, ...]:
        connection.execute("ATTACH DATABASE ? AS bak KEY ?", (partial, lock.pragma))
        progress(0, 1, "Copying the database")
        connection.execute("BEGIN")  # one read snapshot for the export, the counts and the file list
        _refuse_damaged(connection, self.paths)
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        connection.execute("SELECT sqlcipher_export('bak', 'main')")
        anchor = _snapshot_anchor(connection, anchor)
        counts = crypto.table_counts(connection, "main")
        referenced = {
            f"{sha[:2]}/{sha}{ext.lower()}"
            for sha, ext in connection.execute("SELECT sha256, file_ext FROM deck_versions")
        }
        connection.execute("COMMIT")  # store files never change once named, so no need to hold it
        connection.execute(f"CREATE TABLE bak.{MANIFEST_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.execute(
            f"CREATE TABLE bak.{FILES_TABLE} (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, "
            "sha256 TEXT NOT NULL, size INTEGER NOT NULL)"
        )
        connection.execute(
            f"CREATE TABLE bak.{CHUNKS_TABLE} (file_id INTEGER NOT NULL, seq INTEGER NOT NULL, "
            "data BLOB NOT NULL, PRIMARY KEY (file_id, seq))"
        )
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
            digest = hashlib.sha256()
            connection.execute("BEGIN")
            with open(self.paths.store / name, "rb") as handle:
                seq = 0
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                    connection.execute(
                        f"INSERT INTO bak.{CHUNKS_TABLE} VALUES (?, ?, ?)", (file_id, seq, chunk)
                    )
                    seq += 1
            connection.execute(
                f"INSERT INTO bak.{FILES_TABLE} VALUES (?, ?, ?, ?)",
                (file_id, name, digest.hexdigest(), size),
            )
            connection.execute("COMMIT")
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
            _KEYED_HERE,
        )

    def _lock_for(self, passphrase: str | None) -> _Lock:
        if passphrase is None:
            passphrase = self.library_key.passphrase
        elif passphrase:
            crypto.check_new_passphrase(passphrase)
        if passphrase:
            salt = os.urandom(crypto.SALT_BYTES)
            return _Lock(crypto.derive_key(passphrase, salt), salt, "passphrase")
        if self.library_key.key is not None:
            return _Lock(self.library_key.key, b"", "library key")
        return _Lock(None, b"", "nothing")

    # ---- checking ---------------------------------------------------------------------------------

    def check(
        self,
        source: Path,
        passphrase: str | None = None,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> BackupInfo:
        """Open and verify a backup completely (every page, every row count, every file's hash)."""
        connection, lock = self._open(Path(source), passphrase)
        try:
            return self._verify(connection, Path(source), lock, progress, cancel)
        finally:
            connection.close()

    def _open(self, source: Path, passphrase: str | None) -> tuple[Any, _Lock]:
        try:
            # A folder, device, pipe or socket is refused with its reason, never opened to wait.
            with open_regular(source) as handle:
                head = handle.read(len(crypto.SQLITE_HEADER))
        except FileNotFoundError as exc:
            raise InvalidInputError(f"There is no backup file {display_name(str(source))}.") from exc
        except OSError as exc:
            reason = exc.strerror or display_name(str(exc))
            shown = display_name(str(source))
            raise InvalidInputError(f"The backup file {shown} cannot be read: {reason}.") from exc
        candidates: list[_Lock] = []
        if head == crypto.SQLITE_HEADER:
            candidates.append(_Lock(None, b"", "nothing"))
        else:
            salt = head[: crypto.SALT_BYTES]
            for phrase in dict.fromkeys(p for p in (passphrase, self.library_key.passphrase) if p):
                candidates.append(_Lock(crypto.derive_key(phrase, salt), salt, "passphrase"))
            if self.library_key.key is not None:
                candidates.append(_Lock(self.library_key.key, b"", "library key"))
        for lock in candidates:
            try:
                if crypto.opens_with(source, lock.key, lock.salt):
                    return crypto.connect(source, lock.key, lock.salt, isolation_level=None), lock
            except _dbapi_error() as exc:
                raise DamagedBackupError("The backup file is damaged: it cannot be read.", str(exc)) from exc
        raise BackupLockedError(
            "The backup could not be opened: the passphrase is wrong, the backup was locked with another "
            "library's key, or the file is damaged.",
            f"{source}: tried {', '.join(c.label for c in candidates) or 'nothing'}",
        )

    def _verify(
        self,
        connection: Any,
        source: Path,
        lock: _Lock,
        progress: ProgressCallback,
        cancel: CancelToken | None,
    ) -> BackupInfo:
        try:
            return self._verify_unchecked(connection, source, lock, progress, cancel)
        except _dbapi_error() as exc:
            # SQLCipher checks each page's HMAC as it reads it: a flipped byte anywhere ends up here.
            raise DamagedBackupError(
                "The backup file is damaged (it failed its integrity check); nothing was changed.", str(exc)
            ) from exc

    def _verify_unchecked(
        self,
        connection: Any,
        source: Path,
        lock: _Lock,
        progress: ProgressCallback,
        cancel: CancelToken | None,
    ) -> BackupInfo:
        progress(0, 1, "Checking the backup")
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not BACKUP_TABLES <= tables:
            raise DamagedBackupError(
                "This file is not a msldesk backup, or its writing did not finish.",
                f"tables: {sorted(tables)}",
            )
        row = connection.execute(f"SELECT value FROM {MANIFEST_TABLE} WHERE key = 'manifest'").fetchone()
        if row is None:
            raise DamagedBackupError("This backup is incomplete: its manifest is missing.", str(source))
        try:
            manifest = json.loads(row[0])
            revision = str(manifest["schema_revision"])
            form = int(manifest["format"])
            expected_tables = {str(k): int(v) for k, v in manifest["tables"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DamagedBackupError("This backup's manifest is damaged.", str(exc)) from exc
        if form > FORMAT:
            raise BackupError(
                "This backup was made by a newer version of msldesk. Update msldesk to restore it.",
                f"backup format {form}, this version reads up to {FORMAT}",
            )
        refuse_unknown(revision, "This backup")
        integrity = [r[0] for r in connection.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            raise DamagedBackupError(
                "The backup file is damaged (it failed its integrity check); nothing was changed.",
                "; ".join(integrity[:5]),
            )
        counts = {k: v for k, v in crypto.table_counts(connection).items() if k not in BACKUP_TABLES}
        stored_revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if counts != expected_tables or stored_revision is None or stored_revision[0] != revision:
            raise DamagedBackupError(
                "This backup is inconsistent: its tables do not match its manifest.",
                f"manifest {expected_tables}, found {counts}, revision {stored_revision}",
            )
        files = connection.execute(f"SELECT id, path, sha256, size FROM {FILES_TABLE} ORDER BY id").fetchall()
        total = sum(f[3] for f in files)
        if len(files) != manifest.get("files") or total != manifest.get("file_bytes"):
            raise DamagedBackupError(
                "This backup is inconsistent: deck files are missing.",
                f"manifest {manifest.get('files')} files, found {len(files)}",
            )
        checked = 0
        for file_id, name, sha256, size in files:
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(checked, total or 1, f"Checking deck files ({file_id} of {len(files)})")
            match = STORE_NAME.match(name)
            if match is None or match.group(2) != sha256 or match.group(1) != sha256[:2]:
                raise DamagedBackupError("This backup names a deck file wrongly.", repr(name))
            digest, length = hashlib.sha256(), 0
            for (chunk,) in connection.execute(
                f"SELECT data FROM {CHUNKS_TABLE} WHERE file_id = ? ORDER BY seq", (file_id,)
            ):
                digest.update(chunk)
                length += len(chunk)
            if digest.hexdigest() != sha256 or length != size:
                raise DamagedBackupError("A deck file in this backup is damaged.", name)
            checked += size
        anchor = manifest.get("audit_anchor")
        audit_check = self._check_audit(connection, manifest, revision, "audit_log" in tables)
        progress(1, 1, "Backup checked")
        created = dt.datetime.fromisoformat(str(manifest.get("created_at")))
        return BackupInfo(
            source, created, str(manifest.get("app_version", "")), revision, expected_tables, len(files),
            total, lock.label, anchor is not None, audit_check,
        )  # fmt: skip

    def _check_audit(self, connection: Any, manifest: dict[str, Any], revision: str, has_log: bool) -> str:
        """Verify the backup's audit chain and anchor as `audit verify` would; refuse it if either
        was changed. Returns how it was checked (BackupInfo.audit_check)."""
        from msldesk import audit

        if not has_log:
            return ""  # a backup from before the audit trail existed
        anchor = manifest.get("audit_anchor")
        if anchor is not None and not isinstance(anchor, str):
            anchor = json.dumps(anchor)
        if migrate.older_than(revision, audit.KEYED_REVISION):
            final, check = audit.LEGACY, _UNKEYED
        else:
            final = str(manifest.get("audit_key_id", ""))
            check = _KEYED_HERE if final in self.audit.known_keys() else _OTHER_LIBRARY
        rows = audit.read_rows(connection.execute)
        report = audit.verify_rows(rows, self.audit.known_keys(), final, anchor)
        if not report.ok:
            shown = "; ".join(report.problems[:3]) + ("; …" if len(report.problems) > 3 else "")
            raise DamagedBackupError(
                f"The audit trail in this backup was changed after it was written, or is incomplete "
                f"({shown}); the backup was not used and nothing was changed.",
                "; ".join(report.problems[:50]),
            )
        return check

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
        connection, lock = self._open(source, passphrase)
        try:
            info = self._verify(connection, source, lock, progress, cancel)
            saved = None
            if safety_backup and self.library_healthy and self.paths.database.exists():
                saved = self._automatic("before-restore", progress=progress, cancel=cancel)
            staged = self._stage_database(connection, info, progress)
            try:
                self._stage_store(connection, progress, cancel)
                if cancel is not None:
                    cancel.raise_if_cancelled()
                manifest = json.loads(
                    connection.execute(
                        f"SELECT value FROM {MANIFEST_TABLE} WHERE key = 'manifest'"
                    ).fetchone()[0]
                )
                anchor = self._bring_up_to_date(staged, info, manifest)
            except BaseException:
                crypto.remove_with_side_files(staged)
                raise
        finally:
            connection.close()
        self._swap(staged, anchor)
        reapplied = self.after_restore() if self.after_restore is not None else 0
        progress(1, 1, "Restored")
        return RestoreResult(info, saved, reapplied)

    def _bring_up_to_date(self, staged: Path, info: BackupInfo, manifest: dict[str, Any]) -> str | None:
        """Before the staged copy replaces anything: bring it to this version's schema and key its
        audit chain with this library's key (records of an earlier msldesk, or of another library, are
        pinned by a re-keying record), so a power cut can never leave a library half adopted. Returns
        the anchor to install with it."""
        from msldesk.audit import AuditService, read_anchor
        from msldesk.db.engine import make_engine, make_session_factory

        anchor_file = _staged_anchor(self.paths)
        engine = make_engine(staged, self.library_key.key)
        try:
            revision_before = migrate.upgrade(engine)
            audit = AuditService(make_session_factory(engine), anchor_file, self.audit.key)
            audit.key_chain_after_upgrade(revision_before)
            if info.audit_check == _OTHER_LIBRARY:
                audit.rekey(
                    str(manifest["audit_key_id"]),
                    f"restored from a backup made by another library on {info.created_at:%Y-%m-%d %H:%M} "
                    "UTC: its records were checked for order, seals and anchor; their hashes need that "
                    "library's key",
                )
            rekeyed = read_anchor(anchor_file)  # written when a re-keying record was added
        finally:
            engine.dispose()
            anchor_file.unlink(missing_ok=True)
        # Everything into the file itself: the swap moves the database file alone.
        check = crypto.connect(staged, self.library_key.key, isolation_level=None)
        try:
            check.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            check.close()
        return rekeyed if rekeyed is not None else manifest.get("audit_anchor")

    def _stage_database(self, connection: Any, info: BackupInfo, progress: ProgressCallback) -> Path:
        progress(0, 1, "Copying the database")
        staged = crypto.sibling(self.paths.database, "restoring")
        crypto.remove_with_side_files(staged)
        key = self.library_key.key
        pragma = "" if key is None else crypto.key_pragma_value(key)
        try:
            connection.execute("ATTACH DATABASE ? AS lib KEY ?", (str(staged), pragma))
            try:
                connection.execute("SELECT sqlcipher_export('lib', 'main')")
                for table in sorted(BACKUP_TABLES):
                    connection.execute(f"DROP TABLE lib.{table}")
            finally:
                connection.execute("DETACH DATABASE lib")
            check = crypto.connect(staged, key, isolation_level=None)
            try:
                check.execute("VACUUM")  # give back the space the deck files took in the copy
                integrity = [r[0] for r in check.execute("PRAGMA integrity_check")]
                counts = crypto.table_counts(check)
            finally:
                check.close()
            if integrity != ["ok"] or counts != dict(info.tables):
                raise BackupError(
                    "The restored copy failed its check; the library was not changed.",
                    f"integrity {integrity[:5]}; rows {counts} vs {dict(info.tables)}",
                )
        except BaseException:
            crypto.remove_with_side_files(staged)
            raise
        return staged

    def _stage_store(self, connection: Any, progress: ProgressCallback, cancel: CancelToken | None) -> None:
        """Add the backup's deck files the store lacks. Harmless if the restore stops later: the store
        is content-addressed, and a file no row names is simply unused."""
        files = connection.execute(f"SELECT id, path, sha256 FROM {FILES_TABLE} ORDER BY id").fetchall()
        for n, (file_id, name, sha256) in enumerate(files, start=1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(n - 1, len(files) or 1, f"Restoring deck files ({n} of {len(files)})")
            final = self.paths.store / name
            if final.is_file() and _sha256_file(final) == sha256:
                continue
            with atomic_writer(final) as out:
                for (chunk,) in connection.execute(
                    f"SELECT data FROM {CHUNKS_TABLE} WHERE file_id = ? ORDER BY seq", (file_id,)
                ):
                    out.write(chunk)

    def _swap(self, staged: Path, anchor: str | None) -> None:
        """Put the staged database in place. A journal names the new file, so that a start after a
        power cut finishes the swap (the anchor) or forgets it, never mixes the two libraries."""
        database = self.paths.database
        self.engine.dispose()
        try:
            if not self.library_healthy:
                _keep_aside(database)
            if database.exists():
                current = crypto.connect(database, self.library_key.key, isolation_level=None)
                try:
                    busy = current.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                finally:
                    current.close()
                if busy and busy[0]:
                    raise BackupError(
                        "The library is in use by another msldesk window; close it and restore again.",
                        "WAL checkpoint busy",
                    )
            aside = self.paths.root / ".restore-previous"
            shutil.rmtree(aside, ignore_errors=True)
            aside.mkdir()
            if database.exists():
                try:
                    os.link(database, aside / database.name)
                except OSError:
                    shutil.copy2(database, aside / database.name)
            if self.paths.audit_anchor.exists():
                shutil.copy2(self.paths.audit_anchor, aside / self.paths.audit_anchor.name)
            stat = os.stat(staged)
            journal = {"new_database": [stat.st_dev, stat.st_ino], "audit_anchor": anchor}
            atomic_write_bytes(_journal(self.paths), json.dumps(journal).encode("utf-8"))
        except BaseException:
            crypto.remove_with_side_files(staged)
            raise
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{database}{suffix}")
        os.replace(staged, database)
        crypto.fsync_folder(database.parent)
        _finish_restore(self.paths, anchor)

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
    except _dbapi_error() as exc:  # SQLCipher: a page failed its HMAC
        result = [str(exc)]
    if result != ["ok"]:
        raise LibraryDamagedError(
            "The library's database is damaged, so no backup was made and the earlier backups are all "
            "kept. Restore the newest one (File › Restore, or `msldesk restore`).",
            f"{paths.database}: {'; '.join(result[:5])}",
            library=paths.root,
            database=paths.database,
        )


def _keep_aside(database: Path) -> None:
    """A damaged or empty database is renamed, never deleted: it may still hold something to rescue."""
    if not os.path.lexists(database):
        return
    if os.path.isfile(database) and not os.path.getsize(database):
        os.unlink(database)  # an empty file holds nothing to rescue
    stamp = _utcnow().strftime(_STAMP)
    aside = database.with_name(f"{database.name}.damaged-{stamp}Z")
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{database}{suffix}", f"{aside}{suffix}")


_KEYED_HERE = "this library's key"
_UNKEYED = "unkeyed records of an earlier msldesk"
_OTHER_LIBRARY = "another library's key (order, seals and anchor checked)"


def _snapshot_anchor(connection: Any, anchor_file: str | None) -> str | None:
    """The anchor a backup carries: the snapshot's newest record when the library's anchor file names
    that record or an earlier one of the snapshot (written while the app kept working); otherwise the
    file as it was, so that a problem of the library travels with its backup."""
    from msldesk import audit

    if not connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'"
    ).fetchone():
        return anchor_file  # a library from before the audit trail (a backup before its upgrade)
    head = connection.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    if head is None or anchor_file is None:
        return anchor_file
    try:
        named = json.loads(anchor_file)
        row = connection.execute("SELECT hash FROM audit_log WHERE id = ?", (int(named["id"]),)).fetchone()
    except (ValueError, KeyError, TypeError):
        return anchor_file
    if row is None or row[0] != named.get("hash"):
        return anchor_file
    return audit.anchor_text(head[0], head[1])


def _staged_anchor(paths: LibraryPaths) -> Path:
    return crypto.sibling(paths.database, "restoring-anchor")


def _journal(paths: LibraryPaths) -> Path:
    return paths.root / ".restore-pending.json"


def _finish_restore(paths: LibraryPaths, anchor: str | None) -> None:
    if anchor is None:
        with contextlib.suppress(FileNotFoundError):
            paths.audit_anchor.unlink()
    else:
        atomic_write_bytes(paths.audit_anchor, anchor.encode("utf-8"))
    with contextlib.suppress(FileNotFoundError):
        _journal(paths).unlink()
    shutil.rmtree(paths.root / ".restore-previous", ignore_errors=True)


def recover_interrupted_restore(paths: LibraryPaths) -> None:
    """At start: finish a restore whose database swap happened, or drop one that stopped before it."""
    journal = _journal(paths)
    crypto.remove_with_side_files(crypto.sibling(paths.database, "restoring"))
    _staged_anchor(paths).unlink(missing_ok=True)
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        shutil.rmtree(paths.root / ".restore-previous", ignore_errors=True)
        return
    except (OSError, ValueError):
        data = {}
    try:
        stat = os.stat(paths.database)
        swapped = [stat.st_dev, stat.st_ino] == data.get("new_database")
    except FileNotFoundError:
        swapped = False
    if swapped:
        _finish_restore(paths, data.get("audit_anchor"))
    else:
        with contextlib.suppress(FileNotFoundError):
            journal.unlink()
        shutil.rmtree(paths.root / ".restore-previous", ignore_errors=True)


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
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _dbapi_error() -> type[Exception]:
    import sqlcipher3.dbapi2 as sqlcipher

    return sqlcipher.DatabaseError


def default_backup_name(now: dt.datetime | None = None) -> str:
    """A file name for a manual backup, e.g. for a save dialog's suggestion."""
    return f"msldesk-{(now or _utcnow()).astimezone():%Y-%m-%d-%H%M}{SUFFIX}"
