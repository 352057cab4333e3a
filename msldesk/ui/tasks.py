"""The one background runner of the UI: lanes of worker threads, results delivered on the GUI thread.

Lanes (`Lane`): DB (one worker: SQLite has one writer), RENDER (one worker: LibreOffice and pdfium),
IO (a small pool for reading images), EXPORT (one worker: reportlab keeps global font state),
BACKUP (one worker: a backup reads its own snapshot of the database, so it need not wait for writes).
A job is a plain function `fn(progress, cancel)` that gets ids and snapshots, never widgets; its
result, error and progress come back through signals of a
QObject that lives on the GUI thread, which calls the callbacks there. Views do not submit jobs
themselves: they run ops (`ui/ops.py`). `SyncTaskRunner` runs each job inline, for tests.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from msldesk.core.errors import CancelledError
from msldesk.core.progress import CancelToken

log = logging.getLogger(__name__)

Job = Callable[[Callable[[int, int, str], None], CancelToken], Any]


class Lane(StrEnum):
    DB = "db"
    RENDER = "render"
    IO = "io"
    EXPORT = "export"
    BACKUP = "backup"


WORKERS = {Lane.DB: 1, Lane.RENDER: 1, Lane.IO: 2, Lane.EXPORT: 1, Lane.BACKUP: 1}


@dataclass
class TaskHandle:
    task_id: int
    cancel_token: CancelToken = field(default_factory=CancelToken)

    def cancel(self) -> None:
        self.cancel_token.cancel()


@dataclass
class _Callbacks:
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException, str], None] | None
    on_progress: Callable[[int, int, str], None] | None
    on_cancelled: Callable[[], None] | None = None


class _Bridge(QObject):
    """Lives on the GUI thread; queued signals from workers arrive here."""

    finished = Signal(int, object)
    failed = Signal(int, object, str)
    progressed = Signal(int, int, int, str)


class _Runnable(QRunnable):
    def __init__(self, bridge: _Bridge, handle: TaskHandle, job: Job) -> None:
        super().__init__()
        self.bridge = bridge
        self.handle = handle
        self.job = job

    def run(self) -> None:
        task_id = self.handle.task_id

        def progress(done: int, total: int, message: str) -> None:
            self._deliver("progressed", task_id, done, total, message)

        try:
            if self.handle.cancel_token.cancelled:
                raise CancelledError()
            result = self.job(progress, self.handle.cancel_token)
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread, never lost
            self._deliver("failed", task_id, exc, traceback.format_exc())
        else:
            self._deliver("finished", task_id, result)

    def _deliver(self, signal: str, *args: object) -> None:
        """Hand news to the GUI thread. A runner closed with its window while the job ran has nobody
        left to tell (emitting then raised "Signal source has been deleted" in the worker)."""
        if not shiboken6.isValid(self.bridge):
            return
        try:
            getattr(self.bridge, signal).emit(*args)
        except RuntimeError:
            if shiboken6.isValid(self.bridge):
                raise  # not the deleted-bridge race: a real error


class TaskRunner(QObject):
    """Submit jobs to lanes; callbacks run on the GUI thread. `active` counts unfinished jobs."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The pools before the bridge: Qt deletes children in the order they were made, and a pool's
        # destructor waits for its running jobs, so a job still running when the runner goes (the
        # window closed during a backup) delivers to a bridge that is still there. The other order
        # deleted the bridge first, and a job emitting at that moment crashed the app.
        self._pools: dict[Lane, QThreadPool] = {}
        for lane, workers in WORKERS.items():
            pool = QThreadPool(self)
            pool.setMaxThreadCount(workers)
            self._pools[lane] = pool
        self._bridge = _Bridge(self)
        self._bridge.finished.connect(self._on_bridge_finished)
        self._bridge.failed.connect(self._on_bridge_failed)
        self._bridge.progressed.connect(self._on_bridge_progressed)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, _Callbacks] = {}
        self._handles: dict[int, TaskHandle] = {}
        self._closed = False

    @property
    def active(self) -> int:
        return len(self._callbacks)

    def submit(
        self,
        lane: Lane,
        job: Job,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException, str], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        token: CancelToken | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> TaskHandle:
        """Run `job` on `lane`. A job that stops on its cancel token calls `on_cancelled` (if given),
        neither `on_done` nor `on_error`."""
        handle = TaskHandle(next(self._ids), token or CancelToken())
        if self._closed:  # a signal still queued when the window closed: its library is closed too
            log.info("Not started after the window closed: %s", getattr(job, "__qualname__", job))
            handle.cancel()
            return handle
        self._callbacks[handle.task_id] = _Callbacks(on_done, on_error, on_progress, on_cancelled)
        self._handles[handle.task_id] = handle
        if len(self._callbacks) == 1:
            self.busy_changed.emit(True)
        self._start(lane, _Runnable(self._bridge, handle, job))
        return handle

    def _start(self, lane: Lane, runnable: _Runnable) -> None:
        self._pools[lane].start(runnable)

    def close(self) -> None:
        """The window is closing: cancel the jobs, wait for them, and start no more. A signal still
        queued then (the start's daily backup, say) would otherwise start work on a closed library,
        still running while the window is deleted."""
        self._closed = True
        self.cancel_all()
        self.wait_all()

    def cancel_all(self) -> None:
        for handle in self._handles.values():
            handle.cancel()

    def wait_all(self, msecs: int = 30_000) -> bool:
        """Block until workers are idle (used at shutdown and in tests)."""
        # A pool deleted with its owner (the window closed first) already waited for its work in
        # QThreadPool's destructor; asking it again would touch a deleted C++ object.
        return all(pool.waitForDone(msecs) for pool in self._pools.values() if shiboken6.isValid(pool))

    def _pop(self, task_id: int) -> _Callbacks | None:
        self._handles.pop(task_id, None)
        callbacks = self._callbacks.pop(task_id, None)
        if not self._callbacks:
            self.busy_changed.emit(False)
        return callbacks

    @Slot(int, object)
    def _on_bridge_finished(self, task_id: int, result: object) -> None:
        callbacks = self._pop(task_id)
        if callbacks and callbacks.on_done:
            callbacks.on_done(result)

    @Slot(int, object, str)
    def _on_bridge_failed(self, task_id: int, error: BaseException, details: str) -> None:
        callbacks = self._pop(task_id)
        if isinstance(error, CancelledError):
            if callbacks and callbacks.on_cancelled:
                callbacks.on_cancelled()
            return
        if callbacks and callbacks.on_error:
            callbacks.on_error(error, details)
        else:
            log.error("Background task failed: %s\n%s", error, details)
            from msldesk.ui.errors import report_error

            report_error(error, details)

    @Slot(int, int, int, str)
    def _on_bridge_progressed(self, task_id: int, done: int, total: int, message: str) -> None:
        callbacks = self._callbacks.get(task_id)
        if callbacks and callbacks.on_progress:
            callbacks.on_progress(done, total, message)


class SyncTaskRunner(TaskRunner):
    """Runs each job inline on the calling (GUI) thread and calls back before `submit` returns, so a
    test sees an op's whole effect at once, in order. The app and the tests of threading keep the
    threaded runner."""

    def _start(self, lane: Lane, runnable: _Runnable) -> None:
        runnable.run()  # the bridge lives on this thread: its signals call back directly
