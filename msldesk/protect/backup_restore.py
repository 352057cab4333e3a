"""Restoring a checked backup: stage its copy, bring it up to date, swap it in; finish an interrupted one."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from msldesk.core.fileio import atomic_write_bytes, atomic_writer
from msldesk.core.paths import LibraryPaths
from msldesk.core.progress import CancelToken, ProgressCallback
from msldesk.db import copies, crypto, migrate
from msldesk.protect.backup_check import (
    BACKUP_TABLES,
    CHUNK,
    CHUNKS_TABLE,
    FILES_TABLE,
    OTHER_LIBRARY,
    BackupError,
    BackupInfo,
)

_STAMP = "%Y%m%d-%H%M%S"


def stage_database(
    connection: Any,
    paths: LibraryPaths,
    library_key: crypto.LibraryKey,
    info: BackupInfo,
    progress: ProgressCallback,
) -> Path:
    """Copy the backup's database beside the library's, less the backup's own tables; check the copy."""
    progress(0, 1, "Copying the database")
    staged = copies.sibling(paths.database, "restoring")
    copies.remove_with_side_files(staged)
    key = library_key.key
    pragma = "" if key is None else crypto.key_pragma_value(key)
    try:
        connection.execute("ATTACH DATABASE ? AS lib KEY ?", (copies.attach_name(staged), pragma))
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
            counts = copies.table_counts(check)
        finally:
            check.close()
        if integrity != ["ok"] or counts != dict(info.tables):
            raise BackupError(
                "The restored copy failed its check; the library was not changed.",
                f"integrity {integrity[:5]}; rows {counts} vs {dict(info.tables)}",
            )
    except BaseException:
        copies.remove_with_side_files(staged)
        raise
    return staged


def stage_store(
    connection: Any, paths: LibraryPaths, progress: ProgressCallback, cancel: CancelToken | None
) -> None:
    """Add the backup's deck files the store lacks. Harmless if the restore stops later: the store
    is content-addressed, and a file no row names is simply unused."""
    files = connection.execute(f"SELECT id, path, sha256 FROM {FILES_TABLE} ORDER BY id").fetchall()
    for n, (file_id, name, sha256) in enumerate(files, start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(n - 1, len(files) or 1, f"Restoring deck files ({n} of {len(files)})")
        final = paths.store / name
        if final.is_file() and _sha256_file(final) == sha256:
            continue
        with atomic_writer(final) as out:
            for (chunk,) in connection.execute(
                f"SELECT data FROM {CHUNKS_TABLE} WHERE file_id = ? ORDER BY seq", (file_id,)
            ):
                out.write(chunk)


def bring_up_to_date(
    paths: LibraryPaths,
    library_key: crypto.LibraryKey,
    audit_key: bytes,
    staged: Path,
    info: BackupInfo,
    manifest: dict[str, Any],
) -> str | None:
    """Before the staged copy replaces anything: bring it to this version's schema and key its
    audit chain with this library's key (records of an earlier msldesk, or of another library, are
    pinned by a re-keying record), so a power cut can never leave a library half adopted. Returns
    the anchor to install with it."""
    from msldesk.db.engine import make_engine, make_session_factory
    from msldesk.protect.audit import AuditService, read_anchor

    anchor_file = _staged_anchor(paths)
    engine = make_engine(staged, library_key.key)
    try:
        revision_before = migrate.upgrade(engine)
        audit = AuditService(make_session_factory(engine), anchor_file, audit_key)
        audit.key_chain_after_upgrade(revision_before)
        if info.audit_check == OTHER_LIBRARY:
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
    check = crypto.connect(staged, library_key.key, isolation_level=None)
    try:
        check.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        check.close()
    return rekeyed if rekeyed is not None else manifest.get("audit_anchor")


def swap(
    paths: LibraryPaths,
    engine: Engine,
    library_key: crypto.LibraryKey,
    library_healthy: bool,
    staged: Path,
    anchor: str | None,
) -> None:
    """Put the staged database in place. A journal names the new file, so that a start after a
    power cut finishes the swap (the anchor) or forgets it, never mixes the two libraries."""
    database = paths.database
    engine.dispose()
    try:
        if not library_healthy:
            _keep_aside(database)
        if database.exists():
            current = crypto.connect(database, library_key.key, isolation_level=None)
            try:
                busy = current.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                current.close()
            if busy and busy[0]:
                raise BackupError(
                    "The library is in use by another msldesk window; close it and restore again.",
                    "WAL checkpoint busy",
                )
        aside = paths.root / ".restore-previous"
        shutil.rmtree(aside, ignore_errors=True)
        aside.mkdir()
        if database.exists():
            try:
                os.link(database, aside / database.name)
            except OSError:
                shutil.copy2(database, aside / database.name)
        if paths.audit_anchor.exists():
            shutil.copy2(paths.audit_anchor, aside / paths.audit_anchor.name)
        stat = os.stat(staged)
        journal = {"new_database": [stat.st_dev, stat.st_ino], "audit_anchor": anchor}
        atomic_write_bytes(_journal(paths), json.dumps(journal).encode("utf-8"))
    except BaseException:
        copies.remove_with_side_files(staged)
        raise
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{database}{suffix}")
    os.replace(staged, database)
    copies.fsync_folder(database.parent)
    _finish_restore(paths, anchor)


def _keep_aside(database: Path) -> None:
    """A damaged or empty database is renamed, never deleted: it may still hold something to rescue."""
    if not os.path.lexists(database):
        return
    if os.path.isfile(database) and not os.path.getsize(database):
        os.unlink(database)  # an empty file holds nothing to rescue
    stamp = dt.datetime.now(dt.UTC).strftime(_STAMP)
    aside = database.with_name(f"{database.name}.damaged-{stamp}Z")
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{database}{suffix}", f"{aside}{suffix}")


def _staged_anchor(paths: LibraryPaths) -> Path:
    return copies.sibling(paths.database, "restoring-anchor")


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
    copies.remove_with_side_files(copies.sibling(paths.database, "restoring"))
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


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
