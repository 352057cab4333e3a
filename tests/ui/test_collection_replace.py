"""Deck builder › Save as collection… under the name of a collection an event agenda links: it asks
first, naming the event agenda; Cancel keeps it as it was, Replace replaces it and the agenda says so."""

from __future__ import annotations

import html
from dataclasses import replace

import pytest

from msldesk.ui.builder import tray

pytestmark = pytest.mark.usefixtures("no_libreoffice")

WAIT_MS = 10_000
BOARD = "Demo: NSCLC second-line advisory board"
ITEM = "Coffee break"  # links nothing in the demo


@pytest.fixture
def linked(make_window, qtbot):  # type: ignore[no-untyped-def]
    """The collection "Break reading" (two library slides), linked by the demo board's coffee break;
    the deck builder's tray holds two other slides."""
    window, context = make_window()
    view = window.library
    qtbot.waitUntil(lambda: view.grid_model.rowCount() == 10, timeout=WAIT_MS)
    app = context.app
    (event,) = [e for e in app.events.list_events() if e.title == BOARD]
    grid = [view.grid_model.card(r).slide_id for r in range(4)]
    app.assembly.save_collection("Break reading", grid[:2])
    collection = app.assembly.collection("Break reading").collection_id
    (coffee,) = [i for i in app.events.agenda(event.event_id) if i.fields.title == ITEM]
    app.events.update_agenda_item(coffee.item_id, replace(coffee.fields, collection_ids=(collection,)))
    builder = view.builder
    builder.add_slides(grid[2:])
    qtbot.waitUntil(lambda: builder.model.rowCount() == 2, timeout=WAIT_MS)
    builder.ask_collection_name = lambda: "Break reading"  # type: ignore[method-assign]
    return window, context, builder, event, grid


def _ask(answer: bool, asked: list[tuple]):  # type: ignore[no-untyped-def,type-arg]
    def confirm(parent, title, question, details, action, warning=False):  # type: ignore[no-untyped-def]
        asked.append((title, question, html.unescape(details), action, warning))
        return answer

    return confirm


def test_cancel_keeps_the_collection_as_it_was(linked, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _window, context, builder, _event, grid = linked
    asked: list[tuple] = []  # type: ignore[type-arg]
    monkeypatch.setattr(tray, "confirm_destructive", _ask(False, asked))
    messages: list[str] = []
    builder.status_message.connect(messages.append)

    builder.save_collection()
    qtbot.waitUntil(lambda: bool(messages), timeout=WAIT_MS)

    ((title, question, details, action, warning),) = asked
    assert (title, action, warning) == ("Replace collection", "Replace", True)
    assert question == "Replace the collection “Break reading” (linked by 1 event agenda)?"
    assert details.startswith("It holds 2 slides and would hold 2: 2 leave it and 2 join it.")
    assert f"“{BOARD}” (" in details
    assert f"linked in “{ITEM}”, 2 slides lost" in details
    assert "cancel and save the tray under another name" in details
    assert messages == ["Nothing was saved: the collection “Break reading” is as it was"]
    assert context.app.assembly.collection("Break reading").slide_ids == tuple(grid[:2])


def test_replace_replaces_and_the_agenda_says_so(linked, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, context, builder, event, grid = linked
    asked: list[tuple] = []  # type: ignore[type-arg]
    monkeypatch.setattr(tray, "confirm_destructive", _ask(True, asked))
    messages: list[str] = []
    builder.status_message.connect(messages.append)

    builder.save_collection()
    qtbot.waitUntil(lambda: "Saved the collection “Break reading”" in messages, timeout=WAIT_MS)

    assert len(asked) == 1
    assert context.app.assembly.collection("Break reading").slide_ids == tuple(grid[2:])
    boards = window.boards
    window.show_section(boards)
    qtbot.waitUntil(lambda: boards.model.row_of(event.event_id) >= 0, timeout=WAIT_MS)
    assert boards.select_event(event.event_id)
    panel = boards.editor.agenda
    boards.editor.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.lost_label.isVisible(), timeout=WAIT_MS)
    text = html.unescape(panel.lost_label.text())
    assert f"“{ITEM}”: The collection “Break reading” was replaced on " in text
    assert "it held 2 slides and now holds 2; 2 of the earlier ones are no longer linked here." in text


def test_the_same_slides_again_are_saved_without_a_question(linked, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _window, context, builder, _event, grid = linked
    asked: list[tuple] = []  # type: ignore[type-arg]
    monkeypatch.setattr(tray, "confirm_destructive", _ask(False, asked))
    messages: list[str] = []
    builder.status_message.connect(messages.append)
    builder.ask_collection_name = lambda: "Tray slides"  # type: ignore[method-assign]
    builder.save_collection()  # a new name
    qtbot.waitUntil(lambda: "Saved the collection “Tray slides”" in messages, timeout=WAIT_MS)
    builder.save_collection()  # the same slides under it again
    qtbot.waitUntil(lambda: messages.count("Saved the collection “Tray slides”") == 2, timeout=WAIT_MS)
    assert asked == []
    assert context.app.assembly.collection("Tray slides").slide_ids == tuple(grid[2:])
