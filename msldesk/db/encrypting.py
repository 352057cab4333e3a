"""Before the engine is made: the one-time, crash-safe move of a plain library into an encrypted
file (finished or undone when it was interrupted), and `prepare_library`, which unlocks the library
and encrypts it when it is still plain."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from msldesk.core.errors import LibraryDamagedError, MsldeskError
from msldesk.core.paths import LibraryPaths
from msldesk.core.secrets import SecretStore
from msldesk.db.copies import attach_name, fsync_folder, remove_with_side_files, scrub, sibling, table_counts
from msldesk.db.crypto import (
    LibraryKey,
    PassphraseProvider,
    connect,
    database_state,
    encryption_wanted,
    key_pragma_value,
    read_only_uri,
    unlock,
)


def recover_interrupted_encryption(database: Path) -> None:
    """Finish or undo an encryption that stopped half-way (power cut, killed process)."""
    # An unfinished encrypted copy goes: the plain file still rules.
    remove_with_side_files(sibling(database, "encrypting"))
    plain = sibling(database, "plaintext")
    if not plain.exists():
        return
    if not database.exists():
        os.replace(plain, database)  # never happens in the protocol below; keep the data if it does
    elif os.path.samefile(plain, database):
        os.unlink(plain)  # stopped before the swap: it is the live (plain) library's second name
    else:
        scrub(plain)  # stopped after the swap: the old plain copy


def encrypt_in_place(database: Path, key: bytes, before_swap: Callable[[], None] | None = None) -> None:
    """Copy a plain library into a new encrypted file, check the copy, swap it in atomically, then
    scrub the plain file. Until the swap the plain library is untouched; after it, the encrypted one is
    complete. `before_swap` is a test hook (simulate a failure there)."""
    recover_interrupted_encryption(database)
    target = sibling(database, "encrypting")
    source = connect(database, None, isolation_level=None)
    try:
        busy = source.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy and busy[0]:
            raise MsldeskError(
                "The library is open in another msldesk window. Close it, then start msldesk again.",
                f"{database}: WAL checkpoint busy",
            )
        counts = table_counts(source)
        user_version = source.execute("PRAGMA user_version").fetchone()[0]
        source.execute("ATTACH DATABASE ? AS enc KEY ?", (attach_name(target), key_pragma_value(key)))
        try:
            source.execute("BEGIN IMMEDIATE")  # no other writer while the copy is made
            source.execute("SELECT sqlcipher_export('enc')")
            source.execute(f"PRAGMA enc.user_version = {int(user_version)}")
            source.execute("COMMIT")
        finally:
            if source.in_transaction:
                source.execute("ROLLBACK")
            source.execute("DETACH DATABASE enc")
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        source.close()
        remove_with_side_files(target)
        raise
    source.close()
    try:
        _verify_copy(target, key, counts)
        if before_swap is not None:
            before_swap()
        wal = Path(f"{database}-wal")
        if wal.exists() and wal.stat().st_size:
            raise MsldeskError(
                "The library is open in another msldesk window. Close it, then start msldesk again.",
                f"{wal} is not empty after the copy",
            )
        for suffix in ("-wal", "-shm"):  # the plain file's; they must not be applied to the new one
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{database}{suffix}")
        link = sibling(database, "plaintext")
        try:
            os.link(database, link)  # a second name, so the plain bytes can be scrubbed after the swap
            plain: Path | None = link
        except OSError:
            plain = None  # no hard links here (FAT, some network drives): the swap only unlinks
    except BaseException:
        remove_with_side_files(target)
        raise
    try:
        os.replace(target, database)
    except BaseException:
        if plain is not None:
            os.unlink(plain)  # still the live plain file's second name: only the name goes
        remove_with_side_files(target)
        raise
    fsync_folder(database.parent)
    if plain is not None:
        scrub(plain)


def _verify_copy(target: Path, key: bytes, counts: dict[str, int]) -> None:
    check = connect(target, key)
    try:
        result = [r[0] for r in check.execute("PRAGMA integrity_check")]
        copied = table_counts(check)
    finally:
        check.close()
    if result != ["ok"] or copied != counts:
        raise MsldeskError(
            "Encrypting the library failed a check; the library was left as it was (not encrypted).",
            f"integrity: {result[:5]}; rows before {counts}, after {copied}",
        )


def plain_revision(database: Path) -> str | None:
    """The Alembic revision of a plain library, read without changing the file."""
    import sqlite3

    connection = sqlite3.connect(read_only_uri(database), uri=True)
    try:
        if not connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone():
            return None
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        connection.close()


def prepare_library(
    paths: LibraryPaths,
    secrets: SecretStore,
    provider: PassphraseProvider | None = None,
    encrypt: bool | None = None,
    witness: Path | None = None,
    read_only: bool = False,
) -> LibraryKey:
    """Everything before the engine is made: finish or undo an interrupted encryption, refuse a plain
    library from a newer msldesk (before touching it), unlock, and encrypt a plain library in place.
    A read-only library is only unlocked: a plain one stays plain, nothing is recovered."""
    import sqlite3

    from msldesk.db.migrate import refuse_unknown

    if not read_only:
        recover_interrupted_encryption(paths.database)
    if encrypt is None:
        encrypt = encryption_wanted()
    if database_state(paths.database) == "plain":
        try:
            revision = plain_revision(paths.database)
        except sqlite3.DatabaseError as exc:
            details = f"{paths.database}: {exc}"
            raise LibraryDamagedError("The library's database is damaged.", details) from exc
        refuse_unknown(revision)
    library_key = unlock(paths, secrets, provider, encrypt, witness, read_only)
    if library_key.key is not None and database_state(paths.database) == "plain":
        encrypt_in_place(paths.database, library_key.key)
    return library_key
