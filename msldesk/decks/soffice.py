"""Find LibreOffice's soffice, and start it so that it always ends: its own process group, killed
whole on a time limit, on cancel or on any error, and never left running when msldesk exits or is
killed.

soffice is a launcher (oosplash) that starts soffice.bin as its child, and a parent-death signal is
not inherited by children: when msldesk is killed, soffice.bin would keep running (measured: it
grew past 5 GB on a hostile deck). So on POSIX the command runs under a one-line shell guard in the
same process group: the guard waits on a pipe only msldesk holds, and when that pipe closes (msldesk
ended the job, exited, or was killed by any signal) it kills the whole group, itself included. On
Linux the command also gets a parent-death signal. Linux sends it when the *thread* that started the
child ends, and a group may outlive the render that started it (LibreOffice kept between renders), so
every group is started from one launcher thread that lives as long as msldesk.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SOFFICE_NAMES = ("soffice", "libreoffice")
SOFFICE_FALLBACKS = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)

# The guard: fd 3 is the pipe (stdin of the shell). A background job reads it until end-of-file,
# then kills the process group; the shell meanwhile becomes the command itself (same pid, so its
# exit status is the command's), with the pipe closed and stdin from /dev/null.
_GUARD = 'exec 3<&0; (read _ <&3; kill -9 0) >/dev/null 2>&1 & exec "$@" </dev/null 3<&-'
_STDERR_TAIL_BYTES = 4096

_running: set[GroupProcess] = set()
_running_lock = threading.Lock()


_PR_SET_PDEATHSIG = 1
# Started on first use; its one thread waits for work until msldesk exits (see the module's note).
_launcher: ThreadPoolExecutor | None = None


def _launch(argv: list[str], **options: Any) -> subprocess.Popen[bytes]:
    """subprocess.Popen, called from the launcher thread."""
    global _launcher
    with _running_lock:
        if _launcher is None:
            _launcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="msldesk-soffice-launcher")
        launcher = _launcher

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(argv, **options)

    return launcher.submit(start).result()


def _child_setup(memory_bytes: int) -> Callable[[], None] | None:
    """What the child runs between fork and exec, on Linux: a parent-death signal (SIGKILL) and an
    address-space cap. Everything it calls is looked up here, so the child runs no imports (it may
    be forked from a process with many threads)."""
    if not sys.platform.startswith("linux"):
        return None  # elsewhere neither exists (RLIMIT_AS is not enforced); the guard covers death
    import ctypes
    import resource

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent, getppid, exit_now, kill = os.getpid(), os.getppid, os._exit, int(signal.SIGKILL)
    setrlimit, rlimit_as = resource.setrlimit, resource.RLIMIT_AS
    hard = resource.getrlimit(rlimit_as)[1]
    if memory_bytes > 0 and hard != resource.RLIM_INFINITY:
        memory_bytes = min(memory_bytes, hard)  # an unprivileged process cannot raise its hard limit

    def setup() -> None:
        prctl(_PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if getppid() != parent:  # msldesk died before the signal was armed
            exit_now(1)
        if memory_bytes > 0:
            setrlimit(rlimit_as, (memory_bytes, memory_bytes))

    return setup


class GroupProcess:
    """One command in a process group of its own; `stop()` ends the whole group. Use as a context
    manager so that an exception, a cancel or a time limit can never leave the group running."""

    def __init__(self, command: Sequence[str], memory_bytes: int = 0, pass_fds: Sequence[int] = ()) -> None:
        """`pass_fds` (POSIX only) stay open in the command, e.g. the pipes a worker talks over."""
        # A file, not a pipe: a chatty soffice never blocks. Closed when the process is.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        self._guard_fd: int | None = None
        self._stopped = False
        argv = list(command)
        if any(fd <= 3 for fd in pass_fds):
            raise ValueError("fds 0 to 3 are the guard's; pass higher ones")
        try:
            if os.name == "posix":
                read_end, self._guard_fd = os.pipe()
                try:
                    self.process = _launch(
                        ["/bin/sh", "-c", _GUARD, "msldesk-soffice-guard", *argv],
                        stdin=read_end,
                        stdout=subprocess.DEVNULL,
                        stderr=self._stderr,
                        start_new_session=True,
                        pass_fds=tuple(pass_fds),
                        preexec_fn=_child_setup(memory_bytes),
                    )
                finally:
                    os.close(read_end)
            else:
                if pass_fds:
                    raise OSError("passing pipes to LibreOffice's worker needs POSIX")
                self.process = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=self._stderr,
                    creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
                )
        except BaseException:
            self._close_files()
            raise
        with _running_lock:
            _running.add(self)

    @property
    def pid(self) -> int:
        """The command's pid, which is also its process group's id on POSIX."""
        return self.process.pid

    def wait(self, seconds: float) -> int | None:
        """The exit status once the command has ended, or None if it still runs after `seconds`."""
        try:
            return self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """Kill the whole group (the command, its helpers and the guard) and reap the command."""
        if self._stopped:
            return
        self._stopped = True
        if os.name == "posix":
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        elif self.process.poll() is None:
            # Windows has no process groups to kill; taskkill /T ends the launcher's tree.
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(
                    ["taskkill", "/F", "/T", "/PID", str(self.process.pid)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=10,
                    check=False,
                )
            with contextlib.suppress(OSError):
                self.process.kill()
        self._close_guard()  # the guard kills the group too when its pipe closes
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        with _running_lock:
            _running.discard(self)

    def stderr_tail(self) -> str:
        """The last line the command wrote to stderr."""
        try:
            self._stderr.seek(0, os.SEEK_END)
            self._stderr.seek(max(0, self._stderr.tell() - _STDERR_TAIL_BYTES))
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        except (OSError, ValueError):
            return ""
        return lines[-1] if lines else ""

    def _close_guard(self) -> None:
        if self._guard_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._guard_fd)
            self._guard_fd = None

    def _close_files(self) -> None:
        self._close_guard()
        with contextlib.suppress(OSError):
            self._stderr.close()

    def __enter__(self) -> GroupProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self._close_files()


def running_groups() -> list[int]:
    """Pids (= process group ids) of the groups started here and not yet stopped."""
    with _running_lock:
        return [p.pid for p in _running]


@atexit.register
def stop_all() -> None:
    """At exit, end every group still running (a worker thread may still be waiting on one)."""
    with _running_lock:
        left = list(_running)
    for group in left:
        log.warning("Stopping LibreOffice (pid %s) as msldesk exits", group.pid)
        group.stop()


def find_soffice(configured: str = "") -> str | None:
    """The soffice to run: the configured path (None when it is not there), else one on PATH or in
    the usual install folders."""
    if configured:
        return configured if Path(configured).exists() else None
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in SOFFICE_FALLBACKS if Path(p).exists()), None)
