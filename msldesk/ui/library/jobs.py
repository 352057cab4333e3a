"""Import and thumbnail jobs of the library, run on the background lanes with progress and cancel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from msldesk.core.changes import Changes
from msldesk.ui.context import AppContext
from msldesk.ui.tasks import TaskHandle

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
        self._handles: dict[str, TaskHandle] = {}
        self._thumb_timer = QTimer(self)
        self._thumb_timer.setInterval(THUMBNAIL_REFRESH_MS)
        self._thumb_timer.timeout.connect(self._on_thumb_timer_timeout)
        self.outcomes: list[ImportOutcome] = []

    def running(self, name: str) -> bool:
        return name in self._handles

    def cancel(self, name: str | None = None) -> None:
        for job_name, handle in list(self._handles.items()):
            if name is None or job_name == name:
                handle.cancel()

    # ---- import -------------------------------------------------------------------------------

    def import_paths(self, paths: Sequence[Path]) -> None:
        if self.running("import") or not paths:
            return
        service = self.context.decks
        targets = [Path(p) for p in paths]

        def job(progress: Any, cancel: Any) -> list[ImportOutcome]:
            service.warm_up_thumbnails()  # LibreOffice starts while the decks import (thumbnails follow)
            return list(service.import_paths(targets, progress, cancel))

        self.job_started.emit("import")
        self._handles["import"] = self.context.runner.submit(
            "db",
            job,
            self._on_import_done,
            lambda e, d: self._on_failed("import", e, d),
            lambda done, total, message: self.progressed.emit("import", done, total, message),
        )

    def _on_import_done(self, outcomes: list[ImportOutcome]) -> None:
        handle = self._handles.pop("import", None)
        self.outcomes = outcomes
        counts = {
            s: sum(o.status == s for o in outcomes) for s in ("imported", "updated", "unchanged", "failed")
        }
        summary = (
            f"Import {'cancelled' if handle and handle.cancel_token.cancelled else 'finished'}: "
            f"{counts['imported']} imported, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['failed']} failed"
        )
        self.context.changed.emit(Changes(decks=True, slides=True))
        self.job_finished.emit("import", summary)
        failed = [o for o in outcomes if o.status == "failed"]
        if failed:
            self.import_failures.emit(failed)
        if counts["imported"] or counts["updated"]:
            self.render_thumbnails()

    # ---- thumbnails ---------------------------------------------------------------------------

    def render_thumbnails(self, retry_failed: bool = False) -> None:
        if self.running("thumbnails") or self.context.app is None:
            return
        service = self.context.decks
        if not service.can_render_thumbnails:
            return

        def job(progress: Any, cancel: Any) -> Changes:
            return service.render_thumbnails(progress, cancel, retry_failed=retry_failed)

        self.job_started.emit("thumbnails")
        self._thumb_timer.start()
        self._handles["thumbnails"] = self.context.runner.submit(
            "render",
            job,
            self._on_thumbnails_done,
            lambda e, d: self._on_failed("thumbnails", e, d),
            lambda done, total, message: self.progressed.emit("thumbnails", done, total, message),
        )

    def _on_thumb_timer_timeout(self) -> None:
        self.context.changed.emit(Changes(thumbnails=True))

    def _on_thumbnails_done(self, changes: Changes) -> None:
        handle = self._handles.pop("thumbnails", None)
        self._thumb_timer.stop()
        self.context.changed.emit(Changes(thumbnails=True, decks=True))
        cancelled = handle is not None and handle.cancel_token.cancelled
        self.job_finished.emit(
            "thumbnails", "Thumbnails paused" if cancelled else "Thumbnails are up to date"
        )

    def _on_failed(self, name: str, error: BaseException, details: str) -> None:
        self._handles.pop(name, None)
        if name == "thumbnails":
            self._thumb_timer.stop()
        from msldesk.ui.errors import report_error, user_message

        self.job_finished.emit(name, user_message(error))
        self.context.changed.emit(Changes(decks=True, slides=True, thumbnails=True))
        report_error(error, details)
