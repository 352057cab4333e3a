"""DialogJobs: background jobs of a dialog that may close first; it is deleted once no answer can come."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog

from msldesk.core.errors import CancelledError
from msldesk.ui.tasks import Job, TaskHandle, TaskRunner

# What a job returns when it was cancelled: the runner drops a CancelledError without calling back,
# and the dialog must know its job is over.
CANCELLED = object()


class DialogJobs:
    """Counts a dialog's jobs; after the dialog is closed and the last answer arrived, deleteLater().

    Answers still arrive after the window closes (a merge finishing must still refresh the views), so
    the dialog lives until then; deleting it earlier would leave a callback calling a deleted widget.
    """

    def __init__(self, dialog: QDialog, runner: TaskRunner) -> None:
        self.dialog = dialog
        self.runner = runner
        self.pending = 0
        self.closed = False
        dialog.finished.connect(self._on_dialog_finished)

    def submit(
        self,
        lane: str,
        job: Job,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException, str], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> TaskHandle:
        self.pending += 1

        def run(progress: Callable[[int, int, str], None], cancel: Any) -> Any:
            try:
                return job(progress, cancel)
            except CancelledError:
                return CANCELLED

        def done(result: Any) -> None:
            try:
                on_done(result)
            finally:
                self._settle()

        def failed(error: BaseException, details: str) -> None:
            try:
                if on_error is not None:
                    on_error(error, details)
                else:
                    from msldesk.ui.errors import report_error

                    report_error(error, details)
            finally:
                self._settle()

        return self.runner.submit(lane, run, done, failed, on_progress)

    def _settle(self) -> None:
        self.pending -= 1
        self._release()

    def _on_dialog_finished(self, _result: int) -> None:
        self.closed = True
        self._release()

    def _release(self) -> None:
        if self.closed and self.pending == 0:
            self.dialog.deleteLater()
