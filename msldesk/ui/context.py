"""The UI's shared context: the background runner, the services and the one `changed` signal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QUndoStack

from msldesk.core.changes import Changes
from msldesk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from msldesk.app.light_reader import FirstSlides
    from msldesk.app.services import App
    from msldesk.db.crypto import LibraryKey, PassphraseProvider
    from msldesk.decks.service import DeckService

log = logging.getLogger(__name__)


class AppContext(QObject):
    """Views refresh from `changed` instead of calling each other."""

    changed = Signal(object)  # Changes
    ready = Signal()  # services are built and the library is open
    failed = Signal(str)  # the library could not be opened
    locked = Signal(str)  # ... because its key or passphrase was not at hand (Retry may help)
    unavailable = Signal(object)  # ... because its database is missing or damaged (LibraryUnavailableError)
    opening = Signal()  # start() was called
    first_slides = Signal(object)  # FirstSlides: read before the library is fully open (no ready yet)
    settled = Signal()  # the open library's first slides are on screen: background upkeep may start

    def __init__(
        self, runner: TaskRunner, data_dir: Path | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.data_dir = data_dir
        self.app: App | None = None
        self.undo_stack = QUndoStack(self)
        self.seed_demo = True
        self._pages_checked = False
        self._closed = False
        self.first_page: FirstSlides | None = None  # shown while the library opens (views built meanwhile)
        # Asked on the opening worker when the library needs a passphrase (see ui/protect/passphrase).
        self.passphrase_provider: PassphraseProvider | None = None
        # Window and dialog state (last folders, geometry); set by the main window. None: not kept.
        self.settings: QSettings | None = None

    @property
    def decks(self) -> DeckService:
        if self.app is None:
            raise RuntimeError("The library is not open yet.")
        return self.app.decks

    def on_ready(self, slot: Callable[[], object]) -> None:
        """Call `slot` each time the library opens, and now if it is open: a view built after the
        start (on first use) gets the ready it missed."""
        self.ready.connect(slot)
        if self.app is not None:
            slot()

    def start(self) -> None:
        """Open the library in workers: first a light read of its first slides (no SQLAlchemy; it
        unlocks the library), shown while the full start runs (imports SQLAlchemy, runs migrations,
        seeds demo decks) with the key the light read used."""
        data_dir, provider = self.data_dir, self.passphrase_provider

        from msldesk.ui.library.slide_grid_model import PAGE_SIZE  # the grid's first page

        def first_look(_progress: Any, _cancel: Any) -> FirstSlides | None:
            from msldesk.app.light_reader import first_slides

            return first_slides(data_dir, provider, PAGE_SIZE)  # None: a library only the full start opens

        self.opening.emit()
        self.runner.submit("db", first_look, self._on_first_look, self._on_first_look_failed)

    def _on_first_look(self, first: FirstSlides | None) -> None:
        if self._closed:
            return
        key = first.library_key if first is not None else None
        if first is None or first.slides is None:
            self._open(key)
            return
        self.first_page = first
        self.first_slides.emit(first)
        # From the event loop, after the slides are painted: the full start's imports (a second of
        # Python) would otherwise hold up that first paint.
        QTimer.singleShot(0, self, lambda: self._open(key))

    def _on_first_look_failed(self, error: BaseException, details: str) -> None:
        from msldesk.core.errors import LibraryUnavailableError
        from msldesk.db.crypto import LibraryLockedError

        if self._closed:
            return
        if isinstance(error, (LibraryLockedError, LibraryUnavailableError)):
            self._on_open_failed(error, details)  # what the full start would say too
            return
        log.warning("The light read of the library failed; the full start follows.\n%s", details)
        self._open(None)

    def _open(self, library_key: LibraryKey | None) -> None:
        if self._closed:
            return  # the window closed while the light read ran
        data_dir, seed, provider = self.data_dir, self.seed_demo, self.passphrase_provider

        def job(progress: Any, _cancel: Any) -> App:
            from msldesk.app.services import App

            # The full page check waits until the first slides are on screen (check_library).
            app = App(data_dir, passphrase_provider=provider, check_pages=False, library_key=library_key)
            if seed and app.first_run and not app.decks.list_decks():
                progress(0, 0, "Adding demo decks…")
                app.seed_demo_content()
            return app

        self.runner.submit("db", job, self._on_opened, self._on_open_failed)

    def _on_opened(self, app: App) -> None:
        if self.app is not None and self.app is not app:
            self.app.close()  # the library found damaged, now restored or another folder chosen
        self.app = app
        self._pages_checked = False
        self.first_page = None
        self.ready.emit()
        self.changed.emit(Changes(decks=True, slides=True))

    def check_library(self) -> None:
        """Called when slides are on screen. Once per opening: read every page of the open library in
        the background (the start skipped it to show the slides sooner; a damaged page brings up the
        same panel as a damaged start), then let the rest of the upkeep start (settled)."""
        app = self.app
        if app is None or self._pages_checked:
            return
        self._pages_checked = True
        # Its own connection on the io lane: the db lane stays free for what the user asks meanwhile.
        self.runner.submit("io", lambda _p, _c: app.check_pages(), lambda _result: None, self._on_open_failed)
        self.settled.emit()

    def _on_open_failed(self, error: BaseException, details: str) -> None:
        from msldesk.core.errors import LibraryUnavailableError
        from msldesk.db.crypto import LibraryLockedError
        from msldesk.ui.errors import report_error, user_message

        if isinstance(error, LibraryUnavailableError):
            # Not a crash either: the window offers to restore the newest backup, in place.
            self.unavailable.emit(error)
            return
        if isinstance(error, LibraryLockedError):
            # Not a fault: the window says so in place, with Retry, instead of an error box.
            self.locked.emit(user_message(error))
            return
        report_error(error, details)
        self.failed.emit(user_message(error))

    def close(self) -> None:
        self._closed = True  # a light read finishing now starts no full start
        self.runner.cancel_all()
        self.runner.wait_all()
        if self.app is not None:
            self.app.close()
