"""Atomic file writes: a temp file in the same folder, fsync, then rename over the target."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from msldesk.core.errors import DiskFullError, error_chain

# "No space left" and "quota used up" mean the same to a user: nothing more fits in that folder.
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def _no_space(exc: BaseException) -> OSError | None:
    """The out-of-space OSError behind `exc`, if any (a writer library may wrap or chain it)."""
    return next((e for e in error_chain(exc) if isinstance(e, OSError) and e.errno in _NO_SPACE), None)


def disk_full_error(target: Path, exc: BaseException) -> DiskFullError:
    folder = Path(target).parent
    return DiskFullError(
        f"The disk is full: there is no room left in {folder} to save {Path(target).name}. "
        "Nothing was written there (any earlier file of that name is unchanged). Free some space on "
        "that disk, or choose a folder on another disk, and try again.",
        details=f"{target}: {exc!r}",
    )


@contextlib.contextmanager
def atomic_writer(target: Path, *, replace: bool = True) -> Iterator[IO[bytes]]:
    """Yield a binary file; on clean exit it replaces `target` in one step, on error it vanishes.
    `replace` False: a file already at `target` is kept and FileExistsError raised (write once).

    Running out of space anywhere on the way (the caller's writes, flush, fsync) raises
    DiskFullError, which is an OSError too so callers that catch OSError keep working."""
    target = Path(target)
    tmp_name = ""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp_name, target)
        else:
            _create(tmp_name, target)
    except BaseException as exc:
        if tmp_name:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
        full = None if isinstance(exc, DiskFullError) else _no_space(exc)
        if full is not None:
            raise disk_full_error(target, full) from exc
        raise


def _create(tmp_name: str, target: Path) -> None:
    """Give the finished temp file the name `target` only if nothing has that name yet."""
    try:
        os.link(tmp_name, target)  # atomic, and fails with FileExistsError instead of replacing
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT, some network drives): check, then rename
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
        os.replace(tmp_name, target)
        return
    os.unlink(tmp_name)


def atomic_write_bytes(target: Path, data: bytes, *, replace: bool = True) -> None:
    with atomic_writer(target, replace=replace) as handle:
        handle.write(data)


_SQLITE_FULL = 13  # SQLite's own "database or disk is full" (it reports no errno)
_SQLITE_FULL_TEXT = "database or disk is full"  # sqlcipher_export() passes it on as a plain SQLITE_ERROR


def disk_full_cause(exc: BaseException) -> BaseException | None:
    """The out-of-space error behind `exc`: an OSError, or SQLite's SQLITE_FULL from a database write."""
    for current in error_chain(exc):
        code = getattr(current, "sqlite_errorcode", None)
        if code == _SQLITE_FULL or (code is not None and _SQLITE_FULL_TEXT in str(current)):
            return current
    return _no_space(exc)


# Errors that mean "this folder cannot be written", as opposed to a fault to report.
WRITE_ERRORS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def folder_is_writable(folder: Path) -> bool:
    """A real write probe: os.access says yes to root on a read-only mount and no-write folder bits."""
    try:
        fd, name = tempfile.mkstemp(prefix=".write-probe-", suffix=".tmp", dir=folder)
    except OSError as exc:
        if exc.errno in WRITE_ERRORS:
            return False
        raise
    os.close(fd)
    os.unlink(name)
    return True
