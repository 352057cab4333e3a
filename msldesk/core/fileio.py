"""Atomic file writes: a temp file in the same folder, fsync, then rename over the target."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TypeVar

from msldesk.core.errors import (
    DiskFullError,
    NotWritableError,
    OutputExistsError,
    OutputRefusedError,
    error_chain,
)
from msldesk.core.user_files import display_name, encodable

T = TypeVar("T")

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


def temp_prefix(name: str) -> str:
    """A hidden temp file's prefix beside a file called `name`: `.name.`, the name cut so that the
    prefix, a random part and an ending stay within the 255 bytes a file name may have (a 250-byte
    name is valid, its temp file must be too)."""
    # Cut as bytes, then decoded without the character the cut may have split (on Windows a half
    # character cannot be decoded back into a name at all).
    return "." + os.fsencode(name)[:_TEMP_NAME_BYTES].decode("utf-8", "ignore") + "."


_TEMP_NAME_BYTES = 200
_NAME_BYTES = 255  # the most bytes in one file name on Linux, macOS (UTF-8) and Windows (chars)


def not_writable_error(target: Path, exc: OSError) -> NotWritableError:
    folder = Path(target).parent
    return NotWritableError(
        f"{display_name(str(Path(target).name))} cannot be saved in {display_name(str(folder))}: that folder "
        f"is read-only or you may not write there ({exc.strerror}). Nothing was written; choose another "
        "folder.",
        details=f"{target}: {exc!r}",
        code=exc.errno or errno.EACCES,
    )


def _folder_step(target: Path, step: Callable[[], T]) -> T:
    """One of the writer's own steps in the target's folder (make it, make the temp file, rename):
    a refusal to write there is said in plain words; the caller's own errors are left alone."""
    try:
        return step()
    except OSError as exc:
        if exc.errno in WRITE_ERRORS:
            raise not_writable_error(target, exc) from exc
        if exc.errno == errno.ENAMETOOLONG:
            raise OutputRefusedError(
                f"The name {display_name(str(target))} is too long for the disk; choose a shorter name "
                "or folder. Nothing was written.",
                details=repr(exc),
            ) from exc
        if exc.errno == errno.EISDIR:
            raise OutputRefusedError(
                f"{display_name(str(target))} is a folder; choose a file name. Nothing was written.",
                details=repr(exc),
            ) from exc
        raise


@contextlib.contextmanager
def atomic_writer(target: Path, *, replace: bool = True) -> Iterator[IO[bytes]]:
    """Yield a binary file; on clean exit it replaces `target` in one step, on error it vanishes.
    `replace` False: a file already at `target` is kept and FileExistsError raised (write once).

    Running out of space anywhere on the way (the caller's writes, flush, fsync) raises
    DiskFullError, a folder that may not be written NotWritableError; both are OSErrors too, so
    callers that catch OSError keep working."""
    target = Path(target)
    tmp_name = ""
    try:
        _folder_step(target, lambda: target.parent.mkdir(parents=True, exist_ok=True))
        fd, tmp_name = _folder_step(
            target,
            lambda: tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=".tmp", dir=target.parent),
        )
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            _folder_step(target, lambda: os.replace(tmp_name, target))
        else:
            _folder_step(target, lambda: _create(tmp_name, target))
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


def check_output_file(target: Path, *, overwrite: bool = False, replaceable: bool = True) -> Path:
    """`target`, a file the user named for msldesk to write, when it can be written there: refused in
    plain words (OutputRefusedError) before anything is written when it is a folder, a pipe, a
    device or a link, when its folder is missing, when its name holds control
    characters or is longer than a disk takes, and when a file of that name exists (OutputExistsError)
    unless `overwrite` says the user chose to replace it (`replaceable` False: no file is ever
    replaced there, such as a backup, and the message does not offer it)."""
    target = Path(target)
    shown = display_name(str(target))
    name = target.name
    if not name or name in (".", ".."):
        raise OutputRefusedError(f"{shown} names no file; add a file name. Nothing was written.")
    if display_name(name) != encodable(name):  # the characters display_name shows as escapes
        raise OutputRefusedError(
            f"The file name {display_name(name)} holds a line break, another control character or an "
            "invisible one that reorders or hides the name, which most programs cannot show or open; "
            "choose a name without them. Nothing was written."
        )
    if len(os.fsencode(name)) > _NAME_BYTES:
        shown_name = display_name(name if len(name) <= 60 else f"{name[:30]}…{name[-25:]}")
        raise OutputRefusedError(
            f"The file name {shown_name} is {len(os.fsencode(name))} bytes long; disks take at most "
            f"{_NAME_BYTES}. Choose a shorter name. Nothing was written.",
            details=str(target),
        )
    folder = target.parent
    if not folder.is_dir():
        raise OutputRefusedError(
            f"The folder {display_name(str(folder))} does not exist; create it or choose another "
            "folder. Nothing was written."
        )
    _check_existing(target, shown, overwrite, replaceable)
    return target  # a folder that may not be written: atomic_writer says so (NotWritableError)


def _check_existing(target: Path, shown: str, overwrite: bool, replaceable: bool) -> None:
    try:
        found = os.lstat(target)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(found.st_mode):
        where = display_name(os.readlink(target))
        raise OutputRefusedError(
            f"{shown} is a link (to {where}); msldesk does not write through links. Choose another "
            "name, or the file it leads to. Nothing was written."
        )
    if stat.S_ISDIR(found.st_mode):
        raise OutputRefusedError(f"{shown} is a folder; choose a file name. Nothing was written.")
    if not stat.S_ISREG(found.st_mode):
        raise OutputRefusedError(
            f"{shown} is not a regular file (a pipe, a device or a socket); choose another name. "
            "Nothing was written."
        )
    if not overwrite:
        how = ", or say that it may be replaced (on the command line: --overwrite)" if replaceable else ""
        raise OutputExistsError(
            f"{shown} already exists; nothing was written. Choose another name{how}.", details=str(target)
        )
