"""ExportJob: how the desktop app runs a kind of the export registry on the runner's lanes. Its
snapshot is read on the database lane; the view then chooses where the file goes (and asks what it
must ask, seeing what was read); its render writes on the export lane with progress and Cancel; its
record notes it on the database lane (SQLite keeps one writer); the export banner shows how it ended."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from msldesk.boards.outputs.registry import ExportKind, Written
from msldesk.ui.context import AppContext
from msldesk.ui.ops import DbOp, Lane, Op, Work
from msldesk.ui.widgets.export_banner import ExportBanner

EXPORT_PROPERTY = "msldesk_export"  # the registry name of the export a menu item or button starts


def mark_export(item: QObject, kind: ExportKind[Any, Any, Any]) -> None:
    """Tag a menu item or button with the export kind it starts (tests find every kind this way),
    and give a menu item the command line that does the same as its status tip."""
    item.setProperty(EXPORT_PROPERTY, kind.name)
    if isinstance(item, QAction):
        item.setStatusTip(f"Command line: msldesk {kind.command}")


class ExportJob(QObject):
    """One export at a time for the view that owns it (and its banner)."""

    written = Signal(str, object)  # kind name, what render returned (a Written), once recorded
    status_message = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, context: AppContext, banner: ExportBanner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.banner = banner
        self._busy = False
        self._generation = 0  # which start() the callbacks belong to
        self._render: Op[Any] | None = None
        banner.cancel_requested.connect(self.cancel)

    def _set_running(self, running: bool) -> None:
        if running != self._busy:
            self._busy = running
            self.running_changed.emit(running)

    @property
    def running(self) -> bool:
        """From start() until the file is recorded, refused, cancelled or not chosen."""
        return self._busy

    def start(
        self,
        kind: ExportKind[Any, Any, Any],
        target: object,
        choose: Callable[[Any], Path | None],
        note: str = "",
    ) -> bool:
        """Export `target` as `kind`. `choose(snapshot)`, on the GUI thread, returns the file to write
        or None to stop (nothing is written); a name without the kind's ending gets its first one.
        `note` follows the status message (e.g. that unsaved edits are not in the file). False when
        an export is already under way or no library is open."""
        if not self.context.is_open or self._busy:
            return False
        self._set_running(True)
        self._generation += 1

        def read(work: Work) -> Any:
            return kind.snapshot(work.app.outputs, target)

        def fetched(data: Any) -> None:
            path = choose(data)
            if path is None:
                self._set_running(False)
                return
            if not kind.accepts(path):
                path = path.with_name(path.name + kind.suffixes[0])
            self._write(kind, kind.noun_for(target), data, path, note)

        DbOp(self, read).success(fetched).failure(lambda _error, _details: self._set_running(False)).run()
        return True

    def _write(self, kind: ExportKind[Any, Any, Any], noun: str, data: Any, path: Path, note: str) -> None:
        if not self.context.is_open:
            self._set_running(False)
            return
        generation = self._generation
        self.banner.start(f"Writing the {noun}…")

        def current() -> bool:
            """Neither cancelled nor followed by another export since: the banner is still ours."""
            return generation == self._generation

        def rendered(written: Written) -> None:
            if current():
                self._render = None
            text = f"Saved the {noun} to {written.path}"
            detail = f" ({written.detail})" if written.detail else ""
            if written.warnings:
                n = len(written.warnings)
                detail += f" — {n} thing{'s' if n != 1 else ''} to check"

            def recorded(_result: Any) -> None:
                if current():
                    self._set_running(False)
                    self.banner.succeeded(written.path, text + detail, written.warnings)
                    self.status_message.emit(text + note)
                self.written.emit(kind.name, written)

            def not_recorded(_error: BaseException, _details: str) -> None:
                if current():
                    self._set_running(False)
                    self.banner.succeeded(written.path, f"{text}, but it was not recorded", written.warnings)

            # Written even if Cancel came too late to stop it: the file exists, so it is recorded.
            record = DbOp(self, lambda work: kind.record(work.app.outputs, data, written))
            record.success(recorded).failure(not_recorded).run()

        def progressed(done: int, total: int, message: str) -> None:
            if current():
                self.banner.progressed(done, total, message)

        def failed(_error: BaseException, _details: str) -> None:
            if current():
                self._render = None
                self._set_running(False)
                self.banner.stopped(f"The {noun} was not written.")

        # The export lane, from the snapshot alone: no database work off the database lane.
        # The save dialog asked before replacing the file (not its companions, which are kept):
        # write() refuses folders, pipes and links.
        def write(work: Any) -> Any:
            return kind.write(data, path, work.progress, work.cancel, overwrite=True, companions_too=False)

        render = Op(self, write, Lane.EXPORT)
        self._render = render.success(rendered).failure(failed).with_progress(progressed)
        render.run()

    def cancel(self) -> None:
        """Stop the file being written; nothing is left of it (renders write atomically)."""
        if self._render is None:
            return
        self._render.cancel()
        self._render = None
        self._set_running(False)
        self._generation += 1  # a render that finishes anyway no longer speaks for the banner
        self.banner.stopped("Export cancelled; nothing was written.")
        self.status_message.emit("Export cancelled; nothing was written.")
