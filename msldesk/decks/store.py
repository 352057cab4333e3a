"""The library's content-addressed store: each imported file is kept under its SHA-256."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from functools import partial
from pathlib import Path
from typing import IO

from msldesk.core.errors import ReadOnlyLibraryError
from msldesk.core.user_files import open_regular, read_chunks
from msldesk.decks.ooxml.opc import DEFAULT_LIMITS, file_too_large


class DeckStore:
    """store/<2 hex>/<sha256>.<ext>; files are written once, atomically, and never modified.

    A staged copy is on disk (fsync) before it gets its final name, and the importer commits the
    database rows that refer to it only after that: a power cut can leave a stray temp file but
    never a half-written library file.
    """

    def __init__(self, root: Path, read_only: bool = False) -> None:
        self.root = Path(root)
        self.read_only = read_only  # the library folder cannot be written (msldesk.protect.upkeep)

    def require_writable(self, what: str) -> None:
        """Refuse work that writes into the library folder before it starts, in plain words (the
        OSError it would meet half-way reads like a problem with the user's own file)."""
        if self.read_only:
            raise ReadOnlyLibraryError.for_folder(self.root.parent, what)

    def path_for(self, sha256: str, ext: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}{ext.lower()}"

    def stage(self, source: Path, limit: int = DEFAULT_LIMITS.max_file_bytes) -> tuple[Path, str]:
        """Copy a user's file into a temp file inside the store while hashing it: (temp path, sha256).

        Only a regular file is copied (NotARegularFileError otherwise), and the copy stops with
        TooLargeError once more than `limit` bytes came: the size the file system reports can lie
        (it is 0 for a device or a pipe)."""
        with open_regular(source) as src:
            self.root.mkdir(parents=True, exist_ok=True)
            return self._copy_in(src, limit)

    def _copy_in(self, src: IO[bytes], limit: int) -> tuple[Path, str]:
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(prefix=".import-", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in read_chunks(src, limit, partial(file_too_large, limit)):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                # Durability: the copy is on disk before commit() names it and before any
                # database row refers to it. ~0.5 ms a deck on a quiet disk, several on a busy one.
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            # The folder commit() moves the file into, made here because the importer stages on
            # a helper thread: a new folder costs as much as a new file (~0.5 ms) and a library
            # has up to 256. An empty one left by a deck that then fails to read is harmless.
            self.path_for(sha256, "").parent.mkdir(exist_ok=True)
        except BaseException:
            self.discard(Path(tmp_name))
            raise
        return Path(tmp_name), sha256

    def commit(self, staged: Path, sha256: str, ext: str) -> Path:
        """Move a staged file to its final name (a no-op if that content is already stored)."""
        final = self.path_for(sha256, ext)
        if final.exists():
            self.discard(staged)
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)
        return final

    @staticmethod
    def discard(staged: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(staged)

    def remove(self, sha256: str, ext: str) -> bool:
        """Delete a stored file once no deck version refers to it; False if it was already gone."""
        try:
            os.unlink(self.path_for(sha256, ext))
        except FileNotFoundError:
            return False
        return True
