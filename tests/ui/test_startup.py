"""Start-up stays fast: the GUI modules load no database, XML or PDF library before the window shows,
the window shows before its sections are built (the library right after, the others when first
shown), and an existing library's first slides are on screen before it is fully open."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from msldesk.ui.context import AppContext
from msldesk.ui.library.slide_grid_model import PAGE_SIZE
from msldesk.ui.main_window import MainWindow
from msldesk.ui.tasks import TaskRunner

from .helpers import make_deck

HEAVY = ("sqlalchemy", "alembic", "lxml", "pptx", "pypdfium2", "PIL")


def test_gui_modules_do_not_import_heavy_libraries() -> None:
    code = (
        "import sys, msldesk.ui.app, msldesk.ui.main_window\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"loaded at start-up: {done.stdout.strip()}"


def test_entry_point_picks_gui_or_cli() -> None:
    from msldesk.__main__ import wants_cli

    assert not wants_cli([])
    assert not wants_cli(["--data-dir", "/tmp/x"])
    assert not wants_cli(["--data-dir", "/tmp/x", "--no-demo"])
    assert wants_cli(["--data-dir", "/tmp/x", "decks"])
    assert wants_cli(["search", "efficacy"])
    assert wants_cli(["--help"])


# Shows the main window on an empty library folder, then reports what was loaded when it was shown.
_SHOW_AND_REPORT = """
import json, sys
import PySide6.QtCore as QtCore
import PySide6.QtWidgets as QtWidgets
from PySide6.QtWidgets import QApplication
from msldesk.ui.app import build_window
from msldesk.ui.theme import FUSION_MENU_ARROW, apply_theme

app = QApplication(sys.argv[:1])
apply_theme(app, FUSION_MENU_ARROW)  # as msldesk.ui.app.run does
window, _context = build_window(sys.argv[1])

def report():
    names = sorted(m for m in sys.modules if m.startswith("msldesk"))
    built = [p.built is not None for p in (window.library_page, window.boards_page, window.people_page)]
    enums = {"qt_enums": "Qt" in vars(QtCore), "style_enums": "QStyle" in vars(QtWidgets)}
    print("SHOWN " + json.dumps({"modules": names, "built": built, **enums}))
    app.quit()

window.shown.connect(lambda: QtCore.QTimer.singleShot(0, report))
window.show()
app.exec()
"""


def test_the_window_shows_before_its_sections_are_built(tmp_path: Path) -> None:
    """Only the window's shell loads before it shows: no section, help sheet or dialog, and none of
    Qt's namespace enums (`from PySide6.QtCore import Qt` builds ~90 of them, ~17 ms)."""
    done = subprocess.run(
        [sys.executable, "-c", _SHOW_AND_REPORT, str(tmp_path / "library")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(next(x for x in done.stdout.splitlines() if x.startswith("SHOWN "))[6:])
    loaded = set(report["modules"])
    later = {
        "msldesk.ui.library.view",
        "msldesk.ui.boards.view",
        "msldesk.ui.people.view",
        "msldesk.ui.help_sheets",
        "msldesk.ui.protect.backup_dialogs",
        "msldesk.ui.protect.history",
        "msldesk.ui.widgets.export_banner",
        "msldesk.boards.records",
        "msldesk.decks.records",
        # Loaded once the window is painted, or when first used:
        "msldesk.ui.team.controller",
        "msldesk.boards.outputs.registry",
        "msldesk.app.history",
        "msldesk.protect.history_words",
        "msldesk.ui.protect.passphrase",
    }
    assert sorted(loaded & later) == []
    assert report["built"] == [False, False, False]
    assert not report["qt_enums"], "something before the window shows imports Qt (use QtCore.Qt at use)"
    assert not report["style_enums"], "something before the window shows asks the style (~600 enum members)"


def test_the_library_is_built_once_the_window_is_painted(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    context = AppContext(runner, tmp_path / "library")
    window = MainWindow(context, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    runner.setParent(window)
    context.setParent(window)
    qtbot.addWidget(window)
    assert window.library_page.built is None
    with qtbot.waitSignal(window.library_page.view_built, timeout=10_000):
        window.show()
    assert window.library_page.built is window.library
    assert not window.library.isEnabled()  # opening


def test_boards_and_people_are_built_when_first_shown(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _context = make_window(seed_demo=True)
    assert window.boards_page.built is None
    assert window.people_page.built is None
    window.actions_by_key["show_boards"].trigger()
    boards = window.boards_page.built
    assert boards is not None
    assert window.sections.currentWidget() is window.boards_page
    assert boards.isEnabled()  # built after the library opened: ready at once
    # Ctrl+2 puts the keyboard on the first event, as when the section was built at the start.
    qtbot.waitUntil(lambda: boards.list.currentIndex().isValid(), timeout=20_000)
    assert boards.list.currentIndex().row() == 0
    assert boards.editor.event_id is not None
    window.sections.setCurrentIndex(2)  # the People tab, clicked
    people = window.people_page.built
    assert people is not None
    assert people is window.people
    assert people.isEnabled()
    qtbot.waitUntil(lambda: people.model.total > 0, timeout=20_000)


@pytest.mark.usefixtures("no_libreoffice")
def test_an_existing_library_shows_its_first_slides_before_it_is_open(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from msldesk.app.services import App

    folder = tmp_path / "library"
    total = PAGE_SIZE * 2 + 10
    deck = make_deck(tmp_path / "big.pptx", [f"Slide number {n}" for n in range(1, total + 1)])
    app = App(folder)
    list(app.decks.import_paths([deck]))
    app.close()

    runner = TaskRunner()
    context = AppContext(runner, folder)
    window = MainWindow(context, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    runner.setParent(window)
    context.setParent(window)
    qtbot.addWidget(window)
    window.show()
    view, grid = window.library, window.library.grid_model
    seen: list[tuple[object, ...]] = []
    # Connected after the view's own slots: what the user sees once each signal is handled.
    context.first_slides.connect(
        lambda first: seen.append(
            ("first", first.total, grid.rowCount(), grid.canFetchMore(), view.isEnabled(), context.app)
        )
    )
    context.ready.connect(lambda: seen.append(("ready", grid.rowCount())))
    context.changed.connect(lambda _changes: seen.append(("reloading", grid.rowCount())))
    with qtbot.waitSignal(context.ready, timeout=30_000):
        context.start()
    assert seen[0] == ("first", total, PAGE_SIZE, False, False, None)  # on screen, no paging yet
    assert view.result_label.text() == f"{total:,} slides"
    assert view.deck_model.index(0).data() == f"All slides ({total:,})"  # the decks come with the rest
    assert seen[1:] == [("ready", PAGE_SIZE), ("reloading", PAGE_SIZE)]  # the grid never went blank
    qtbot.waitUntil(lambda: not grid.busy and view.isEnabled(), timeout=20_000)
    assert [grid.card(r).slide_id for r in range(grid.rowCount())] == [
        s.slide_id for s in context.decks.list_slides(None, 0, PAGE_SIZE)
    ]
    grid.fetch_all()  # End: pages on from the open library
    qtbot.waitUntil(lambda: grid.rowCount() == total, timeout=20_000)
    assert grid.card(total - 1).title == f"Slide number {total}"
    window.close()
    assert runner.wait_all(30_000)


def test_a_passphrase_is_asked_and_its_key_derived_once(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import keyring.core
    from keyring.backends import fail

    from msldesk.app.services import App
    from msldesk.db import crypto
    from msldesk.ui.protect.prompter import PassphrasePrompter

    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())  # no keyring: a passphrase
    folder = tmp_path / "library"
    App(folder, passphrase_provider=lambda _request: "correct horse battery").close()
    asked: list[object] = []
    monkeypatch.setattr(
        PassphrasePrompter, "ask", lambda _self, request: asked.append(request) or "correct horse battery"
    )
    derived: list[bytes] = []
    derive = crypto.derive_key
    monkeypatch.setattr(crypto, "derive_key", lambda *args: derived.append(derive(*args)) or derived[-1])

    runner = TaskRunner()
    context = AppContext(runner, folder)
    window = MainWindow(context, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    runner.setParent(window)
    context.setParent(window)
    qtbot.addWidget(window)
    window.show()
    with (
        qtbot.waitSignal(context.first_slides, timeout=30_000),
        qtbot.waitSignal(context.ready, timeout=30_000),
    ):
        context.start()
    assert len(asked) == 1
    assert len(derived) == 1
    assert context.app is not None
    assert context.app.library_key.key == derived[0]
    window.close()
    assert runner.wait_all(30_000)
