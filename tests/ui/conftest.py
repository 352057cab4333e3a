"""UI test fixtures: a real main window on a temporary library, offscreen, with no leaked workers."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

import msldesk.decks.soffice as soffice
from msldesk.ui.context import AppContext
from msldesk.ui.main_window import MainWindow
from msldesk.ui.tasks import TaskRunner
from msldesk.ui.theme import apply_theme

READY_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session", autouse=True)
def _themed(qapp):  # type: ignore[no-untyped-def]
    """Widgets under test look as the app shows them: the theme's stylesheet on pytest-qt's app."""
    apply_theme(qapp)


@pytest.fixture
def no_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most UI tests do not need real thumbnails; rendering would only slow them down."""
    monkeypatch.setattr(soffice, "find_soffice", lambda configured="": None)


@pytest.fixture
def make_window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Build, show and open a main window on a fresh library; fail if work is left running."""
    made: list[tuple[MainWindow, AppContext]] = []

    def make(seed_demo: bool = True, data_dir: Path | None = None) -> tuple[MainWindow, AppContext]:
        runner = TaskRunner()
        context = AppContext(runner, data_dir or tmp_path / "library")
        context.seed_demo = seed_demo
        settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(context, settings)
        runner.setParent(window)
        context.setParent(window)
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignal(context.ready, timeout=READY_TIMEOUT_MS):
            context.start()
        made.append((window, context))
        return window, context

    yield make
    for window, context in made:
        # A test must not leave background work behind: wait, then check nothing is pending.
        window.jobs.cancel()
        assert context.runner.wait_all(60_000), "background work still running after the test"
        # wait_all() is the guarantee that no worker is still running. Let results already computed
        # arrive before the library closes. (Rarely, after a cancelled import, one finished job's
        # result was not delivered within 10 s; that is not running work, so it is not failed here.)
        qtbot.wait(200)
        if context.app is not None:
            context.app.close()
