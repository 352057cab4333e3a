"""Meeting mode as an MSL uses it during a running board: moving through the agenda, typing entries
with kinds, names and themes, the compliance guard, check-in, edits and amendments, and the draft
that is stored while typing and comes back when meeting mode is opened again."""

from __future__ import annotations

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from msldesk.boards.records import (
    AgendaItemFields,
    AttendanceFields,
    AttendeeRole,
    EntryKind,
    EventFields,
    EventKind,
    Invitation,
    PersonFields,
)
from msldesk.ui.meeting.agenda_model import Column
from msldesk.ui.meeting.autosave import DraftAutosaver
from msldesk.ui.meeting.entries import FactsRole, HeadingRole
from msldesk.ui.meeting.entry_dialog import EntryDialog
from msldesk.ui.meeting.window import MeetingWindow
from msldesk.ui.theme import palette

pytestmark = pytest.mark.usefixtures("no_libreoffice")

BERLIN = ZoneInfo("Europe/Berlin")
WAIT_MS = 10_000
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


class Clock:
    """The meeting service's clock, moved by hand (the window reads the same one)."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start.astimezone(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += dt.timedelta(minutes=minutes)


class Board:
    """An advisory board running today in Berlin: three agenda items, three attendees, themes."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        # Berlin's today, not UTC's: the two differ for an hour or two around midnight.
        start = dt.datetime.combine(dt.datetime.now(BERLIN).date(), dt.time(9, 0), BERLIN)
        self.event = app.events.create(
            EventFields(
                kind=EventKind.ADVISORY_BOARD,
                title="Lung cancer advisory board",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                timezone="Europe/Berlin",
            )
        )[0]
        self.event_id = self.event.event_id
        self.avery = app.people.add(PersonFields("Avery", "Lindqvist", "MD", email="a@x.org"))[0].person_id
        self.jonas = app.people.add(PersonFields("Jonas", "Weber", "MD", email="j@x.org"))[0].person_id
        self.sam = app.people.add(PersonFields("Sam", "Rivera", email="s@x.org"))[0].person_id
        for person_id, role in ((self.avery, AttendeeRole.CHAIR), (self.jonas, AttendeeRole.ADVISOR),
                                (self.sam, AttendeeRole.INTERNAL)):  # fmt: skip
            app.events.add_attendee(
                self.event_id, person_id, AttendanceFields(role=role, invitation=Invitation.ACCEPTED)
            )
        self.items = [
            app.events.add_agenda_item(self.event_id, AgendaItemFields(title, minutes, presenter_id=who))[0]
            for title, minutes, who in (
                ("Welcome", 15, self.sam),
                ("Data review", 30, self.avery),
                ("Discussion", 10, None),
            )
        ]
        app.meetings.set_themes(self.event_id, ["Treatment sequencing", "Unmet need", "Dosing"])
        self.clock = Clock(start)
        app.meetings.clock = self.clock


@pytest.fixture
def meeting(make_window, qtbot):  # type: ignore[no-untyped-def]
    """(main window, context, board, open_meeting()) on a fresh library with a fixed clock."""
    window, context = make_window(seed_demo=False)
    board = Board(context.app)
    launcher = window.boards.meetings

    def open_meeting(with_shortcut: bool = True) -> MeetingWindow:
        view = window.boards
        window.show_section(view)
        qtbot.waitUntil(lambda: view.model.row_of(board.event_id) >= 0, timeout=WAIT_MS)
        assert view.select_event(board.event_id)
        window.activateWindow()  # as after closing an earlier meeting window
        qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
        if with_shortcut:
            QTest.keyClick(window, Qt.Key.Key_M, CTRL)
        else:
            view.meeting_button.click()
        found = launcher.window_for(board.event_id)
        assert found is not None, "meeting mode opened"
        qtbot.waitUntil(lambda: found.bundle is not None, timeout=WAIT_MS)
        _settle(qtbot, found)
        return found

    window.boards.reload_events()
    # Closing the main window (pytest-qt does it after the test) closes meeting windows and lets
    # their last draft saves land before the library closes (make_window checks nothing is left).
    return window, context, board, open_meeting


def _text_colour(widget: QWidget) -> str:
    """The colour the theme gives the widget's text, as shown."""
    return widget.palette().color(QPalette.ColorRole.WindowText).name()


def _fill(widget: QWidget) -> str:
    """The colour painted a few pixels in from the widget's left edge, half-way down."""
    return widget.grab().toImage().pixelColor(6, widget.height() // 2).name()


def _settle(qtbot, mw: MeetingWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: mw.context.runner.active == 0 and mw.writer.pending == 0 and not mw._reload_timer.isActive(),
        timeout=WAIT_MS,
    )


def _type(mw: MeetingWindow, text: str) -> None:
    mw.field.setFocus()
    QTest.keyClicks(mw.field, text)


def _double_click_entry(mw: MeetingWindow, row: int) -> None:
    center = mw.entries.visualRect(mw.entries_model.index(row)).center()
    QTest.mouseClick(mw.entries.viewport(), Qt.MouseButton.LeftButton, pos=center)
    QTest.mouseDClick(mw.entries.viewport(), Qt.MouseButton.LeftButton, pos=center)


def _enter(qtbot, mw: MeetingWindow) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(mw.entry_filed, timeout=WAIT_MS):
        QTest.keyClick(mw.field, Qt.Key.Key_Return)
    _settle(qtbot, mw)


# ---- the agenda ------------------------------------------------------------------------------


def test_f8_and_ctrl_arrows_move_through_the_agenda_and_record_actual_times(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, board, open_meeting = meeting
    mw = open_meeting()
    assert mw.windowTitle() == "Meeting — Lung cancer advisory board"
    assert mw.clock.text().startswith("09:00:00 CE"), "the clock shows the event's zone"
    assert "Not started" in mw.current.text()
    assert mw.next_button.text().startswith("Start meeting")
    assert not mw.previous_button.isEnabled()
    t0 = board.clock.now

    QTest.keyClick(mw.field, Qt.Key.Key_F8)  # the note field has the focus: F8 still moves on
    _settle(qtbot, mw)
    agenda = context.app.events.agenda(board.event_id)
    assert agenda[0].actual_start == t0
    assert agenda[0].actual_end is None
    assert "Now: 1. Welcome" in mw.current.text()
    assert mw.agenda_model.current_id == board.items[0].item_id
    assert mw.agenda_model.index(0, Column.ITEM).data(Qt.ItemDataRole.FontRole).bold()

    board.clock.advance(12)
    mw._on_tick_timeout()
    assert mw.countdown.text() == "3:00 left", "15 planned minus 12 elapsed"
    assert _text_colour(mw.countdown) == palette().success
    board.clock.advance(5)
    mw._on_tick_timeout()
    assert mw.countdown.text() == "−2:00 over"
    assert _text_colour(mw.countdown) == palette().error
    assert mw.agenda_model.index(0, Column.DIFFERENCE).data() == "+2 min"

    QTest.keyClick(mw.field, Qt.Key.Key_Right, CTRL)  # Ctrl+Right: next item, not next word
    _settle(qtbot, mw)
    agenda = context.app.events.agenda(board.event_id)
    assert agenda[0].actual_end == t0 + dt.timedelta(minutes=17)
    assert agenda[1].actual_start == t0 + dt.timedelta(minutes=17)
    assert agenda[1].actual_end is None
    assert mw.agenda_model.current_id == board.items[1].item_id
    assert mw.agenda_model.index(0, Column.PLANNED).data() == "15 min"
    assert mw.agenda_model.index(0, Column.ACTUAL).data() == "17 min"
    assert mw.agenda_model.index(0, Column.DIFFERENCE).data() == "+2 min"
    assert "Now: 2. Data review" in mw.current.text()
    assert "Avery Lindqvist" in mw.current.text()

    board.clock.advance(3)
    QTest.keyClick(mw.field, Qt.Key.Key_F8, SHIFT)  # back to the previous item
    _settle(qtbot, mw)
    agenda = context.app.events.agenda(board.event_id)
    assert agenda[0].actual_end is None, "its first start is kept"
    assert agenda[0].actual_start == t0, "its first start is kept"
    assert agenda[1].actual_end == t0 + dt.timedelta(minutes=20)
    assert mw.agenda_model.current_id == board.items[0].item_id

    QTest.keyClick(mw.field, Qt.Key.Key_Right, CTRL)
    QTest.keyClick(mw.field, Qt.Key.Key_Right, CTRL)  # two quick presses: both are applied in order
    _settle(qtbot, mw)
    assert mw.agenda_model.current_id == board.items[2].item_id
    assert mw.next_button.text().startswith("End agenda")
    QTest.keyClick(mw.field, Qt.Key.Key_Left, CTRL)
    _settle(qtbot, mw)
    assert mw.agenda_model.current_id == board.items[1].item_id
    # The text field keeps Ctrl+Left/Right away from word moves only; typing is untouched.
    assert mw.field.toPlainText() == ""


def test_ctrl_arrows_in_a_note_being_typed_move_by_word_not_through_the_agenda(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A typist jumping back a word must not end the agenda item and stamp its time."""
    _window, context, board, open_meeting = meeting
    mw = open_meeting()
    QTest.keyClick(mw.field, Qt.Key.Key_F8)
    _settle(qtbot, mw)
    board.clock.advance(5)
    _type(mw, "Re-challenge after twelve months")
    QTest.keyClick(mw.field, Qt.Key.Key_Left, CTRL)
    QTest.keyClick(mw.field, Qt.Key.Key_Left, CTRL)
    QTest.keyClick(mw.field, Qt.Key.Key_Right, CTRL)
    _settle(qtbot, mw)
    assert mw.agenda_model.current_id == board.items[0].item_id, "still on the first item"
    assert context.app.events.agenda(board.event_id)[0].actual_end is None, "its time is not stamped"
    assert "Now: 1. Welcome" in mw.current.text()
    cursor = mw.field.textCursor()
    assert mw.field.toPlainText()[cursor.position() :] == "months", "the cursor moved by words"
    QTest.keyClicks(mw.field, "12 ")
    assert mw.field.toPlainText() == "Re-challenge after twelve 12 months"
    mw.field.clear()  # an empty note: Ctrl+Right moves on through the agenda again
    QTest.keyClick(mw.field, Qt.Key.Key_Right, CTRL)
    _settle(qtbot, mw)
    assert mw.agenda_model.current_id == board.items[1].item_id


# ---- typing entries --------------------------------------------------------------------------


def test_enter_files_a_time_stamped_entry_under_the_current_item(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, board, open_meeting = meeting
    mw = open_meeting(with_shortcut=False)  # the Boards section's button opens it too
    assert mw.empty_hint.isVisible()
    _type(mw, "Before we start")
    _enter(qtbot, mw)
    QTest.keyClick(mw.field, Qt.Key.Key_F8)
    QTest.keyClick(mw.field, Qt.Key.Key_F8)
    board.clock.advance(4)
    _type(mw, "First line")
    QTest.keyClick(mw.field, Qt.Key.Key_Return, SHIFT)  # a new line, not a new entry
    _type(mw, "second line")
    assert mw.field.toPlainText() == "First line\nsecond line"
    _enter(qtbot, mw)

    entries = context.app.meetings.entries(board.event_id)
    assert [e.text for e in entries] == ["Before we start", "First line\nsecond line"]
    assert entries[0].fields.agenda_item_id is None
    assert entries[1].fields.agenda_item_id == board.items[1].item_id, "F8 twice: the second item"
    assert entries[1].created_at == board.clock.now
    assert mw.field.toPlainText() == "", "the field is empty for the next entry"
    assert context.app.meetings.draft(board.event_id) is None
    model = mw.entries_model
    assert model.rowCount() == 2
    assert not mw.empty_hint.isVisible()
    assert model.index(0).data(HeadingRole) == "Before the agenda started"
    assert model.index(1).data(HeadingRole) == "2. Data review"
    assert model.index(1).data(FactsRole).startswith("09:04")
    assert model.index(1).data() == "First line\nsecond line"


def test_ctrl_digits_and_markers_choose_the_kind(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, board, open_meeting = meeting
    mw = open_meeting()
    assert mw.kind_button.text() == "Note"
    QTest.keyClick(mw.field, Qt.Key.Key_2, CTRL)
    assert mw.kind_button.text() == "Insight"
    assert mw.explicit_kind is EntryKind.INSIGHT
    assert _fill(mw.kind_button) == palette().insight, "the button wears the kind's colour"
    _type(mw, "Sequencing depends on PD-L1")
    _enter(qtbot, mw)
    assert mw.kind_button.text() == "Note", "the chosen kind is for one entry"

    _type(mw, "? what dose")
    assert mw.kind_button.text() == "Question", "the leading marker shows beside the field"
    assert _fill(mw.kind_button) == palette().warning
    assert mw.kind_button.font().italic()
    _enter(qtbot, mw)
    QTest.keyClick(mw.field, Qt.Key.Key_3, CTRL)
    _type(mw, "! but chosen wins")
    assert mw.kind_button.text() == "Quote"
    QTest.keyClick(mw.field, Qt.Key.Key_Escape)  # Esc forgets the chosen kind: the marker counts
    assert mw.kind_button.text() == "Insight"
    _enter(qtbot, mw)
    QTest.keyClick(mw.field, Qt.Key.Key_4, CTRL)
    _type(mw, "Is there data in elderly patients")
    _enter(qtbot, mw)

    QTest.keyClick(mw.field, Qt.Key.Key_5, CTRL)
    assert mw.kind_button.text() == "Action", "actions offer a due date"
    assert mw.due.isVisible(), "actions offer a due date"
    mw.due.setDate(QDate(2026, 12, 15))
    _type(mw, "@Jonas Weber sends the paper")
    _enter(qtbot, mw)
    assert not mw.due.isVisible()
    _type(mw, "> @Sam Rivera books the room due:+3d")
    _enter(qtbot, mw)

    entries = context.app.meetings.entries(board.event_id)
    assert [(e.kind, e.text) for e in entries[:4]] == [
        (EntryKind.INSIGHT, "Sequencing depends on PD-L1"),
        (EntryKind.QUESTION, "what dose"),
        (EntryKind.INSIGHT, "but chosen wins"),
        (EntryKind.QUESTION, "Is there data in elderly patients"),
    ]
    action, marked = entries[4], entries[5]
    assert action.kind is EntryKind.ACTION
    assert action.fields.owner_id == board.jonas
    assert action.fields.due == dt.date(2026, 12, 15)
    assert action.text == "sends the paper"
    assert marked.kind is EntryKind.ACTION
    assert marked.fields.owner_id == board.sam
    assert marked.fields.due == board.clock.now.date() + dt.timedelta(days=3)
    assert "→ Jonas Weber, due 15 Dec 2026" in mw.entries_model.index(4).data(FactsRole)


def test_at_and_hash_complete_names_and_themes(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, board, open_meeting = meeting
    mw = open_meeting()
    QTest.keyClick(mw.field, Qt.Key.Key_F8)
    _settle(qtbot, mw)
    _type(mw, "@lind")
    assert mw.field.popup_visible()
    assert mw.field.suggestion_list() == ["Avery Lindqvist"]
    QTest.keyClick(mw.field, Qt.Key.Key_Return)  # Enter takes the suggestion, it does not file
    assert mw.field.toPlainText() == "@Avery Lindqvist "
    assert not mw.field.popup_visible()
    _type(mw, "would re-challenge #")
    assert mw.field.popup_visible()
    assert mw.field.suggestion_list() == ["Treatment sequencing", "Unmet need", "Dosing"]
    _type(mw, "seq")
    assert mw.field.suggestion_list() == ["Treatment sequencing"]
    QTest.keyClick(mw.field, Qt.Key.Key_Tab)
    _type(mw, "after 6 months")
    assert (
        mw.field.toPlainText() == "@Avery Lindqvist would re-challenge #Treatment sequencing after 6 months"
    )
    _enter(qtbot, mw)

    # Esc closes the list and keeps what was typed.
    _type(mw, "@we")
    assert mw.field.suggestion_list() == ["Jonas Weber"]
    QTest.keyClick(mw.field, Qt.Key.Key_Escape)
    assert not mw.field.popup_visible()
    assert mw.field.toPlainText() == "@we"
    _type(mw, "x@example")  # an e-mail address is not a mention
    assert not mw.field.popup_visible()

    entry = context.app.meetings.entries(board.event_id)[0]
    assert entry.fields.speaker_id == board.avery
    assert entry.fields.themes == ("Treatment sequencing",)
    assert entry.text == "would re-challenge after 6 months"
    assert entry.fields.agenda_item_id == board.items[0].item_id
    facts = mw.entries_model.index(0).data(FactsRole)
    assert "Avery Lindqvist (chair)" in facts
    assert "#Treatment sequencing" in facts


def test_a_restricted_word_is_highlighted_named_and_the_entry_flagged(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, board, open_meeting = meeting
    mw = open_meeting()
    assert not mw.warning.isVisible()
    _type(mw, "He called it a cure for")
    assert mw.warning.isVisible()
    assert "“cure”" in mw.warning.text()
    assert "flagged" in mw.warning.text()
    formats = mw.field.document().firstBlock().layout().formats()
    marked = [(f.start, f.length) for f in formats]
    assert (15, 4) in marked, "the word is highlighted where it stands"
    _type(mw, " everyone")
    _enter(qtbot, mw)
    assert not mw.warning.isVisible(), "the next entry starts clean"

    entry = context.app.meetings.entries(board.event_id)[0]
    assert entry.flag_terms == ("cure",)
    assert entry.flagged
    assert "Restricted terms: cure" in mw.entries_model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    _type(mw, "cured nothing")  # a different word: no warning
    assert not mw.warning.isVisible()


def test_attendees_are_checked_in_from_the_panel(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, board, open_meeting = meeting
    mw = open_meeting()
    panel = mw.attendees
    assert panel.heading.text() == "Attendees · 0 of 3 checked in"
    row = next(r for r in range(panel.model.rowCount()) if "Weber" in panel.model.index(r).data())
    index = panel.model.index(row)
    assert panel.model.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    _settle(qtbot, mw)
    attendees = {a.person.person_id: a for a in context.app.events.attendees(board.event_id)}
    assert attendees[board.jonas].fields.checked_in_at is not None
    assert attendees[board.avery].fields.checked_in_at is None
    qtbot.waitUntil(lambda: panel.heading.text() == "Attendees · 1 of 3 checked in", timeout=WAIT_MS)
    arrived = attendees[board.jonas].fields.checked_in_at.astimezone(BERLIN)  # stored in UTC
    assert panel.model.index(row).data().endswith(f" — in {arrived:%H:%M}"), "shown in the event's zone"
    assert not panel.model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable, "no un-check-in by accident"

    other = next(r for r in range(panel.model.rowCount()) if "Lindqvist" in panel.model.index(r).data())
    panel.list.setCurrentIndex(panel.model.index(other))
    panel.check_in_button.click()
    _settle(qtbot, mw)
    assert context.app.events.attendees(board.event_id)[0].fields.checked_in_at is not None
    qtbot.waitUntil(lambda: panel.heading.text() == "Attendees · 2 of 3 checked in", timeout=WAIT_MS)


# ---- editing afterwards ----------------------------------------------------------------------


def test_double_click_edits_an_entry_and_the_list_shows_the_edit_time(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, board, open_meeting = meeting
    mw = open_meeting()
    QTest.keyClick(mw.field, Qt.Key.Key_F8)
    _type(mw, "dose should be 200 mg")
    _enter(qtbot, mw)
    entry = mw.entries_model.entry(0)
    assert entry is not None
    assert "edited" not in mw.entries_model.index(0).data(FactsRole)

    seen: list[EntryDialog] = []

    def edit_in_dialog(entry):  # type: ignore[no-untyped-def]
        dialog = EntryDialog(entry, mw.bundle.agenda, mw.bundle.people(), False, BERLIN, mw)
        seen.append(dialog)
        dialog.text.setPlainText("Dose should be 100 mg")
        dialog.kind.setCurrentIndex(dialog.kind.findData(EntryKind.ACTION))
        dialog.item.setCurrentIndex(dialog.item.findData(board.items[2].item_id))
        dialog.speaker.setCurrentIndex(dialog.speaker.findData(board.jonas))
        dialog.themes.setText("Dosing, #New theme")
        dialog.owner.setCurrentText("Sam Rivera")
        dialog.has_due.setChecked(True)
        dialog.due.setDate(QDate(2027, 1, 31))
        return dialog.edit()

    mw.ask_edit = edit_in_dialog  # type: ignore[method-assign]
    board.clock.advance(42)
    _double_click_entry(mw, 0)
    _settle(qtbot, mw)
    assert len(seen) == 1, "no reason asked before finalizing"
    assert not seen[0].reason.isVisibleTo(seen[0]), "no reason asked before finalizing"

    stored = context.app.meetings.entry(entry.entry_id)
    f = stored.fields
    assert stored.text == "Dose should be 100 mg"
    assert f.kind is EntryKind.ACTION
    assert f.agenda_item_id == board.items[2].item_id
    assert f.speaker_id == board.jonas
    assert f.themes == ("Dosing", "New theme")
    assert f.owner_id == board.sam
    assert f.due == dt.date(2027, 1, 31)
    assert stored.edited_at == board.clock.now
    assert "edited 09:42" in mw.entries_model.index(0).data(FactsRole)
    assert mw.entries_model.index(0).data() == "Dose should be 100 mg"


def test_after_finalizing_an_edit_becomes_an_amendment_beside_the_original(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, board, open_meeting = meeting
    mw = open_meeting()
    _type(mw, "Response rate was 40%")
    _enter(qtbot, mw)
    _type(mw, "half a thought")
    qtbot.waitUntil(lambda: context.app.meetings.draft(board.event_id) is not None, timeout=WAIT_MS)
    context.changed.emit(context.app.meetings.finalize(board.event_id))  # e.g. from the review tab
    qtbot.waitUntil(lambda: mw.bundle is not None and mw.bundle.finalized, timeout=WAIT_MS)
    _settle(qtbot, mw)
    assert mw.banner.isVisible()
    assert "finalized" in mw.banner.text()
    assert mw.field.isReadOnly()
    assert not mw.next_button.isEnabled()
    assert mw.field.toPlainText() == "", "the stored draft was filed as an entry"
    # The half-typed draft became an entry when the notes were finalized: nothing typed is lost.
    assert [e.text for e in context.app.meetings.entries(board.event_id)] == [
        "Response rate was 40%",
        "half a thought",
    ]

    dialogs: list[EntryDialog] = []

    def amend(entry):  # type: ignore[no-untyped-def]
        dialog = EntryDialog(entry, mw.bundle.agenda, mw.bundle.people(), True, BERLIN, mw)
        dialogs.append(dialog)
        dialog.text.setPlainText("Response rate was 45%")
        dialog.reason.setText("misheard")
        return dialog.edit()

    mw.ask_edit = amend  # type: ignore[method-assign]
    board.clock.advance(90)
    qtbot.waitUntil(lambda: mw.entries_model.rowCount() == 2, timeout=WAIT_MS)
    _double_click_entry(mw, 0)
    _settle(qtbot, mw)
    assert not dialogs[0].kind.isEnabled()
    assert dialogs[0].reason.isVisibleTo(dialogs[0])

    stored = context.app.meetings.entry(mw.entries_model.entry(0).entry_id)
    assert stored.fields.text == "Response rate was 40%", "the original is kept"
    assert [(a.text, a.reason) for a in stored.amendments] == [("Response rate was 45%", "misheard")]
    assert mw.entries_model.index(0).data() == "Response rate was 45%"
    assert "amended 10:30" in mw.entries_model.index(0).data(FactsRole)
    tooltip = mw.entries_model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Original: Response rate was 40%" in tooltip
    assert "misheard" in tooltip


# ---- nothing typed is lost -------------------------------------------------------------------


def test_the_draft_is_stored_within_a_second_and_restored_when_meeting_mode_reopens(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, board, open_meeting = meeting
    meetings = context.app.meetings
    mw = open_meeting()
    QTest.keyClick(mw.field, Qt.Key.Key_F8)
    _settle(qtbot, mw)
    _type(mw, "Dr Weber thinks")
    typed_at = time.monotonic()
    qtbot.waitUntil(lambda: (d := meetings.draft(board.event_id)) is not None and d.text == "Dr Weber thinks",
                    timeout=1000)  # fmt: skip
    assert time.monotonic() - typed_at < 1.0
    assert meetings.draft(board.event_id).agenda_item_id == board.items[0].item_id
    # The commit is visible to a reader a moment before the worker's "saved" reaches the window.
    qtbot.waitUntil(lambda: mw.save_state.text().startswith("Draft saved"), timeout=1000)

    # Typing without a pause: what was typed a second ago is always stored.
    text = "Dr Weber thinks"
    lag_ok = True
    for ch in " that re-challenge works in half of his patients":
        QTest.keyClicks(mw.field, ch)
        text += ch
        qtbot.wait(60)
        stored = meetings.draft(board.event_id).text
        lag_ok &= text.startswith(stored)
    assert lag_ok, "the stored draft is always a prefix of the field"
    assert len(text) - len(meetings.draft(board.event_id).text) <= 20, "at most ~1 s of typing behind"
    qtbot.waitUntil(lambda: meetings.draft(board.event_id).text == text, timeout=1000)

    # Close right after a keystroke: the window goes at once, the text is stored after it.
    _type(mw, "!")
    text += "!"
    with qtbot.waitSignal(mw.settled, timeout=WAIT_MS):
        mw.close()
    assert meetings.draft(board.event_id).text == text

    again = open_meeting()
    assert again is not mw
    assert again.field.toPlainText() == text
    assert again.save_state.text() == "Unfinished entry restored"
    assert again.field.textCursor().position() == len(text), "the cursor is where typing goes on"
    assert again.kind_button.text() == "Note"
    _enter(qtbot, again)
    assert meetings.draft(board.event_id) is None
    assert meetings.entries(board.event_id)[-1].text == text


def test_a_refused_entry_goes_back_into_the_field(meeting, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import msldesk.ui.errors as errors_module

    _window, context, board, open_meeting = meeting
    mw = open_meeting()
    reported: list[str] = []
    monkeypatch.setattr(errors_module, "report_error", lambda error, details="": reported.append(str(error)))
    context.app.meetings.finalize(board.event_id)  # behind the window's back
    _type(mw, "An important insight")
    QTest.keyClick(mw.field, Qt.Key.Key_Return)
    _settle(qtbot, mw)
    assert reported
    assert "finalized" in reported[0]
    assert mw.field.toPlainText() == "An important insight"
    assert mw.save_state.text().startswith("Not filed")
    assert mw.banner.isVisible(), "the window learns the notes are finalized"


def test_the_autosaver_keeps_one_save_in_flight_and_stores_the_newest_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    from msldesk.ui.context import AppContext
    from msldesk.ui.tasks import TaskRunner

    runner = TaskRunner()
    lock = threading.Lock()
    state = {"running": 0, "most": 0, "stored": ""}

    def slow_save(text: str, _item: int | None) -> None:
        with lock:
            state["running"] += 1
            state["most"] = max(state["most"], state["running"])
        time.sleep(0.25)  # a slow disk
        with lock:
            state["running"] -= 1
            state["stored"] = text

    saver = DraftAutosaver(AppContext(runner), slow_save, debounce_ms=30, max_wait_ms=60)
    text = ""
    for ch in "typing on while the disk is slow":
        text += ch
        saver.text_changed(text, None)
        qtbot.wait(15)
    qtbot.waitUntil(lambda: not saver.pending, timeout=WAIT_MS)
    assert state["most"] == 1, "never more than one save at a time"
    assert state["stored"] == text == saver.stored_text
    assert saver.saves_done < len(text) / 3, "keystrokes are coalesced"
    assert runner.wait_all(5000)


def test_quitting_right_after_a_keystroke_stores_the_draft(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, board, open_meeting = meeting
    mw = open_meeting()
    _type(mw, "last words before quitting")
    assert context.app.meetings.draft(board.event_id) is None, "not saved yet: the debounce is running"
    window.close()  # File > Quit: closes meeting mode too
    assert not mw.isVisible()
    assert context.app.meetings.draft(board.event_id).text == "last words before quitting"


def test_the_buttons_keep_the_keys_in_the_field_and_a_deleted_event_is_said_plainly(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, board, open_meeting = meeting
    mw = open_meeting()
    mw.activateWindow()
    mw.field.setFocus()
    qtbot.waitUntil(mw.field.hasFocus, timeout=WAIT_MS)
    mw.next_button.click()
    _settle(qtbot, mw)
    assert mw.agenda_model.current_id == board.items[0].item_id
    assert mw.field.hasFocus(), "typing goes on after clicking Next item"
    _type(mw, "still typing")

    context.changed.emit(context.app.events.delete(board.event_id))
    qtbot.waitUntil(lambda: mw.banner.isVisible(), timeout=WAIT_MS)
    assert "deleted" in mw.banner.text()
    assert mw.field.isReadOnly()
    assert mw.field.toPlainText() == "still typing", "what was typed stays to be copied"


def test_an_hour_of_clock_ticks_costs_no_references_to_true(meeting, qtbot) -> None:  # type: ignore[no-untyped-def]
    """PySide6 6.12 on Python 3.11 drops a reference to True on every emit(): a signal sent on every
    tick of a meeting that runs for hours ends in "bool_dealloc". The clock sends one a minute."""
    import sys

    _window, _context, board, open_meeting = meeting
    mw = open_meeting()
    QTest.keyClick(mw.field, Qt.Key.Key_F8)
    _settle(qtbot, mw)
    before = sys.getrefcount(True)
    for _second in range(3600):
        board.clock.advance(1 / 60)
        mw._on_tick_timeout()
    assert before - sys.getrefcount(True) <= 70, "at most one signal a minute"
    assert mw.countdown.text() == "−45:00 over"


# -- issue 12 §5: meeting mode knows what day it is -------------------------------------------------


def test_opened_on_another_day_meeting_mode_offers_a_rehearsal_kept_out_of_the_notes(  # type: ignore[no-untyped-def]
    meeting, qtbot, monkeypatch
) -> None:
    from msldesk.ui.meeting.day_dialogs import REHEARSE

    window, context, board, open_meeting = meeting
    meetings = context.app.meetings
    board.clock.now -= dt.timedelta(days=1)  # the day before the board, at 09:00 in Berlin
    asked: list[tuple[dt.date | None, dt.date]] = []
    answers: list[str | None] = [REHEARSE, None]
    monkeypatch.setattr(
        MeetingWindow,
        "ask_day_choice",
        lambda self, day: asked.append((day.event_day, day.today)) or answers.pop(0),
    )
    monkeypatch.setattr(MeetingWindow, "ask_confirm_delete_rehearsal", lambda self, count: count == 1)
    mw = open_meeting()
    qtbot.waitUntil(lambda: mw.bundle is not None and mw.bundle.day.rehearsing, timeout=WAIT_MS)
    _settle(qtbot, mw)
    today = dt.datetime.now(BERLIN).date()
    assert asked == [(today, today - dt.timedelta(days=1))]
    assert "Rehearsal" in mw.banner.text()
    assert mw.delete_rehearsal_button.isVisible()

    QTest.keyClick(mw.field, Qt.Key.Key_F8)
    _settle(qtbot, mw)
    board.clock.advance(17)
    mw._on_tick_timeout()
    # Planned versus actual counts from the rehearsal's start: Welcome has 15 minutes, 17 were spent.
    assert mw.agenda_model.index(0, Column.DIFFERENCE).data() == "+2 min"
    _type(mw, "! trying the field out #Dosing")
    _enter(qtbot, mw)
    assert meetings.entries(board.event_id) == []
    assert [e.text for e in meetings.entries(board.event_id, rehearsal=True)] == ["trying the field out"]
    assert meetings.report(board.event_id).entries == ()

    mw.delete_rehearsal_button.click()
    # Deleted in one go; then the question comes back (not the day, not rehearsing) and Cancel closes.
    qtbot.waitUntil(lambda: not answers, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.boards.meetings.window_for(board.event_id) is None, timeout=WAIT_MS)
    assert meetings.entries(board.event_id, rehearsal=True) == []
    assert all(i.actual_start is None for i in context.app.events.agenda(board.event_id))


def test_the_meeting_moved_to_today_after_confirming(meeting, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from msldesk.ui.meeting.day_dialogs import MOVED

    _window, context, board, open_meeting = meeting
    start = board.event.fields.starts_at
    board.clock.now += dt.timedelta(days=2)
    confirmations: list[dt.date | None] = []
    monkeypatch.setattr(MeetingWindow, "ask_day_choice", lambda self, day: MOVED)
    monkeypatch.setattr(
        MeetingWindow, "ask_confirm_move", lambda self, day: confirmations.append(day.event_day) or True
    )
    mw = open_meeting()
    qtbot.waitUntil(lambda: mw.bundle is not None and mw.bundle.day.on_the_day, timeout=WAIT_MS)
    _settle(qtbot, mw)
    assert confirmations == [start.date()]
    moved = context.app.events.get(board.event_id).fields
    assert moved.starts_at == start + dt.timedelta(days=2)
    assert moved.ends_at == start + dt.timedelta(days=2, hours=2)
    assert not mw.field.isReadOnly()
    assert not mw.banner.isVisible()
    _type(mw, "recorded as usual")
    _enter(qtbot, mw)
    assert [e.text for e in context.app.meetings.report(board.event_id).entries] == ["recorded as usual"]


def test_the_day_after_a_recorded_meeting_notes_can_be_added_without_touching_its_timing(  # type: ignore[no-untyped-def]
    meeting, qtbot, monkeypatch
) -> None:
    from msldesk.ui.meeting.day_dialogs import LATE_NOTES

    window, context, board, open_meeting = meeting
    meetings = context.app.meetings
    mw = open_meeting()
    QTest.keyClick(mw.field, Qt.Key.Key_F8)  # the meeting runs on its day
    _settle(qtbot, mw)
    _type(mw, "said on the day")
    _enter(qtbot, mw)
    mw.close()
    qtbot.waitUntil(lambda: window.boards.meetings.window_for(board.event_id) is None, timeout=WAIT_MS)
    recorded = [(i.actual_start, i.actual_end) for i in context.app.events.agenda(board.event_id)]

    board.clock.now += dt.timedelta(days=1)
    offered: list[bool] = []

    def choose(self, day):  # type: ignore[no-untyped-def]
        offered.append(self.after_the_meeting(self.bundle))
        return LATE_NOTES

    monkeypatch.setattr(MeetingWindow, "ask_day_choice", choose)
    mw = open_meeting()
    qtbot.waitUntil(
        lambda: mw.banner.isVisible() and "after the meeting" in mw.banner.text(), timeout=WAIT_MS
    )
    assert offered == [True]
    assert not mw.field.isReadOnly()
    _type(mw, "remembered the next morning")
    _enter(qtbot, mw)
    QTest.keyClick(mw.field, Qt.Key.Key_F8)  # the agenda timer stays off: the day's times are kept
    _settle(qtbot, mw)
    assert [e.text for e in meetings.report(board.event_id).entries] == [
        "said on the day",
        "remembered the next morning",
    ]
    assert [(i.actual_start, i.actual_end) for i in context.app.events.agenda(board.event_id)] == recorded
