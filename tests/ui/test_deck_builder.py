"""The deck builder tray: drag slides in, reorder, remove, save and reopen collections, export."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest

from msldesk.decks.records import DeckStatus
from msldesk.ui.library.slide_grid_model import CardRole
from msldesk.ui.widgets import export_banner, file_dialogs
from msldesk.ui.widgets.required_text import RequiredTextDialog

pytestmark = pytest.mark.usefixtures("no_libreoffice")


def _ready_builder(make_window, qtbot):  # type: ignore[no-untyped-def]
    window, context = make_window()
    view = window.library
    qtbot.waitUntil(lambda: view.grid_model.rowCount() == 10, timeout=10_000)
    return window, context, view, view.builder


def _titles(builder) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.display_title for c in builder.model.cards()]


def test_slides_dragged_from_the_grid_land_in_the_tray(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, _, view, builder = _ready_builder(make_window, qtbot)
    grid = view.grid_model
    mime = grid.mimeData([grid.index(0), grid.index(3)])
    assert builder.model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, QModelIndex())
    assert builder.model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, QModelIndex())
    qtbot.waitUntil(lambda: builder.model.rowCount() == 2, timeout=10_000)
    assert _titles(builder) == [grid.card(0).display_title, grid.card(3).display_title]
    qtbot.waitUntil(lambda: "2 slides" in builder.summary.text(), timeout=10_000)


def test_reorder_remove_and_keyboard_add(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _, view, builder = _ready_builder(make_window, qtbot)
    grid = view.grid_model
    for row in (0, 1, 2):
        view.grid.selectionModel().select(grid.index(row), view.grid.selectionModel().SelectionFlag.Select)
    window.actions_by_key["add_to_deck"].trigger()
    qtbot.waitUntil(lambda: builder.model.rowCount() == 3, timeout=10_000)
    first, second, third = _titles(builder)
    builder.view.setCurrentIndex(builder.model.index(0))
    builder.move_selected(1)
    assert _titles(builder) == [second, first, third]
    # Dragging a card within the tray moves it.
    mime = builder.model.mimeData([builder.model.index(2)])
    builder.model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert _titles(builder) == [third, second, first]
    builder.view.selectionModel().clearSelection()
    builder.view.setCurrentIndex(builder.model.index(1))
    builder.remove_selected()
    assert _titles(builder) == [third, first]


def test_expired_slide_is_flagged_and_needs_a_reason_to_export(
    make_window, qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    _window, _context, view, builder = _ready_builder(make_window, qtbot)
    grid = view.grid_model
    expired_row = next(r for r in range(10) if grid.card(r).status is DeckStatus.EXPIRED)
    builder.add_slides([grid.card(0).slide_id, grid.card(expired_row).slide_id])
    qtbot.waitUntil(lambda: "expired or withdrawn" in builder.summary.text(), timeout=10_000)
    assert len(builder.blocked) == 1
    out = tmp_path / "briefing.pptx"
    builder.ask_output_path = lambda: out  # type: ignore[method-assign]
    builder.ask_override_reason = lambda _description: None  # type: ignore[method-assign]
    builder.export()
    assert not out.exists(), "no reason given: nothing is exported"
    builder.ask_override_reason = lambda _description: "Requested by the chair for context"  # type: ignore[method-assign]
    with qtbot.waitSignal(builder.exported, timeout=60_000) as exported:
        builder.export()
    result = exported.args[0]
    assert result.path == out
    assert out.exists()
    assert result.bill_of_materials.exists()
    # The export ends in the banner (not a dialog): what to check in plain sight, Open and Show
    # in folder handing the desktop the deck and its folder through the hook.
    banner = builder.banner
    assert banner.isVisible()
    assert str(out) in banner.message.text()
    assert banner.warnings.isVisible()
    assert "used anyway" in banner.warnings.text()
    opened: list[str] = []
    monkeypatch.setattr(export_banner, "open_url", lambda url: opened.append(url.toLocalFile()) or True)
    banner.open_button.click()
    banner.reveal_button.click()
    assert opened == [str(out), str(out.parent)]
    bom = result.bill_of_materials.read_text(encoding="utf-8-sig")
    assert "Requested by the chair for context" in bom
    assert "expired" in bom
    from pptx import Presentation

    assert len(Presentation(str(out)).slides) == 3  # two slides and the bill of materials
    from msldesk.decks.ooxml.validate import validate_package

    assert validate_package(out).ok


def test_clear_remove_and_opening_a_collection_can_be_undone(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A deck built slide by slide is not lost to a misplaced click on Clear: Edit › Undo (Ctrl+Z)
    puts the tray back, Redo takes it away again."""
    window, context, view, builder = _ready_builder(make_window, qtbot)
    grid = view.grid_model
    builder.add_slides([grid.card(r).slide_id for r in (0, 3, 5)])
    qtbot.waitUntil(lambda: builder.model.rowCount() == 3, timeout=10_000)
    built = _titles(builder)
    undo, redo = window.actions_by_key["undo"], window.actions_by_key["redo"]

    builder.clear_button.click()
    assert _titles(builder) == []
    assert undo.isEnabled()
    assert context.undo_stack.undoText() == "Clear the deck builder"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10_000)
    builder.view.setFocus()
    QTest.keyClick(builder.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _titles(builder) == built, "Ctrl+Z put the slides back, in their order"
    qtbot.waitUntil(lambda: "3 slides" in builder.summary.text(), timeout=10_000)
    redo.trigger()
    assert _titles(builder) == []
    undo.trigger()

    builder.view.setCurrentIndex(builder.model.index(1))
    builder.remove_button.click()
    assert _titles(builder) == [built[0], built[2]]
    undo.trigger()
    assert _titles(builder) == built

    builder.ask_collection_name = lambda: "One slide"  # type: ignore[method-assign]
    selection = builder.view.selectionModel()
    selection.clearSelection()
    for row in (0, 1):
        selection.select(builder.model.index(row), selection.SelectionFlag.Select)
    builder.remove_selected()
    builder.save_collection()
    qtbot.waitUntil(lambda: builder.collections.count() == 2, timeout=10_000)
    undo.trigger()
    assert _titles(builder) == built
    builder.open_collection("One slide")  # replaces the tray
    qtbot.waitUntil(lambda: builder.model.rowCount() == 1, timeout=10_000)
    undo.trigger()
    assert _titles(builder) == built


def test_an_undo_leaves_out_slides_removed_from_the_library_meanwhile(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, view, builder = _ready_builder(make_window, qtbot)
    grid = view.grid_model
    kept, gone = grid.card(0), grid.card(9)
    assert kept.deck_id != gone.deck_id
    builder.add_slides([kept.slide_id, gone.slide_id])
    qtbot.waitUntil(lambda: builder.model.rowCount() == 2, timeout=10_000)
    builder.clear_button.click()
    context.app.decks.remove_deck(gone.deck_id)  # elsewhere: the CLI, or Deck › Remove
    window.actions_by_key["undo"].trigger()
    qtbot.waitUntil(lambda: builder.model.slide_ids() == [kept.slide_id], timeout=10_000)
    assert "no longer in the library" in builder.banner.message.text()


def test_collections_are_saved_and_reopened(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, view, builder = _ready_builder(make_window, qtbot)
    grid = view.grid_model
    ids = [grid.card(r).slide_id for r in (4, 1)]
    builder.add_slides(ids)
    qtbot.waitUntil(lambda: builder.model.rowCount() == 2, timeout=10_000)
    builder.ask_collection_name = lambda: "Advisory board, March"  # type: ignore[method-assign]
    builder.save_collection()
    qtbot.waitUntil(lambda: builder.collections.count() == 2, timeout=10_000)
    assert context.app.assembly.collection("Advisory board, March").slide_ids == tuple(ids)
    builder.model.clear()
    builder.open_collection("Advisory board, March")
    qtbot.waitUntil(lambda: builder.model.rowCount() == 2, timeout=10_000)
    assert [c.slide_id for c in builder.model.cards()] == ids


def test_tray_model_passes_qt_model_tester(make_window, qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    _window, _, view, builder = _ready_builder(make_window, qtbot)
    builder.add_slides([view.grid_model.card(r).slide_id for r in range(3)])
    qtbot.waitUntil(lambda: builder.model.rowCount() == 3, timeout=10_000)
    assert builder.model.index(0).data(CardRole) is not None
    qtmodeltester.check(builder.model)


def test_companions_set_in_the_preview_travel_with_their_slide(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, view, builder = _ready_builder(make_window, qtbot)
    grid = view.grid_model
    row = next(r for r in range(10) if grid.card(r).title.startswith("Study design"))
    view.grid.setCurrentIndex(grid.index(row))
    qtbot.waitUntil(lambda: view.preview.slide is not None, timeout=10_000)
    # Read the card before the change: saving companions refreshes the grid, which reloads its pages.
    deck_id, slide_id = grid.card(row).deck_id, grid.card(row).slide_id
    view.preview.companions.setText("5")
    qtbot.keyClick(view.preview.companions, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: context.app.assembly.companions(deck_id) == {2: [5]}, timeout=10_000)
    builder.add_slides([slide_id])
    qtbot.waitUntil(lambda: "1 companion slide added" in builder.summary.text(), timeout=10_000)
    view.preview.companions.setText("five")
    qtbot.keyClick(view.preview.companions, Qt.Key.Key_Return)
    assert "Slide numbers only" in view.preview.companions.toolTip()
    assert view.preview.companions.property("invalid") is True  # the theme's red frame
    view.preview.companions.setText("5")
    qtbot.keyClick(view.preview.companions, Qt.Key.Key_Return)
    assert view.preview.companions.property("invalid") is False


def test_the_reason_dialog_keeps_ok_disabled_until_a_reason_is_typed(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = RequiredTextDialog("Expired or withdrawn slide", "Why must it be used anyway?")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.text, "   ")
    assert not dialog.ok_button.isEnabled(), "spaces are not a reason"
    qtbot.keyClick(dialog.text, Qt.Key.Key_Return)
    assert dialog.isVisible(), "Enter does not accept a blank reason"
    assert dialog.answer() is None, "Enter does not accept a blank reason"
    qtbot.keyClicks(dialog.text, "Chair asked for it")
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert dialog.answer() == "Chair asked for it"


def test_the_builder_asks_for_the_reason_with_that_dialog(make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _window, _context, _view, builder = _ready_builder(make_window, qtbot)
    seen: list[bool] = []

    def fake_exec(dialog: RequiredTextDialog) -> int:
        seen.append(dialog.ok_button.isEnabled())
        dialog.text.setText("Historical context")
        seen.append(dialog.ok_button.isEnabled())
        dialog.ok_button.click()
        return 1

    monkeypatch.setattr(RequiredTextDialog, "exec", fake_exec)
    assert builder.ask_override_reason("“Old slide” is expired.") == "Historical context"
    assert seen == [False, True]


def test_the_export_dialog_starts_in_the_last_deck_folder_with_a_name_from_the_content(
    make_window, qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    _window, _context, _view, builder = _ready_builder(make_window, qtbot)
    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr(file_dialogs, "documents_folder", lambda: documents)
    asked: list[str] = []
    answer = tmp_path / "decks" / "chosen"
    answer.parent.mkdir()

    def fake_save_dialog(parent, title, start, file_filter):  # type: ignore[no-untyped-def]
        asked.append(start)
        return str(answer), file_filter

    monkeypatch.setattr(file_dialogs, "save_dialog", fake_save_dialog)
    monkeypatch.chdir(tmp_path)
    builder.deck_title = 'Onc/ology: "update"'
    assert builder.ask_output_path() == answer.with_name("chosen.pptx")
    assert Path(asked[0]).parent == documents, "first time: Documents, never the working folder"
    name = Path(asked[0]).name
    assert name.startswith("Onc ology update - "), name
    assert name.endswith(".pptx"), name
    builder.ask_output_path()
    assert Path(asked[1]).parent == answer.parent, "then the folder last used for decks"


def test_the_tray_is_back_after_a_restart_and_after_a_crash(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _window, context, view, builder = _ready_builder(make_window, qtbot)
    grid = view.grid_model
    ids = [grid.card(r).slide_id for r in (4, 1, 7)]
    builder.add_slides(ids)
    qtbot.waitUntil(lambda: builder.model.slide_ids() == ids, timeout=10_000)
    builder.model.move_row(2, 0)
    wanted = [ids[2], ids[0], ids[1]]
    # A crash: the window is never closed; what was written on the change is all there is.
    qtbot.waitUntil(lambda: not builder.tray_saver.pending, timeout=10_000)
    library = context.data_dir
    again, _ = make_window(data_dir=library)
    tray = again.library.builder
    qtbot.waitUntil(lambda: tray.model.slide_ids() == wanted, timeout=10_000)

    # A slide that left the library meanwhile is dropped, with a note that stays on screen.
    from msldesk.decks.tray_file import read_tray, tray_text, write_tray

    tray_file = context.app.paths.tray
    write_tray(tray_file, tray_text([*wanted, 999_999]))
    third, _ = make_window(data_dir=library)
    tray = third.library.builder
    qtbot.waitUntil(lambda: tray.model.slide_ids() == wanted, timeout=10_000)
    qtbot.waitUntil(lambda: "no longer in the library" in tray.banner.message.text(), timeout=10_000)
    qtbot.waitUntil(lambda: read_tray(tray_file) == wanted, timeout=10_000)


@pytest.mark.parametrize(
    "content",
    [b"not json", b'{"format": "other", "slide_ids": [1]}', b'{"format": "msldesk-tray", "slide_ids": "x"}'],
)
def test_a_damaged_tray_file_starts_an_empty_tray(tmp_path: Path, content: bytes) -> None:
    from msldesk.decks.tray_file import read_tray

    path = tmp_path / "tray.json"
    path.write_bytes(content)
    assert read_tray(path) == []
    assert read_tray(tmp_path / "missing.json") == []
    fifo = tmp_path / "fifo.json"
    import os

    os.mkfifo(fifo)
    assert read_tray(fifo) == [], "a FIFO under the name is not opened (it would block)"


def test_a_slide_of_another_size_is_scaled_to_fit_and_the_banner_says_so(
    make_window, qtbot, tmp_path: Path, deck_factory
) -> None:  # type: ignore[no-untyped-def]
    """Issue 12: a 4:3 demo slide in a deck that starts with a 16:9 one (25.4 × 14.3 cm) is scaled
    to 75% and centred, every shape stays on the slide, and the export's banner says what was done."""
    import pptx

    from tests.slide_frames import outside, slide_size

    wide = deck_factory.pptx("wide.pptx", [("Wide results", "A 16:9 slide", "")], title="Wide results deck")
    presentation = pptx.Presentation(str(wide))
    presentation.slide_width, presentation.slide_height = 9144000, 5143500  # 16:9, 25.4 × 14.3 cm
    presentation.save(str(wide))
    window, context, view, builder = _ready_builder(make_window, qtbot)
    list(context.decks.import_paths([wide]))
    window.refresh()
    grid = view.grid_model
    qtbot.waitUntil(lambda: grid.rowCount() == 11, timeout=10_000)
    wide_row = next(r for r in range(11) if grid.card(r).title == "Wide results")
    usable = next(r for r in range(11) if r != wide_row and grid.card(r).status is not DeckStatus.EXPIRED)
    builder.add_slides([grid.card(wide_row).slide_id, grid.card(usable).slide_id])
    qtbot.waitUntil(lambda: builder.model.rowCount() == 2, timeout=10_000)
    out = tmp_path / "mixed.pptx"
    builder.ask_output_path = lambda: out  # type: ignore[method-assign]
    with qtbot.waitSignal(builder.exported, timeout=60_000):
        builder.export()
    assert slide_size(out) == (9144000, 5143500)  # the first slide's deck sets the size
    # The scaled 4:3 slide and the bill of materials lie inside the slide (slide 1 is the wide deck's
    # own, whose placeholder this test left where python-pptx's 4:3 template put it).
    assert [f for f in outside(out) if f.slide > 1] == []
    banner = builder.banner
    assert banner.warnings.isVisible()
    assert "scaled to 75% and centred to fit" in banner.warnings.text()
