"""Start the desktop app: Qt application, main window shown at once, library opened in a worker."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from msldesk import __version__
from msldesk.ui.context import AppContext
from msldesk.ui.errors import install_excepthook
from msldesk.ui.lazy_section import after_first_paint
from msldesk.ui.main_window import MainWindow

if TYPE_CHECKING:
    from msldesk.ui.library.view import LibraryView
from msldesk.ui.tasks import TaskRunner
from msldesk.ui.theme import FUSION_MENU_ARROW, apply_theme, fit_menu_arrows

# Set by benchmarks and smoke tests: quit this many ms after the library has loaded.
QUIT_AFTER_ENV = "MSLDESK_QUIT_AFTER_MS"
# Set by bench/startup.py: print wall-clock times of start-up milestones to stderr, then quit.
STARTUP_REPORT_ENV = "MSLDESK_STARTUP_REPORT"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="msldesk", description="msldesk desktop app")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--no-demo", action="store_true", help="do not add demo decks to a new library")
    return parser.parse_args(list(argv))


def build_window(data_dir: Path | None, seed_demo: bool = True) -> tuple[MainWindow, AppContext]:
    # Workers are Python threads: hand the GIL back to the GUI thread more often than the 5 ms
    # default so that painting and input never wait long behind a parse or a query.
    sys.setswitchinterval(0.001)
    runner = TaskRunner()
    context = AppContext(runner, data_dir)
    context.seed_demo = seed_demo
    settings = QSettings("msldesk", "msldesk")
    window = MainWindow(context, settings)
    runner.setParent(window)
    context.setParent(window)
    context.ready.connect(_freeze_long_lived_objects)
    return window, context


def _freeze_long_lived_objects() -> None:
    """Once the libraries are loaded, move everything alive into the collector's permanent
    generation: a full collection then scans only new objects. Measured: a 60 ms full
    collection in the middle of thumbnail rendering stalled the GUI (bench/responsiveness.py).
    No gc.collect() first: that alone would pause the GUI as long, and what little garbage is
    frozen with the rest is a one-off."""
    gc.freeze()


def run(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("msldesk")
    app.setOrganizationName("msldesk")
    app.setApplicationVersion(__version__)
    apply_theme(app, FUSION_MENU_ARROW)  # the style is asked once the window is painted
    install_excepthook()
    window, context = build_window(args.data_dir, seed_demo=not args.no_demo)
    if os.environ.get(STARTUP_REPORT_ENV):
        _report_startup(window, context)
    # From the event loop once the window is up: the opening's first imports would slow its show.
    window.shown.connect(lambda: QTimer.singleShot(0, context.start))
    window.shown.connect(gc.enable)  # __main__ turned it off for the start
    after_first_paint(window, lambda: fit_menu_arrows(app))
    window.show()
    quit_after = os.environ.get(QUIT_AFTER_ENV)
    if quit_after:
        context.ready.connect(lambda: QTimer.singleShot(int(quit_after), window.close))
    return app.exec()


def _report_startup(window: MainWindow, context: AppContext) -> None:
    """Milestones: the window shown, the library open, the first slides painted; quit after the last."""
    reached: set[str] = set()

    def mark(name: str) -> None:
        print(f"startup {name} {time.time():.6f}", file=sys.stderr, flush=True)
        reached.add(name)
        if {"ready", "slides"} <= reached:
            QTimer.singleShot(0, window.close)

    # Marked from the event loop (singleShot 0), as a bare window is: after the show or paint is done.
    window.shown.connect(lambda: QTimer.singleShot(0, lambda: mark("shown")))
    context.ready.connect(lambda: mark("ready"))

    def watch(library: LibraryView) -> None:
        model = library.grid_model
        after_first_paint(library.grid.viewport(), lambda: mark("slides"), lambda: model.rowCount() > 0)

    window.library_page.view_built.connect(watch)
