"""The UI's shared context: the background runner, the services and the one `changed` signal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QUndoStack

from msldesk.core.changes import Changes
from msldesk.ui.ops import Lane, Op, Work
from msldesk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from msldesk.app.light_reader import FirstSlides
    from msldesk.app.services import App
    from msldesk.boards.events.service import EventService
    from msldesk.boards.intake.service import PeopleImporter
    from msldesk.boards.meeting.service import MeetingService
    from msldesk.boards.outputs.service import OutputService
    from msldesk.boards.people.service import PeopleService
    from msldesk.db.crypto import LibraryKey, PassphraseProvider
    from msldesk.decks.assembly import AssemblyService
    from msldesk.decks.service import DeckService
    from msldesk.team.service import TeamService

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
        # Asked on the opening worker when the library needs a passphrase (see ui/protect/prompter).
        self.passphrase_provider: PassphraseProvider | None = None
        # Window and dialog state (last folders, geometry); set by the main window. None: not kept.
        self.settings: QSettings | None = None

    @property
    def context(self) -> AppContext:
        """Itself: ops take a view or the context as their parent (ui/ops.py)."""
        return self

    # ---- the open library's services (LibraryNotOpenError, in plain words, while none is open) ----

    @property
    def is_open(self) -> bool:
        return self.app is not None

    @property
    def library(self) -> App:
        if self.app is None:
            from msldesk.core.errors import LibraryNotOpenError

            raise LibraryNotOpenError()
        return self.app

    @property
    def decks(self) -> DeckService:
        return self.library.decks

    @property
    def assembly(self) -> AssemblyService:
        return self.library.assembly

    @property
    def events(self) -> EventService:
        return self.library.events

    @property
    def people(self) -> PeopleService:
        return self.library.people

    @property
    def people_import(self) -> PeopleImporter:
        return self.library.people_import

    @property
    def meetings(self) -> MeetingService:
        return self.library.meetings

    @property
    def outputs(self) -> OutputService:
        return self.library.outputs

    @property
    def team(self) -> TeamService:
        return self.library.team

    def announce(self, changes: Changes) -> None:
        """Tell every view what changed. Ops call it with their result's Changes; the few changes
        no op returns (the library opened or restored, thumbnails drawn meanwhile) come here too."""
        if changes.any:
            self.changed.emit(changes)

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

        def first_look(_work: Work) -> FirstSlides | None:
            from msldesk.app.light_reader import first_slides

            return first_slides(data_dir, provider, PAGE_SIZE)  # None: a library only the full start opens

        self.opening.emit()
        Op(self, first_look).success(self._on_first_look).failure(self._on_first_look_failed).run()

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

    def _on_first_look_failed(self, error: BaseException, details: str) -> bool:
        from msldesk.core.errors import LibraryUnavailableError
        from msldesk.db.crypto import LibraryLockedError

        if self._closed:
            return True
        if isinstance(error, (LibraryLockedError, LibraryUnavailableError)):
            return self._on_open_failed(error, details)  # what the full start would say too
        log.warning("The light read of the library failed; the full start follows.\n%s", details)
        self._open(None)
        return True

    def _open(self, library_key: LibraryKey | None) -> None:
        if self._closed:
            return  # the window closed while the light read ran
        data_dir, seed, provider = self.data_dir, self.seed_demo, self.passphrase_provider

        def job(work: Work) -> App:
            from msldesk.app.services import App

            # The full page check waits until the first slides are on screen (check_library).
            app = App(data_dir, passphrase_provider=provider, check_pages=False, library_key=library_key)
            if seed and app.first_run and not app.decks.list_decks():
                work.progress(0, 0, "Adding demo decks…")
                app.seed_demo_content()
            return app

        Op(self, job).success(self._on_opened).failure(self._on_open_failed).run()

    def _on_opened(self, app: App) -> None:
        if self.app is not None and self.app is not app:
            self.app.close()  # the library found damaged, now restored or another folder chosen
        self.app = app
        self._pages_checked = False
        self.first_page = None
        self.ready.emit()
        self.announce(Changes(decks=True, slides=True))

    def check_library(self) -> None:
        """Called when slides are on screen. Once per opening: read every page of the open library in
        the background (the start skipped it to show the slides sooner; a damaged page brings up the
        same panel as a damaged start), then let the rest of the upkeep start (settled)."""
        app = self.app
        if app is None or self._pages_checked:
            return
        self._pages_checked = True
        # Its own connection on the io lane: the db lane stays free for what the user asks meanwhile.
        Op(self, lambda _work: app.check_pages(), Lane.IO).failure(self._on_open_failed).run()
        self.settled.emit()

    def _on_open_failed(self, error: BaseException, _details: str) -> bool:
        """True when the window says it in place; otherwise the op shows the error box too."""
        from msldesk.core.errors import LibraryUnavailableError
        from msldesk.db.crypto import LibraryLockedError
        from msldesk.ui.errors import user_message

        if isinstance(error, LibraryUnavailableError):
            # Not a crash either: the window offers to restore the newest backup, in place.
            self.unavailable.emit(error)
            return True
        if isinstance(error, LibraryLockedError):
            # Not a fault: the window says so in place, with Retry, instead of an error box.
            self.locked.emit(user_message(error))
            return True
        self.failed.emit(user_message(error))
        return False

    def close(self) -> None:
        self._closed = True  # a light read finishing now starts no full start
        self.runner.close()
        if self.app is not None:
            self.app.close()
