"""Copies of a library's database file, as backups, restores and the encryption make them: names
beside the database, its side files, syncing the folder, scrubbing a plain copy, and the row counts
that check a copy."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

_SIDE_FILES = ("-wal", "-shm", "-journal")


def sibling(database: Path, purpose: str) -> Path:
    return database.with_name(f".{database.name}.{purpose}")


def attach_name(path: Path | str) -> str | bytes:
    """A file name to bind in ATTACH DATABASE: the text, or its raw bytes when the name holds a byte
    that is not UTF-8 (a text bind cannot encode it; SQLite reads a bound blob as the name's bytes)."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text)
    return text


def remove_with_side_files(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def fsync_folder(folder: Path) -> None:
    if os.name == "nt":
        return  # Windows cannot open a folder for fsync; its renames are journaled by NTFS
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def scrub(path: Path) -> None:
    """Overwrite a file with zeros, then delete it. Best effort: SSDs, copy-on-write file systems and
    snapshots can keep old blocks; full-disk encryption is what covers those."""
    with contextlib.suppress(FileNotFoundError):
        size = os.path.getsize(path)
        with open(path, "r+b") as handle:
            zeros = bytes(1024 * 1024)
            for start in range(0, size, len(zeros)):
                handle.write(zeros[: min(len(zeros), size - start)])
            handle.flush()
            os.fsync(handle.fileno())
        os.unlink(path)


def table_counts(connection: Any, schema: str = "main") -> dict[str, int]:
    names = [
        r[0]
        for r in connection.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {n: connection.execute(f'SELECT count(*) FROM {schema}."{n}"').fetchone()[0] for n in names}
