"""Open a file the user chose: regular files only, never blocking, read up to a limit; names safe to show."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from msldesk.core.errors import NotARegularFileError

CHUNK = 1024 * 1024
# O_NONBLOCK: opening a FIFO put in place between the check and the open returns at once instead of
# waiting for a writer; O_NOCTTY: a terminal device never becomes this process's controlling tty.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # absent on Windows, which has no FIFOs to open
_OPEN_FLAGS = os.O_RDONLY | _NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def kind_of(mode: int) -> str:
    """What a file is, in words a user knows (said when it is not the kind asked for)."""
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not an ordinary file"


def _refusal(path: Path, mode: int) -> NotARegularFileError:
    kind = kind_of(mode)
    name = display_name(path.name or str(path))
    if os.path.islink(path):
        kind = f"a link to {kind} ({display_name(os.path.realpath(path))})"
    return NotARegularFileError(
        f"{name} is {kind}, not a file that can be read; choose the file itself.",
        details=f"{display_name(str(path))}: mode {stat.filemode(mode)}",
    )


def check_regular(path: Path) -> os.stat_result:
    """The stat of the file `path` leads to; NotARegularFileError when it is a folder, device, FIFO,
    socket or a link loop. Other OSErrors (missing, no permission) are raised as they are."""
    path = Path(path)
    try:
        found = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotARegularFileError(
                f"{display_name(path.name)} is a link that leads back to itself (a loop), not a file.",
                details=f"{display_name(str(path))}: {exc.strerror}",
            ) from exc
        raise
    except ValueError as exc:  # a NUL character: no file can have that name (a pasted or dropped path)
        raise NotARegularFileError(
            f"{display_name(path.name)} cannot name a file: it holds a NUL character.", str(exc)
        ) from exc
    if not stat.S_ISREG(found.st_mode):
        raise _refusal(path, found.st_mode)
    return found


def check_folder(path: Path, what: str) -> bool:
    """True when `path` leads to a folder, False when nothing is there yet; NotARegularFileError,
    starting with `what` ("The library folder"), when a file, device, pipe, socket, a link loop or
    a link to nothing is there, or a part of the path above it is a file."""
    path = Path(path)
    shown = display_name(str(path))
    try:
        found = os.stat(path)
    except FileNotFoundError:
        if not os.path.lexists(path):
            return False
        target = display_name(os.readlink(path))
        raise NotARegularFileError(
            f"{what} {shown} is a link to {target}, which does not exist; choose a folder.", shown
        ) from None
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR, errno.ENAMETOOLONG):
            raise
        why = {
            errno.ELOOP: "it is a link that leads back to itself (a loop)",
            errno.ENOTDIR: "a part of its path is a file, not a folder",
        }.get(exc.errno, "its name is too long")
        message = f"{what} {shown} cannot be used: {why}; choose a folder."
        raise NotARegularFileError(message, display_name(str(exc))) from exc
    except ValueError as exc:  # a NUL character, from a typed or pasted path
        raise NotARegularFileError(f"{what} {shown} cannot name a folder: it holds a NUL character.") from exc
    if stat.S_ISDIR(found.st_mode):
        return True
    kind = kind_of(found.st_mode)
    if os.path.islink(path):
        kind = f"a link to {kind} ({display_name(os.path.realpath(path))})"
    raise NotARegularFileError(f"{what} {shown} is {kind}, not a folder; choose a folder.", shown)


def walk(
    top: Path, onerror: Callable[[OSError], None] | None = None
) -> Iterator[tuple[str, list[str], list[str]]]:
    """os.walk(top) as it walks top-down without following links to folders (the caller may prune
    the folder list in place), but with a stack: in Python 3.11 os.walk recurses once a level, so a
    tree 1,000 folders deep (a path Linux allows) raised RecursionError wherever a folder was walked."""
    stack = [os.fspath(top)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            if onerror is not None:
                onerror(exc)
            continue
        dirs: list[str] = []
        files: list[str] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows a link, as os.walk does; a link loop raises
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry.name)
        yield folder, dirs, files
        below = [os.path.join(folder, name) for name in dirs]
        stack.extend(path for path in reversed(below) if not os.path.islink(path))


def open_regular(path: Path) -> IO[bytes]:
    """Open a user's file for reading, refusing anything but a regular file without ever blocking.

    Checked twice: by path before opening (a clear reason, no open at all for a device or FIFO), and
    on the opened descriptor (the file may have been swapped between the two)."""
    path = Path(path)
    check_regular(path)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise _refusal(path, opened.st_mode)
        if _NONBLOCK:
            os.set_blocking(fd, True)  # a regular file: ordinary reads from here on
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_chunks(handle: IO[bytes], limit: int, too_large: Callable[[], Exception]) -> Iterator[bytes]:
    """The handle's bytes in chunks, counted as they come: `too_large()` is raised as soon as more
    than `limit` bytes arrive (the size a file claims is not trusted)."""
    count = 0
    while chunk := handle.read(min(CHUNK, limit + 1 - count)):
        count += len(chunk)
        if count > limit:
            raise too_large()
        yield chunk


def read_regular(path: Path, limit: int, too_large: Callable[[], Exception]) -> bytes:
    """All of a user's file, refused (see open_regular) or stopped at `limit` bytes."""
    with open_regular(path) as handle:
        return b"".join(read_chunks(handle, limit, too_large))


SMALL_FILE_BYTES = 16 * 1024 * 1024  # the most any of msldesk's own JSON files may hold


def read_small_file(path: Path, limit: int = SMALL_FILE_BYTES) -> bytes:
    """One of msldesk's own small files (settings, key file, anchor, lists): read as open_regular
    does, so a pipe or device planted under its name neither blocks nor fills memory. Any problem is
    an OSError (FileNotFoundError when there is none), which is what these files' readers handle."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode  # FileNotFoundError as it is
    except ValueError as exc:  # a NUL in the name (a typed or pasted folder): no file is there
        raise OSError(errno.EINVAL, "its name holds a NUL character", display_name(str(path))) from exc
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, f"it is {kind_of(mode)}, not a file", str(path))
    try:
        too_large = OSError(errno.EFBIG, f"it is over {limit:,} bytes", str(path))
        return read_regular(path, limit, lambda: too_large)
    except NotARegularFileError as exc:  # swapped since the stat
        raise OSError(errno.EINVAL, "it is not an ordinary file", str(path)) from exc


def parse_json(data: bytes | str, **options: Any) -> Any:
    """The JSON in a file's bytes, as json.loads gives it; JSONDecodeError (a ValueError) for any
    malformed file, also one nested too deeply for the parser: json.loads raises RecursionError
    there ('[' repeated 100,000 times), which no reader expects from a damaged file."""
    try:
        return json.loads(data, **options)
    except RecursionError as exc:
        text = data if isinstance(data, str) else data[:100].decode("utf-8", "replace")
        raise json.JSONDecodeError("nested too deeply", text, 0) from exc


# Characters that would break a line, a terminal or a table cell when a name is shown; and the
# invisible ones that reorder or hide what is shown (Trojan Source, CVE-2021-42574): a right-to-left
# override makes "report\u202etxt.exe" look like "reportexe.txt". Zero-width joiners (U+200C, U+200D)
# stay: Persian and Indic names need them.
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def encodable(text: str) -> str:
    """`text` with each lone surrogate (a file-name byte that was not UTF-8) replaced by U+FFFD, so
    printing or storing it cannot raise UnicodeEncodeError."""
    return _SURROGATE.sub("\ufffd", text)


def display_name(name: str) -> str:
    """A file name or path as text that can be shown, printed and stored: encodable (see above),
    with control characters (a newline in a name) shown as escapes. Use it for messages, output and
    the database; open the file by its real path."""
    return _CONTROL.sub(_escape, encodable(name))


def display_message(text: str) -> str:
    """A message for a terminal or a dialog: its own line breaks kept, every other control character
    shown as an escape, as in display_name (a name the user typed or a file held, echoed in it, may
    carry a terminal escape sequence or a right-to-left override)."""
    return "\n".join(display_name(line) for line in text.split("\n"))


def storable_path(path: Path | str) -> str:
    """A path as text SQLite can store and that still tells paths apart: identical to str(path) for
    a UTF-8 name, with each undecodable byte written as a backslash escape (\\xff) otherwise."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
