"""Start the desktop app: Qt application, main window shown at once, library opened in a worker."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from msldesk import __version__
from msldesk.ui.context import AppContext
from msldesk.ui.errors import install_excepthook
from msldesk.ui.main_window import MainWindow
from msldesk.ui.tasks import TaskRunner

# Set by benchmarks and smoke tests: quit this many ms after the library has loaded.
QUIT_AFTER_ENV = "MSLDESK_QUIT_AFTER_MS"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="msldesk", description="msldesk desktop app")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--no-demo", action="store_true", help="do not add demo decks to a new library")
    return parser.parse_args(list(argv))


def build_window(data_dir: Path | None, seed_demo: bool = True) -> tuple[MainWindow, AppContext]:
    runner = TaskRunner()
    context = AppContext(runner, data_dir)
    context.seed_demo = seed_demo
    settings = QSettings("msldesk", "msldesk")
    window = MainWindow(context, settings)
    runner.setParent(window)
    context.setParent(window)
    return window, context


def run(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("msldesk")
    app.setOrganizationName("msldesk")
    app.setApplicationVersion(__version__)
    install_excepthook()
    window, context = build_window(args.data_dir, seed_demo=not args.no_demo)
    window.show()
    context.start()  # after show: the window appears before any database work
    quit_after = os.environ.get(QUIT_AFTER_ENV)
    if quit_after:
        context.ready.connect(lambda: QTimer.singleShot(int(quit_after), window.close))
    return app.exec()
