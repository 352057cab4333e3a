"""The Boards section as a user meets it: events, the event editor, agenda, attendees, checklist, exports."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from msldesk.boards.records import (
    AgendaItemFields,
    AttendanceFields,
    AttendeeRole,
    EventFields,
    EventKind,
    Invitation,
    PersonFields,
)
from msldesk.ui.boards import agenda_model, attendee_model
from msldesk.ui.boards.checklist import ChecklistModel
from msldesk.ui.boards.delegates import ChoicesRole
from msldesk.ui.boards.event_list import EventListModel, FactsRole, WhenRole
from msldesk.ui.widgets import export_banner

pytestmark = pytest.mark.usefixtures("no_libreoffice")

BERLIN = ZoneInfo("Europe/Berlin")
WAIT_MS = 10_000


def _day(days: int = 10) -> dt.date:
    return dt.date.today() + dt.timedelta(days=days)


def _event_fields(
    title: str = "Lung cancer advisory board", start_hour: int = 9, end_hour: int = 11
) -> EventFields:
    day = _day()
    return EventFields(
        kind=EventKind.ADVISORY_BOARD,
        title=title,
        starts_at=dt.datetime.combine(day, dt.time(start_hour), BERLIN),
        ends_at=dt.datetime.combine(day, dt.time(end_hour), BERLIN),
        timezone="Europe/Berlin",
        venue="Berlin",
    )


def _settle(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Wait until every write, reload and queued refresh of the section has finished."""
    view = window.boards
    qtbot.waitUntil(
        lambda: (
            window.context.runner.active == 0
            and not view._reload_timer.isActive()
            and view.writer.pending == 0
        ),
        timeout=WAIT_MS,
    )


def _open(qtbot, window, event_id: int):  # type: ignore[no-untyped-def]
    """Show Boards with `event_id` selected and its bundle on screen; return the view."""
    view = window.boards
    window.show_section(view)
    qtbot.waitUntil(lambda: view.model.row_of(event_id) >= 0, timeout=WAIT_MS)
    assert view.select_event(event_id)
    qtbot.waitUntil(
        lambda: view.editor.bundle is not None and view.editor.bundle.event_id == event_id, timeout=WAIT_MS
    )
    _settle(qtbot, window)
    return view


def _seeded(make_window, qtbot, **kwargs):  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    event, changes = context.app.events.create(_event_fields(**kwargs))
    context.changed.emit(changes)
    return window, context, event


def _person(app, first: str, last: str, tier: str = "1") -> int:  # type: ignore[no-untyped-def]
    person, _ = app.people.add(
        PersonFields(
            first, last, "MD", "Medical Oncology", "Charité", "Berlin", tier=tier, email=f"{last}@x.org"
        )
    )
    return person.person_id


# ---- events ------------------------------------------------------------------------------------


def test_new_event_from_the_keyboard_is_a_draft_until_ctrl_s_saves_it(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    view = window.boards
    window.show_section(view)
    _settle(qtbot, window)
    assert view.model.rowCount() == 0
    assert view.list_hint.isVisible()
    audited = len(context.app.audit.recent(1000))

    QTest.keyClick(view.list, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    _settle(qtbot, window)
    editor, form = view.editor, view.editor.form
    assert editor.is_draft
    assert editor.stack.currentIndex() == editor.CONTENT
    assert form.title.text() == "New advisory board"
    assert form.title.hasFocus()
    assert not editor.tabs.isTabEnabled(editor.ATTENDEES), "attendees need a stored event"
    assert context.app.events.list_events("all") == [], "nothing is stored before Save"
    assert len(context.app.audit.recent(1000)) == audited, "nothing is audited before Save"
    assert view.model.rowCount() == 0

    # Ctrl+S in this section saves the event (the window's Ctrl+S saves deck details elsewhere).
    form.title.setText("Spring advisory board")
    QTest.keyClick(form.title, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    _settle(qtbot, window)
    (event,) = context.app.events.list_events("all")
    assert event.title == "Spring advisory board"
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and editor.bundle is not None, timeout=WAIT_MS)
    _settle(qtbot, window)
    assert not editor.is_draft
    assert editor.event_id == event.event_id
    assert view.current_event() == event, "the new event is selected in the list"
    index = view.proxy.index(0, 0)
    assert index.data() == "Spring advisory board"
    assert "0/0 accepted" in index.data(FactsRole)
    assert "Advisory board" in index.data(FactsRole)
    assert "09:00" in index.data(WhenRole)
    assert editor.tabs.isTabEnabled(editor.ATTENDEES)


def test_ctrl_f_in_boards_types_into_the_event_filter(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Edit › Find in Boards goes to "Filter events by title…": typed in the event list, the
    letters jumped between events (opening another one) instead of filtering."""
    window, context, first = _seeded(make_window, qtbot, title="Spring advisory board")
    _second, changes = context.app.events.create(_event_fields(title="Autumn advisory board"))
    context.changed.emit(changes)
    view = _open(qtbot, window, first.event_id)
    qtbot.waitUntil(lambda: view.proxy.rowCount() == 2, timeout=WAIT_MS)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    view.list.setFocus()
    QTest.keyClick(view.list, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.filter.hasFocus()
    QTest.keyClicks(QApplication.focusWidget(), "autumn")
    assert view.filter.text() == "autumn"
    assert view.proxy.rowCount() == 1
    assert view.proxy.index(0, 0).data() == "Autumn advisory board"


def test_closing_an_unsaved_new_event_asks_and_leaves_nothing_behind(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot, title="Stored board")
    view = _open(qtbot, window, event.event_id)
    audited = len(context.app.audit.recent(1000))
    asked: list[str] = []
    answers = ["cancel", "discard", "cancel", "discard"]
    view.editor.ask_discard_draft = lambda title: asked.append(title) or answers.pop(0)  # type: ignore[method-assign]

    view.new_event()
    view.editor.form.title.setText("Draft board")
    view.select_event(event.event_id)  # choosing another event closes the draft: asked, cancelled
    qtbot.wait(50)
    _settle(qtbot, window)
    assert asked == ["Draft board"]
    assert view.editor.is_draft
    assert view.editor.form.title.text() == "Draft board", "Cancel keeps the typing"

    view.editor.discard_button.click()  # Discard asks too; the answer drops the draft
    _settle(qtbot, window)
    assert asked == ["Draft board", "Draft board"]
    assert not view.editor.is_draft
    assert view.editor.stack.currentIndex() == view.editor.PLACEHOLDER

    view.new_event()  # closing the window with a draft open asks; Cancel keeps the window open
    assert not window.boards.may_close()
    assert view.editor.is_draft
    assert window.boards.may_close()
    assert not view.editor.is_draft
    _settle(qtbot, window)
    assert [e.title for e in context.app.events.list_events("all")] == ["Stored board"]
    assert len(context.app.audit.recent(1000)) == audited, "no audit record of a draft"


def test_delete_asks_first(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)
    view = _open(qtbot, window, event.event_id)
    asked: list[str] = []
    view.ask_confirm_delete = lambda e: asked.append(e.title) or False  # type: ignore[method-assign]
    view.delete_button.click()
    _settle(qtbot, window)
    assert asked == ["Lung cancer advisory board"]
    assert len(context.app.events.list_events("all")) == 1

    view.ask_confirm_delete = lambda e: True  # type: ignore[method-assign]
    view.list.setFocus()
    QTest.keyClick(view.list, Qt.Key.Key_Delete)
    _settle(qtbot, window)
    assert context.app.events.list_events("all") == []
    assert view.model.rowCount() == 0
    assert view.editor.event_id is None
    assert view.editor.stack.currentIndex() == view.editor.PLACEHOLDER


def test_save_refuses_an_end_before_the_start_then_saves_and_undoes(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)
    view = _open(qtbot, window, event.event_id)
    editor, form = view.editor, view.editor.form
    assert form.title.text() == "Lung cancer advisory board"
    assert form.timezone.currentText() == "Europe/Berlin"
    assert form.starts.dateTime().time().hour() == 9, "times are shown in the event's zone"

    form.title.setText("Renamed board")
    form.ends.setDateTime(form.starts.dateTime().addSecs(-3600))
    editor.save()
    _settle(qtbot, window)
    assert form.error.isVisible()
    assert "end after it starts" in form.error.text()
    stored = context.app.events.get(event.event_id)
    assert stored.title == "Lung cancer advisory board", "nothing was saved"
    assert stored.fields.ends_at == event.fields.ends_at
    assert context.undo_stack.count() == 0
    assert form.title.text() == "Renamed board", "the user's typing is kept"

    form.ends.setDateTime(form.starts.dateTime().addSecs(3 * 3600))
    form.timezone.setEditText("America/New_York")
    form.budget_estimated.setValue(12000.5)
    editor.save()
    _settle(qtbot, window)
    assert form.error.isHidden()
    stored = context.app.events.get(event.event_id).fields
    assert stored.title == "Renamed board"
    assert stored.timezone == "America/New_York"
    assert stored.starts_at == dt.datetime.combine(_day(), dt.time(9), ZoneInfo("America/New_York"))
    assert stored.ends_at - stored.starts_at == dt.timedelta(hours=3)
    assert stored.budget_estimated == Decimal("12000.50")
    assert editor.heading.text() == "Renamed board"

    context.undo_stack.undo()
    _settle(qtbot, window)
    stored = context.app.events.get(event.event_id).fields
    assert stored.title == "Lung cancer advisory board"
    assert stored.timezone == "Europe/Berlin"
    assert stored.ends_at == event.fields.ends_at
    assert stored.budget_estimated == 0
    assert form.title.text() == "Lung cancer advisory board", "the form shows the restored fields"
    context.undo_stack.redo()
    _settle(qtbot, window)
    assert context.app.events.get(event.event_id).title == "Renamed board"


@pytest.mark.parametrize("typed", ["18.01.2027 09:30", "2027-01-18 09:30", "18 Jan 2027 9:30"])
def test_the_event_start_takes_a_typed_date_and_time_and_ctrl_s_saves_it(make_window, qtbot, typed) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)  # 09:00 to 11:00 Berlin
    view = _open(qtbot, window, event.event_id)
    form = view.editor.form
    window.activateWindow()
    form.starts.setFocus()
    qtbot.waitUntil(lambda: form.starts.lineEdit().selectedText() == form.starts.text(), timeout=WAIT_MS)
    qtbot.keyClicks(form.starts, typed)
    assert form.ends.text() == "Mon 18 Jan 2027  11:30", "the end keeps the event's length"
    qtbot.keyClick(form.starts, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # still in the field
    _settle(qtbot, window)
    stored = context.app.events.get(event.event_id).fields
    assert stored.starts_at == dt.datetime(2027, 1, 18, 9, 30, tzinfo=BERLIN), "in the event's zone"
    assert stored.ends_at == dt.datetime(2027, 1, 18, 11, 30, tzinfo=BERLIN)

    # "Date not set yet" switches both fields off: they show no date rather than a stale one.
    form.undated.setChecked(True)
    assert (form.starts.text(), form.ends.text()) == ("—", "—")
    form.undated.setChecked(False)
    assert form.starts.text() == "Mon 18 Jan 2027  09:30"
    assert not form.is_dirty()


def test_unsaved_edits_are_not_lost_when_another_event_is_chosen(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, first = _seeded(make_window, qtbot, title="First board")
    second, changes = context.app.events.create(_event_fields(title="Second board"))
    context.changed.emit(changes)
    view = _open(qtbot, window, first.event_id)
    form = view.editor.form
    assert form.dirty_label.isHidden()
    form.title.setText("First board, renamed")
    assert form.is_dirty()
    assert not form.dirty_label.isHidden()
    answers = ["cancel", "save"]
    asked: list[str] = []
    view.ask_unsaved_changes = lambda title: asked.append(title) or answers.pop(0)  # type: ignore[method-assign]

    view.select_event(second.event_id)
    qtbot.waitUntil(
        lambda: view.current_event() is not None and view.current_event().event_id == first.event_id
    )
    _settle(qtbot, window)
    assert asked == ["First board, renamed"]
    assert view.editor.event_id == first.event_id
    assert form.title.text() == "First board, renamed"

    view.select_event(second.event_id)
    qtbot.waitUntil(lambda: view.editor.bundle is not None and view.editor.bundle.event_id == second.event_id)
    _settle(qtbot, window)
    assert context.app.events.get(first.event_id).title == "First board, renamed"
    assert form.title.text() == "Second board"
    assert not form.is_dirty()


def test_time_zone_choices_are_the_iana_names(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _context, event = _seeded(make_window, qtbot)
    view = _open(qtbot, window, event.event_id)
    combo = view.editor.form.timezone
    qtbot.waitUntil(lambda: combo.count() > 300, timeout=WAIT_MS)
    names = {combo.itemText(i) for i in range(combo.count())}
    assert {"Asia/Kolkata", "America/New_York", "UTC"} <= names
    assert not any(n.startswith(("posix/", "right/")) for n in names)
    assert combo.currentText() == "Europe/Berlin"
    assert not view.editor.form.is_dirty()


# ---- agenda ------------------------------------------------------------------------------------


def _times(model) -> list[str]:  # type: ignore[no-untyped-def]
    return [model.index(r, agenda_model.Column.TIME).data() for r in range(model.rowCount())]


def _titles(model) -> list[str]:  # type: ignore[no-untyped-def]
    return [model.index(r, agenda_model.Column.TITLE).data() for r in range(model.rowCount())]


def _stored_titles(context, event_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.fields.title for i in context.app.events.agenda(event_id)]


def test_agenda_items_added_through_the_dialog_get_clock_times(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)
    view = _open(qtbot, window, event.event_id)
    panel = view.editor.agenda
    view.editor.tabs.setCurrentWidget(panel)
    answers = [
        AgendaItemFields("Welcome", 30),
        AgendaItemFields("Data review", 45),
        AgendaItemFields("Wrap-up", 15),
    ]
    panel.ask_agenda_item = lambda initial: answers.pop(0)  # type: ignore[method-assign]
    for _ in range(3):
        panel.add_button.click()
        _settle(qtbot, window)
    assert _titles(panel.model) == ["Welcome", "Data review", "Wrap-up"]
    assert _times(panel.model) == ["09:00–09:30", "09:30–10:15", "10:15–10:30"]
    assert "3 items, 1 h 30 min" in panel.summary.text()
    assert not panel.overrun_label.isVisible()
    assert _stored_titles(context, event.event_id) == ["Welcome", "Data review", "Wrap-up"]


def _seed_agenda(context, event_id: int, items: list[tuple[str, int]]) -> None:  # type: ignore[no-untyped-def]
    for title, minutes in items:
        _, changes = context.app.events.add_agenda_item(event_id, AgendaItemFields(title, minutes))
    context.changed.emit(changes)


def test_agenda_reorders_by_drop_and_alt_down_recomputes_times_and_persists(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)
    _seed_agenda(context, event.event_id, [("A", 30), ("B", 60), ("C", 15)])
    view = _open(qtbot, window, event.event_id)
    panel = view.editor.agenda
    model = panel.model
    assert _titles(model) == ["A", "B", "C"]

    # Drag row A below C, as the table's drop does: the model moves the row itself.
    mime = model.mimeData([model.index(0, 0)])
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, QModelIndex()) is False
    assert _titles(model) == ["B", "C", "A"], "the view must not remove the source row again"
    assert _times(model) == ["09:00–10:00", "10:00–10:15", "10:15–10:45"], "times follow at once"
    _settle(qtbot, window)
    assert _stored_titles(context, event.event_id) == ["B", "C", "A"]
    stored = context.app.events.agenda(event.event_id)
    assert stored[2].starts_at == dt.datetime.combine(_day(), dt.time(10, 15), BERLIN)

    # Alt+Down on the first row moves it one place later.
    view.editor.tabs.setCurrentWidget(panel)
    panel.select_row(0)
    panel.table.setFocus()
    QTest.keyClick(panel.table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert _titles(model) == ["C", "B", "A"]
    assert _times(model)[0] == "09:00–09:15"
    assert panel.selected_row() == 1, "the moved item stays selected"
    _settle(qtbot, window)
    assert _stored_titles(context, event.event_id) == ["C", "B", "A"]

    # A reorder is undoable.
    context.undo_stack.undo()
    _settle(qtbot, window)
    assert _stored_titles(context, event.event_id) == ["B", "C", "A"]
    assert _titles(model) == ["B", "C", "A"]


def test_longer_items_move_later_times_and_the_overrun_is_shown(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)  # 09:00-11:00
    _seed_agenda(context, event.event_id, [("Intro", 30), ("Discussion", 60), ("Close", 15)])
    view = _open(qtbot, window, event.event_id)
    panel = view.editor.agenda
    view.editor.tabs.setCurrentWidget(panel)
    model = panel.model
    assert not panel.overrun_label.isVisible()

    assert model.setData(model.index(1, agenda_model.Column.MINUTES), 90)
    assert _times(model) == ["09:00–09:30", "09:30–11:00", "11:00–11:15"], "live times"
    assert panel.overrun_label.isVisible()
    assert panel.overrun_label.text() == "Agenda overruns the event by 15 min"
    overrun_row = model.index(2, agenda_model.Column.TITLE)
    assert overrun_row.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "after the event ends at 11:00" in overrun_row.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, agenda_model.Column.TITLE).data(Qt.ItemDataRole.BackgroundRole) is None
    _settle(qtbot, window)
    stored = context.app.events.agenda(event.event_id)
    assert [i.fields.minutes for i in stored] == [30, 90, 15]
    assert stored[2].overruns
    assert panel.overrun_label.text() == "Agenda overruns the event by 15 min", "still there after reload"


def test_an_item_crossing_the_end_time_is_marked_as_overrunning(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)  # 09:00-11:00
    _seed_agenda(context, event.event_id, [("Intro", 90), ("Discussion", 60)])  # 10:30-11:30 crosses 11:00
    view = _open(qtbot, window, event.event_id)
    model = view.editor.agenda.model
    time = model.index(1, agenda_model.Column.TIME)
    assert time.data(Qt.ItemDataRole.DecorationRole) is not None, "a mark that shows when selected too"
    assert "Overruns" in time.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, agenda_model.Column.TIME).data(Qt.ItemDataRole.DecorationRole) is None


def test_an_empty_agenda_says_what_to_do(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _context, event = _seeded(make_window, qtbot)
    view = _open(qtbot, window, event.event_id)
    panel = view.editor.agenda
    view.editor.tabs.setCurrentWidget(panel)
    assert panel.empty_hint.isVisible()
    assert "Add item" in panel.empty_hint.text()
    assert not panel.table.isVisible()
    added: list[bool] = []
    panel.ask_agenda_item = lambda initial: (
        added.append(True) or AgendaItemFields(title="Welcome", minutes=15)
    )  # type: ignore[method-assign]
    panel.first_item_button.click()
    _settle(qtbot, window)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)
    assert added
    assert panel.table.isVisible()
    assert not panel.empty_hint.isVisible()


def test_inline_editors_cover_their_cell_and_menu_arrows_have_room(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)
    _seed_agenda(context, event.event_id, [("Intro", 30)])
    view = _open(qtbot, window, event.event_id)
    panel = view.editor.agenda
    view.editor.tabs.setCurrentWidget(panel)
    index = panel.model.index(0, agenda_model.Column.MINUTES)
    panel.table.setCurrentIndex(index)
    panel.table.edit(index)
    editor = panel.table.indexWidget(index) or panel.table.focusWidget()
    assert editor is not None, "the cell's text must not show through"
    assert editor.autoFillBackground(), "the cell's text must not show through"
    assert editor.geometry() == panel.table.visualRect(index), "the editor fills the cell"
    assert panel.table.rowHeight(0) >= editor.sizeHint().height(), "rows are tall enough for the editor"
    panel.table.closePersistentEditor(index)

    for button in (view.editor.export_button, view.editor.review.share_button):
        arrow = button.style().pixelMetric(button.style().PixelMetric.PM_MenuButtonIndicator)
        text = button.fontMetrics().horizontalAdvance(button.text())
        assert button.sizeHint().width() >= text + arrow + 12, f"{button.text()}: the arrow covers the label"


# ---- attendees ---------------------------------------------------------------------------------


def _cell(panel, person_id: int, column: int):  # type: ignore[no-untyped-def]
    return panel.model.index(panel.model.row_of_person(person_id), column)


def test_attendees_added_from_the_directory_and_edited_in_place(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)
    ada = _person(context.app, "Ada", "Lovelace")
    view = _open(qtbot, window, event.event_id)
    panel = view.editor.attendees
    panel.ask_person = lambda: [ada]  # type: ignore[method-assign]
    panel.add_button.click()
    _settle(qtbot, window)
    assert panel.model.rowCount() == 1
    assert _cell(panel, ada, attendee_model.Column.NAME).data() == "Ada Lovelace, MD"
    assert _cell(panel, ada, attendee_model.Column.INVITATION).data() == "Not sent"

    Column = attendee_model.Column
    assert panel.model.setData(_cell(panel, ada, Column.INVITATION), Invitation.ACCEPTED.value)
    assert panel.model.setData(
        _cell(panel, ada, Column.CONTRACT), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    _settle(qtbot, window)
    (stored,) = context.app.events.attendees(event.event_id)
    assert stored.fields.invitation is Invitation.ACCEPTED
    assert stored.fields.contract_signed
    assert not stored.fields.coi_disclosed
    assert _cell(panel, ada, Column.CONTRACT).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert "1 accepted" in panel.summary.text()
    assert "1 of 1 contracts signed" in panel.summary.text()
    qtbot.waitUntil(lambda: "1/1 accepted" in view.proxy.index(0, 0).data(FactsRole), timeout=WAIT_MS)

    # The picker would not offer her again; a role from the combo choices is stored too.
    choices = _cell(panel, ada, Column.ROLE).data(ChoicesRole)
    assert (AttendeeRole.CHAIR.label, AttendeeRole.CHAIR.value) in choices
    assert panel.model.setData(_cell(panel, ada, Column.ROLE), AttendeeRole.CHAIR.value)
    _settle(qtbot, window)
    assert context.app.events.attendees(event.event_id)[0].fields.role is AttendeeRole.CHAIR

    # Hours are priced from the FMV rate card by the service; the table shows the amount it stored.
    rate = context.app.events.rate_card().hourly_rate("1", "Medical Oncology")
    assert rate is not None
    assert rate > 0
    assert panel.model.setData(_cell(panel, ada, Column.HOURS), 2.5)
    _settle(qtbot, window)
    stored = context.app.events.attendees(event.event_id)[0].fields
    assert stored.honorarium_hours == Decimal("2.5")
    assert stored.honorarium_amount == rate * Decimal("2.5")
    assert _cell(panel, ada, Column.HONORARIUM).data() == f"USD {rate * Decimal('2.5'):,.2f}"
    assert _cell(panel, ada, Column.HOURS).data() == "2.5"

    # Check in the selected attendee.
    view.editor.tabs.setCurrentWidget(panel)
    panel.table.selectRow(0)
    panel.check_in_button.click()
    _settle(qtbot, window)
    arrived = context.app.events.attendees(event.event_id)[0].fields.checked_in_at
    assert arrived is not None
    qtbot.waitUntil(lambda: bool(_cell(panel, ada, Column.CHECKED_IN).data()), timeout=5000)
    shown = _cell(panel, ada, Column.CHECKED_IN).data()
    assert shown.endswith(f"{arrived.astimezone(BERLIN):%H:%M}"), "the meeting's wall time, not the laptop's"


def test_attendee_list_checklist_and_event_list_agree_on_the_counts(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)
    A = Invitation
    mixed = [  # (name, role, invitation, contract, COI)
        ("Ada", AttendeeRole.CHAIR, A.ACCEPTED, True, True),
        ("Bob", AttendeeRole.ADVISOR, A.ACCEPTED, True, False),
        ("Cy", AttendeeRole.ADVISOR, A.INVITED, False, False),
        ("Di", AttendeeRole.ADVISOR, A.DECLINED, True, True),  # a declined contract does not count
        ("Ed", AttendeeRole.FACULTY, A.NOT_SENT, False, False),
        ("Sam", AttendeeRole.INTERNAL, A.ACCEPTED, False, False),  # company staff: on the list only
    ]
    for name, role, invitation, contract, coi in mixed:
        _, changes = context.app.events.add_attendee(
            event.event_id,
            _person(context.app, name, "Test"),
            AttendanceFields(role=role, invitation=invitation, contract_signed=contract, coi_disclosed=coi),
        )
    context.changed.emit(changes)
    view = _open(qtbot, window, event.event_id)
    summary = view.editor.attendees.summary.text()
    checklist = {i.key: i.detail for i in view.editor.checklist.model.items()}
    facts = view.proxy.index(0, 0).data(FactsRole)

    assert "6 on the list (1 staff)" in summary
    assert "4 of 5 invited" in summary
    assert checklist["invitations"] == "4 of 5 invited"
    assert "2/5 accepted" in facts
    assert "· 2 accepted ·" in summary
    assert "2 of 2 contracts signed" in summary
    assert checklist["contracts"] == "2 of 2 accepted attendees"
    assert "1 of 2 COI disclosed" in summary
    assert checklist["disclosures"] == "1 of 2 accepted attendees"
    assert context.app.events.get(event.event_id).counts.accepted == 2


def test_travel_and_expenses_typed_in_the_attendee_table_reach_the_budget_totals(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)
    ada = _person(context.app, "Ada", "Lovelace")
    _, changes = context.app.events.add_attendee(
        event.event_id,
        ada,
        AttendanceFields(invitation=Invitation.ACCEPTED, honorarium_amount=Decimal("1000")),
    )
    context.changed.emit(changes)
    view = _open(qtbot, window, event.event_id)
    panel, budget = view.editor.attendees, view.editor.checklist
    assert budget.total.text() == "USD 1,000.00"
    assert budget.travel.text() in ("", "USD 0.00", "—")

    Column = attendee_model.Column
    travel, expenses = _cell(panel, ada, Column.TRAVEL), _cell(panel, ada, Column.EXPENSES)
    assert travel.flags() & Qt.ItemFlag.ItemIsEditable
    assert expenses.flags() & Qt.ItemFlag.ItemIsEditable
    assert panel.model.headerData(Column.TRAVEL, Qt.Orientation.Horizontal) == "Travel"
    assert panel.model.setData(travel, 450.5)
    assert panel.model.setData(expenses, 80.0)
    assert _cell(panel, ada, Column.TRAVEL).data() == "USD 450.50"
    _settle(qtbot, window)
    stored = context.app.events.attendees(event.event_id)[0].fields
    assert stored.travel_amount == Decimal("450.50")
    assert stored.expenses_amount == Decimal("80.00")
    qtbot.waitUntil(lambda: budget.total.text() == "USD 1,530.50", timeout=WAIT_MS)
    assert budget.travel.text() == "USD 450.50"
    assert budget.expenses.text() == "USD 80.00"


def test_an_honorarium_above_the_fmv_cap_is_flagged_on_the_row_and_in_the_summary(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)
    ada, bob = _person(context.app, "Ada", "Lovelace"), _person(context.app, "Bob", "Marley")
    for person_id in (ada, bob):
        _, changes = context.app.events.add_attendee(
            event.event_id, person_id, AttendanceFields(invitation=Invitation.ACCEPTED)
        )
    context.changed.emit(changes)
    view = _open(qtbot, window, event.event_id)
    panel = view.editor.attendees
    view.editor.tabs.setCurrentWidget(panel)
    assert not panel.fmv_label.isVisible()
    cap = context.app.events.rate_card().cap_per_engagement

    Column = attendee_model.Column
    assert panel.model.setData(_cell(panel, ada, Column.HONORARIUM), float(cap + 1000))
    assert panel.model.setData(_cell(panel, bob, Column.HONORARIUM), float(cap - 1000))
    _settle(qtbot, window)
    assert context.app.events.attendees(event.event_id)[0].fields.honorarium_amount == cap + 1000
    name = _cell(panel, ada, Column.NAME)
    assert name.data(Qt.ItemDataRole.DecorationRole) is not None
    assert "above the cap" in name.data(Qt.ItemDataRole.ToolTipRole)
    assert _cell(panel, bob, Column.NAME).data(Qt.ItemDataRole.DecorationRole) is None
    assert panel.fmv_label.isVisible()
    assert "1 fair market value warning" in panel.fmv_label.text()
    assert "Ada Lovelace" in panel.fmv_label.text()
    assert "Bob" not in panel.fmv_label.text()


def test_import_attendees_opens_the_wizard_for_this_event(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _context, event = _seeded(make_window, qtbot)
    view = _open(qtbot, window, event.event_id)
    panel = view.editor.attendees
    opened: list[int] = []
    panel.open_import_wizard = lambda event_id: opened.append(event_id)  # type: ignore[method-assign]
    panel.import_button.click()
    assert opened == [event.event_id]


def test_import_attendees_opens_the_people_import_wizard(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("msldesk.ui.people.import_wizard")
    window, _context, event = _seeded(make_window, qtbot)
    view = _open(qtbot, window, event.event_id)
    panel = view.editor.attendees
    view.editor.tabs.setCurrentWidget(panel)
    panel.import_button.click()
    wizard = panel._wizard
    assert wizard is not None
    assert wizard.isVisible()
    assert wizard.event_id == event.event_id  # type: ignore[attr-defined]
    wizard.close()
    _settle(qtbot, window)


# ---- checklist, budget, exports ----------------------------------------------------------------


def test_manual_checklist_tick_is_saved_and_automatic_steps_cannot_be_ticked(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)
    view = _open(qtbot, window, event.event_id)
    panel = view.editor.checklist
    model = panel.model
    keys = [i.key for i in model.items()]
    assert "materials" in keys
    assert "contracts" in keys
    assert panel.progress.format() == "0 of 5 done"
    contracts = model.index(keys.index("contracts"))
    assert not contracts.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert not model.setData(contracts, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert "0 of 0 accepted attendees" in contracts.data()

    materials = model.index(keys.index("materials"))
    assert model.setData(materials, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    _settle(qtbot, window)
    stored = {i.key: i.done for i in context.app.events.checklist(event.event_id)}
    assert stored["materials"] is True
    assert stored["contracts"] is False
    assert panel.progress.format() == "1 of 5 done"


def test_exports_write_calendar_csv_excel_and_sign_in_sheet(
    make_window, qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    window, context, event = _seeded(make_window, qtbot)
    ada = _person(context.app, "Ada", "Lovelace")
    _, changes = context.app.events.add_attendee(
        event.event_id, ada, AttendanceFields(invitation=Invitation.ACCEPTED)
    )
    context.changed.emit(changes)
    _seed_agenda(context, event.event_id, [("Welcome", 30)])
    view = _open(qtbot, window, event.event_id)
    editor = view.editor
    out = tmp_path / "exports"
    out.mkdir()
    asked: list[str] = []

    def ask_save_path(kind, suggested):  # type: ignore[no-untyped-def]
        asked.append(suggested)
        return out / f"board-{kind.name}"  # no suffix: the editor adds it

    editor.ask_save_path = ask_save_path  # type: ignore[method-assign]
    messages: list[str] = []
    view.status_message.connect(messages.append)
    for key, suffix in (("calendar", "ics"), ("attendees-csv", "csv"), ("attendees-xlsx", "xlsx"),
                        ("open-payments", "csv"), ("sign-in-sheet", "pdf")):  # fmt: skip
        with qtbot.waitSignal(editor.exported, timeout=30_000) as written:
            editor.export_actions[key].trigger()
        path = written.args[1]
        assert path == out / f"board-{key}.{suffix}"
        assert path.exists()
        assert path.stat().st_size > 0
    # Named from the event's title and date, sanitised for the file system.
    assert any(
        re.fullmatch(r"Lung cancer advisory board - \d{4}-\d{2}-\d{2} - calendar invitation\.ics", a)
        for a in asked
    )
    assert "BEGIN:VEVENT" in (out / "board-calendar.ics").read_text()
    assert "Lovelace" in (out / "board-attendees-csv.csv").read_text(encoding="utf-8-sig")
    # The payments of the event's year, as `msldesk payments export --year` writes them.
    year = context.app.events.get(event.event_id).fields.starts_at.year
    assert f"Open Payments - {year}.csv" in asked
    payments = (out / "board-open-payments.csv").read_text(encoding="utf-8-sig")
    assert payments.startswith("Covered_Recipient_Type,Covered_Recipient_NPI,")
    assert (out / "board-sign-in-sheet.pdf").read_bytes().startswith(b"%PDF")
    assert any(str(out / "board-sign-in-sheet.pdf") in m for m in messages)
    # It ends like every export: a banner with Open and Show in folder, which hand the desktop
    # the file and its folder (through the hook, so nothing is launched here).
    opened: list[str] = []
    monkeypatch.setattr(export_banner, "open_url", lambda url: opened.append(url.toLocalFile()) or True)
    banner = editor.export_status
    assert isinstance(banner, export_banner.ExportBanner)
    assert banner.isVisible()
    assert banner.open_button.isVisible()
    assert banner.reveal_button.isVisible()
    banner.open_button.click()
    banner.reveal_button.click()
    assert opened == [str(out / "board-sign-in-sheet.pdf"), str(out)]


def test_a_failed_export_is_reported(make_window, qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    undated = EventFields(title="Undated")
    event, changes = context.app.events.create(undated)
    context.changed.emit(changes)
    view = window.boards
    view.show_period("all")
    view = _open(qtbot, window, event.event_id)
    reported: list[str] = []
    monkeypatch.setattr("msldesk.ui.errors.report_error", lambda e, d="", p=None: reported.append(str(e)))
    view.editor.ask_save_path = lambda kind, suggested: tmp_path / "x.ics"  # type: ignore[method-assign]
    view.editor.export("calendar")
    qtbot.waitUntil(lambda: bool(reported), timeout=WAIT_MS)
    assert "start and end" in reported[0]
    assert not (tmp_path / "x.ics").exists()


def test_an_export_to_a_folder_is_refused_and_an_agreed_file_replaced(
    make_window, qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The save dialog asked before replacing a file, so the export replaces it; a folder (or a
    pipe, a link) where the file would go is refused in plain words and left as it was."""
    from msldesk.ui.errors import user_message

    window, _context, event = _seeded(make_window, qtbot)
    view = _open(qtbot, window, event.event_id)
    editor = view.editor
    reported: list[str] = []
    monkeypatch.setattr(
        "msldesk.ui.errors.report_error", lambda e, d="", p=None: reported.append(user_message(e))
    )
    folder = tmp_path / "invite.ics"
    folder.mkdir()
    editor.ask_save_path = lambda kind, suggested: folder  # type: ignore[method-assign]
    editor.export("calendar")
    qtbot.waitUntil(lambda: bool(reported), timeout=WAIT_MS)
    assert "is a folder" in reported[0]
    assert "Errno" not in reported[0]
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    earlier = tmp_path / "agreed.ics"
    earlier.write_bytes(b"earlier")
    editor.ask_save_path = lambda kind, suggested: earlier  # type: ignore[method-assign]
    with qtbot.waitSignal(editor.exported, timeout=30_000):
        editor.export("calendar")
    assert "BEGIN:VEVENT" in earlier.read_text()


# ---- models ------------------------------------------------------------------------------------


def test_boards_models_pass_qt_model_tester(make_window, qtbot, pytestconfig) -> None:  # type: ignore[no-untyped-def]
    from pytestqt.modeltest import ModelTester

    window, context, event = _seeded(make_window, qtbot)
    ada = _person(context.app, "Ada", "Lovelace")
    context.app.events.add_attendee(event.event_id, ada, AttendanceFields(honorarium_amount=Decimal("9000")))
    _seed_agenda(context, event.event_id, [("A", 30), ("B", 60), ("C", 45)])
    view = _open(qtbot, window, event.event_id)
    editor = view.editor
    assert isinstance(view.model, EventListModel)
    assert isinstance(editor.checklist.model, ChecklistModel)
    # One tester per model: a tester follows every signal of each model it checked, and the
    # qtmodeltester fixture can only let go of the last one.
    testers = []
    try:
        for model in (view.model, editor.agenda.model, editor.attendees.model, editor.checklist.model):
            assert model.rowCount() > 0
            tester = ModelTester(pytestconfig)
            testers.append(tester)
            tester.check(model, force_py=True)
        # Moves, edits and the reloads after them keep every model consistent (the testers watch).
        assert editor.agenda.model.move_item(0, 2)
        assert not editor.agenda.model.move_item(0, 0)
        assert editor.agenda.model.setData(editor.agenda.model.index(0, agenda_model.Column.MINUTES), 20)
        _settle(qtbot, window)
        assert [i.fields.title for i in context.app.events.agenda(event.event_id)] == ["B", "C", "A"]
    finally:
        for tester in testers:
            tester._cleanup()


# ---- dialogs -----------------------------------------------------------------------------------


def test_person_picker_searches_as_you_type_and_offers_nobody_twice(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from msldesk.ui.boards.person_picker import PersonPicker

    window, context = make_window(seed_demo=False)
    ada, bob = _person(context.app, "Ada", "Lovelace"), _person(context.app, "Bob", "Lovelock")
    _person(context.app, "Carl", "Sagan")
    picker = PersonPicker(context, exclude=[bob])
    qtbot.addWidget(picker)
    qtbot.waitUntil(lambda: picker.results.count() == 3, timeout=WAIT_MS)
    picker.search.setText("Lovel")
    qtbot.waitUntil(lambda: picker.results.count() == 2, timeout=WAIT_MS)
    texts = [picker.results.item(i).text() for i in range(2)]
    assert texts[0].startswith("Ada Lovelace, MD")
    assert "Charité" in texts[0]
    assert "already on the list" in texts[1]
    assert not picker.add_button.isEnabled()
    picker.results.selectAll()
    assert picker.person_ids() == [ada], "people already on the list cannot be picked"
    assert picker.add_button.isEnabled()
    picker.reject()
    _settle(qtbot, window)


def test_an_agenda_item_links_a_saved_collection_for_the_briefing(make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The agenda's Slides column could only be filled from outside the app: the item dialog now
    offers the saved collections (Deck builder › Save as collection…), and "(no slides)" unlinks."""
    from PySide6.QtWidgets import QDialog

    from msldesk.ui.boards.agenda_dialog import AgendaItemDialog

    window, context = make_window()  # the demo decks
    app = context.app
    app.assembly.save_collection("Efficacy core", [s.slide_id for s in app.decks.list_slides()[:3]])
    collection_id = app.assembly.collection("Efficacy core").collection_id
    event, changes = app.events.create(_event_fields(title="Linked board"))
    context.changed.emit(changes)
    _seed_agenda(context, event.event_id, [("Data review", 45)])
    view = _open(qtbot, window, event.event_id)
    panel = view.editor.agenda
    view.editor.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.collections != [], timeout=WAIT_MS)
    offered: list[list[str]] = []

    def choose(text: str):  # type: ignore[no-untyped-def]
        def exec_(dialog: AgendaItemDialog) -> int:  # what the user picks in the real dialog
            offered.append([dialog.slides.itemText(i) for i in range(dialog.slides.count())])
            dialog.slides.setCurrentIndex(dialog.slides.findText(text))
            return QDialog.DialogCode.Accepted.value

        return exec_

    monkeypatch.setattr(AgendaItemDialog, "exec", choose("Collection “Efficacy core” (3 slides)"))
    panel.select_row(0)
    panel.edit_button.click()
    _settle(qtbot, window)
    assert offered[0] == ["(no slides)", "Collection “Efficacy core” (3 slides)"]
    assert app.events.agenda(event.event_id)[0].fields.collection_ids == (collection_id,)
    qtbot.waitUntil(lambda: panel.model.index(0, agenda_model.Column.SLIDES).data() == "1 collection")
    assert panel.linked_label.text() == "Linked from the library: 1 collection"

    monkeypatch.setattr(AgendaItemDialog, "exec", choose("(no slides)"))
    panel.edit_button.click()
    _settle(qtbot, window)
    assert offered[1][0] == "(no slides)"
    assert app.events.agenda(event.event_id)[0].fields.collection_ids == ()


def test_agenda_item_dialog_reads_back_what_was_typed(qtbot) -> None:  # type: ignore[no-untyped-def]
    from msldesk.boards.records import AgendaKind
    from msldesk.ui.boards.agenda_dialog import AgendaItemDialog

    dialog = AgendaItemDialog(AgendaItemFields("Old", 20, slide_ids=(4, 5)), [("Ada Lovelace", 7)])
    qtbot.addWidget(dialog)
    dialog.title.setText("  New title ")
    dialog.minutes.setValue(35)
    dialog.kind.setCurrentIndex(dialog.kind.findData(AgendaKind.DISCUSSION.value))
    dialog.presenter.setCurrentIndex(dialog.presenter.findData(7))
    fields = dialog.fields()
    assert fields == AgendaItemFields("New title", 35, AgendaKind.DISCUSSION, 7, "", (4, 5))
    dialog.title.clear()
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
