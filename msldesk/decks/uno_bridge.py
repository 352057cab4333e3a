"""A LibreOffice kept running between decks: soffice driven over UNO by a worker script in
LibreOffice's own Python (msldesk's Python cannot import uno), JSON lines over two pipes.

Starting soffice costs ~0.7 s or more per call; a kept office converts a small deck in ~0.1 s.
The worker and its soffice are one GroupProcess: a deck over its time limit, a cancel, or
msldesk exiting kills the whole group, and the next deck gets a fresh office.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from msldesk.decks.soffice import GroupProcess

log = logging.getLogger(__name__)

WORKER_SCRIPT = Path(__file__).with_name("uno_worker.py")
POLL_SECONDS = 0.2  # how soon a cancel or a time limit is noticed
QUIT_SECONDS = 5  # a clean quit lets soffice save its profile; then the group is killed anyway
RECYCLE_AFTER_DECKS = 200  # a fresh office now and then: LibreOffice's caches only grow
RECYCLE_ABOVE_BYTES = 1536 * 1024**2  # ... and sooner when it has grown this much


@dataclass(frozen=True)
class Conversion:
    """One deck through the office: the error ("" when its PDF or PNGs were written), and the
    seconds spent loading, exporting and closing it, and the office's CPU seconds ("office CPU")."""

    error: str
    seconds: dict[str, float] = field(default_factory=dict)


class BridgeError(Exception):
    """The bridge could not be started or died; `deck_failed` says whether the deck was to blame."""

    def __init__(self, message: str, deck_failed: bool = False) -> None:
        super().__init__(message)
        self.deck_failed = deck_failed


def _python_candidates(soffice: str) -> list[str]:
    """LibreOffice's bundled Python (Windows, macOS, libreoffice.org builds) first, then the
    system one that python3-uno extends on Debian/Ubuntu."""
    program = Path(soffice).resolve().parent
    bundled = [program / "python", program / "python.exe", program.parent / "Resources" / "python"]
    found = [str(p) for p in bundled if p.is_file()]
    found += [p for p in ("/usr/bin/python3", shutil.which("python3")) if p and Path(p).is_file()]
    return list(dict.fromkeys(found))


@cache
def _imports_uno(python: str) -> bool:
    try:
        probe = subprocess.run(
            [python, "-c", "import uno"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def find_uno_python(soffice: str | None) -> str | None:
    """A Python that can drive LibreOffice over UNO, or None (then the batch CLI is used)."""
    if soffice is None or os.name != "posix":  # the worker's pipes are POSIX file descriptors
        return None
    return next((p for p in _python_candidates(soffice) if _imports_uno(p)), None)


def _high_pipe() -> tuple[int, int]:
    """A pipe whose ends are numbered 10 or above: the guard shell takes over fds 0 to 3."""
    import fcntl  # POSIX only, like the bridge itself

    ends = os.pipe()
    try:
        return tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in ends)  # type: ignore[return-value]
    finally:
        for fd in ends:
            os.close(fd)


class UnoBridge:
    """One worker and its soffice. `convert()` one deck at a time; `close()` ends both."""

    def __init__(
        self,
        python: str,
        soffice: str,
        profile: Path,
        memory_bytes: int = 0,
        worker_script: Path = WORKER_SCRIPT,
    ) -> None:
        self.python = python
        self.soffice = soffice
        self.profile = profile
        self.memory_bytes = memory_bytes
        self.worker_script = worker_script
        self._group: GroupProcess | None = None
        self._requests: int | None = None  # our end of the worker's request pipe
        self._replies: int | None = None
        self._buffer = b""
        self._decks = 0
        self.rss = 0  # the office's resident bytes after its last deck
        self._cpu = 0.0  # its CPU seconds until then

    @property
    def running(self) -> bool:
        return self._group is not None

    def start(self, limit: float, halted: Callable[[], bool]) -> None:
        """Start the worker and wait until its office listens. Raises BridgeError."""
        self.close()
        to_worker_read, to_worker_write = _high_pipe()
        from_worker_read, from_worker_write = _high_pipe()
        pipe_name = f"msldesk-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        command = [
            self.python,
            str(self.worker_script),
            self.soffice,
            self.profile.resolve().as_uri(),
            pipe_name,
            str(to_worker_read),
            str(from_worker_write),
        ]
        try:
            worker_ends = (to_worker_read, from_worker_write)
            self._group = GroupProcess(command, self.memory_bytes, pass_fds=worker_ends)
        except OSError as exc:
            os.close(to_worker_write)
            os.close(from_worker_read)
            raise BridgeError(f"LibreOffice's Python could not be started: {exc}") from exc
        finally:
            with contextlib.suppress(OSError):
                os.close(to_worker_read)
            with contextlib.suppress(OSError):
                os.close(from_worker_write)
        self._requests, self._replies = to_worker_write, from_worker_read
        self._buffer, self._decks, self.rss, self._cpu = b"", 0, 0, 0.0
        reply = self._read_reply(limit, halted)
        if not reply.get("ready"):
            self.close()
            raise BridgeError(str(reply.get("error") or "LibreOffice's bridge did not start."))
        self._cpu = float(reply.get("cpu", 0.0))  # the start-up's: not counted as a deck's

    def convert(
        self,
        source: Path,
        target: Path,
        options: dict[str, object],
        limit: float,
        halted: Callable[[], bool],
        width: int = 0,
    ) -> Conversion:
        """Convert one deck: to the PDF `target` with the PDF export `options`, or, with a
        `width`, each slide to the PNG target/<n>.png that many pixels wide with the PNG filter
        `options`. Its error is "" on success, or the reason it failed (the office lives on).
        Raises BridgeError when the office hung, died or was stopped (it is closed then)."""
        assert self._requests is not None
        request: dict[str, object] = {"source": str(source.resolve()), "options": options}
        if width:
            request.update(pngs=str(target.resolve()), width=width)
        else:
            request["pdf"] = str(target.resolve())
        try:
            os.write(self._requests, (json.dumps(request) + "\n").encode("utf-8"))
        except OSError as exc:
            self.close()
            raise BridgeError(f"LibreOffice's bridge stopped: {exc}") from exc
        reply = self._read_reply(limit, halted)
        self._decks += 1
        if reply.get("fatal"):
            self.close()
            raise BridgeError(str(reply["error"]), deck_failed=True)
        self.rss = int(reply.get("rss", 0))
        cpu = float(reply.get("cpu", 0.0))
        if self._decks >= RECYCLE_AFTER_DECKS or self.rss > RECYCLE_ABOVE_BYTES:
            log.info("Recycling LibreOffice after %d decks (%d MB)", self._decks, self.rss >> 20)
            self.close()
        seconds = reply.get("seconds")
        steps = {k: float(v) for k, v in seconds.items()} if isinstance(seconds, dict) else {}
        if cpu > self._cpu:  # the office's own CPU time for this deck (0 where /proc cannot tell)
            steps["office CPU"], self._cpu = cpu - self._cpu, cpu
        if reply.get("ok"):
            return Conversion("", steps)
        log.info("LibreOffice could not convert %s: %s", source, reply.get("detail", ""))
        return Conversion(str(reply.get("error") or "LibreOffice could not convert this deck."), steps)

    def _read_reply(self, limit: float, halted: Callable[[], bool]) -> dict:
        """The worker's next JSON line; closes the bridge and raises BridgeError on a time limit,
        a halt, or the worker ending."""
        assert self._replies is not None
        assert self._group is not None
        deadline = time.monotonic() + limit
        while b"\n" not in self._buffer:
            if halted():
                self.close(quit_seconds=0)
                raise BridgeError("stopped")
            if time.monotonic() > deadline:
                self.close(quit_seconds=0)
                message = f"LibreOffice took longer than {limit:.0f} s on this deck and was stopped."
                raise BridgeError(message, deck_failed=True)
            ready, _, _ = select.select([self._replies], [], [], POLL_SECONDS)
            if not ready:
                if self._group.process.poll() is not None:  # the guard may hold the pipe open
                    chunk = b""
                else:
                    continue
            else:
                chunk = os.read(self._replies, 65536)
            if not chunk:
                code = self._group.process.poll()
                tail = self._group.stderr_tail()
                self.close(quit_seconds=0)
                raise BridgeError(f"LibreOffice failed (exit {code}) {tail}".strip(), deck_failed=True)
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            reply = json.loads(line)
        except ValueError as exc:
            self.close()
            raise BridgeError(f"LibreOffice's bridge answered nonsense: {line[:80]!r}") from exc
        return reply if isinstance(reply, dict) else {}

    def close(self, quit_seconds: float = QUIT_SECONDS) -> None:
        """Ask the worker to quit (soffice then writes its profile cleanly) and give it
        `quit_seconds`, then end the whole group."""
        group, self._group = self._group, None
        if group is None:
            return
        if quit_seconds > 0 and self._requests is not None and group.process.poll() is None:
            with contextlib.suppress(OSError):
                os.write(self._requests, b'{"quit": true}\n')
        for fd in (self._requests, self._replies):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._requests = self._replies = None
        with group:
            if quit_seconds > 0:
                group.wait(quit_seconds)
