"""Removing a deck whose slides an event's agenda uses: the question names the events, Cancel keeps
everything, and afterwards the agenda says what it lost."""

from __future__ import annotations

import html
from typing import Any

import pytest
from PySide6.QtCore import Qt

from msldesk.ui.boards import agenda_model
from msldesk.ui.library.deck_list_model import DeckRole

pytestmark = pytest.mark.usefixtures("no_libreoffice")

WAIT_MS = 10_000
BOARD = "Demo: NSCLC second-line advisory board"


def _linked_deck(context) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The demo board's event id and the demo deck its agenda links slides of."""
    (event,) = [e for e in context.app.events.list_events() if e.title == BOARD]
    linked = {s for item in context.app.events.agenda(event.event_id) for s in item.fields.slide_ids}
    (deck_id,) = {s.deck_id for s in context.decks.slides_by_id(sorted(linked))}
    return event.event_id, deck_id


def _press_delete_on(qtbot, window, deck_id: int) -> None:  # type: ignore[no-untyped-def]
    view = window.library
    qtbot.waitUntil(lambda: view.deck_model.row_of(deck_id) >= 0, timeout=WAIT_MS)
    window.activateWindow()
    view.deck_list.setFocus()
    view.deck_list.setCurrentIndex(view.deck_model.index(view.deck_model.row_of(deck_id)))
    qtbot.waitUntil(view.deck_list.hasFocus, timeout=5_000)
    qtbot.keyClick(view.deck_list, Qt.Key.Key_Delete)


def _deck_ids(view) -> list[int]:  # type: ignore[no-untyped-def]
    model = view.deck_model
    return [d.deck_id for r in range(model.rowCount()) if (d := model.index(r).data(DeckRole)) is not None]


def test_the_question_names_the_events_and_cancel_keeps_everything(make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window()
    event_id, deck_id = _linked_deck(context)
    agenda_before = context.app.events.agenda(event_id)
    asked: list[dict[str, Any]] = []

    def confirm(parent, title, question, details, action, warning=False):  # type: ignore[no-untyped-def]
        asked.append({"question": question, "details": details, "warning": warning})
        return False  # Cancel

    monkeypatch.setattr("msldesk.ui.library.view.confirm_destructive", confirm)
    messages: list[str] = []
    window.library.status_message.connect(messages.append)
    _press_delete_on(qtbot, window, deck_id)
    qtbot.waitUntil(lambda: bool(asked), timeout=WAIT_MS)

    (use,) = context.decks.removal_plan(deck_id).in_use
    details = asked[0]["details"]
    assert "Its slides are on the agenda of 1 event" in details
    assert html.escape(use.describe()) in details
    assert f"“{BOARD}” ({use.date:%Y-%m-%d}): 3 slides in “Welcome and objectives”" in html.unescape(details)
    assert "keep a note" in details
    assert asked[0]["warning"], "a removal that changes agendas is asked with a warning icon"
    context.runner.wait_all(WAIT_MS)
    qtbot.waitUntil(lambda: "Nothing was removed" in messages, timeout=WAIT_MS)
    assert deck_id in [d.deck_id for d in context.decks.list_decks()]
    assert deck_id in _deck_ids(window.library)
    assert context.app.events.agenda(event_id) == agenda_before
    assert "deck.remove" not in [r.action for r in context.app.audit.history("deck", deck_id)]


def test_after_removal_the_agenda_shows_the_note_and_the_audit_keeps_the_record(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window()
    event_id, deck_id = _linked_deck(context)
    view = window.library
    view.ask_confirm_remove = lambda plan: True  # type: ignore[method-assign]
    messages: list[str] = []
    view.status_message.connect(messages.append)
    _press_delete_on(qtbot, window, deck_id)
    qtbot.waitUntil(lambda: deck_id not in _deck_ids(view), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any("the agendas of 1 event" in m for m in messages), timeout=WAIT_MS)

    boards = window.boards
    window.show_section(boards)
    qtbot.waitUntil(lambda: boards.model.row_of(event_id) >= 0, timeout=WAIT_MS)
    assert boards.select_event(event_id)
    panel = boards.editor.agenda
    boards.editor.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.lost_label.isVisible(), timeout=WAIT_MS)
    text = panel.lost_label.text()
    assert "“Second-line data review”: 2 slides from “" in html.unescape(text)
    assert "“Welcome and objectives”: 1 slide from “" in html.unescape(text)
    assert "removed from the library on" in text
    model = panel.model
    row = next(r for r in range(model.rowCount()) if model.item(r).fields.title == "Second-line data review")
    cell = model.index(row, agenda_model.Column.SLIDES)
    assert cell.data() == "slides removed"
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == model.item(row).note
    assert cell.data(Qt.ItemDataRole.DecorationRole) is not None
    coffee = next(r for r in range(model.rowCount()) if model.item(r).fields.title == "Coffee break")
    assert model.index(coffee, agenda_model.Column.SLIDES).data() == ""
    assert model.index(coffee, agenda_model.Column.SLIDES).data(Qt.ItemDataRole.DecorationRole) is None

    audit = context.app.audit
    removed = audit.history("deck", deck_id)[-1]
    assert removed.action == "deck.remove"
    assert removed.before["linked_from"][0]["title"] == BOARD
    assert audit.history("event", event_id)[-1].action == "agenda.slides_removed"
    assert audit.verify().ok


def test_the_deck_builder_drops_the_removed_decks_slides_and_says_so(make_window, qtbot, caplog) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window()
    view, tray = window.library, window.library.builder
    decks = context.decks.list_decks()
    kept = [s.slide_id for s in context.decks.list_slides(decks[0].deck_id)][:2]
    gone = [s.slide_id for s in context.decks.list_slides(decks[1].deck_id)]
    tray.add_slides([kept[0], *gone, kept[1]])
    qtbot.waitUntil(lambda: tray.model.rowCount() == 2 + len(gone), timeout=WAIT_MS)
    view.ask_confirm_remove = lambda plan: True  # type: ignore[method-assign]
    _press_delete_on(qtbot, window, decks[1].deck_id)
    qtbot.waitUntil(lambda: tray.model.slide_ids() == kept, timeout=WAIT_MS)
    qtbot.waitUntil(tray.banner.isVisible, timeout=WAIT_MS)
    assert (
        f"{len(gone)} slides of the deck builder are no longer in the library" in tray.banner.message.text()
    )
    context.runner.wait_all(WAIT_MS)
    qtbot.wait(100)
    # The compliance summary was worked out for the slides left, not refused for the missing ones.
    assert not [r for r in caplog.records if "Background task failed" in r.getMessage()]
