"""A saved collection an agenda links, deleted (there is no GUI path: `msldesk collection delete`): the
agenda says what the item lost, and Recent changes names the collection and the agenda's loss."""

from __future__ import annotations

import html
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from msldesk.core.changes import Changes
from msldesk.ui.boards import agenda_model
from msldesk.ui.protect.history import HistoryDialog

pytestmark = pytest.mark.usefixtures("no_libreoffice")

WAIT_MS = 10_000
BOARD = "Demo: NSCLC second-line advisory board"
ITEM = "Coffee break"  # links nothing in the demo: what it shows comes from the collection alone


def test_the_agenda_and_recent_changes_say_what_a_deleted_collection_took(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window()
    app = context.app
    (event,) = [e for e in app.events.list_events() if e.title == BOARD]
    agenda = app.events.agenda(event.event_id)
    linked = sorted({s for item in agenda for s in item.fields.slide_ids})[:2]
    app.assembly.save_collection("Break reading", linked)
    collection = app.assembly.collection("Break reading").collection_id
    (coffee,) = [i for i in agenda if i.fields.title == ITEM]
    app.events.update_agenda_item(coffee.item_id, replace(coffee.fields, collection_ids=(collection,)))

    app.assembly.delete_collection("Break reading")
    context.changed.emit(Changes(metadata=True, events=True))

    boards = window.boards
    window.show_section(boards)
    qtbot.waitUntil(lambda: boards.model.row_of(event.event_id) >= 0, timeout=WAIT_MS)
    assert boards.select_event(event.event_id)
    panel = boards.editor.agenda
    boards.editor.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.lost_label.isVisible(), timeout=WAIT_MS)
    text = html.unescape(panel.lost_label.text())
    assert f"“{ITEM}”: The collection “Break reading” was deleted on " in text
    assert "its 2 slides are no longer linked." in text
    model = panel.model
    row = next(r for r in range(model.rowCount()) if model.item(r).fields.title == ITEM)
    cell = model.index(row, agenda_model.Column.SLIDES)
    assert cell.data() == "slides removed", "the item links nothing now; the mark says why"
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == model.item(row).note
    assert cell.data(Qt.ItemDataRole.DecorationRole) is not None

    window.actions_by_key["recent_changes"].trigger()
    dialog = window.protect.history
    assert isinstance(dialog, HistoryDialog)
    if not dialog.model.rowCount():
        with qtbot.waitSignal(dialog.loaded, timeout=WAIT_MS):
            pass
    rows = [[dialog.model.index(r, c).data() for c in (2, 3)] for r in range(2)]
    assert rows == [
        ["Collection · Break reading", "Deleted the saved collection"],
        [f"Event · {BOARD}", "Agenda lost a saved collection that was deleted"],
    ]
    dialog.close()
