"""Deleting an event, removing an agenda item or an attendee in Boards, as a user meets it: the
refusal for payments the Open Payments export reports, the question naming what goes (meeting notes
counted), and notes that stay after their agenda item is removed, saying where they were filed."""

from __future__ import annotations

import html

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from msldesk.boards.records import Invitation
from msldesk.ui.boards.removal_questions import event_deletion_details
from msldesk.ui.boards.review_model import entry_html

from .test_boards import _open, _settle

pytestmark = pytest.mark.usefixtures("no_libreoffice")

BOARD = "Demo: NSCLC second-line advisory board"  # accepted advisors with honoraria and travel
WORKSHOP = "Demo: Biomarker testing workshop"  # past, ten meeting notes not finalized, nobody paid


def _event(context, title: str):  # type: ignore[no-untyped-def]
    return next(e for e in context.app.events.list_events() if e.title == title)


def _shown(text: str) -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.isVisible() and text in w.text()
    ]


@pytest.fixture
def boards(make_window, qtbot):  # type: ignore[no-untyped-def]
    window, context = make_window()
    view = window.boards
    window.show_section(view)
    view.show_period("all")
    return window, context, view


def test_an_event_with_reported_payments_is_kept_and_the_user_told_why(boards, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, view = boards
    event = _event(context, BOARD)
    _open(qtbot, window, event.event_id)
    asked: list[object] = []
    view.ask_confirm_delete = lambda plan: asked.append(plan) or True  # type: ignore[method-assign]

    view.delete_button.click()
    _settle(qtbot, window)

    assert asked == [], "nothing to ask: it cannot be deleted"
    (box,) = _shown("cannot be deleted")
    assert box.text().startswith(
        f"“{BOARD}” cannot be deleted: 3 attendees have payments on it that the Open"
    )
    assert "set its status to Cancelled instead" in box.text()
    box.close()
    assert _event(context, BOARD).event_id == event.event_id


def test_the_question_counts_the_meeting_notes_and_cancel_keeps_everything(boards, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, view = boards
    event = _event(context, WORKSHOP)
    _open(qtbot, window, event.event_id)
    asked: list[object] = []
    messages: list[str] = []
    view.status_message.connect(messages.append)
    view.ask_confirm_delete = lambda plan: asked.append(plan) and False  # type: ignore[method-assign]

    view.delete_button.click()
    _settle(qtbot, window)

    (plan,) = asked
    details = html.unescape(event_deletion_details(plan))  # type: ignore[arg-type]
    assert "<li>10 meeting notes (not finalized)</li>" in details
    assert "<li>3 attendees with their invitation, contract and disclosure records</li>" in details
    assert "<li>2 agenda items</li>" in details
    assert "records what was deleted, but not the text of the notes. This cannot be undone." in details
    assert messages[-1] == "Nothing was deleted"
    assert len(context.app.meetings.entries(event.event_id)) == 10

    view.ask_confirm_delete = lambda plan: True  # type: ignore[method-assign]
    view.delete_button.click()
    _settle(qtbot, window)
    assert WORKSHOP not in [e.title for e in context.app.events.list_events()]
    assert messages[-1] == f"Deleted “{WORKSHOP}”"


def test_removing_an_agenda_item_with_notes_asks_and_the_notes_say_where_they_were(boards, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, view = boards
    event = _event(context, WORKSHOP)
    _open(qtbot, window, event.event_id)
    panel = view.editor.agenda
    view.editor.tabs.setCurrentWidget(panel)
    asked: list[object] = []
    panel.ask_confirm_remove = lambda plan: asked.append(plan) and False  # type: ignore[method-assign]
    panel.select_row(0)  # "Testing pathways": five notes filed under it

    panel.remove_item()
    _settle(qtbot, window)

    (plan,) = asked
    assert (plan.title, plan.notes, plan.refusal) == ("Testing pathways", 5, "")  # type: ignore[attr-defined]
    assert panel.model.rowCount() == 2, "Cancel kept it"

    panel.ask_confirm_remove = lambda plan: True  # type: ignore[method-assign]
    panel.select_row(0)
    panel.remove_item()
    _settle(qtbot, window)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    entries = context.app.meetings.entries(event.event_id)
    moved = [e for e in entries if e.item_removed]
    assert len(moved) == 5, "the notes stay"
    assert len(entries) == 10, "the notes stay"
    shown = entry_html(moved[0], "America/Chicago")
    assert "during “Testing pathways”, since removed from the agenda" in html.unescape(shown)


def test_an_item_nothing_is_filed_under_goes_without_a_question(boards, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, view = boards
    event = _event(context, BOARD)
    _open(qtbot, window, event.event_id)
    panel = view.editor.agenda
    view.editor.tabs.setCurrentWidget(panel)
    panel.ask_confirm_remove = lambda plan: pytest.fail("asked")  # type: ignore[method-assign]
    panel.select_row(2)  # the coffee break
    panel.remove_item()
    _settle(qtbot, window)
    assert "Coffee break" not in [i.fields.title for i in context.app.events.agenda(event.event_id)]


def test_an_attendee_with_a_reported_payment_stays_and_none_of_the_selection_goes(boards, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, view = boards
    event = _event(context, BOARD)
    _open(qtbot, window, event.event_id)
    panel = view.editor.attendees
    view.editor.tabs.setCurrentWidget(panel)
    panel.ask_confirm_remove = lambda names: pytest.fail("asked")  # type: ignore[method-assign]
    attendees = context.app.events.attendees(event.event_id)
    paid = next(a for a in attendees if a.fields.invitation is Invitation.ACCEPTED and a.fields.travel_amount)
    unpaid = next(a for a in attendees if a.fields.invitation is Invitation.DECLINED)
    panel.selected_ids = lambda: [unpaid.attendance_id, paid.attendance_id]  # type: ignore[method-assign]

    panel.remove_selected()
    _settle(qtbot, window)

    (box,) = _shown("stays on the attendee list")
    assert box.text().startswith(f"{paid.person.display_name} stays on the attendee list of “{BOARD}”")
    box.close()
    assert len(context.app.events.attendees(event.event_id)) == len(attendees), "none went"
