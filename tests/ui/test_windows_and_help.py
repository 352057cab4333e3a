"""File dialogs that remember their folder, window geometry kept on a screen, and the help sheets
(every shortcut of the app on them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QRect, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from msldesk.boards.meeting.entry_text import (
    DUE_KEYWORD,
    DUE_WORDS,
    MENTION_MARK,
    SYMBOL_MARKERS,
    THEME_MARK,
    WORD_MARKERS,
)
from msldesk.ui.actions import KEYMAP, MENU_PROPERTY, SHORTCUT_PROPERTY
from msldesk.ui.help_sheets import MARKERS, SHORTCUTS, HelpSheets, keys_text, plain
from msldesk.ui.widgets import file_dialogs
from msldesk.ui.widgets.geometry import clamp_rect, clamp_to_screen, restore_geometry

from .test_meeting import meeting  # noqa: F401  (the meeting-mode fixture)

pytestmark = pytest.mark.usefixtures("no_libreoffice")


# ---- save and open dialogs ---------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "throwaway.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "Documents"
    folder.mkdir()
    monkeypatch.setattr(file_dialogs, "documents_folder", lambda: folder)
    monkeypatch.chdir(tmp_path)  # the working folder must never be where a dialog opens
    return folder


def test_save_dialogs_start_in_documents_then_the_last_folder_of_that_kind(
    settings: QSettings, documents: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str, str]] = []
    for folder in ("decks", "boards"):
        (tmp_path / folder).mkdir()
    answers = iter([tmp_path / "decks" / "a", tmp_path / "boards" / "b.pdf", tmp_path / "decks" / "c.pptx"])

    def fake(parent, title, start, file_filter):  # type: ignore[no-untyped-def]
        calls.append((title, start, file_filter))
        return str(next(answers)), ""

    monkeypatch.setattr(file_dialogs, "save_dialog", fake)
    ask = file_dialogs.ask_save_path
    assert ask(
        None, settings, "decks", "Export deck", "Q3 - 2026-12-04.pptx", "PPTX (*.pptx)", (".pptx",)
    ) == (tmp_path / "decks" / "a.pptx")
    assert calls[0] == ("Export deck", str(documents / "Q3 - 2026-12-04.pptx"), "PPTX (*.pptx)")
    # Another kind has its own memory: it still starts in Documents.
    ask(None, settings, "boards", "Export", "x.pdf", "PDF (*.pdf)", (".pdf",))
    assert Path(calls[1][1]).parent == documents
    ask(None, settings, "decks", "Export deck", "next.pptx", "PPTX (*.pptx)", (".pptx",))
    assert calls[2][1] == str(tmp_path / "decks" / "next.pptx")
    # Remembered across a restart (the settings file), and forgotten once the folder is gone.
    again = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    assert file_dialogs.start_folder(again, "boards") == tmp_path / "boards"
    assert file_dialogs.start_folder(again, "decks") == tmp_path / "decks"
    assert file_dialogs.start_folder(again, "decks") != Path.cwd()
    settings.setValue("last_folder/decks", str(tmp_path / "gone"))
    assert file_dialogs.start_folder(settings, "decks") == documents
    settings.setValue("last_folder/decks", "relative/folder")
    assert file_dialogs.start_folder(settings, "decks") == documents


def test_a_file_that_exists_only_with_the_ending_added_is_asked_about(
    settings: QSettings, documents: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dialog asks before replacing the name typed ("report"); the ending is added after it, so
    replacing "report.pdf" is asked here (the export then replaces what the user agreed to)."""
    (documents / "report.pdf").write_bytes(b"earlier")
    asked: list[Path] = []
    answers = iter([False, True])

    def question(parent: QWidget | None, path: Path) -> bool:
        asked.append(path)
        return next(answers)

    monkeypatch.setattr(file_dialogs, "replace_question", question)
    monkeypatch.setattr(file_dialogs, "save_dialog", lambda *a: (str(documents / "report"), ""))
    ask = file_dialogs.ask_save_path
    assert ask(None, settings, "k", "Export", "x.pdf", "PDF (*.pdf)", (".pdf",)) is None
    assert ask(None, settings, "k", "Export", "x.pdf", "PDF (*.pdf)", (".pdf",)) == documents / "report.pdf"
    assert asked == [documents / "report.pdf"] * 2
    # A name typed with its ending was asked about by the dialog itself; a new name is not asked.
    for typed in ("report.pdf", "new"):
        monkeypatch.setattr(file_dialogs, "save_dialog", lambda *a, t=typed: (str(documents / t), ""))
        assert ask(None, settings, "k", "Export", "x.pdf", "PDF (*.pdf)", (".pdf",)) is not None
    assert len(asked) == 2
    assert (documents / "report.pdf").read_bytes() == b"earlier"


def test_cancelled_dialogs_remember_nothing(settings: QSettings, documents: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(file_dialogs, "save_dialog", lambda *a: ("", ""))
    monkeypatch.setattr(file_dialogs, "open_many_dialog", lambda *a: ([], ""))
    monkeypatch.setattr(file_dialogs, "folder_dialog", lambda *a: "")
    assert file_dialogs.ask_save_path(None, settings, "k", "t", "n.pdf", "") is None
    assert file_dialogs.ask_open_paths(None, settings, "k", "t", "") == []
    assert file_dialogs.ask_folder(None, settings, "k", "t") is None
    assert file_dialogs.start_folder(settings, "k") == documents


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("Onc/ology: “update”?", "2026-12-04"), "Onc ology “update” - 2026-12-04.pptx"),
        (("  ", ""), "untitled.pptx"),
        (("CON",), "CON file.pptx"),
        (("a\x00b\nc",), "a b c.pptx"),
        (("x" * 300, "2026-12-04"), "x" * 80 + " - 2026-12-04.pptx"),
        (("...",), "untitled.pptx"),
    ],
)
def test_suggested_names_are_safe_for_every_file_system(parts: tuple[str, ...], expected: str) -> None:
    assert file_dialogs.safe_file_name(*parts, suffix=".pptx") == expected


def test_every_file_dialog_in_the_app_goes_through_the_helper() -> None:
    """The class of fault: a dialog built elsewhere opens in the working folder with no name."""
    ui = Path(file_dialogs.__file__).parent
    offenders = [
        str(p.relative_to(ui))
        for p in ui.rglob("*.py")
        if p.name != "file_dialogs.py" and "QFileDialog" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_the_main_window_dialogs_use_the_windows_settings(make_window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    assert context.settings is window.settings
    starts: list[str] = []
    monkeypatch.setattr(
        file_dialogs, "folder_dialog", lambda parent, title, start: starts.append(start) or ""
    )
    window.ask_folder()
    window.settings.setValue("last_folder/deck_imports", str(tmp_path))
    window.ask_folder()
    assert starts[1] == str(tmp_path)


# ---- geometry ----------------------------------------------------------------------------------

LAPTOP = QRect(0, 0, 1366, 768)
RIGHT_MONITOR = QRect(1366, 0, 1920, 1080)


def test_a_window_on_a_monitor_that_is_gone_comes_back_to_the_primary_screen() -> None:
    saved = QRect(1500, 100, 1200, 800)  # was on the right-hand monitor
    assert clamp_rect(saved, [LAPTOP, RIGHT_MONITOR]) == saved
    assert clamp_rect(saved, [LAPTOP]) == QRect(166, 0, 1200, 768)


def test_a_window_larger_than_the_screen_is_shrunk_to_it() -> None:
    assert clamp_rect(QRect(-50, -20, 2560, 1440), [LAPTOP]) == LAPTOP


def test_a_window_partly_off_screen_is_moved_onto_it() -> None:
    assert clamp_rect(QRect(1000, 600, 800, 400), [LAPTOP]) == QRect(566, 368, 800, 400)
    assert clamp_rect(QRect(-5000, -5000, 300, 200), [LAPTOP, RIGHT_MONITOR]) == QRect(0, 0, 300, 200)
    # Mostly on the second monitor: it goes there, not to the primary.
    assert clamp_rect(QRect(1300, 900, 600, 400), [LAPTOP, RIGHT_MONITOR]) == QRect(1366, 680, 600, 400)
    assert clamp_rect(QRect(10, 10, 300, 200), []) == QRect(10, 10, 300, 200)


def test_restored_geometry_is_clamped_onto_the_screen(qtbot) -> None:  # type: ignore[no-untyped-def]
    big = QWidget()
    qtbot.addWidget(big)
    big.setGeometry(3000, 2000, 2400, 1600)  # saved on a large second monitor
    saved = big.saveGeometry()
    small = QWidget()
    qtbot.addWidget(small)
    assert restore_geometry(small, saved, [LAPTOP])
    frame = small.frameGeometry()
    assert LAPTOP.contains(frame), frame
    assert not restore_geometry(small, None, [LAPTOP])
    small.setGeometry(-400, -400, 500, 300)
    clamp_to_screen(small, [LAPTOP])
    assert LAPTOP.contains(small.frameGeometry())


def _fits_its_screen(window) -> None:  # type: ignore[no-untyped-def]
    screen, frame, least = (
        window.screen().availableGeometry(),
        window.frameGeometry(),
        window.minimumSizeHint(),
    )
    # On the screen, and no larger than it (or than the window's own minimum, where that is larger:
    # the offscreen test screen is 800 pixels wide).
    assert screen.contains(frame.topLeft()), (frame, screen)
    assert frame.width() <= max(screen.width(), least.width() + 10), (frame, screen, least)
    assert frame.height() <= screen.height(), (frame, screen, least)


def test_the_main_window_fits_the_screen_it_opens_on(make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, _context = make_window(seed_demo=False)  # nothing saved: the default size, fitted
    _fits_its_screen(window)
    window.setGeometry(20000, 20000, 9000, 7000)  # as if saved on a wall of monitors
    window.settings.setValue("main_window/geometry", window.saveGeometry())
    again, _ = make_window(seed_demo=False, data_dir=tmp_path / "other")
    _fits_its_screen(again)


# ---- help --------------------------------------------------------------------------------------


def test_the_shortcuts_sheet_lists_every_shortcut_of_the_action_registry(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window(seed_demo=False)
    window.actions_by_key["help_shortcuts"].trigger()
    sheets = window.help_sheets
    assert isinstance(sheets, HelpSheets)
    assert sheets.isVisible()
    assert not sheets.isModal()
    assert sheets.tabs.currentIndex() == SHORTCUTS
    text = sheets.shortcuts.toPlainText()
    with_keys = [a for a in window.actions_by_key.values() if not a.shortcut().isEmpty()]
    assert len(with_keys) > 10
    for action in with_keys:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        # Each row of the sheet reads "command", then its keys (a table, one cell a line).
        assert f"\n{plain(action.text())}\n{keys}\n" in f"\n{text}\n", (action.text(), keys)
    for menu in ("File", "Edit", "Deck", "View", "Help"):
        assert menu in text
    sheets.close()
    window.actions_by_key["help_markers"].trigger()
    assert window.help_sheets.tabs.currentIndex() == MARKERS


def test_the_note_markers_sheet_shows_each_marker_from_the_grammar(qtbot) -> None:  # type: ignore[no-untyped-def]
    sheets = HelpSheets([])
    qtbot.addWidget(sheets)
    text = sheets.markers.toPlainText()
    for marker in [*SYMBOL_MARKERS, *(f"{w}:" for w in WORD_MARKERS), MENTION_MARK, THEME_MARK]:
        assert marker in text, marker
    for word in DUE_WORDS:
        assert f"{DUE_KEYWORD}:{word}" in text


def test_f1_in_meeting_mode_opens_the_note_markers_and_its_shortcuts(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _window, _context, _board, open_meeting = meeting
    mw = open_meeting()
    mw.activateWindow()
    qtbot.waitUntil(mw.isActiveWindow, timeout=10_000)
    QTest.keyClick(mw, Qt.Key.Key_F1)
    sheets = next(c for c in mw.children() if isinstance(c, HelpSheets))
    assert sheets.isVisible()
    assert sheets.tabs.currentIndex() == MARKERS
    shortcuts = sheets.shortcuts.toPlainText()
    assert "Meeting mode" in shortcuts
    assert "Next agenda item" in shortcuts
    assert "F8" in shortcuts
    sheets.close()


def _shortcuts_in(*windows: QWidget) -> list[QObject]:
    """Every QShortcut, and every QAction with keys, that `windows` hold: their children's, and the
    actions added to any of their widgets (an action need not be a child of the widget it is on)."""
    found: dict[int, QObject] = {}
    for window in windows:
        widgets = [window, *window.findChildren(QWidget)]
        for obj in [*window.findChildren(QShortcut), *window.findChildren(QAction)] + [
            a for w in widgets for a in w.actions()
        ]:
            found[id(obj)] = obj
    return [
        o
        for o in found.values()
        if (isinstance(o, QShortcut) and any(not k.isEmpty() for k in o.keys()))  # noqa: SIM118 - QShortcut.keys()
        or (isinstance(o, QAction) and keys_text(o))
    ]


def _unlisted(shortcuts: list[QObject], sheets: HelpSheets) -> list[str]:
    """The shortcuts the sheet does not show (by section, command and keys), in words."""
    rows, missing = set(sheets.rows), []
    for item in shortcuts:
        if isinstance(item, QShortcut):
            keys = ", ".join(k.toString() for k in item.keys())  # noqa: SIM118 - a QShortcut, not a dict
            missing.append(f"a QShortcut ({keys}) on {item.parent()!r}: bind it through actions.KEYMAP")
            continue
        name, menu = item.property(SHORTCUT_PROPERTY), item.property(MENU_PROPERTY)
        if name:
            row = (KEYMAP[name].area, KEYMAP[name].text, keys_text(item))
        elif menu:
            row = (plain(menu), plain(item.text()), keys_text(item))
        else:
            missing.append(f"an action outside the registry: {item.text()!r} ({keys_text(item)})")
            continue
        if row not in rows:
            missing.append(f"not on the sheet as registered: {row}")
    return missing


def test_every_shortcut_in_the_main_window_and_meeting_mode_is_on_the_sheets(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from msldesk.ui.boards.notes_lists import ThemesDialog
    from msldesk.ui.boards.notes_terms import RestrictedTermsDialog

    window, _context, _board, open_meeting = meeting
    window.show_section(window.people_page)  # sections are built when first shown: People's keys too
    mw = open_meeting()
    dialogs = [ThemesDialog(["Access"], window), RestrictedTermsDialog(["off-label"], window)]
    window.actions_by_key["help_shortcuts"].trigger()
    main_sheet = window.help_sheets
    in_main, in_meeting = _shortcuts_in(window, *dialogs), _shortcuts_in(mw)
    assert len(in_main) > 25, "the walk finds the shortcuts"
    assert len(in_meeting) >= 9, "the walk finds the shortcuts"
    assert _unlisted(in_main + in_meeting, main_sheet) == []
    sheet_text = main_sheet.shortcuts.toPlainText()
    for section in ("Deck builder tray", "Boards", "People", "Notes review", "Meeting mode"):
        assert f"\n{section}\n" in f"\n{sheet_text}\n", section
    # The deck builder's focus-scoped keys, as they read on the sheet.
    for command, keys in (
        ("Remove the selected slides", "Del"),
        ("Move the selected slides earlier", "Ctrl+Left"),
    ):
        assert f"\n{command}\n{keys}\n" in sheet_text

    mw.activateWindow()
    qtbot.waitUntil(mw.isActiveWindow, timeout=10_000)
    QTest.keyClick(mw, Qt.Key.Key_F1)
    meeting_sheet = next(c for c in mw.children() if isinstance(c, HelpSheets))
    assert _unlisted(in_meeting, meeting_sheet) == []
    assert {area for area, _command, _keys in meeting_sheet.rows} == {"Meeting mode"}

    # And the other way round: every bound shortcut of the registry exists somewhere.
    bound = {o.property(SHORTCUT_PROPERTY) for o in in_main + in_meeting if isinstance(o, QAction)}
    assert {name for name, spec in KEYMAP.items() if spec.scope is not None} <= bound
    for dialog in dialogs:
        dialog.deleteLater()


def test_an_ad_hoc_shortcut_is_caught(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window(seed_demo=False)
    window.actions_by_key["help_shortcuts"].trigger()
    QShortcut(QKeySequence("Ctrl+Alt+J"), window.library)
    stray = QAction("Jump somewhere", window.boards)
    stray.setShortcut(QKeySequence("Ctrl+Alt+K"))
    window.boards.addAction(stray)
    missing = _unlisted(_shortcuts_in(window), window.help_sheets)
    assert len(missing) == 2
    assert "QShortcut" in missing[0] + missing[1]


def test_the_tray_keys_work_only_while_the_tray_has_the_focus(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _context = make_window()
    tray, view = window.library.builder, window.library
    qtbot.waitUntil(lambda: view.grid_model.rowCount() >= 3, timeout=10_000)
    cards = [view.grid_model.card(r) for r in range(3)]
    slides = [c.slide_id for c in cards]
    tray.model.insert_cards(0, cards)
    window.activateWindow()
    tray.view.setFocus()
    qtbot.waitUntil(tray.view.hasFocus, timeout=5_000)
    tray.view.setCurrentIndex(tray.model.index(2))
    QTest.keyClick(tray.view, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert tray.model.slide_ids() == [slides[0], slides[2], slides[1]]
    QTest.keyClick(tray.view, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)  # the same slide again
    assert tray.model.slide_ids() == [slides[2], slides[0], slides[1]]
    QTest.keyClick(tray.view, Qt.Key.Key_Delete)
    assert tray.model.slide_ids() == [slides[0], slides[1]]
    view.search.setFocus()  # Ctrl+Left moves by word here; Delete deletes a character
    qtbot.waitUntil(view.search.hasFocus, timeout=5_000)
    QTest.keyClick(view.search, Qt.Key.Key_Delete)
    assert tray.model.slide_ids() == [slides[0], slides[1]]


def test_disconnect_is_greyed_out_while_no_team_hub_is_connected(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Team › Disconnect… asked "Disconnect this library from its team hub?" of a library that has
    none, then did nothing."""
    window, _context = make_window(seed_demo=False)
    qtbot.waitUntil(lambda: hasattr(window, "team"), timeout=10_000)
    assert window.context.team.link() is None
    assert not window.team.actions["team_disconnect"].isEnabled()
    assert window.team.actions["team_connect"].isEnabled()


def test_the_library_commands_are_greyed_out_in_boards_and_people(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Edit › Save deck details stayed enabled in Boards and People, where it did nothing; Add
    selected slides acted on library slides out of sight."""
    window, _context = make_window(seed_demo=False)
    library_only = [window.actions_by_key[key] for key in ("save_deck", "add_to_deck")]
    assert all(action.isEnabled() for action in library_only)
    for page in (window.boards_page, window.people_page):
        window.show_section(page)
        assert not any(action.isEnabled() for action in library_only), page
        assert window.actions_by_key["find"].isEnabled()  # Find works in every section
    window.show_section(window.library_page)
    assert all(action.isEnabled() for action in library_only)


def test_the_window_starts_with_the_keyboard_in_the_slide_search(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """It started on the section tabs: typed words went nowhere until a click."""
    window, _context = make_window(seed_demo=False)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10_000)
    qtbot.waitUntil(lambda: window.library_page.built is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window.library.search.hasFocus(), timeout=5_000)
