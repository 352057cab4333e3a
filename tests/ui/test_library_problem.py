"""A library whose database went missing or is damaged: the window says which file, and its three
choices work (restore the newest backup, choose another folder, quit); no new library is made."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from msldesk.boards.records import PersonFields
from msldesk.ui.context import AppContext
from tests import library_db
from tests.ui.test_protect import WAIT_MS, _idle, _unopened_window

pytestmark = pytest.mark.usefixtures("no_libreoffice")


def _library_with_a_backup(root: Path) -> Path:
    from msldesk.app.services import App

    app = App(root)
    try:
        app.people.add(PersonFields(first_name="Ilaria", last_name="Kept"))
        backup = app.backups.take_daily(dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC))
        assert backup is not None
        return backup
    finally:
        app.close()


def _people(context: AppContext) -> list[str]:
    assert context.app is not None
    return [p.fields.last_name for p in context.app.people.search("")]


def _open_unavailable(qtbot, tmp_path: Path, root: Path):  # type: ignore[no-untyped-def]
    window, context = _unopened_window(qtbot, tmp_path, root)
    with qtbot.waitSignal(context.unavailable, timeout=WAIT_MS):
        context.start()
    return window, context


def test_a_missing_database_shows_which_file_and_restores_the_newest_backup(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "lib"
    backup = _library_with_a_backup(root)
    (root / "library.sqlite3").unlink()
    window, context = _open_unavailable(qtbot, tmp_path, root)
    panel = window.protect.problem_panel
    assert window.protect.is_locked
    assert panel.isVisible()
    assert context.app is None
    assert "missing" in panel.title.text()
    assert "library.sqlite3" in panel.message.text()
    assert str(backup) in panel.message.text()
    assert panel.restore_button.isEnabled()
    assert panel.choose_button.isVisible()
    assert panel.quit_button.isVisible()
    assert not (root / "library.sqlite3").exists()  # nothing new was made in its place
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]

    with qtbot.waitSignal(context.ready, timeout=WAIT_MS):
        panel.restore_button.click()
    assert not window.protect.is_locked
    assert window.sections.isVisible()
    assert _people(context) == ["Kept"]
    _idle(qtbot, context)
    window.close()


def test_a_damaged_database_says_damaged_and_restore_keeps_it_aside(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "lib"
    backup = _library_with_a_backup(root)
    database = root / "library.sqlite3"
    data = bytearray(database.read_bytes())
    data[200:208] = bytes(b ^ 0x5A for b in data[200:208])
    database.write_bytes(bytes(data))
    window, context = _open_unavailable(qtbot, tmp_path, root)
    panel = window.protect.problem_panel
    assert "damaged" in panel.title.text()
    assert "restore from a backup" in panel.message.text()
    assert str(backup) in panel.message.text()
    with qtbot.waitSignal(context.ready, timeout=WAIT_MS):
        panel.restore_button.click()
    assert _people(context) == ["Kept"]
    assert [p for p in root.iterdir() if p.name.startswith("library.sqlite3.damaged-")]
    _idle(qtbot, context)
    window.close()


def test_damage_the_start_does_not_read_is_found_once_the_slides_are_shown(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The start skips the full page check (slides come first); the check then runs in the background
    and damage anywhere brings up the same damaged-library panel, whose restore works."""
    root = tmp_path / "lib"
    backup = _library_with_a_backup(root)
    database = root / "library.sqlite3"
    with library_db.connect(database) as db:
        page_size = int(db.execute("PRAGMA page_size").fetchone()[0])
        index = "SELECT rootpage FROM sqlite_master WHERE name = 'slide_fts_docsize'"
        rootpage = int(db.execute(index).fetchone()[0])
    with open(database, "r+b") as handle:  # a search index page: neither the start nor the slides read it
        handle.seek((rootpage - 1) * page_size + 300)
        handle.write(os.urandom(16))
    window, context = _unopened_window(qtbot, tmp_path, root)
    said: list[str] = []
    context.ready.connect(lambda: said.append("ready"))
    context.unavailable.connect(lambda _error: said.append("unavailable"))
    with qtbot.waitSignal(context.unavailable, timeout=WAIT_MS):
        context.start()
    assert said == ["ready", "unavailable"]  # opened first, then found damaged
    panel = window.protect.problem_panel
    assert window.protect.is_locked
    assert "damaged" in panel.title.text()
    assert "restore from a backup" in panel.message.text()
    assert str(backup) in panel.message.text()
    with qtbot.waitSignal(context.ready, timeout=WAIT_MS):
        panel.restore_button.click()
    assert _people(context) == ["Kept"]
    assert not window.protect.is_locked
    _idle(qtbot, context)
    window.close()


def test_choose_another_folder_opens_the_library_there(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, other = tmp_path / "lib", tmp_path / "other"
    _library_with_a_backup(root)
    _library_with_a_backup(other)
    (root / "library.sqlite3").unlink()
    window, context = _open_unavailable(qtbot, tmp_path, root)
    asked: list[bool] = []
    window.protect.ask_library_folder = lambda: asked.append(True) or other  # type: ignore[method-assign]
    with qtbot.waitSignal(context.ready, timeout=WAIT_MS):
        window.protect.problem_panel.choose_button.click()
    assert asked == [True]
    assert context.app is not None
    assert context.app.paths.root == other
    assert _people(context) == ["Kept"]
    assert not window.protect.is_locked
    assert not (root / "library.sqlite3").exists()
    _idle(qtbot, context)
    window.close()


def test_quit_closes_the_window(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "lib"
    _library_with_a_backup(root)
    (root / "library.sqlite3").write_bytes(b"")
    window, context = _open_unavailable(qtbot, tmp_path, root)
    assert "empty" in window.protect.problem_panel.message.text()
    window.protect.problem_panel.quit_button.click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    assert context.app is None
    assert (root / "library.sqlite3").stat().st_size == 0


def test_damage_met_after_the_start_is_told_in_plain_words_not_sqlite_words(tmp_path: Path) -> None:
    """A page that turns unreadable while msldesk runs: the error box says damaged, restore a backup."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DatabaseError

    from msldesk.ui.errors import user_message

    database = tmp_path / "plain.sqlite3"
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x TEXT)"))
        connection.execute(text("INSERT INTO t SELECT hex(randomblob(500)) FROM (SELECT 1 UNION SELECT 2)"))
    engine.dispose()
    data = bytearray(database.read_bytes())
    data[4096 : 4096 + 16] = b"\xff" * 16  # the table's page header
    database.write_bytes(bytes(data))
    with pytest.raises(DatabaseError) as caught, engine.connect() as connection:
        connection.execute(text("SELECT count(*), max(x) FROM t")).fetchall()
    said = user_message(caught.value)
    assert "damaged — restore from a backup" in said
    assert "malformed" not in said
