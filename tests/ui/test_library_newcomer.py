"""The library as a newcomer from PowerPoint expects it: removing decks, the deck list, the grid."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from msldesk.ui.library.deck_list_model import DeckRole

pytestmark = pytest.mark.usefixtures("no_libreoffice")


def _deck_ids(view) -> list[int]:  # type: ignore[no-untyped-def]
    model = view.deck_model
    return [model.index(r).data(DeckRole).deck_id for r in range(1, model.rowCount())]


@pytest.mark.parametrize("confirm", [True, False])
def test_delete_in_the_deck_list_asks_then_removes_the_deck(make_window, qtbot, confirm: bool) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window()
    view = window.library
    qtbot.waitUntil(lambda: view.deck_model.rowCount() == 4, timeout=10_000)
    deck = view.deck_model.index(2).data(DeckRole)
    asked: list[str] = []
    view.ask_confirm_remove = lambda plan: asked.append(plan.deck.title) or confirm  # type: ignore[method-assign]
    window.activateWindow()
    view.deck_list.setFocus()
    view.deck_list.setCurrentIndex(view.deck_model.index(2))
    qtbot.waitUntil(view.deck_list.hasFocus, timeout=5_000)
    qtbot.keyClick(view.deck_list, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: bool(asked), timeout=5_000)
    assert asked == [deck.title]
    if confirm:
        qtbot.waitUntil(lambda: deck.deck_id not in _deck_ids(view), timeout=10_000)
        assert deck.deck_id not in [d.deck_id for d in context.decks.list_decks()]
        assert view.deck_model.rowCount() == 3
    else:
        qtbot.wait(100)
        context.runner.wait_all(10_000)
        assert deck.deck_id in [d.deck_id for d in context.decks.list_decks()]
        assert deck.deck_id in _deck_ids(view)


def test_the_menu_item_is_in_the_deck_menu_with_delete(make_window) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window()
    action = window.actions_by_key["remove_deck"]
    assert action.text() == "&Remove from library…"
    assert action.shortcut().toString() == "Del"
    assert action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut  # not the tray's Delete
    menus = {m.title(): m for m in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))}
    assert action in menus["&Deck"].actions()


def test_decks_with_the_same_title_are_told_apart_and_counts_read_right(make_window) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from msldesk.ui.library.deck_list_model import DeckListModel, DetailsRole

    _, context = make_window()
    first, second, third = context.decks.list_decks()[:3]
    twin = replace(second, title=f"  {first.title.upper()} ", file_name="copy of it.pptx", slide_count=1)
    model = DeckListModel()
    model.set_decks([first, twin, third])
    rows = [model.index(r) for r in range(1, 4)]
    assert first.file_name in rows[0].data(DetailsRole)
    assert "copy of it.pptx" in rows[1].data(DetailsRole)
    assert third.file_name not in rows[2].data(DetailsRole), "only same-titled decks need the file name"
    assert rows[1].data(DetailsRole).startswith("copy of it.pptx · 1 slide ·"), "the telling part first"
    tooltip = rows[1].data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.splitlines()[0] == twin.title
    assert "1 slide ·" in tooltip
    assert "copy of it.pptx" in tooltip
    assert "slides" in rows[0].data(DetailsRole)
    assert first.slide_count > 1


def test_an_empty_search_says_what_expired_decks_hold_and_offers_them(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from msldesk.ui.library.view import INCLUDE_EXPIRED_LINK

    window, _ = make_window()
    view = window.library
    grid = view.grid_model
    qtbot.waitUntil(lambda: grid.rowCount() == 10, timeout=10_000)
    view.search.setText("疾病負担")  # only in the expired demo deck
    qtbot.waitUntil(lambda: view.result_label.text().startswith("No slides match"), timeout=10_000)
    assert "1 match in expired or withdrawn decks" in view.result_label.text()
    assert INCLUDE_EXPIRED_LINK in view.result_label.text()
    view.result_label.linkActivated.emit(INCLUDE_EXPIRED_LINK)
    assert view.include_expired.isChecked()
    qtbot.waitUntil(lambda: grid.rowCount() == 1, timeout=10_000)
    view.search.setText("zzzznothing")
    qtbot.waitUntil(lambda: view.result_label.text().startswith("No slides match"), timeout=10_000)
    assert "expired" not in view.result_label.text(), "nothing hidden: no offer"


def test_the_preview_clears_when_its_slide_leaves_the_results(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window()
    view = window.library
    grid = view.grid_model
    qtbot.waitUntil(lambda: grid.rowCount() == 10, timeout=10_000)
    row = next(r for r in range(10) if grid.card(r).title.startswith("Study design"))
    view.grid.setCurrentIndex(grid.index(row))
    qtbot.waitUntil(lambda: view.preview.slide is not None, timeout=10_000)
    view.search.setText("疾病負担")  # only in the expired deck, which the search leaves out
    qtbot.waitUntil(lambda: view.result_label.text().startswith("No slides match"), timeout=10_000)
    assert grid.rowCount() == 0
    assert view.preview.slide is None
    assert view.preview.heading.text() == ""
    assert view.preview.notes.toPlainText() == ""


@pytest.mark.parametrize("typed", ["2027-01-15", "15/01/2027"])
def test_a_whole_date_can_be_typed_in_deck_details(qtbot, typed: str) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from msldesk.ui.library.deck_editor import DeckEditor

    editor = DeckEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.setEnabled(True)
    field = editor.expires_on
    field.set_value(dt.date(2026, 12, 4))
    editor.activateWindow()
    field.date.setFocus()
    qtbot.waitUntil(field.date.hasFocus, timeout=5_000)
    qtbot.waitUntil(lambda: field.date.lineEdit().selectedText() == "2026-12-04", timeout=5_000)
    qtbot.keyClicks(field.date, typed)
    qtbot.keyClick(field.date, Qt.Key.Key_Tab)
    assert field.value() == dt.date(2027, 1, 15)


def test_deck_details_open_at_the_start_and_disabled_fields_show_nothing_stale(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    window, context = make_window()
    editor = window.library.editor
    deck = context.decks.list_decks()[0]
    long_title = "A very long deck title " * 12 + "that ends here"
    editor.show_deck(replace(deck, title=long_title, approved_on=None, therapeutic_area="Dermatology " * 10))
    assert editor.title.text() == long_title
    for field in (editor.title, editor.therapeutic_area, editor.tags):
        assert field.cursorPosition() == 0, "the field shows its first words"
    # No approval date: the switched-off date field shows no date at all, not today's or an old one.
    assert not editor.approved_on.date.isEnabled()
    assert editor.approved_on.date.text() == "no date"
    assert editor.approved_on.value() is None
    # A deck with an expiry date, then no deck: nothing of it stays in the disabled form.
    editor.show_deck(replace(deck, expires_on=__import__("datetime").date(2027, 3, 1)))
    assert editor.expires_on.date.text() == "2027-03-01"
    editor.show_deck(None)
    assert not editor.isEnabled()
    assert editor.expires_on.date.text() == "no date"
    assert editor.title.text() == ""
    assert not editor.withdrawn.isChecked()


def test_a_collection_that_lost_slides_says_so_when_opened(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window()
    tray = window.library.builder
    decks = context.decks.list_decks()
    kept = context.decks.list_slides(decks[0].deck_id)[0].slide_id
    gone = context.decks.list_slides(decks[1].deck_id)[0].slide_id
    context.app.assembly.save_collection("March board", [kept, gone])
    context.decks.remove_deck(decks[1].deck_id)
    tray.open_collection("March board")
    qtbot.waitUntil(lambda: tray.model.rowCount() == 1, timeout=10_000)
    qtbot.waitUntil(tray.collection_note.isVisible, timeout=5_000)
    assert "1 slide of the deck" in tray.collection_note.text()
    assert decks[1].title in tray.collection_note.text()


def test_down_in_the_search_field_goes_to_the_slides_found(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Type, then Down: the keyboard is on the first slide found and the preview shows it, as after a
    search in a mail program. (Down did nothing; Tab went to the Tag filter.)"""
    window, _context = make_window()
    view = window.library
    qtbot.waitUntil(lambda: view.grid_model.rowCount() == 10, timeout=10_000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    view.focus_search()
    qtbot.keyClicks(view.search, "PASI response")
    qtbot.waitUntil(lambda: view.grid_model.rowCount() == 1, timeout=10_000)
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    assert view.grid.hasFocus()
    assert view.grid.currentIndex().row() == 0
    found = view.grid_model.card(0)
    qtbot.waitUntil(lambda: view.preview.slide is not None, timeout=10_000)
    assert view.preview.slide.slide_id == found.slide_id
    window.actions_by_key["add_to_deck"].trigger()  # Ctrl+B: the slide found goes to the tray
    qtbot.waitUntil(lambda: view.builder.model.slide_ids() == [found.slide_id], timeout=10_000)


def test_the_status_filter_shows_its_whole_choice_in_a_wide_window(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """At 1920x1200 the Status filter read "Expiring" and "Approve" while Tag and Area were wide."""
    window, _context = make_window()
    window.resize(1500, 900)
    view = window.library
    qtbot.waitUntil(lambda: view.grid_model.rowCount() == 10, timeout=10_000)
    combo = view.status_filter
    combo.setCurrentIndex(combo.findText("Expiring soon"))
    qtbot.waitUntil(lambda: combo.width() > 0, timeout=5_000)
    longest = max(combo.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
    assert combo.width() >= longest + 24, f"{combo.width()} px for text {longest} px wide and the arrow"
