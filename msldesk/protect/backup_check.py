"""The backup file: its format, and opening and checking a backup completely before anything uses it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msldesk.core.errors import InvalidInputError, MsldeskError
from msldesk.core.progress import CancelToken, ProgressCallback
from msldesk.core.user_files import display_name, open_regular, parse_json
from msldesk.db import copies, crypto, migrate
from msldesk.db.migrate import refuse_unknown

if TYPE_CHECKING:
    from msldesk.protect.audit import AuditService

FORMAT = 1
SUFFIX = ".msldesk-backup"
BACKUP_PASSPHRASE_ENV = "MSLDESK_BACKUP_PASSPHRASE"
CHUNK = 1024 * 1024
MANIFEST_TABLE = "msldesk_backup_manifest"
FILES_TABLE = "msldesk_backup_files"
CHUNKS_TABLE = "msldesk_backup_chunks"
BACKUP_TABLES = frozenset({MANIFEST_TABLE, FILES_TABLE, CHUNKS_TABLE})
# Store files are named by their own content: <2 hex>/<sha256><ext>. Anything else in a backup is
# refused, so a crafted backup cannot write outside the store.
STORE_NAME = re.compile(r"^([0-9a-f]{2})/([0-9a-f]{64})(\.[a-z0-9]{1,10})$")


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
class Lock:
    key: bytes | None
    salt: bytes
    label: str

    @property
    def pragma(self) -> str:
        return "" if self.key is None else crypto.key_pragma_value(self.key, self.salt)


# How a backup's audit trail was checked (BackupInfo.audit_check).
KEYED_HERE = "this library's key"
UNKEYED = "unkeyed records of an earlier msldesk"
OTHER_LIBRARY = "another library's key (order, seals and anchor checked)"


def open_backup(source: Path, passphrase: str | None, library_key: crypto.LibraryKey) -> tuple[Any, Lock]:
    """Open a backup with the passphrase given, the library's passphrase or the library's key."""
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
    candidates: list[Lock] = []
    if head == crypto.SQLITE_HEADER:
        candidates.append(Lock(None, b"", "nothing"))
    else:
        salt = head[: crypto.SALT_BYTES]
        for phrase in dict.fromkeys(p for p in (passphrase, library_key.passphrase) if p):
            candidates.append(Lock(crypto.derive_key(phrase, salt), salt, "passphrase"))
        if library_key.key is not None:
            candidates.append(Lock(library_key.key, b"", "library key"))
    for lock in candidates:
        try:
            if crypto.opens_with(source, lock.key, lock.salt):
                return crypto.connect(source, lock.key, lock.salt, isolation_level=None), lock
        except dbapi_error() as exc:
            raise DamagedBackupError("The backup file is damaged: it cannot be read.", str(exc)) from exc
    raise BackupLockedError(
        "The backup could not be opened: the passphrase is wrong, the backup was locked with another "
        "library's key, or the file is damaged.",
        f"{source}: tried {', '.join(c.label for c in candidates) or 'nothing'}",
    )


def verify_backup(
    connection: Any,
    source: Path,
    lock: Lock,
    audit: AuditService,
    progress: ProgressCallback,
    cancel: CancelToken | None,
) -> BackupInfo:
    """Verify an open backup completely (every page, every row count, every file's hash, its audit trail)."""
    try:
        return _verify_unchecked(connection, source, lock, audit, progress, cancel)
    except dbapi_error() as exc:
        # SQLCipher checks each page's HMAC as it reads it: a flipped byte anywhere ends up here.
        raise DamagedBackupError(
            "The backup file is damaged (it failed its integrity check); nothing was changed.", str(exc)
        ) from exc


def _verify_unchecked(
    connection: Any,
    source: Path,
    lock: Lock,
    audit: AuditService,
    progress: ProgressCallback,
    cancel: CancelToken | None,
) -> BackupInfo:
    progress(0, 1, "Checking the backup")
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not BACKUP_TABLES.issubset(tables):
        raise DamagedBackupError(
            "This file is not a msldesk backup, or its writing did not finish.",
            f"tables: {sorted(tables)}",
        )
    row = connection.execute(f"SELECT value FROM {MANIFEST_TABLE} WHERE key = 'manifest'").fetchone()
    if row is None:
        raise DamagedBackupError("This backup is incomplete: its manifest is missing.", str(source))
    try:
        manifest = parse_json(row[0])
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
    counts = {k: v for k, v in copies.table_counts(connection).items() if k not in BACKUP_TABLES}
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
    audit_check = _check_audit(connection, manifest, revision, "audit_log" in tables, audit)
    progress(1, 1, "Backup checked")
    created = dt.datetime.fromisoformat(str(manifest.get("created_at")))
    return BackupInfo(
        source, created, str(manifest.get("app_version", "")), revision, expected_tables, len(files),
        total, lock.label, anchor is not None, audit_check,
    )  # fmt: skip


def _check_audit(
    connection: Any, manifest: dict[str, Any], revision: str, has_log: bool, service: AuditService
) -> str:
    """Verify the backup's audit chain and anchor as `audit verify` would; refuse it if either
    was changed. Returns how it was checked (BackupInfo.audit_check)."""
    from msldesk.protect import audit

    if not has_log:
        return ""  # a backup from before the audit trail existed
    anchor = manifest.get("audit_anchor")
    if anchor is not None and not isinstance(anchor, str):
        anchor = json.dumps(anchor)
    if migrate.older_than(revision, audit.KEYED_REVISION):
        final, check = audit.LEGACY, UNKEYED
    else:
        final = str(manifest.get("audit_key_id", ""))
        check = KEYED_HERE if final in service.known_keys() else OTHER_LIBRARY
    rows = audit.read_rows(connection.execute)
    report = audit.verify_rows(rows, service.known_keys(), final, anchor)
    if not report.ok:
        shown = "; ".join(report.problems[:3]) + ("; …" if len(report.problems) > 3 else "")
        raise DamagedBackupError(
            f"The audit trail in this backup was changed after it was written, or is incomplete "
            f"({shown}); the backup was not used and nothing was changed.",
            "; ".join(report.problems[:50]),
        )
    return check


def dbapi_error() -> type[Exception]:
    import sqlcipher3.dbapi2 as sqlcipher

    return sqlcipher.DatabaseError
