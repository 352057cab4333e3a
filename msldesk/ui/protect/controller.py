"""ProtectController: the window's side of protecting the library. It asks for the passphrase when the
library opens (and shows the locked state with Retry), takes the daily backup, and runs File › Back up,
File › Restore, Tools › Verify audit trail and Tools › Recent changes. Dialogs are reached through
ask_* and show_* methods so tests can replace them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget, QVBoxLayout, QWidget

from msldesk.core.changes import Changes
from msldesk.core.errors import LibraryUnavailableError, MsldeskError
from msldesk.core.user_files import display_name
from msldesk.ui.context import AppContext
from msldesk.ui.errors import report_error, user_message
from msldesk.ui.ops import DbOp, Lane, Op, Work
from msldesk.ui.protect.prompter import PassphrasePrompter
from msldesk.ui.widgets.confirm import confirm_destructive
from msldesk.ui.widgets.file_dialogs import ask_folder, ask_open_path, ask_save_path

if TYPE_CHECKING:
    from msldesk.protect.audit import AuditReport
    from msldesk.protect.backup import RestoreResult
    from msldesk.protect.backup_check import BackupInfo
    from msldesk.ui.protect.backup_dialogs import BackupLock, TaskProgressDialog
    from msldesk.ui.protect.history import HistoryDialog
    from msldesk.ui.protect.library_problem import LibraryProblemPanel
    from msldesk.ui.protect.locked import LockedPanel
    from msldesk.ui.widgets.export_banner import ExportBanner

# On the start path (before the window shows): dialogs, panels and history words load when first
# needed; Qt's enums are reached as QtCore.Qt (the name Qt alone builds ~90 enums, ~17 ms).

BACKUP_SUFFIX = ".msldesk-backup"  # msldesk.protect.backup_check.SUFFIX (that module loads SQLAlchemy)
BACKUP_FILTER = f"msldesk backups (*{BACKUP_SUFFIX});;All files (*)"
BACKUP_FOLDER_KIND = "backups"  # backing up and restoring start in the same remembered folder
IDLE_POLL_MS = 100
IDLE_TIMEOUT_MS = 60_000
EVERYTHING = Changes(
    decks=True, slides=True, thumbnails=True, metadata=True, people=True, events=True, notes=True
)


class ProtectController(QObject):
    status_message = Signal(str)
    daily_backup_taken = Signal(object)  # Path
    backup_made = Signal(object)  # BackupInfo
    backup_checked = Signal(object)  # BackupInfo (restore: what the chosen backup holds)
    restored = Signal(object)  # RestoreResult
    restore_ended = Signal(bool)  # restored or not (cancelled, refused, failed)
    audit_verified = Signal(object)  # AuditReport

    def __init__(
        self, context: AppContext, window: QMainWindow, stop_work: Callable[[], None] = lambda: None
    ) -> None:
        super().__init__(window)
        self.context = context
        self.window = window
        self.stop_work = stop_work  # cancel the window's long jobs (imports, thumbnails, exports)
        self.prompter = PassphrasePrompter(window)
        context.passphrase_provider = self.prompter.provider
        self._locked_panel: LockedPanel | None = None
        self._problem_panel: LibraryProblemPanel | None = None
        self._banner: ExportBanner | None = None
        self._central: QVBoxLayout | None = None
        self.problem: LibraryUnavailableError | None = None
        self.stack: QStackedWidget | None = None
        self.progress: TaskProgressDialog | None = None
        self.history: HistoryDialog | None = None
        self.last_box: QMessageBox | None = None
        self._backup: Op[BackupInfo] | None = None
        self._restoring = False
        context.ready.connect(self._on_context_ready)
        # After the first slides: a backup reads the whole library, and must not hold them up.
        context.settled.connect(self.take_daily_backup)
        context.locked.connect(self._on_context_locked)
        context.unavailable.connect(self._on_context_unavailable)
        context.opening.connect(self._on_context_opening)

    def wrap(self, sections: QWidget) -> QWidget:
        """The window's central widget: the sections, or the locked state in their place, under the
        backup banner."""
        self.stack = QStackedWidget()
        self.stack.addWidget(sections)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stack, 1)
        self._central = layout
        return central

    @property
    def banner(self) -> ExportBanner:
        """File › Back up ends like every export: a strip over the sections, not a dialog to close
        (built the first time)."""
        if self._banner is None:
            from msldesk.ui.widgets.export_banner import ExportBanner

            self._banner = ExportBanner()
            self._banner.cancel_requested.connect(self._on_banner_cancel_requested)
            if self._central is not None:
                self._central.insertWidget(0, self._banner)
        return self._banner

    @property
    def locked_panel(self) -> LockedPanel:
        """Stands in for the sections while the library is locked (built the first time)."""
        if self._locked_panel is None:
            from msldesk.ui.protect.locked import LockedPanel

            self._locked_panel = LockedPanel()
            self._locked_panel.retry_requested.connect(self.retry_open)
            if self.stack is not None:
                self.stack.addWidget(self._locked_panel)
        return self._locked_panel

    @property
    def problem_panel(self) -> LibraryProblemPanel:
        """Stands in for the sections while the database is missing or damaged (built the first time)."""
        if self._problem_panel is None:
            from msldesk.ui.protect.library_problem import LibraryProblemPanel

            self._problem_panel = LibraryProblemPanel()
            self._problem_panel.restore_requested.connect(self.restore_newest_backup)
            self._problem_panel.choose_folder_requested.connect(self.choose_another_folder)
            self._problem_panel.quit_requested.connect(self.quit)
            if self.stack is not None:
                self.stack.addWidget(self._problem_panel)
        return self._problem_panel

    def close(self) -> None:
        """The window is closing: a worker waiting for a passphrase gets none."""
        self.prompter.abort()

    @property
    def is_locked(self) -> bool:
        """True while a panel (locked, missing or damaged) stands in for the sections."""
        return self.stack is not None and self.stack.currentIndex() != 0

    # ---- opening ------------------------------------------------------------------------------

    def _on_context_opening(self) -> None:
        if self._locked_panel is not None:  # Retry: say it is trying again
            self._locked_panel.set_trying()

    def _on_context_locked(self, message: str) -> None:
        from msldesk.core.paths import default_data_dir

        self.locked_panel.show_locked(message, str(self.context.data_dir or default_data_dir()))
        if self.stack is not None:
            self.stack.setCurrentWidget(self.locked_panel)
        self.status_message.emit("The library is locked.")

    def _on_context_unavailable(self, error: LibraryUnavailableError) -> None:
        from msldesk.core.errors import LibraryDamagedError

        self.problem = error
        damaged = isinstance(error, LibraryDamagedError)
        title = "The library is damaged" if damaged else "The library's database is missing"
        self.problem_panel.show_problem(title, error.user_message, error.newest_backup)
        if self.stack is not None:
            self.stack.setCurrentWidget(self.problem_panel)
        self.status_message.emit(title + ".")

    # Choices on the problem panel. Dialogs through ask_* so tests can replace them.

    def ask_library_folder(self) -> Path | None:
        return ask_folder(self.window, self.context.settings, "library_folder", "Choose a library folder")

    def choose_another_folder(self) -> None:
        folder = self.ask_library_folder()
        if folder is None:
            return
        self.context.data_dir = folder
        self.context.start()

    def quit(self) -> None:
        self.window.close()

    def restore_newest_backup(self, passphrase: str | None = None) -> None:
        """Restore the newest backup into the broken library (on the db lane), then open it again."""
        problem = self.problem
        if problem is None or problem.newest_backup is None or problem.library is None:
            return
        from msldesk.core.paths import LibraryPaths
        from msldesk.protect.library_guard import backups_for_restore

        source, paths, provider = problem.newest_backup, LibraryPaths(problem.library), self.prompter.provider
        self.problem_panel.set_busy(f"Restoring {display_name(source.name)}…")

        def job(work: Work) -> RestoreResult:
            from msldesk.core.secrets import SecretStore

            backups = backups_for_restore(paths, SecretStore(), provider)
            try:
                return backups.restore(source, passphrase, progress=work.progress, cancel=work.cancel)
            finally:
                backups.engine.dispose()

        def done(result: RestoreResult) -> None:
            self.status_message.emit(f"Restored {display_name(source.name)}")
            self.restored.emit(result)
            self.context.start()

        def failed(error: BaseException, details: str) -> bool:
            from msldesk.protect.backup_check import BackupLockedError

            if isinstance(error, BackupLockedError):
                answer = self.ask_backup_passphrase(source, retry=passphrase is not None)
                if answer is not None:
                    self.restore_newest_backup(answer)
                    return True
            else:
                report_error(error, details, self.window)
            self._on_context_unavailable(problem)
            return True

        Op(self, job, Lane.DB).success(done).failure(failed).run()  # no library is open: not a DbOp

    def retry_open(self) -> None:
        if not self.context.is_open:
            self.context.start()

    def _on_context_ready(self) -> None:
        if self.stack is not None:
            self.stack.setCurrentIndex(0)

    # ---- daily backup -------------------------------------------------------------------------

    def take_daily_backup(self) -> None:
        """The rolling backup, quietly after start; a failure is reported but blocks nothing."""
        app = self.context.app
        if app is None:
            return
        backups = app.backups
        daily = Op(
            self, lambda work: backups.take_daily(progress=work.progress, cancel=work.cancel), Lane.BACKUP
        )
        daily.success(self._on_daily_done).failure(self._on_daily_failed).run()

    def _on_daily_done(self, path: Path | None) -> None:
        if isinstance(path, Path):
            self.status_message.emit(f"Daily backup saved ({path.name}); the last 7 are kept.")
            self.daily_backup_taken.emit(path)

    def _on_daily_failed(self, error: BaseException, details: str) -> bool:
        report_error(
            MsldeskError(
                f"Today's automatic backup could not be made. {user_message(error)} Your work is not "
                "affected; msldesk tries again when it next starts.",
                details,
            ),
            details,
            self.window,
        )
        return True

    # ---- File › Back up ------------------------------------------------------------------------

    def ask_backup_path(self, suggested: str) -> Path | None:
        return ask_save_path(
            self.window,
            self.context.settings,
            BACKUP_FOLDER_KIND,
            "Back up the library",
            suggested,
            BACKUP_FILTER,
        )

    def ask_backup_lock(self, library_source: str) -> BackupLock | None:
        from msldesk.ui.protect.backup_dialogs import BackupLockDialog

        dialog = BackupLockDialog(library_source, self.window)
        try:
            dialog.exec()
            return dialog.choice()
        finally:
            dialog.deleteLater()

    def backup(self) -> None:
        app = self.context.app
        if app is None or self._restoring:
            return
        if self._backup is not None:
            self.status_message.emit("A backup is being made already.")
            return
        from msldesk.protect.backup import default_backup_name

        path = self.ask_backup_path(default_backup_name())
        if path is None:
            return
        if not path.name.endswith(BACKUP_SUFFIX):
            path = path.with_name(path.name + BACKUP_SUFFIX)
        lock = self.ask_backup_lock(app.library_key.source)
        if lock is None:
            return
        backups = app.backups
        self.banner.start(f"Backing up the library to {path.name}…")

        def done(info: BackupInfo) -> None:
            from msldesk.ui.protect.backup_dialogs import backup_summary, describe_backup

            self._backup = None
            # No *Open*: only File › Restore reads a backup, and no desktop application does.
            self.banner.succeeded(path, f"Backup saved to {path}\n{backup_summary(info)}", openable=False)
            self.banner.message.setToolTip(describe_backup(info, checked=False))
            self.status_message.emit(f"Backup saved to {path}")
            self.backup_made.emit(info)

        def cancelled() -> None:
            self._backup = None
            self.banner.stopped("Backup cancelled; nothing was written.")
            self.status_message.emit("Backup cancelled")

        def failed(error: BaseException, details: str) -> bool:
            self._backup = None
            self.banner.stopped(f"The backup was not made. {user_message(error)}")
            report_error(error, details, self.window)
            return True

        def job(work: Work) -> BackupInfo:
            return backups.create(path, lock.passphrase, progress=work.progress, cancel=work.cancel)

        self._backup = Op(self, job, Lane.BACKUP).success(done).failure(failed).when_cancelled(cancelled)
        self._backup.with_progress(self.banner.progressed).run()

    def _on_banner_cancel_requested(self) -> None:
        if self._backup is not None:
            self._backup.cancel()
            self.banner.stopping("Stopping the backup…")

    def _show_progress(self, title: str, message: str, modal: bool = False) -> TaskProgressDialog:
        # Checking and restoring a backup: one window per job (a check may overlap another); each
        # deletes itself once closed, which happens only after its job has answered.
        from msldesk.ui.protect.backup_dialogs import TaskProgressDialog

        self.progress = TaskProgressDialog(title, message, self.window, modal)
        self.progress.show()
        return self.progress

    # ---- File › Restore -------------------------------------------------------------------------

    def ask_restore_path(self) -> Path | None:
        return ask_open_path(
            self.window, self.context.settings, BACKUP_FOLDER_KIND, "Restore a backup", BACKUP_FILTER
        )

    def ask_backup_passphrase(self, path: Path, retry: bool) -> str | None:
        from msldesk.ui.protect.backup_dialogs import BackupPassphraseDialog

        dialog = BackupPassphraseDialog(display_name(path.name), retry, self.window)
        try:
            dialog.exec()
            return dialog.passphrase()
        finally:
            dialog.deleteLater()

    def ask_confirm_restore(self, info: BackupInfo) -> bool:
        from msldesk.ui.protect.backup_dialogs import describe_backup

        return confirm_destructive(
            self.window,
            "Restore this backup?",
            "Replace everything in this library with this backup?",
            describe_backup(info) + "\n\nChanges made since the backup are replaced. Your library as it "
            "is now is saved first, so this can be undone by restoring that copy.",
            "Restore",
            warning=True,
        )

    def show_restored(self, result: RestoreResult) -> None:
        from msldesk.protect.history_words import local_time

        saved = (
            f"Your library as it was is saved at:\n{result.safety_backup}"
            if result.safety_backup
            else "There was no library here before, so nothing else was saved."
        )
        self._show_box(
            QMessageBox.Icon.Information,
            "Backup restored",
            f"The backup made on {local_time(result.info.created_at)} is restored.",
            "\n\n".join(p for p in (result.erasure_note, saved) if p),
        )

    def restore(self) -> None:
        if not self.context.is_open or self._restoring:
            return
        path = self.ask_restore_path()
        if path is None:
            return
        self._check(path, None)

    def _check(self, path: Path, passphrase: str | None) -> None:
        app = self.context.app
        if app is None:
            return
        backups = app.backups
        progress = self._show_progress("Restore", f"Checking {display_name(path.name)}…")

        def checked(info: BackupInfo) -> None:
            progress.close()
            self.backup_checked.emit(info)
            if self.ask_confirm_restore(info):
                self._restore(path, passphrase)
            else:
                self.status_message.emit("Restore cancelled; nothing was changed.")
                self.restore_ended.emit(False)

        def failed(error: BaseException, details: str) -> bool:
            from msldesk.protect.backup_check import BackupLockedError

            progress.close()
            if isinstance(error, BackupLockedError):
                answer = self.ask_backup_passphrase(path, retry=passphrase is not None)
                if answer is not None:
                    self._check(path, answer)
                    return True
                self.status_message.emit("Restore cancelled; nothing was changed.")
            else:
                report_error(error, details, self.window)
            self.restore_ended.emit(False)
            return True

        def job(work: Work) -> BackupInfo:
            return backups.check(path, passphrase, progress=work.progress, cancel=work.cancel)

        check = Op(self, job, Lane.BACKUP).success(checked).failure(failed).with_progress(progress.progressed)
        check.when_cancelled(lambda: progress.finish("Check cancelled; nothing was changed.", ok=False))
        progress.cancel_requested.connect(check.cancel)
        check.run()

    def _restore(self, path: Path, passphrase: str | None) -> None:
        """Stop other work, wait until nothing runs, then restore on the db lane."""
        self._restoring = True
        progress = self._show_progress("Restore", "Waiting for other work to stop…", modal=True)
        self.stop_work()
        if self._backup is not None:
            self._backup.cancel()
        waited = [0]
        stop = [False]
        progress.cancel_requested.connect(lambda: stop.__setitem__(0, True))

        def poll() -> None:
            if stop[0]:
                self._restoring = False
                progress.finish("Restore cancelled; nothing was changed.", ok=False)
                self.restore_ended.emit(False)
                return
            if self.context.runner.active == 0:
                self._run_restore(path, passphrase, progress)
                return
            waited[0] += IDLE_POLL_MS
            if waited[0] >= IDLE_TIMEOUT_MS:
                self._restoring = False
                progress.finish(
                    "Other work did not stop in time, so nothing was restored. Try again in a moment.",
                    ok=False,
                )
                self.restore_ended.emit(False)
                return
            QTimer.singleShot(IDLE_POLL_MS, poll)

        poll()

    def _run_restore(self, path: Path, passphrase: str | None, progress: TaskProgressDialog) -> None:
        app = self.context.app
        assert app is not None
        backups = app.backups
        progress.label.setText(f"Restoring {display_name(path.name)}…")

        def done(result: RestoreResult) -> None:
            self._restoring = False
            progress.close()
            self.context.undo_stack.clear()  # its commands name rows of the library that was replaced
            # Not the op's Changes: a restore replaces everything, and a failed one may have too.
            self.context.announce(EVERYTHING)
            self.status_message.emit("Backup restored")
            self.restored.emit(result)
            self.restore_ended.emit(True)
            self.show_restored(result)

        def cancelled() -> None:
            self._restoring = False
            progress.finish("Restore cancelled; nothing was changed.", ok=False)
            self.restore_ended.emit(False)

        def failed(error: BaseException, details: str) -> bool:
            from msldesk.protect.backup_check import BackupLockedError

            self._restoring = False
            progress.close()
            if isinstance(error, BackupLockedError):
                answer = self.ask_backup_passphrase(path, retry=passphrase is not None)
                if answer is not None:
                    self._restore(path, answer)
                    return True
            else:
                report_error(error, details, self.window)
            self.context.undo_stack.clear()
            self.context.announce(EVERYTHING)  # whatever happened, show what the library holds now
            self.restore_ended.emit(False)
            return True

        def job(work: Work) -> RestoreResult:
            return backups.restore(path, passphrase, progress=work.progress, cancel=work.cancel)

        restore = DbOp(self, job).success(done).failure(failed).when_cancelled(cancelled)
        progress.cancel_requested.connect(restore.cancel)
        restore.with_progress(progress.progressed).run()

    # ---- Tools ---------------------------------------------------------------------------------

    def verify_audit(self) -> None:
        if not self.context.is_open:
            return
        self.status_message.emit("Checking the audit trail…")
        DbOp(self, lambda work: work.app.audit.verify()).success(self._on_verified).run()

    def _on_verified(self, report: AuditReport) -> None:
        self.audit_verified.emit(report)
        self.show_audit_report(report)

    def show_audit_report(self, report: AuditReport) -> None:
        """Intact, incomplete (the anchor is missing, stale or damaged) or damaged, in plain words."""
        from msldesk.protect.history_words import ANCHOR_WORDS

        notes = "\n".join(f"Note: {n}." for n in report.notes)
        if report.ok:
            self.status_message.emit(f"Audit trail intact ({report.checked:,} records)")
            self._show_box(
                QMessageBox.Icon.Information,
                "Audit trail verified",
                f"The audit trail is intact: all {report.checked:,} records are in order; none was "
                "altered, removed or reordered.",
                notes,
            )
            return
        shown = "\n".join(f"• {p}" for p in report.problems[:15])
        more = f"\n… and {len(report.problems) - 15} more" if len(report.problems) > 15 else ""
        if not report.tampered:  # the records are in order; the anchor cannot confirm the newest
            self.status_message.emit("The audit trail cannot be confirmed complete")
            self._show_box(
                QMessageBox.Icon.Warning,
                "Audit trail incomplete",
                f"All {report.checked:,} records are in order, but the anchor that confirms the newest "
                f"one is {ANCHOR_WORDS.get(report.anchor, report.anchor)}: removing the newest records "
                "cannot be ruled out.",
                f"{shown}\n\nA backup holds an anchor of its own.\n{notes}".rstrip(),
                details="\n".join(report.problems),
            )
            return
        self.status_message.emit("The audit trail has problems")
        which = (
            f" Records with problems: {', '.join(map(str, report.records[:20]))}"
            f"{'…' if len(report.records) > 20 else ''}."
            if report.records
            else ""
        )
        self._show_box(
            QMessageBox.Icon.Critical,
            "Audit trail damaged",
            f"The audit trail was changed outside msldesk: {len(report.problems)} problem"
            f"{'s' if len(report.problems) != 1 else ''} found in {report.checked:,} records.{which}",
            f"{shown}{more}\n\nTell your compliance team; a backup from before the change holds the "
            f"original records.\n{notes}".rstrip(),
            details="\n".join(report.problems),
        )

    def recent_changes(self) -> HistoryDialog | None:
        from msldesk.app.history import Subject
        from msldesk.ui.protect.history import open_history

        self.history = open_history(
            self.context, Subject("recent", None, "Recent changes in this library"), self.window
        )
        return self.history

    def _show_box(
        self, icon: QMessageBox.Icon, title: str, text: str, informative: str = "", details: str = ""
    ) -> QMessageBox:
        """A non-modal message that stays until closed (the last one is kept for tests)."""
        box = QMessageBox(icon, title, text, parent=self.window)
        if informative:
            box.setInformativeText(informative)
        if details:
            box.setDetailedText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.setModal(False)
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_box = box
        box.show()
        return box
