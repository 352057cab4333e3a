"""Deck files to and from the hub, by content: a file is named by its SHA-256 and moves in numbered
chunks, each checked against its own hash. Every chunk is committed (upload) or written and synced to
disk (download) on its own, so a transfer cut off half-way resumes at the first chunk it lacks."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from msldesk.hub.connect import hub_errors
from msldesk.hub.errors import HubError

CHUNK_SIZE = 1024 * 1024
FETCH_CHUNKS = 4  # chunks read in one short transaction while downloading

# Called after each chunk moved, with its size in bytes (tests stop the server or the process there).
OnChunk = Callable[[int], None]


def _no_chunk(_size: int) -> None:
    pass


def upload_file(connection: Any, path: Path, sha256: str, on_chunk: OnChunk = _no_chunk) -> tuple[int, int]:
    """Put the file on the hub unless it is there: (chunks sent, bytes sent). Chunks the hub already
    holds (from an upload cut off before) are not sent again."""
    size = path.stat().st_size
    with hub_errors("upload deck files (only the hub's publishers may)"):
        with connection.transaction():
            count = -(-size // CHUNK_SIZE)
            connection.execute(
                "INSERT INTO msldesk.deck_files (sha256, size, chunk_size, chunk_count) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (sha256, size, CHUNK_SIZE, count),
            )
            chunk_size, count = connection.execute(
                "SELECT chunk_size, chunk_count FROM msldesk.deck_files WHERE sha256 = %s", (sha256,)
            ).fetchone()
            have = {n for (n,) in connection.execute(
                "SELECT n FROM msldesk.file_chunks WHERE file_sha256 = %s", (sha256,)
            )}  # fmt: skip
        sent = sent_bytes = 0
        with path.open("rb") as source:
            for n in range(count):
                if n in have:
                    continue
                source.seek(n * chunk_size)
                data = source.read(chunk_size)
                with connection.transaction():
                    connection.execute(
                        "INSERT INTO msldesk.file_chunks (file_sha256, n, data, chunk_sha256) "
                        "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                        (sha256, n, data, hashlib.sha256(data).hexdigest()),
                    )
                sent, sent_bytes = sent + 1, sent_bytes + len(data)
                on_chunk(len(data))
    return sent, sent_bytes


def download_file(
    connection: Any, sha256: str, part: Path, final: Path, on_chunk: OnChunk = _no_chunk
) -> tuple[int, int]:
    """Fetch the file into `part` (kept between attempts: a download resumes where it stopped), check
    it whole, then give it the name `final`: (chunks fetched, bytes fetched)."""
    with hub_errors("download the published deck files"):
        with connection.transaction():
            row = connection.execute(
                "SELECT size, chunk_size, chunk_count FROM msldesk.deck_files WHERE sha256 = %s", (sha256,)
            ).fetchone()
        if row is None:
            raise HubError(f"The hub has no file {sha256[:12]}… for a deck it publishes: tell its publisher.")
        size, chunk_size, count = row
        part.parent.mkdir(parents=True, exist_ok=True)
        done = min(part.stat().st_size // chunk_size, count) if part.exists() else 0
        fetched = fetched_bytes = 0
        with part.open("r+b" if part.exists() else "wb") as out:
            out.truncate(done * chunk_size)  # a chunk half-written when the last attempt stopped
            out.seek(done * chunk_size)
            while done < count:
                with connection.transaction():
                    rows = connection.execute(
                        "SELECT n, data, chunk_sha256 FROM msldesk.file_chunks WHERE file_sha256 = %s "
                        "AND n >= %s AND n < %s ORDER BY n",
                        (sha256, done, done + FETCH_CHUNKS),
                        binary=True,  # bytea as text results travels as hex: twice the bytes
                    ).fetchall()
                for n, data, chunk_sha in rows:
                    if n != done or hashlib.sha256(data).hexdigest() != chunk_sha:
                        raise HubError(f"The hub's copy of a deck file ({sha256[:12]}…) is damaged.")
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                    done, fetched, fetched_bytes = done + 1, fetched + 1, fetched_bytes + len(data)
                    on_chunk(len(data))
                if not rows:
                    raise HubError(f"The hub's copy of a deck file ({sha256[:12]}…) is incomplete.")
    if out_sha(part) != sha256 or part.stat().st_size != size:
        part.unlink()
        raise HubError(f"A deck file ({sha256[:12]}…) arrived damaged; the next sync fetches it again.")
    os.replace(part, final)
    return fetched, fetched_bytes


def out_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
