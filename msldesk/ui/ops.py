"""Ops: the one way a view runs work in the background (in the spirit of Anki's CollectionOp).

    DbOp(self, lambda work: work.app.events.update(event_id, fields)).success(shown).run()

An op runs `fn(work)` on a lane of the runner (`ui/tasks.py`) and calls back on the GUI thread.
`work` carries the open library (`work.app`), a progress callback and the cancel token, never
widgets. When the result carries a `Changes` (a service write returns `Changes`, `(record,
Changes)` or a record with a `changes` property), the op emits `context.changed` once, after the
success callback: views never emit it themselves. A failure is shown in plain words
(`ui/errors.py`) unless the failure callback takes it (returns True). A `DbOp` needs the library:
with none open it does nothing (`run()` returns False), the one place that answers "the library is
not open" for a view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal

from msldesk.core.changes import Changes
from msldesk.core.errors import LibraryNotOpenError
from msldesk.core.progress import CancelToken, ProgressCallback
from msldesk.ui import errors
from msldesk.ui.tasks import Lane

if TYPE_CHECKING:
    from msldesk.app.services import App
    from msldesk.ui.context import AppContext

T = TypeVar("T")

__all__ = ["DbOp", "HasContext", "Lane", "Op", "OpGroup", "Work", "changes_of"]


class HasContext(Protocol):
    """A view (or the context itself) that knows the UI context."""

    @property
    def context(self) -> AppContext: ...


@dataclass(frozen=True)
class Work:
    """What a worker gets: the open library (if any), progress and cancel."""

    library: App | None
    progress: ProgressCallback
    cancel: CancelToken

    @property
    def app(self) -> App:
        if self.library is None:
            raise LibraryNotOpenError()
        return self.library


def changes_of(result: object) -> Changes | None:
    """Service writes return Changes, (record, Changes) or a record with a `changes` property."""
    if isinstance(result, tuple) and result:
        result = result[-1]
    found = result if isinstance(result, Changes) else getattr(result, "changes", None)
    return found if isinstance(found, Changes) else None


class OpGroup(QObject):
    """Counts the ops of one owner (an editor, a dialog): `idle_changed` when the first starts and the
    last ends, `failed` after any failure (a view drops its optimistic edits)."""

    idle_changed = Signal(bool)
    failed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pending = 0

    def count(self, step: int) -> None:
        was_idle = self.pending == 0
        self.pending += step
        if was_idle != (self.pending == 0):
            self.idle_changed.emit(self.pending == 0)


class Op(Generic[T]):
    """Work on a lane with callbacks on the GUI thread. Build, chain, then `run()` once."""

    needs_library = False

    def __init__(self, parent: HasContext, fn: Callable[[Work], T], lane: Lane = Lane.DB) -> None:
        self.context: AppContext = parent.context
        # A widget deleted before the answer came gets no callback (the op's Changes still go out).
        self._owner = parent if isinstance(parent, QObject) and parent is not self.context else None
        self.fn = fn
        self.lane = lane
        self.token = CancelToken()
        self._on_success: Callable[[T], object] | None = None
        self._on_failure: Callable[[BaseException, str], bool | None] | None = None
        self._on_progress: ProgressCallback | None = None
        self._on_cancelled: Callable[[], object] | None = None
        self._group: OpGroup | None = None

    def success(self, on_success: Callable[[T], object]) -> Op[T]:
        self._on_success = on_success
        return self

    def failure(self, on_failure: Callable[[BaseException, str], bool | None]) -> Op[T]:
        """`on_failure(error, details)`; return True when it told the user itself (e.g. next to a
        field), otherwise the error is shown in plain words too. A cancelled op calls neither."""
        self._on_failure = on_failure
        return self

    def with_progress(self, on_progress: ProgressCallback) -> Op[T]:
        self._on_progress = on_progress
        return self

    def when_cancelled(self, on_cancelled: Callable[[], object]) -> Op[T]:
        """Called instead of success or failure when the work stopped on its cancel token."""
        self._on_cancelled = on_cancelled
        return self

    def in_group(self, group: OpGroup) -> Op[T]:
        self._group = group
        return self

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def cancel(self) -> None:
        """Ask the work to stop (it polls `work.cancel`); neither callback runs once it has."""
        self.token.cancel()

    def run(self) -> bool:
        """Start the work; False (nothing runs) for a DbOp while no library is open."""
        library = self.context.app
        if self.needs_library and library is None:
            return False
        fn, token = self.fn, self.token
        if self._group is not None:
            self._group.count(+1)

        def job(progress: ProgressCallback, cancel: CancelToken) -> T:
            return fn(Work(library, progress, cancel))

        runner = self.context.runner
        runner.submit(self.lane, job, self._done, self._failed, self._progressed, token, self._stopped)
        return True

    def _alive(self) -> bool:
        return self._owner is None or shiboken6.isValid(self._owner)

    def _leave_group(self) -> None:
        """First thing on an answer: a callback asking whether writes are pending hears the truth."""
        if self._group is not None and shiboken6.isValid(self._group):
            self._group.count(-1)

    def _done(self, result: Any) -> None:
        self._leave_group()
        try:
            if self._on_success is not None and self._alive():
                self._on_success(result)
        finally:
            changes = changes_of(result)
            if changes is not None:
                self.context.announce(changes)

    def _failed(self, error: BaseException, details: str) -> None:
        self._leave_group()
        try:
            handled = self._on_failure(error, details) if self._on_failure and self._alive() else False
            if not handled:
                errors.report_error(error, details)  # looked up here: tests replace it
        finally:
            if self._group is not None and shiboken6.isValid(self._group):
                self._group.failed.emit()

    def _stopped(self) -> None:
        self._leave_group()
        if self._on_cancelled is not None and self._alive():
            self._on_cancelled()

    def _progressed(self, done: int, total: int, message: str) -> None:
        if self._on_progress is not None and self._alive():
            self._on_progress(done, total, message)


class DbOp(Op[T]):
    """An op on the database lane (SQLite has one writer: every write is a DbOp) that needs the
    library open; without one, `run()` does nothing and returns False."""

    needs_library = True

    def __init__(self, parent: HasContext, fn: Callable[[Work], T]) -> None:
        super().__init__(parent, fn, Lane.DB)
