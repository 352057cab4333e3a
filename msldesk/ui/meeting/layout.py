"""Meeting mode's widgets: declares them (MeetingWidgets, MeetingWindow's base) and builds them onto the
window, with its shortcuts and its layout."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.records import EntryKind
from msldesk.ui.actions import KIND_ORDER, MEETING, bind
from msldesk.ui.help_sheets import MARKERS, open_help
from msldesk.ui.meeting.agenda_model import Column, RunningAgendaModel
from msldesk.ui.meeting.attendees import CheckInPanel
from msldesk.ui.meeting.entries import EntryDelegate, EntryListModel
from msldesk.ui.meeting.note_field import NoteField
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.fields import DateEdit
from msldesk.ui.widgets.menu_button import make_menu_button

if TYPE_CHECKING:
    from msldesk.ui.meeting.window import MeetingWindow

NO_DUE = QDate(2000, 1, 1)  # the due-date field's "no date" value (shown as its special text)


class MeetingWidgets(QWidget):
    """The meeting window's widgets and actions, made by build_meeting_window; MeetingWindow adds
    what they do."""

    title: QLabel
    clock: QLabel
    banner: QLabel  # the deleted event or the meeting's day (DayFlow)
    delete_rehearsal_button: QPushButton
    current: QLabel  # the running agenda item
    countdown: QLabel
    previous_button: QPushButton
    next_button: QPushButton
    agenda_model: RunningAgendaModel
    agenda: QTableView
    attendees: CheckInPanel
    entries_model: EntryListModel
    entries: QListView
    empty_hint: QLabel
    save_state: QLabel
    filing: QLabel  # which agenda item entries are filed under
    kind_actions: dict[EntryKind, QAction]  # Ctrl+1..5
    kind_button: QToolButton
    field: NoteField
    due: DateEdit
    warning: QLabel  # restricted terms typed
    next_action: QAction
    previous_action: QAction


def build_meeting_window(window: MeetingWindow) -> None:
    """Create the window's widgets (as its attributes), its shortcuts and its layout."""
    _build_header(window)
    _build_agenda_and_entries(window)
    _build_composer(window)
    window.next_action = bind(window, "meeting.next", window.next_item)
    window.previous_action = bind(window, "meeting.previous", window.previous_item)
    bind(window, "meeting.close", window.close)
    bind(window, "meeting.help", lambda: open_help(window, MARKERS, areas=(MEETING,)))
    _lay_out(window)
    window.setTabOrder(window.field, window.entries)
    window._show_kind()


def _build_header(window: MeetingWindow) -> None:
    """The event's title and clock, the banner, the current item with its countdown and buttons."""
    window.title = QLabel("Loading…")
    set_role(window.title, "title")
    window.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    window.clock = QLabel()
    set_role(window.clock, "display")
    window.clock.setToolTip("Now, in the event's time zone")
    window.banner = QLabel()
    window.banner.setWordWrap(True)
    set_role(window.banner, "notice-warning")
    window.banner.hide()
    window.delete_rehearsal_button = QPushButton("Delete rehearsal…")
    window.delete_rehearsal_button.setToolTip(
        "Delete every entry typed in a rehearsal of this meeting, and the agenda times it recorded"
    )
    window.delete_rehearsal_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    window.delete_rehearsal_button.hide()
    window.current = QLabel()
    set_role(window.current, "lead")
    window.current.setWordWrap(True)
    window.countdown = QLabel()
    set_role(window.countdown, "display")
    window.countdown.setMinimumWidth(120)
    window.countdown.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    window.previous_button = QPushButton("◀ Previous")
    window.previous_button.setToolTip("Go back to the previous agenda item (Shift+F8 or Ctrl+Left)")
    window.next_button = QPushButton("Next item ▶")
    window.next_button.setToolTip("End this item and start the next one (F8 or Ctrl+Right)")
    for button in (window.previous_button, window.next_button):
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a click must not take the keys from the field


def _build_agenda_and_entries(window: MeetingWindow) -> None:
    """The running agenda and the check-in list; the entries typed so far and their save state."""
    window.agenda_model = RunningAgendaModel(window)
    window.agenda = QTableView()
    window.agenda.setModel(window.agenda_model)
    window.agenda.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    window.agenda.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    window.agenda.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    window.agenda.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    window.agenda.verticalHeader().hide()
    window.agenda.setShowGrid(False)
    window.agenda.setWordWrap(False)
    header = window.agenda.horizontalHeader()
    header.setSectionResizeMode(Column.ITEM, QHeaderView.ResizeMode.Stretch)
    for column in (Column.PLANNED, Column.ACTUAL, Column.DIFFERENCE):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    window.attendees = CheckInPanel()

    window.entries_model = EntryListModel(window)
    window.entries = QListView()
    window.entries.setModel(window.entries_model)
    window.entries.setItemDelegate(EntryDelegate(window.entries))
    window.entries.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    window.entries.setResizeMode(QListView.ResizeMode.Adjust)
    window.entries.setLayoutMode(QListView.LayoutMode.Batched)  # long meetings lay out in steps
    window.entries.setBatchSize(200)
    window.entries.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    window.entries.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    window.entries.setToolTip("")
    window.empty_hint = QLabel("No entries yet. Type below and press Enter; F8 starts the first agenda item.")
    set_role(window.empty_hint, "faint")
    window.empty_hint.setWordWrap(True)
    window.save_state = QLabel()
    set_role(window.save_state, "hint")
    window.filing = QLabel()


def _build_composer(window: MeetingWindow) -> None:
    """The note field with its kind button (a menu of the kinds, with their shortcuts) and due date."""
    window.kind_actions = {}
    window.kind_button = QToolButton()
    window.kind_button.setObjectName("kindButton")  # the theme colours it by its "kind"
    make_menu_button(window.kind_button)
    window.kind_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    window.kind_button.setMinimumWidth(96)
    window.kind_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    menu = QMenu(window.kind_button)
    for number, kind in enumerate(KIND_ORDER, start=1):
        action = bind(window, f"meeting.kind.{number}", partial(window.choose_kind, kind))
        action.setText(kind.label)  # in the kind button's menu; the sheet says "Note kind: …"
        menu.addAction(action)
        window.kind_actions[kind] = action
    window.kind_button.setMenu(menu)
    window.field = NoteField()
    window.field.setMinimumHeight(64)
    window.field.setMaximumHeight(140)
    font = QFont(window.field.font())
    font.setPointSizeF(font.pointSizeF() * 1.15)
    window.field.setFont(font)
    window.due = DateEdit()
    window.due.setCalendarPopup(True)
    window.due.setDisplayFormat("d MMM yyyy")
    window.due.setMinimumDate(NO_DUE)
    window.due.setSpecialValueText("No due date")
    window.due.setDate(NO_DUE)
    window.due.setToolTip("When the action is due (or type due:2026-12-15, due:+3d, due:tomorrow)")
    window.due.hide()
    window.warning = QLabel()
    window.warning.setWordWrap(True)
    set_role(window.warning, "notice-error")
    window.warning.hide()


def _lay_out(window: MeetingWindow) -> None:
    """Title and clock on top, then the banner and the current item; agenda left, notes right."""
    top = QHBoxLayout()
    top.addWidget(window.title, 1)
    top.addWidget(window.clock)
    now = QHBoxLayout()
    now.addWidget(window.current, 1)
    now.addWidget(window.countdown)
    now.addWidget(window.previous_button)
    now.addWidget(window.next_button)

    left = QWidget()
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(0, 0, 0, 0)
    left_layout.addWidget(window.agenda, 3)
    left_layout.addWidget(window.attendees, 2)

    right = QWidget()
    right_layout = QVBoxLayout(right)
    right_layout.setContentsMargins(0, 0, 0, 0)
    right_layout.addWidget(window.empty_hint)
    right_layout.addWidget(window.entries, 1)
    status = QHBoxLayout()
    status.addWidget(window.filing, 1)
    status.addWidget(window.save_state)
    right_layout.addLayout(status)
    typing = QHBoxLayout()
    kind_column = QVBoxLayout()
    kind_column.addWidget(window.kind_button)
    kind_column.addWidget(window.due)
    kind_column.addStretch(1)
    typing.addLayout(kind_column)
    typing.addWidget(window.field, 1)
    right_layout.addLayout(typing)
    right_layout.addWidget(window.warning)

    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(left)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, 2)
    splitter.setStretchFactor(1, 3)
    splitter.setSizes([500, 820])
    splitter.setChildrenCollapsible(False)
    layout = QVBoxLayout(window)
    layout.addLayout(top)
    notice = QHBoxLayout()
    notice.addWidget(window.banner, 1)
    notice.addWidget(window.delete_rehearsal_button)
    layout.addLayout(notice)
    layout.addLayout(now)
    layout.addWidget(splitter, 1)
