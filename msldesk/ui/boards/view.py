"""The Boards section: events (upcoming or past) on the left and the editor of the selected event."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.records import Event, EventDeletion, EventFields, EventKind
from msldesk.core.changes import Changes
from msldesk.ui.actions import bind, pressed
from msldesk.ui.boards.event_editor import EventEditor, ask_save_discard_cancel
from msldesk.ui.boards.event_list import EventIdRole, EventListModel, EventRole, EventRowDelegate
from msldesk.ui.boards.removal_questions import ask_delete_event, say_kept
from msldesk.ui.boards.timezones import load_zone_names, system_zone_name
from msldesk.ui.boards.writer import BoardsWriter
from msldesk.ui.context import AppContext
from msldesk.ui.meeting.launcher import MeetingLauncher
from msldesk.ui.ops import DbOp
from msldesk.ui.theme import set_role

PERIODS = (("upcoming", "Upcoming"), ("past", "Past"), ("all", "All"))
RELOAD_DELAY_MS = 30  # several changes in a row (an import, a bulk edit) cause one reload


def new_event_fields(today: dt.date | None = None) -> EventFields:
    """A new event: an advisory board a week from today, 09:00–17:00 in this computer's zone."""
    day = (today or dt.date.today()) + dt.timedelta(days=7)
    return EventFields(
        kind=EventKind.ADVISORY_BOARD,
        title="New advisory board",
        starts_at=dt.datetime.combine(day, dt.time(9)),
        ends_at=dt.datetime.combine(day, dt.time(17)),
        timezone=system_zone_name(),
    )


class BoardsView(QWidget):
    status_message = Signal(str)
    _first_when_loaded = False  # focus_search came before the events: select the first one

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.writer = BoardsWriter(context, self)
        self.period = "upcoming"
        self._list_generation = 0
        self._select_after_load: int | None = None

        periods = self._period_buttons()
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter events by title…")
        self.filter.setClearButtonEnabled(True)
        self.model = EventListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.list = QListView()
        self.list.setModel(self.proxy)
        self.list.setItemDelegate(EventRowDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_hint = QLabel("Loading events…")
        self.list_hint.setWordWrap(True)
        set_role(self.list_hint, "faint")
        self.new_button = QPushButton("New event")
        self.new_button.setToolTip("Create an event (Ctrl+N)")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected event, its agenda and attendee list (Delete)")
        self.meeting_button = QPushButton("Meeting mode")
        self.meeting_button.setToolTip("Open the selected event in meeting mode to take notes live (Ctrl+M)")
        self.meetings = MeetingLauncher(context, self)

        self.editor = EventEditor(context, self.writer)
        self.delete_action = bind(self.list, "boards.delete", self.delete_event)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(periods)
        left_layout.addWidget(self.filter)
        left_layout.addWidget(self.list_hint)
        left_layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.meeting_button)
        left_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.editor)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([320, 1080])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)

        self._connect_signals()
        context.changed.connect(self._on_context_changed)
        self.setEnabled(False)
        self._update_buttons()
        context.on_ready(self._on_context_ready)  # now too, when built after the library opened

    def _period_buttons(self) -> QHBoxLayout:
        """Upcoming, past or all events: one checkable button each, in a row."""
        self.period_buttons = QButtonGroup(self)
        periods = QHBoxLayout()
        periods.setSpacing(0)
        for key, label in PERIODS:
            button = QToolButton()
            button.setText(label)
            button.setCheckable(True)
            button.setChecked(key == self.period)
            button.setProperty("period", key)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.period_buttons.addButton(button)
            periods.addWidget(button)
        periods.addStretch(1)
        return periods

    def _connect_signals(self) -> None:
        """The period buttons, the filter, the list's selection, the buttons and the editor."""
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self._on_reload_timer_timeout)
        self.period_buttons.buttonClicked.connect(self._on_period_buttons_clicked)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.list.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.new_button.clicked.connect(self.new_event)
        self.delete_button.clicked.connect(self.delete_event)
        self.meeting_button.clicked.connect(self.open_meeting)
        self.editor.status_message.connect(self.status_message)
        self.editor.created.connect(self._on_editor_created)

    # ---- state from the service ---------------------------------------------------------------

    def _on_context_ready(self) -> None:
        self.setEnabled(True)
        load_zone_names(self, self.editor.form.set_zone_names)
        self.reload_events()

    def _on_context_changed(self, changes: Changes) -> None:
        if self.context.is_open and (changes.events or changes.people):
            self._reload_timer.start()

    def _on_reload_timer_timeout(self) -> None:
        self.reload_events()
        self.editor.reload()

    def reload_events(self) -> None:
        self._list_generation += 1
        generation, period = self._list_generation, self.period

        def done(found: list[Event]) -> None:
            if generation == self._list_generation:
                self._show_events(found)

        DbOp(self, lambda work: work.app.events.list_events(period)).success(done).run()

    def _show_events(self, events: list[Event]) -> None:
        keep = self._select_after_load or self.editor.event_id
        self._select_after_load = None
        self.model.set_events(events)
        names = {"upcoming": "upcoming events", "past": "past events", "all": "events"}
        self.list_hint.setText(f"No {names[self.period]}. New event (Ctrl+N) creates one.")
        self.list_hint.setVisible(not events)
        if keep is not None:
            self.select_event(keep)
        elif self._first_when_loaded:
            self._select_first()
        self._first_when_loaded = False
        self._update_buttons()

    def select_event(self, event_id: int) -> bool:
        row = self.model.row_of(event_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row))
        if not index.isValid():
            return False
        self.list.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list.scrollTo(index)
        return True

    def _on_period_buttons_clicked(self, button: QToolButton) -> None:
        period = str(button.property("period"))
        if period != self.period:
            self.period = period
            self.list_hint.setText("Loading events…")
            self.list_hint.show()
            self.reload_events()

    def show_period(self, period: str) -> None:
        for button in self.period_buttons.buttons():
            if button.property("period") == period:
                button.setChecked(True)
                self._on_period_buttons_clicked(button)  # type: ignore[arg-type]

    def _on_list_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        event_id = current.data(EventIdRole) if current.isValid() else None
        if event_id is not None and event_id != self.editor.event_id:
            if not self._may_leave_event():
                # Stay on the event with the unsaved edits (after this signal has finished).
                keep = self.editor.event_id
                QTimer.singleShot(0, lambda: keep is not None and self.select_event(keep))
                return
            self.editor.open_event(int(event_id))
        self._update_buttons()

    def _may_leave_event(self) -> bool:
        """True when the editor may show another event: its edits are saved, dropped, or there are none."""
        editor = self.editor
        if editor.is_draft:
            return editor.close_draft()
        if editor.bundle is None or not editor.form.is_dirty():
            return True
        answer = self.ask_unsaved_changes(editor.form.fields().title or editor.bundle.event.title)
        if answer == "save":
            editor.save()  # the job holds the event id and fields, so it saves the right event
        return answer != "cancel"

    def current_event(self) -> Event | None:
        index = self.list.currentIndex()
        return index.data(EventRole) if index.isValid() else None

    def _update_buttons(self) -> None:
        self.delete_button.setEnabled(self.current_event() is not None)
        self.meeting_button.setEnabled(self.current_event() is not None)

    # ---- commands -----------------------------------------------------------------------------

    def ask_confirm_delete(self, plan: EventDeletion) -> bool:
        return ask_delete_event(plan, self)

    def say_kept(self, refusal: str) -> None:
        say_kept(refusal, self)

    def ask_unsaved_changes(self, title: str) -> str:
        """ "save", "discard" or "cancel" for edits of the open event that were not saved."""
        return ask_save_discard_cancel(self, "Unsaved changes", f"Save your changes to “{title}”?")

    def may_close(self) -> bool:
        """Asked before the window closes: an unsaved new event or unsaved edits are saved or dropped."""
        return self._may_leave_event()

    def new_event(self) -> None:
        """A draft in the editor: stored (and audited) only when the user saves it."""
        if not self.context.is_open or not self._may_leave_event():
            return
        self.list.selectionModel().clearCurrentIndex()
        self.list.clearSelection()
        self.editor.open_draft(new_event_fields())
        self._update_buttons()
        self.status_message.emit("New event: give it a title and dates, then save (Ctrl+S)")

    def _on_editor_created(self, event_id: int) -> None:
        if self.editor.event_id == event_id:  # not when the user went on to another event meanwhile
            self._select_after_load = event_id
        if self.period == "past":
            self.show_period("upcoming")
        else:
            self.reload_events()

    def delete_event(self) -> None:
        """Reads on the db lane what the deletion would take (or why the event stays), then asks
        naming it; the service refuses again if payments or finalized notes appeared meanwhile."""
        event = self.current_event()
        if event is None or not self.context.is_open:
            return
        events, event_id = self.context.events, event.event_id

        def planned(plan: EventDeletion) -> None:
            if plan.refusal:
                self.say_kept(plan.refusal)
            elif not self.ask_confirm_delete(plan):
                self.status_message.emit("Nothing was deleted")
            else:
                self.writer.write(lambda: events.delete(event_id), done)

        def done(_changes: Changes) -> None:
            if self.editor.event_id == event_id:
                self.editor.open_event(None)
            self.status_message.emit(f"Deleted “{event.title}”")

        self.writer.write(lambda: events.deletion_plan(event_id), planned)

    def save(self) -> None:
        self.editor.save()

    def open_meeting(self) -> None:
        """Meeting mode for the selected event (Ctrl+M)."""
        event = self.current_event()
        if event is None or not self.context.is_open:
            self.status_message.emit("Select an event in Boards first, then open meeting mode (Ctrl+M).")
            return
        self.meetings.open(event.event_id, self.window())

    # ---- keyboard -----------------------------------------------------------------------------

    # Ctrl+S is the window's "save deck details"; in this section it saves the event instead, and
    # Ctrl+N creates an event. Claiming the keys in ShortcutOverride keeps the window's shortcut
    # from firing while the focus is in here; the key press then arrives in keyPressEvent.
    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and (pressed(event, "boards.save") or pressed(event, "boards.new"))
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if pressed(event, "boards.save"):
            self.save()
        elif pressed(event, "boards.new"):
            self.new_event()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focus_search(self) -> None:
        """Put the keyboard in the event list (the filter above it is one Shift+Tab away) on its first
        event, or on the first to arrive (the section built just now is still loading them)."""
        self.list.setFocus()
        self._first_when_loaded = not self._select_first()

    def focus_find(self) -> None:
        """Edit › Find (Ctrl+F): the filter above the list, its text selected to type over. In the
        list, typed letters would jump between events instead."""
        self.filter.setFocus()
        self.filter.selectAll()

    def _select_first(self) -> bool:
        if not self.list.currentIndex().isValid() and self.proxy.rowCount():
            self.list.setCurrentIndex(self.proxy.index(0, 0))
            return True
        return False
