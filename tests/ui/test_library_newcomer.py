"""The library as a newcomer from PowerPoint expects it: removing decks, the deck list, the grid."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from msldesk.ui.models.deck_list import DeckRole

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
    view.ask_confirm_remove = lambda d: asked.append(d.title) or confirm  # type: ignore[method-assign]
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
