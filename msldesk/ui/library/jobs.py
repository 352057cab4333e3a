"""Import and thumbnail jobs of the library, run on the background lanes with progress and cancel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from msldesk.core.changes import Changes
from msldesk.ui.context import AppContext
from msldesk.ui.ops import DbOp, Lane, Op, Work

if TYPE_CHECKING:
    from msldesk.decks.records import ImportOutcome

THUMBNAIL_REFRESH_MS = 1500


class LibraryJobs(QObject):
    progressed = Signal(str, int, int, str)  # job name, done, total, message
    job_started = Signal(str)  # "import" | "thumbnails"
    job_finished = Signal(str, str)  # job name, summary for the status bar
    import_failures = Signal(list)  # list[ImportOutcome] of failed files

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._ops: dict[str, Op[Any]] = {}
        self._thumb_timer = QTimer(self)
        self._thumb_timer.setInterval(THUMBNAIL_REFRESH_MS)
        self._thumb_timer.timeout.connect(self._on_thumb_timer_timeout)
        self.outcomes: list[ImportOutcome] = []

    def running(self, name: str) -> bool:
        return name in self._ops

    def cancel(self, name: str | None = None) -> None:
        for job_name, op in list(self._ops.items()):
            if name is None or job_name == name:
                op.cancel()

    # ---- import -------------------------------------------------------------------------------

    def import_paths(self, paths: Sequence[Path]) -> None:
        if self.running("import") or not paths or not self.context.is_open:
            return
        targets = [Path(p) for p in paths]

        def job(work: Work) -> tuple[list[ImportOutcome], Changes]:
            service = work.app.decks
            service.warm_up_thumbnails()  # LibreOffice starts while the decks import (thumbnails follow)
            # Cancelled, it stops between files and says what it did: the library changed either way.
            return list(service.import_paths(targets, work.progress, work.cancel)), Changes(
                decks=True, slides=True
            )

        self.job_started.emit("import")
        self._start("import", DbOp(self, job).success(self._on_import_done))

    def _start(self, name: str, op: Op[Any]) -> None:
        """Kept until it answers (running, cancel); progress and failures are said per job."""
        self._ops[name] = op
        op.failure(lambda error, details: self._on_failed(name, error, details))
        op.with_progress(lambda done, total, message: self.progressed.emit(name, done, total, message))
        op.when_cancelled(lambda: self._on_stopped(name))
        op.run()

    def _on_import_done(self, result: tuple[list[ImportOutcome], Changes]) -> None:
        op = self._ops.pop("import", None)
        outcomes = self.outcomes = result[0]
        counts = {
            s: sum(o.status == s for o in outcomes) for s in ("imported", "updated", "unchanged", "failed")
        }
        summary = (
            f"Import {'cancelled' if op and op.cancelled else 'finished'}: "
            f"{counts['imported']} imported, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['failed']} failed"
        )
        self.job_finished.emit("import", summary)  # the op announces its Changes next
        failed = [o for o in outcomes if o.status == "failed"]
        if failed:
            self.import_failures.emit(failed)
        if counts["imported"] or counts["updated"]:
            self.render_thumbnails()

    # ---- thumbnails ---------------------------------------------------------------------------

    def render_thumbnails(self, retry_failed: bool = False) -> None:
        if self.running("thumbnails") or not self.context.is_open:
            return
        service = self.context.decks
        if not service.can_render_thumbnails:
            return

        def job(work: Work) -> Changes:
            service.render_thumbnails(work.progress, work.cancel, retry_failed=retry_failed)
            return Changes(thumbnails=True, decks=True)  # each deck's thumbnail state too

        self.job_started.emit("thumbnails")
        self._thumb_timer.start()
        # The render lane: LibreOffice draws while the database lane stays free for the user.
        self._start("thumbnails", Op(self, job, Lane.RENDER).success(self._on_thumbnails_done))

    def _on_thumb_timer_timeout(self) -> None:
        self.context.announce(Changes(thumbnails=True))  # drawn so far, while the render goes on

    def _on_thumbnails_done(self, _changes: Changes) -> None:
        op = self._ops.pop("thumbnails", None)
        self._thumb_timer.stop()
        cancelled = op is not None and op.cancelled
        self.job_finished.emit(
            "thumbnails", "Thumbnails paused" if cancelled else "Thumbnails are up to date"
        )

    def _on_stopped(self, name: str) -> None:
        """Cancelled before it started: nothing was done."""
        self._ops.pop(name, None)
        if name == "thumbnails":
            self._thumb_timer.stop()
        self.job_finished.emit(name, "Import cancelled" if name == "import" else "Thumbnails paused")

    def _on_failed(self, name: str, error: BaseException, _details: str) -> bool:
        self._ops.pop(name, None)
        if name == "thumbnails":
            self._thumb_timer.stop()
        from msldesk.ui.errors import user_message

        self.job_finished.emit(name, user_message(error))
        # Part of the work may be done: show what the library holds now; then the op shows the error.
        self.context.announce(Changes(decks=True, slides=True, thumbnails=True))
        return False
