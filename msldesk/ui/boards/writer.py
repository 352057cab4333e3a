"""Runs the Boards section's service writes on the db lane and announces what they changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from msldesk.core.changes import Changes
from msldesk.ui.context import AppContext
from msldesk.ui.errors import report_error


def changes_of(result: Any) -> Changes | None:
    """Service writes return Changes or (record, Changes); find the Changes either way."""
    if isinstance(result, Changes):
        return result
    if isinstance(result, tuple) and result and isinstance(result[-1], Changes):
        return result[-1]
    return None


class BoardsWriter(QObject):
    """One path for every write: the job runs on the db lane, the result's Changes go out on
    `context.changed`, failures are reported and `failed` lets views drop optimistic edits."""

    failed = Signal()
    idle_changed = Signal(bool)

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.pending = 0

    def write(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException, str], bool] | None = None,
    ) -> None:
        """`on_error` may handle an error itself (return True), e.g. to show it next to a field."""
        self._count(+1)

        def done(result: Any) -> None:
            self._count(-1)
            if on_done is not None:
                on_done(result)
            changes = changes_of(result)
            if changes is not None and changes.any:
                self.context.changed.emit(changes)

        def failed(error: BaseException, details: str) -> None:
            self._count(-1)
            if on_error is None or not on_error(error, details):
                report_error(error, details)
            self.failed.emit()

        self.context.runner.submit("db", lambda _p, _c: job(), done, failed)

    def _count(self, step: int) -> None:
        was_idle = self.pending == 0
        self.pending += step
        if was_idle != (self.pending == 0):
            self.idle_changed.emit(self.pending == 0)
