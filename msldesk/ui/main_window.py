"""MainWindow: a thin shell of menus, the library section, drag-and-drop import and a status bar."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QWidget,
)

from msldesk import __version__
from msldesk.decks.formats import DECK_EXTENSIONS
from msldesk.ui.actions import ActionSpec, build_actions, pressed
from msldesk.ui.context import AppContext
from msldesk.ui.lazy_section import LazySection, after_first_paint
from msldesk.ui.library.jobs import LibraryJobs
from msldesk.ui.ops import DbOp
from msldesk.ui.protect.controller import ProtectController
from msldesk.ui.widgets.file_dialogs import ask_folder, ask_open_paths
from msldesk.ui.widgets.geometry import clamp_to_screen, restore_geometry

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeyEvent

    from msldesk.decks.records import ImportOutcome
    from msldesk.ui.boards.view import BoardsView
    from msldesk.ui.help_sheets import HelpSheets
    from msldesk.ui.library.view import LibraryView
    from msldesk.ui.people.view import PeopleView
    from msldesk.ui.team.controller import TeamController

# Qt's enums are reached as QtCore.Qt where used: importing the name Qt builds ~90 enums (~17 ms),
# and this module is on the start path (before the window shows).
DECK_FILTER = "PowerPoint decks (" + " ".join(f"*{e}" for e in sorted(DECK_EXTENSIONS)) + ");;All files (*)"
LIBRARY_ONLY_ACTIONS = ("save_deck", "add_to_deck")  # greyed out in the other sections


class MainWindow(QMainWindow):
    shown = Signal()  # first time the window is on screen (start-up measurement, tests)
    team: TeamController  # the Team menu, label and syncs: made once the window is painted

    def __init__(self, context: AppContext, settings: QSettings | None = None) -> None:
        super().__init__()
        self.context = context
        self.settings = settings
        context.settings = settings
        self.setWindowTitle("msldesk")
        self.setAcceptDrops(True)
        # Sections are built (and their modules loaded) when first used: the window shows sooner.
        # The library is built just after the window is first on screen (or when used before);
        # Boards and People when first shown.
        self.library_page = LazySection(self._build_library, build_when_shown=False)
        self.boards_page = LazySection(self._build_boards)
        self.people_page = LazySection(self._build_people)
        self.sections = QTabWidget()
        self.sections.setDocumentMode(True)
        self.sections.addTab(self.library_page, "Library")
        self.sections.addTab(self.boards_page, "Boards")
        self.sections.addTab(self.people_page, "People")
        self.jobs = LibraryJobs(context, self)
        # Passphrase, locked state, backups, restore, audit trail.
        self.protect = ProtectController(context, self, self.stop_background_work)
        self.setCentralWidget(self.protect.wrap(self.sections))

        self._build_progress()
        self._running: set[str] = set()

        self._build_menus()
        self.sections.currentChanged.connect(self._on_section_shown)
        self.jobs.job_started.connect(self._on_jobs_job_started)
        self.jobs.progressed.connect(self._on_jobs_progressed)
        self.jobs.job_finished.connect(self._on_jobs_job_finished)
        self.jobs.import_failures.connect(self._on_jobs_import_failures)
        self.protect.status_message.connect(self._show_status)
        context.ready.connect(self._on_context_ready)
        context.settled.connect(self._on_context_settled)
        context.failed.connect(lambda message: self.statusBar().showMessage(message))
        self.statusBar().showMessage("Opening the library…")
        self._was_shown = False
        geometry = settings.value("main_window/geometry") if settings is not None else None
        if not restore_geometry(self, geometry):
            self.resize(1400, 860)
            clamp_to_screen(self)

    # ---- menus --------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        """Every menu command, in menu order (the menus appear in the order their first entry comes)."""
        undo = self.context.undo_stack
        self.actions_by_key = build_actions(
            self,
            self.menuBar(),
            [
                *self._file_actions(),
                *self._edit_actions(),
                *self._view_actions(),
                *self._tools_and_help_actions(),
            ],
        )
        undo.canUndoChanged.connect(self.actions_by_key["undo"].setEnabled)
        undo.canRedoChanged.connect(self.actions_by_key["redo"].setEnabled)
        self.actions_by_key["undo"].setEnabled(False)
        self.actions_by_key["redo"].setEnabled(False)

    def _file_actions(self) -> list[ActionSpec]:
        """File: imports, backup and restore, thumbnails, quit."""
        return [
            ActionSpec(
                "import_files",
                "&File",
                "&Import decks…",
                self.choose_files,
                QKeySequence.StandardKey.Open,
                "Import PowerPoint files into the library",
            ),
            ActionSpec(
                "import_folder",
                "&File",
                "Import &folder…",
                self.choose_folder,
                "Ctrl+Shift+O",
                "Import every deck in a folder and its subfolders",
            ),
            ActionSpec(
                "import_people",
                "&File",
                "Import &people…",
                lambda: self.people.open_import_wizard(),
                "Ctrl+Shift+I",
                "Import a list of people (CSV, Excel, vCard, calendar, Teams/Zoom report)",
            ),
            ActionSpec("-1", "&File", "", lambda: None),
            ActionSpec(
                "backup",
                "&File",
                "&Back up library…",
                self.protect.backup,
                "Ctrl+Shift+B",
                "Save an encrypted copy of the library and its decks to a file",
            ),
            ActionSpec(
                "restore",
                "&File",
                "&Restore from backup…",
                self.protect.restore,
                None,
                "Replace the library with a backup (the library as it is now is saved first)",
            ),
            ActionSpec("-1b", "&File", "", lambda: None),
            ActionSpec("thumbnails", "&File", "Render missing &thumbnails", self.render_thumbnails, "Ctrl+T"),
            ActionSpec(
                "retry_thumbnails",
                "&File",
                "Retry &failed thumbnails",
                lambda: self.jobs.render_thumbnails(retry_failed=True),
            ),
            ActionSpec("-2", "&File", "", lambda: None),
            ActionSpec("quit", "&File", "&Quit", self.close, QKeySequence.StandardKey.Quit),
        ]

    def _edit_actions(self) -> list[ActionSpec]:
        """Edit and Deck: undo, find, save; the deck builder and the deck list."""
        undo = self.context.undo_stack
        return [
            ActionSpec("undo", "&Edit", "&Undo", undo.undo, QKeySequence.StandardKey.Undo),
            ActionSpec("redo", "&Edit", "&Redo", undo.redo, QKeySequence.StandardKey.Redo),
            ActionSpec("-3", "&Edit", "", lambda: None),
            ActionSpec(
                "find",
                "&Edit",
                "&Find",
                lambda: self.sections.currentWidget().focus_find(),  # type: ignore[attr-defined]
                QKeySequence.StandardKey.Find,
                "Search in the current section",
            ),
            ActionSpec(
                "save_deck",
                "&Edit",
                "&Save deck details",
                lambda: self.library.editor.save(),
                QKeySequence.StandardKey.Save,
            ),
            ActionSpec(
                "add_to_deck",
                "&Deck",
                "&Add selected slides to the deck builder",
                lambda: self.library.add_selection_to_builder(),
                "Ctrl+B",
            ),
            ActionSpec(
                # Its text is the registry's label, set once the window is up (_after_first_paint).
                "export_deck",
                "&Deck",
                "",
                lambda: self.library.builder.export(),
                "Ctrl+E",
            ),
            ActionSpec(
                "remove_deck",
                "&Deck",
                "&Remove from library…",
                lambda: self.library.remove_selected_deck(),
                QKeySequence.StandardKey.Delete,
                "Remove the deck selected in the deck list; its slides leave search and collections",
            ),
            ActionSpec(
                "save_collection",
                "&Deck",
                "Save tray as &collection…",
                lambda: self.library.builder.save_collection(),
            ),
        ]

    def _view_actions(self) -> list[ActionSpec]:
        """View: refresh, the sections, meeting mode."""
        return [
            ActionSpec("refresh", "&View", "&Refresh", self.refresh, QKeySequence.StandardKey.Refresh),
            ActionSpec("-4", "&View", "", lambda: None),
            ActionSpec(
                "show_library",
                "&View",
                "&Library",
                lambda: self.show_section(self.library_page),
                "Ctrl+1",
            ),
            ActionSpec(
                "show_boards", "&View", "&Boards", lambda: self.show_section(self.boards_page), "Ctrl+2"
            ),
            ActionSpec(
                "show_people", "&View", "&People", lambda: self.show_section(self.people_page), "Ctrl+3"
            ),
            ActionSpec("-5", "&View", "", lambda: None),
            ActionSpec(
                "meeting_mode",
                "&View",
                "&Meeting mode",
                lambda: self.boards.open_meeting(),
                "Ctrl+M",
                "Take notes live for the event selected in Boards",
            ),
        ]

    def _tools_and_help_actions(self) -> list[ActionSpec]:
        """Tools (the audit trail) and Help."""
        return [
            ActionSpec(
                "verify_audit",
                "&Tools",
                "&Verify audit trail",
                self.protect.verify_audit,
                None,
                "Check that no audit record was altered, removed or reordered",
            ),
            ActionSpec(
                "recent_changes",
                "&Tools",
                "&Recent changes…",
                self.protect.recent_changes,
                None,
                "Who changed what in this library, newest first (the audit trail)",
            ),
            ActionSpec(
                "help_shortcuts",
                "&Help",
                "&Keyboard shortcuts",
                lambda: self.show_help(),
                QKeySequence.StandardKey.HelpContents,
                "Every keyboard shortcut, by menu",
            ),
            ActionSpec(
                "help_markers",
                "&Help",
                "&Note markers",
                lambda: self.show_help(markers=True),
                None,
                "How to mark insights, quotes, questions and actions while taking notes",
            ),
            ActionSpec("about", "&Help", "&About msldesk", self.about),
        ]

    def _build_progress(self) -> None:
        """The status bar's progress of imports and thumbnail rendering, hidden while none runs."""
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.progress_label = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running import or thumbnail rendering (Esc)")
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        for widget in (self.progress_label, self.progress, self.cancel_button):
            self.statusBar().addPermanentWidget(widget)
            widget.hide()

    # ---- sections -----------------------------------------------------------------------------

    @property
    def library(self) -> LibraryView:
        return self.library_page.view()  # type: ignore[return-value]

    @property
    def boards(self) -> BoardsView:
        return self.boards_page.view()  # type: ignore[return-value]

    @property
    def people(self) -> PeopleView:
        return self.people_page.view()  # type: ignore[return-value]

    def _on_section_shown(self) -> None:
        """The library's own commands are greyed out in Boards and People, where they did nothing
        (Save deck details) or acted on slides out of sight (Add selected slides)."""
        in_library = self.sections.currentWidget() is self.library_page
        for key in LIBRARY_ONLY_ACTIONS:
            self.actions_by_key[key].setEnabled(in_library)

    def _build_library(self) -> LibraryView:
        from msldesk.ui.library.view import LibraryView

        view = LibraryView(self.context)
        view.status_message.connect(self._show_status)
        # Delete removes a deck only while the deck list has the focus.
        remove = self.actions_by_key["remove_deck"]
        remove.setShortcutContext(QtCore.Qt.ShortcutContext.WidgetShortcut)
        view.deck_list.addAction(remove)
        # Once slides are on screen, the library's pages are checked in the background (it skipped
        # that at the start so the slides come sooner; damage brings up the damaged-library panel),
        # then thumbnails start rendering (settled).
        view.grid_model.loaded.connect(self.context.check_library)
        return view

    def _build_boards(self) -> BoardsView:
        from msldesk.ui.boards.view import BoardsView

        view = BoardsView(self.context)
        view.status_message.connect(self._show_status)
        return view

    def _build_people(self) -> PeopleView:
        from msldesk.ui.people.view import PeopleView

        view = PeopleView(self.context)
        view.status_message.connect(self._show_status)
        return view

    def _show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 4000)

    # ---- life cycle ---------------------------------------------------------------------------

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if not self._was_shown:
            self._was_shown = True
            self.shown.emit()
            after_first_paint(self, self._after_first_paint)

    def _after_first_paint(self) -> None:
        """What can wait until the window is on screen (each a few ms of imports and widgets): the
        Team menu, the export registry (which names the deck export) and the library section."""
        from msldesk.boards.outputs.registry import DECK
        from msldesk.ui.team.controller import TeamController

        self.team = TeamController(self.context, self)  # the Team menu, the team label, the syncs
        self.actions_by_key["export_deck"].setText(f"&{DECK.label}")
        self.library_page.view()
        # Type and find, as Outlook and PowerPoint start (not on the section tabs): once the new
        # view is shown and the library open (a hidden or disabled widget takes no focus), unless
        # the user has moved on meanwhile.
        QtCore.QTimer.singleShot(0, self._start_in_the_search)

    def _start_in_the_search(self) -> None:
        library = self.library_page.built
        if library is None or not library.isEnabled():
            return  # the library enables its view once open: this is asked again then
        focus = self.focusWidget()
        if self.sections.currentWidget() is self.library_page and focus in (None, self.sections.tabBar()):
            library.focus_search()  # type: ignore[attr-defined]

    def _on_context_ready(self) -> None:
        app = self.context.app
        assert app is not None
        QtCore.QTimer.singleShot(0, self._start_in_the_search)  # after the library enables its view
        if app.read_only:
            # Nothing that writes starts by itself; a change the user asks for gets the plain message.
            self.setWindowTitle(f"msldesk — {app.paths.root} (read-only)")
            self.statusBar().showMessage(
                "This library folder is read-only: you can look, search and make a backup elsewhere."
            )
            return
        self.setWindowTitle(f"msldesk — {app.paths.root}")
        self.statusBar().showMessage("Library open", 3000)

    def _on_context_settled(self) -> None:
        app = self.context.app
        if app is None or app.read_only:
            return  # nothing that writes starts by itself in a read-only library

        def start_if_pending(pending: int) -> None:
            if pending:
                self.jobs.render_thumbnails()

        # Counting is a database query: it runs on the db lane, never on the GUI thread.
        DbOp(self, lambda work: work.app.decks.pending_thumbnail_slides()).success(start_if_pending).run()

    def closeEvent(self, event: QCloseEvent) -> None:
        boards: BoardsView | None = self.boards_page.built  # type: ignore[assignment]
        if boards is not None and not boards.may_close():  # unsaved event edits: the user said Cancel
            event.ignore()
            return
        drafts_pending = boards is not None and not boards.meetings.close_all()
        library: LibraryView | None = self.library_page.built  # type: ignore[assignment]
        drafts_pending |= library is not None and library.builder.save_tray_now()
        if self.settings is not None:
            self.settings.setValue("main_window/geometry", self.saveGeometry())
        self.protect.close()
        self.jobs.cancel()
        if drafts_pending:
            # A meeting window's last typed words (or the deck builder's tray) are on their way to
            # disk: let them land before the rest is cancelled (quitting, so waiting here holds up no typing).
            self.context.runner.wait_all()
        self.context.close()
        super().closeEvent(event)

    # ---- import -------------------------------------------------------------------------------

    def ask_files(self) -> list[Path]:
        return ask_open_paths(self, self.settings, "deck_imports", "Import decks", DECK_FILTER)

    def ask_folder(self) -> Path | None:
        return ask_folder(self, self.settings, "deck_imports", "Import a folder of decks")

    def choose_files(self) -> None:
        self.import_paths(self.ask_files())

    def choose_folder(self) -> None:
        folder = self.ask_folder()
        if folder is not None:
            self.import_paths([folder])

    def import_paths(self, paths: list[Path]) -> None:
        if not paths or not self.context.is_open:
            return
        if self.jobs.running("import"):
            self.statusBar().showMessage("An import is already running.", 4000)
            return
        self.jobs.import_paths(paths)

    def render_thumbnails(self) -> None:
        if not self.context.is_open:
            return
        if not self.context.decks.can_render_thumbnails:
            from msldesk.decks.thumbnails import INSTALL_HINT

            self.statusBar().showMessage(f"LibreOffice was not found. {INSTALL_HINT}", 10000)
            return
        self.jobs.render_thumbnails()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # ---- progress -----------------------------------------------------------------------------

    def _on_jobs_job_started(self, name: str) -> None:
        self._running.add(name)
        self.progress.setRange(0, 0)
        self.progress_label.setText("Importing…" if name == "import" else "Rendering thumbnails…")
        for widget in (self.progress_label, self.progress, self.cancel_button):
            widget.show()

    def _on_jobs_progressed(self, name: str, done: int, total: int, message: str) -> None:
        if name == "import" or "import" not in self._running:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
            self.progress.setFormat(f"{done}/{total}")
            self.progress_label.setText(message)

    def _on_jobs_job_finished(self, name: str, summary: str) -> None:
        self._running.discard(name)
        self.statusBar().showMessage(summary, 8000)
        if not self._running:
            for widget in (self.progress_label, self.progress, self.cancel_button):
                widget.hide()

    def stop_background_work(self) -> None:
        """Cancel the long jobs started from this window (before a restore replaces the library)."""
        self.jobs.cancel()
        boards: BoardsView | None = self.boards_page.built  # type: ignore[assignment]
        if boards is not None:
            boards.editor.cancel_export()

    def _on_cancel_button_clicked(self) -> None:
        self.jobs.cancel()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if pressed(event, "library.escape"):
            if self._running:
                self.jobs.cancel()
            else:
                self.library.clear_search()
            return
        super().keyPressEvent(event)

    def _on_jobs_import_failures(self, failures: list[ImportOutcome]) -> None:
        from msldesk.ui.library.import_failures import show_import_failures

        self.failure_box = show_import_failures(self, failures)

    # ---- misc ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        from msldesk.core.changes import Changes

        self.context.announce(Changes(decks=True, slides=True, people=True, events=True))

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About msldesk",
            f"msldesk {__version__}\nThe Medical Science Liaison's desktop: slide library, decks, boards.",
        )

    def show_help(self, markers: bool = False) -> HelpSheets:
        """Help › Keyboard shortcuts, or Help › Note markers."""
        from msldesk.ui.help_sheets import MARKERS, SHORTCUTS, open_help

        self.help_sheets = open_help(self, MARKERS if markers else SHORTCUTS)
        return self.help_sheets

    def central(self) -> QWidget:
        return self.library

    def show_section(self, view: QWidget) -> None:
        """Show a section (its view or its tab page) with the focus in its search field."""
        pages = (self.library_page, self.boards_page, self.people_page)
        page = next((p for p in pages if p.built is view), view)
        self.sections.setCurrentWidget(page)
        view.focus_search()  # type: ignore[attr-defined]
