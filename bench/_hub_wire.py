"""hub_scale's bytes over the wire: a relay that counts what passes between client and server, and a
laptop's first sync through it (msldesk's read_deck_changes and download_file, or the same reads with
binary results for comparison)."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import threading
from pathlib import Path
from typing import Any


class CountingRelay:
    """A loopback TCP relay between the client and the server that counts the bytes each way."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.to_server = self.to_client = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.to_server = self.to_client = 0

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, upstream: bool) -> None:
        try:
            while data := source.recv(1 << 16):
                sink.sendall(data)
                with self._lock:
                    if upstream:
                        self.to_server += len(data)
                    else:
                        self.to_client += len(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._listener.close()


def first_sync(
    dsn: str, scratch: Path, binary: bool = False, limit: int | None = None, files_start: Any = None
) -> tuple[int, int]:
    """A laptop's first sync as msldesk's pull makes it: every deck's metadata (read_deck_changes), then
    the file of each deck still published, with msldesk.team.files.download_file into `scratch` (the
    first `limit` files; `files_start()` is called before them). With `binary`, the same chunks are read
    the same way but with binary results instead (not what msldesk does: for comparison).
    (files, bytes of those files)."""
    from msldesk.hub.changes import read_deck_changes
    from msldesk.team.files import download_file
    from msldesk.team.hub_link import open_hub

    connection = open_hub(dsn, None)
    try:
        changes = read_deck_changes(connection, None)
        needed = list(dict.fromkeys(d["file_sha256"] for d in changes.decks if not d["withdrawn"]))[:limit]
        if files_start is not None:
            files_start()
        total = 0
        for sha in needed:
            if binary:
                total += _binary_download(connection, sha)
                continue
            final = scratch / f"{sha}.pptx"
            total += download_file(connection, sha, scratch / f"{sha}.part", final)[1]
            final.unlink()
    finally:
        connection.close()
    return len(needed), total


def _binary_download(connection: Any, sha: str) -> int:
    """download_file's reads, with binary results: the file's size."""
    from msldesk.team.files import FETCH_CHUNKS

    with connection.transaction():
        size, _chunk_size, count = connection.execute(
            "SELECT size, chunk_size, chunk_count FROM msldesk.deck_files WHERE sha256 = %s", (sha,)
        ).fetchone()
    data = bytearray()
    for done in range(0, count, FETCH_CHUNKS):
        with connection.transaction(), connection.cursor(binary=True) as rows:
            rows.execute(
                "SELECT n, data, chunk_sha256 FROM msldesk.file_chunks WHERE file_sha256 = %s "
                "AND n >= %s AND n < %s ORDER BY n",
                (sha, done, done + FETCH_CHUNKS),
            )
            for _n, chunk, chunk_sha in rows.fetchall():
                if hashlib.sha256(chunk).hexdigest() != chunk_sha:
                    raise RuntimeError(f"a chunk of {sha} came back damaged")
                data += chunk
    if hashlib.sha256(data).hexdigest() != sha or len(data) != size:
        raise RuntimeError(f"file {sha} came back damaged")
    return size
