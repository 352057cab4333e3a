"""MeetingWindow: one running event in a focused window: the agenda with a clock and countdown, the
note field (time-stamped entries filed under the current item, autosaved as typed), the entries so
far and the attendees to check in. Every read and write runs on the db lane."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
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

from msldesk.boards.entry_text import split_kind_marker
from msldesk.boards.event_days import day_text
from msldesk.boards.records import AgendaItem, EntryKind, MeetingDay, NoteEntry
from msldesk.changes import Changes
from msldesk.errors import InvalidInputError, NotFoundError
from msldesk.ui.boards.writer import BoardsWriter
from msldesk.ui.context import AppContext
from msldesk.ui.errors import report_error
from msldesk.ui.fields import DateEdit
from msldesk.ui.help_sheets import MARKERS, open_help
from msldesk.ui.meeting.agenda_model import Column, RunningAgendaModel
from msldesk.ui.meeting.attendees import CheckInPanel
from msldesk.ui.meeting.autosave import DraftAutosaver
from msldesk.ui.meeting.day_dialogs import (
    LATE_NOTES,
    MOVED,
    REHEARSE,
    ask_confirm_delete_rehearsal,
    ask_confirm_move,
    ask_day_choice,
)
from msldesk.ui.meeting.entries import EntryDelegate, EntryListModel
from msldesk.ui.meeting.entry_dialog import EntryEdit, ask_entry_edit
from msldesk.ui.meeting.note_field import NoteField
from msldesk.ui.meeting.state import KIND_COLOURS, KIND_ORDER, MeetingBundle, countdown, load_meeting
from msldesk.ui.menu_button import make_menu_button

# The clock ticks once a second, and labels are only set when their text changes: with PySide6 6.12
# on Python 3.11 each call into Qt that returns nothing, and each emit, costs the interpreter a
# reference to None or True, and a meeting runs for hours (see the tests' refcount check).
TICK_MS = 1000
RELOAD_DELAY_MS = 120
NO_DUE = QDate(2000, 1, 1)  # the due-date field's "no date" value (shown as its special text)


class MeetingWindow(QWidget):
    loaded = Signal(int)  # event id: a bundle is on screen (tests wait for it)
    entry_filed = Signal(object)  # NoteEntry, once stored
    status_message = Signal(str)
    closed = Signal()  # the window was closed (its last saves may still be running)
    settled = Signal()  # closed, and nothing typed is waiting to be stored: may be deleted

    def __init__(self, context: AppContext, event_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.context = context
        self.event_id = event_id
        self.bundle: MeetingBundle | None = None
        self.explicit_kind: EntryKind | None = None
        self._generation = 0
        self._closing = False
        self._settled = False
        self._scroll_after_insert = False
        self._own_change = False  # the next `changed` is this window's write, already on screen
        self._asking_day = False  # the "not the meeting's day" question is open or on its way
        self._late_notes = False  # the user chose to add notes after the meeting's day
        self.writer = BoardsWriter(context, self)
        app = context.app
        assert app is not None, "meeting mode opens once the library is open"
        meetings = app.meetings
        self.autosaver = DraftAutosaver(
            context.runner, lambda text, item_id: meetings.save_draft(event_id, text, item_id), self
        )
        self.setWindowTitle("Meeting mode")
        self.resize(1320, 820)
        self._build()
        self._wire()
        self.load()

    # ---- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel("Loading…")
        self.title.setStyleSheet("font-size:17px; font-weight:bold;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clock = QLabel()
        self.clock.setStyleSheet("font-size:22px; font-weight:bold; color:#202124;")
        self.clock.setToolTip("Now, in the event's time zone")
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#fff4e5; color:#663c00; padding:6px; border-radius:4px;")
        self.banner.hide()
        self.delete_rehearsal_button = QPushButton("Delete rehearsal…")
        self.delete_rehearsal_button.setToolTip(
            "Delete every entry typed in a rehearsal of this meeting, and the agenda times it recorded"
        )
        self.delete_rehearsal_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.delete_rehearsal_button.hide()
        self.current = QLabel()
        self.current.setStyleSheet("font-size:15px;")
        self.current.setWordWrap(True)
        self.countdown = QLabel()
        self.countdown.setStyleSheet("font-size:22px; font-weight:bold;")
        self.countdown.setMinimumWidth(120)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setToolTip("Go back to the previous agenda item (Shift+F8 or Ctrl+Left)")
        self.next_button = QPushButton("Next item ▶")
        self.next_button.setToolTip("End this item and start the next one (F8 or Ctrl+Right)")
        for button in (self.previous_button, self.next_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a click must not take the keys from the field

        self.agenda_model = RunningAgendaModel(self)
        self.agenda = QTableView()
        self.agenda.setModel(self.agenda_model)
        self.agenda.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.agenda.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.agenda.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.agenda.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.agenda.verticalHeader().hide()
        self.agenda.setShowGrid(False)
        self.agenda.setWordWrap(False)
        header = self.agenda.horizontalHeader()
        header.setSectionResizeMode(Column.ITEM, QHeaderView.ResizeMode.Stretch)
        for column in (Column.PLANNED, Column.ACTUAL, Column.DIFFERENCE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.attendees = CheckInPanel()

        self.entries_model = EntryListModel(self)
        self.entries = QListView()
        self.entries.setModel(self.entries_model)
        self.entries.setItemDelegate(EntryDelegate(self.entries))
        self.entries.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.entries.setResizeMode(QListView.ResizeMode.Adjust)
        self.entries.setLayoutMode(QListView.LayoutMode.Batched)  # long meetings lay out in steps
        self.entries.setBatchSize(200)
        self.entries.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.entries.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.entries.setToolTip("")
        self.empty_hint = QLabel(
            "No entries yet. Type below and press Enter; F8 starts the first agenda item."
        )
        self.empty_hint.setStyleSheet("color:#80868b;")
        self.empty_hint.setWordWrap(True)
        self.save_state = QLabel()
        self.save_state.setStyleSheet("color:#5f6368;")
        self.filing = QLabel()
        self.filing.setStyleSheet("color:#3c4043;")

        self.kind_actions: dict[EntryKind, QAction] = {}
        self.kind_button = QToolButton()
        make_menu_button(self.kind_button)
        self.kind_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.kind_button.setMinimumWidth(96)
        self.kind_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        menu = QMenu(self.kind_button)
        for number, kind in enumerate(KIND_ORDER, start=1):
            action = QAction(kind.label, self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, k=kind: self.choose_kind(k))
            menu.addAction(action)
            self.addAction(action)
            self.kind_actions[kind] = action
        self.kind_button.setMenu(menu)
        self.field = NoteField()
        self.field.setMinimumHeight(64)
        self.field.setMaximumHeight(140)
        font = QFont(self.field.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.field.setFont(font)
        self.due = DateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("d MMM yyyy")
        self.due.setMinimumDate(NO_DUE)
        self.due.setSpecialValueText("No due date")
        self.due.setDate(NO_DUE)
        self.due.setToolTip("When the action is due (or type due:2026-12-15, due:+3d, due:tomorrow)")
        self.due.hide()
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("background:#fce8e6; color:#a50e0e; padding:4px 6px; border-radius:4px;")
        self.warning.hide()

        self.next_action = self._action("Next agenda item", ("F8", "Ctrl+Right"), self.next_item)
        self.previous_action = self._action(
            "Previous agenda item", ("Shift+F8", "Ctrl+Left"), self.previous_item
        )
        self._action("Close meeting mode", (QKeySequence(QKeySequence.StandardKey.Close),), self.close)
        self._action("Help", ("F1",), lambda: open_help(self, MARKERS, "Meeting mode"))

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.clock)
        now = QHBoxLayout()
        now.addWidget(self.current, 1)
        now.addWidget(self.countdown)
        now.addWidget(self.previous_button)
        now.addWidget(self.next_button)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.agenda, 3)
        left_layout.addWidget(self.attendees, 2)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.empty_hint)
        right_layout.addWidget(self.entries, 1)
        status = QHBoxLayout()
        status.addWidget(self.filing, 1)
        status.addWidget(self.save_state)
        right_layout.addLayout(status)
        typing = QHBoxLayout()
        kind_column = QVBoxLayout()
        kind_column.addWidget(self.kind_button)
        kind_column.addWidget(self.due)
        kind_column.addStretch(1)
        typing.addLayout(kind_column)
        typing.addWidget(self.field, 1)
        right_layout.addLayout(typing)
        right_layout.addWidget(self.warning)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([500, 820])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        notice = QHBoxLayout()
        notice.addWidget(self.banner, 1)
        notice.addWidget(self.delete_rehearsal_button)
        layout.addLayout(notice)
        layout.addLayout(now)
        layout.addWidget(splitter, 1)
        self.setTabOrder(self.field, self.entries)
        self._show_kind()

    def _action(self, text: str, keys: tuple[Any, ...], handler: Any) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: handler())
        self.addAction(action)
        return action

    def _wire(self) -> None:
        self.tick = QTimer(self)
        self.tick.setInterval(TICK_MS)
        self.tick.setTimerType(Qt.TimerType.PreciseTimer)  # the seconds of the clock move evenly
        self.tick.timeout.connect(self._on_tick_timeout)
        self.tick.start()
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.load)
        self.next_button.clicked.connect(self.next_item)
        self.previous_button.clicked.connect(self.previous_item)
        self.delete_rehearsal_button.clicked.connect(self.delete_rehearsal)
        self.field.textChanged.connect(self._on_field_text_changed)
        self.field.submitted.connect(self.submit_entry)
        self.field.escape_pressed.connect(lambda: self.choose_kind(None))
        self.entries.doubleClicked.connect(self._on_entries_double_clicked)
        self.entries_model.rowsInserted.connect(self._on_entries_rows_inserted)
        self.entries_model.modelReset.connect(self._update_empty_hint)
        self.agenda.doubleClicked.connect(self._on_agenda_double_clicked)
        self.attendees.model.check_in_requested.connect(self.check_in)
        self.autosaver.saved.connect(self._on_autosaver_saved)
        self.autosaver.failed.connect(self._on_autosaver_failed)
        self.autosaver.settled.connect(self._maybe_settled)
        self.writer.idle_changed.connect(lambda _idle: self._maybe_settled())
        self.context.changed.connect(self._on_context_changed)

    # ---- loading ------------------------------------------------------------------------------

    def load(self) -> None:
        app = self.context.app
        if app is None or self._closing:
            return
        self._generation += 1
        generation, event_id = self._generation, self.event_id

        def done(bundle: MeetingBundle) -> None:
            if generation == self._generation and not self._closing:
                self.show_bundle(bundle)

        def failed(error: BaseException, details: str) -> None:
            if isinstance(error, NotFoundError):  # deleted while the meeting was open
                self.banner.setText(
                    "This event was deleted. Entries can no longer be filed; copy anything you still need "
                    "from the note field."
                )
                self.banner.show()
                self.field.setReadOnly(True)
                self.next_action.setEnabled(False)
                self.next_button.setEnabled(False)
                return
            report_error(error, details, self)

        self.context.runner.submit("db", lambda _p, _c: load_meeting(app, event_id), done, failed)

    def _on_context_changed(self, changes: Changes) -> None:
        if self._own_change:
            # Shown already from the write's result: re-reading hundreds of entries after every
            # one filed cost the GUI thread a few ms and the collector a few thousand objects.
            self._own_change = False
            return
        if changes.notes or changes.events or changes.people:
            self._reload_timer.start()

    def _shown_own_write(self) -> None:
        """Called in a write's on_done: the `changed` the writer sends right after is ours."""
        self._own_change = True
        QTimer.singleShot(0, self._forget_own_change)  # in case no `changed` follows

    def _forget_own_change(self) -> None:
        self._own_change = False

    def _show_entry(self, entry: NoteEntry) -> None:
        """An entry filed or edited here, into the list and the bundle (themes typed on the fly then
        complete too)."""
        self.entries_model.put_entry(entry)
        if self.bundle is None:
            return
        entries = list(self.bundle.entries)
        row = next((i for i, e in enumerate(entries) if e.entry_id == entry.entry_id), -1)
        if row >= 0:
            entries[row] = entry
        else:
            entries.append(entry)
        self.bundle = replace(self.bundle, entries=tuple(entries))
        if entry.fields.themes:
            self.field.set_themes(self.bundle.theme_names(), self.bundle.themes)
        self._shown_own_write()

    def show_bundle(self, bundle: MeetingBundle) -> None:
        first = self.bundle is None
        self.bundle = bundle
        event = bundle.event
        zone = bundle.zone
        self.setWindowTitle(f"Meeting — {event.title}")
        self.title.setText(event.title)
        self.agenda_model.set_agenda(bundle.agenda, self._current_id(bundle), zone)
        names = {i.item_id: f"{i.position + 1}. {i.fields.title}" for i in bundle.agenda}
        self.entries_model.set_context(names, zone)
        self.entries_model.set_entries(bundle.entries)
        self.attendees.set_attendees(bundle.attendees, zone, bundle.event_day)
        self.field.set_people([name for _id, name in bundle.people()])
        self.field.set_themes(bundle.theme_names(), bundle.themes)
        self.field.set_terms(bundle.terms)
        day, undecided = bundle.day, self.undecided(bundle)
        if bundle.finalized:
            when = bundle.finalized_at.astimezone(zone).strftime("%d %b %Y %H:%M")  # type: ignore[union-attr]
            self.banner.setText(
                f"These notes were finalized on {when} and are read-only. Double-click an entry to add "
                "an amendment; it is kept beside the original."
            )
        elif day.rehearsing:
            self.banner.setText(
                "<b>Rehearsal.</b> Entries typed now are marked as rehearsal and left out of every "
                "summary, deck and export; agenda times count from the rehearsal's start. "
                "“Delete rehearsal” removes them in one go."
            )
        elif undecided:
            self.banner.setText("This is not the meeting's day: choose to rehearse or to move the meeting.")
        elif self._late_notes:
            on = day_text(day.event_day) if day.event_day else "its day"
            self.banner.setText(
                f"Adding notes after the meeting of {on}: entries are filed with today's time; the agenda "
                "keeps the times recorded on the day."
            )
        self.banner.setVisible(bundle.finalized or day.rehearsing or undecided or self._late_notes)
        self.delete_rehearsal_button.setVisible(day.rehearsing or day.rehearsal_entries > 0)
        if bundle.finalized and self.field.toPlainText() == self.autosaver.stored_text:
            # Finalizing filed the stored draft as an entry: it is in the list now, not the field.
            self.field.clear()
            self.autosaver.mark_stored("")
        # Nothing is recorded on the wrong day until the user has said what this session is.
        self.field.setReadOnly(bundle.finalized or undecided)
        self.kind_button.setEnabled(not bundle.finalized and not undecided)
        if first:
            self._restore_draft(bundle)
            self.entries.scrollToBottom()
            self.field.setFocus()
        self._update_agenda_state()
        self._update_empty_hint()
        self._on_tick_timeout()
        self._check_field()
        if undecided and not self._asking_day:
            self._asking_day = True
            QTimer.singleShot(0, self._ask_about_the_day)  # once the window is on screen
        elif day.rehearsing and day.on_the_day and not bundle.finalized:
            self._end_rehearsal()
        self.loaded.emit(bundle.event_id)

    # ---- the meeting's day and rehearsals -----------------------------------------------------

    def undecided(self, bundle: MeetingBundle) -> bool:
        """Opened on another day than the event's, and neither rehearsing, moved nor adding late notes."""
        return (
            not bundle.finalized
            and not bundle.day.on_the_day
            and not bundle.day.rehearsing
            and not self._late_notes
        )

    def agenda_frozen(self, bundle: MeetingBundle) -> bool:
        """No agenda moves: before the user has said what this session is, and while adding notes
        after the meeting (its recorded times stay as they were on the day)."""
        return bundle.finalized or self.undecided(bundle) or self._late_notes

    @staticmethod
    def after_the_meeting(bundle: MeetingBundle) -> bool:
        """A later day than the event's, and the meeting was recorded (agenda times or entries)."""
        day = bundle.day
        later = day.event_day is not None and day.today > day.event_day
        return later and (bundle.started() or bool(bundle.entries))

    def ask_day_choice(self, day: MeetingDay) -> str | None:
        """REHEARSE, MOVED, LATE_NOTES or None (tests replace this)."""
        bundle = self.bundle
        title = bundle.event.title if bundle else ""
        return ask_day_choice(day, title, self, bundle is not None and self.after_the_meeting(bundle))

    def ask_confirm_move(self, day: MeetingDay) -> bool:
        return ask_confirm_move(day, self.bundle.event.title if self.bundle else "", self)

    def ask_confirm_delete_rehearsal(self, count: int) -> bool:
        return ask_confirm_delete_rehearsal(count, self)

    def _ask_about_the_day(self) -> None:
        app, bundle = self.context.app, self.bundle
        if app is None or bundle is None or self._closing or not self.undecided(bundle):
            self._asking_day = False
            return
        meetings, event_id = app.meetings, self.event_id
        choice = self.ask_day_choice(bundle.day)
        if choice == MOVED and not self.ask_confirm_move(bundle.day):
            choice = None
        if choice is None:
            self._asking_day = False
            self.close()
            return
        if choice == LATE_NOTES:  # nothing to store: entries are filed as usual, the timer stays off
            self._asking_day = False
            self._late_notes = True
            self.show_bundle(bundle)
            self.status_message.emit("Adding notes after the meeting")
            return

        def done(_result: Any) -> None:
            self._asking_day = False
            self.status_message.emit("Rehearsing" if choice == REHEARSE else "The meeting moved to today")

        def failed(_error: BaseException, _details: str) -> bool:
            self._asking_day = False  # the error is shown; the question comes back with the reload
            self._reload_timer.start()
            return False

        job = (
            (lambda: meetings.start_rehearsal(event_id))
            if choice == REHEARSE
            else (lambda: meetings.move_to_today(event_id))
        )
        self.writer.write(job, done, failed)

    def _end_rehearsal(self) -> None:
        """The real meeting's day: a rehearsal still running ends, and its agenda times go."""
        app = self.context.app
        if app is not None:
            meetings, event_id = app.meetings, self.event_id
            self.writer.write(lambda: meetings.end_rehearsal(event_id))

    def delete_rehearsal(self) -> None:
        app, bundle = self.context.app, self.bundle
        if app is None or bundle is None:
            return
        # While rehearsing, the list holds the rehearsal's entries, those filed since loading too.
        count = max(bundle.day.rehearsal_entries, len(bundle.entries) if bundle.day.rehearsing else 0)
        if not self.ask_confirm_delete_rehearsal(count):
            return
        meetings, event_id = app.meetings, self.event_id

        def done(result: tuple[int, Changes]) -> None:
            entries = "1 rehearsal entry" if result[0] == 1 else f"{result[0]} rehearsal entries"
            self.status_message.emit(f"Deleted {entries}")

        self.writer.write(lambda: meetings.delete_rehearsal(event_id), done)

    def _restore_draft(self, bundle: MeetingBundle) -> None:
        draft = bundle.draft.text if bundle.draft is not None else ""
        if not draft:
            return
        typed = self.field.toPlainText()  # typed in the moment before the window had loaded
        text = f"{draft}\n{typed}" if typed.strip() else draft
        self.field.setPlainText(text)
        self.field.moveCursor(self.field.textCursor().MoveOperation.End)
        self.autosaver.mark_stored(draft)
        if text != draft:
            self.autosaver.text_changed(text, self._current_id(bundle))
        self.save_state.setText("Unfinished entry restored")

    @staticmethod
    def _current_id(bundle: MeetingBundle | None) -> int | None:
        current = bundle.current_item() if bundle else None
        return current.item_id if current else None

    def _update_empty_hint(self, *_args: Any) -> None:
        self.empty_hint.setVisible(self.bundle is not None and self.entries_model.rowCount() == 0)

    # ---- the clock and the agenda -------------------------------------------------------------

    def now(self) -> dt.datetime:
        app = self.context.app
        return app.meetings.clock() if app is not None else dt.datetime.now(dt.UTC)

    def _on_tick_timeout(self) -> None:
        if self.bundle is None:
            return
        now = self.now()
        local = now.astimezone(self.bundle.zone)
        _set_text(self.clock, f"{local:%H:%M:%S} {local.tzname() or ''}")
        self.agenda_model.set_now(now)
        current = self.bundle.current_item()
        if current is None or current.actual_start is None:
            _set_text(self.countdown, "")
            return
        left = current.fields.minutes * 60 - (now - current.actual_start).total_seconds()
        _set_text(self.countdown, f"{countdown(left)} left" if left >= 0 else f"{countdown(left)} over")
        style = "font-size:22px; font-weight:bold; color:%s;" % ("#c5221f" if left < 0 else "#137333")
        if self.countdown.styleSheet() != style:
            self.countdown.setStyleSheet(style)
        started = current.actual_start.astimezone(self.bundle.zone)
        tip = f"{current.fields.minutes} min planned; started {started:%H:%M}"
        if self.countdown.toolTip() != tip:
            self.countdown.setToolTip(tip)

    def _update_agenda_state(self) -> None:
        bundle = self.bundle
        if bundle is None:
            return
        current = bundle.current_item()
        agenda = bundle.agenda
        finalized = self.agenda_frozen(bundle)  # nothing to move through
        if not agenda:
            self.current.setText("This event has no agenda: entries are filed without an agenda item.")
        elif current is None and not bundle.started():
            self.current.setText(f"Not started. F8 starts “{agenda[0].fields.title}”.")
        elif current is None:
            self.current.setText("The agenda is done. Shift+F8 goes back to the last item.")
        else:
            who = f" — {current.presenter_name}" if current.presenter_name else ""
            self.current.setText(
                f"<b>Now: {current.position + 1}. {_escape(current.fields.title)}</b>{_escape(who)}"
            )
        if current is None:
            self.filing.setText("Filing entries under no agenda item")
        else:
            self.filing.setText(f"Filing under {current.position + 1}. {current.fields.title}")
        if not agenda or (current is None and bundle.started()):
            label = "Next item ▶"
        elif current is None:
            label = "Start meeting ▶"
        elif current.position == len(agenda) - 1:
            label = "End agenda ■"
        else:
            label = "Next item ▶"
        self.next_button.setText(label)
        can_next = bool(agenda) and not finalized and not (current is None and bundle.started())
        self.next_button.setEnabled(can_next)
        self.next_action.setEnabled(can_next)
        can_back = not finalized and self._previous_target(bundle) is not None
        self.previous_button.setEnabled(can_back)
        self.previous_action.setEnabled(can_back)
        row = self.agenda_model.row_of(self._current_id(bundle))
        if row >= 0:
            self.agenda.scrollTo(self.agenda_model.index(row, 0))

    @staticmethod
    def _previous_target(bundle: MeetingBundle) -> AgendaItem | None:
        """The item Shift+F8 goes back to: the one before the running item, or the last one run."""
        current = bundle.current_item()
        if current is not None:
            return bundle.agenda[current.position - 1] if current.position > 0 else None
        started = [i for i in bundle.agenda if i.actual_start is not None]
        return max(started, key=lambda i: i.actual_start) if started else None  # type: ignore[arg-type,return-value]

    def next_item(self) -> None:
        app = self.context.app
        if app is None or self.bundle is None or self.bundle.finalized or not self.bundle.agenda:
            return
        if self.agenda_frozen(self.bundle):
            return
        meetings, event_id, when = app.meetings, self.event_id, self.now()
        self.writer.write(lambda: meetings.next_item(event_id, when), self._on_agenda_moved)

    def previous_item(self) -> None:
        bundle = self.bundle
        app = self.context.app
        if app is None or bundle is None or bundle.finalized:
            return
        target = self._previous_target(bundle)
        if target is not None:
            self.start_item(target.item_id)

    def start_item(self, item_id: int) -> None:
        app = self.context.app
        if app is None or self.bundle is None or self.agenda_frozen(self.bundle):
            return
        meetings, event_id, when = app.meetings, self.event_id, self.now()
        self.writer.write(lambda: meetings.start_item(event_id, item_id, when), self._on_agenda_moved)

    def _on_agenda_moved(self, result: tuple[list[AgendaItem], Changes]) -> None:
        if self.bundle is None or self._closing:
            return
        self.bundle = replace(self.bundle, agenda=tuple(result[0]))
        self._shown_own_write()
        self.agenda_model.set_agenda(self.bundle.agenda, self._current_id(self.bundle), self.bundle.zone)
        self._update_agenda_state()
        self._on_tick_timeout()
        current = self.bundle.current_item()
        self.status_message.emit(f"Now: {current.fields.title}" if current else "Agenda ended")

    def _on_agenda_double_clicked(self, index: QModelIndex) -> None:
        item = self.agenda_model.item(index.row())
        if item is not None and item.item_id != self.agenda_model.current_id:
            self.start_item(item.item_id)

    # ---- typing -------------------------------------------------------------------------------

    def effective_kind(self) -> tuple[EntryKind, str]:
        """The kind the entry will get, and why ("chosen", "marker" or "default")."""
        if self.explicit_kind is not None:
            return self.explicit_kind, "chosen"
        marked, _rest = split_kind_marker(self.field.toPlainText()[:40])
        if marked is not None:
            return marked, "marker"
        return EntryKind.NOTE, "default"

    def choose_kind(self, kind: EntryKind | None) -> None:
        """Ctrl+1..5 (or the kind button) choose the kind; Esc goes back to the typed marker."""
        self.explicit_kind = kind
        self._show_kind()
        self.field.setFocus()

    def _show_kind(self) -> None:
        kind, why = self.effective_kind()
        colour = KIND_COLOURS[kind]
        number = KIND_ORDER.index(kind) + 1
        self.kind_button.setText(kind.label if why != "default" else f"{kind.label}")
        self.kind_button.setStyleSheet(
            f"QToolButton {{ color:white; background:{colour}; font-weight:bold; border-radius:4px; "
            f"padding:4px 8px; {'font-style:italic;' if why == 'marker' else ''} }}"
        )
        reason = {
            "chosen": f"chosen with Ctrl+{number}; Esc goes back to what the text says",
            "marker": "from the marker at the start of the text",
            "default": "no marker typed; Ctrl+1..5 choose the kind",
        }[why]
        self.kind_button.setToolTip(f"This entry will be a {kind.label.lower()} ({reason})")
        self.due.setVisible(kind is EntryKind.ACTION)

    def _on_field_text_changed(self) -> None:
        text = self.field.toPlainText()
        self.autosaver.text_changed(text, self._current_id(self.bundle))
        self._check_field(text)

    def _check_field(self, text: str | None = None) -> None:
        text = self.field.toPlainText() if text is None else text
        self._show_kind()
        found = self.bundle.terms.find(text) if self.bundle is not None else ()
        if found:
            names = ", ".join(f"“{t}”" for t in found)
            noun = "term" if len(found) == 1 else "terms"
            self.warning.setText(
                f"⚠ Restricted {noun} {names}: this entry will be flagged for compliance review."
            )
        self.warning.setVisible(bool(found))

    def submit_entry(self, text: str) -> None:
        app = self.context.app
        if not text.strip() or app is None:
            return
        if self.bundle is not None and self.bundle.finalized:
            self.status_message.emit("These notes are finalized: double-click an entry to amend it.")
            return
        if self.bundle is not None and self.undecided(self.bundle):
            self.status_message.emit("This is not the meeting's day: rehearse or move the meeting first.")
            return
        meetings, event_id, when = app.meetings, self.event_id, self.now()
        kind = self.explicit_kind
        effective, _why = self.effective_kind()
        due = (
            self.due.date().toPython()
            if effective is EntryKind.ACTION and self.due.date() != NO_DUE
            else None
        )
        stored_text = text
        if kind is EntryKind.ACTION and split_kind_marker(text)[0] is None:
            # The service reads the first @name of an action as its owner only when the text says
            # it is an action; a kind chosen with Ctrl+5 says so with the action marker.
            stored_text = "> " + text
        # The field empties at once so typing goes on; add_entry clears the stored draft in the
        # same transaction. Without an item id the service files it under the item running when
        # the job runs, after any F8 pressed before Enter (the db lane keeps order).
        self.field.clear()
        self.autosaver.mark_stored("")
        self.explicit_kind = None
        self.due.setDate(NO_DUE)
        self._show_kind()

        def done(result: tuple[NoteEntry, Changes]) -> None:
            if self._closing:
                return
            entry = result[0]
            self._scroll_after_insert = True
            self._show_entry(entry)
            self.save_state.setText(f"Filed {entry.created_at.astimezone(self._zone()):%H:%M:%S}")
            self.entry_filed.emit(entry)

        def failed(error: BaseException, _details: str) -> bool:
            # Nothing typed is lost: the text goes back into the field (and so into the draft).
            if self._closing:
                return False
            typed = self.field.toPlainText()
            self.field.setPlainText(f"{text}\n{typed}" if typed.strip() else text)
            self.field.moveCursor(self.field.textCursor().MoveOperation.End)
            self.explicit_kind = kind
            self._show_kind()
            if isinstance(error, InvalidInputError):
                self.save_state.setText("Not filed: " + error.user_message)
                self._reload_timer.start()  # e.g. the notes were finalized elsewhere: show it
            return False

        self.writer.write(
            lambda: meetings.add_entry(event_id, stored_text, kind=kind, due=due, when=when), done, failed
        )

    def _on_entries_rows_inserted(self, *_args: Any) -> None:
        self._update_empty_hint()
        bar = self.entries.verticalScrollBar()
        if self._scroll_after_insert or bar.value() >= bar.maximum() - 4:
            self._scroll_after_insert = False
            QTimer.singleShot(0, self.entries.scrollToBottom)  # after the new row's size is known

    def _on_autosaver_saved(self, text: str) -> None:
        if text:
            self.save_state.setText(f"Draft saved {self.now().astimezone(self._zone()):%H:%M:%S}")
        self.save_state.setStyleSheet("color:#5f6368;")

    def _on_autosaver_failed(self, message: str) -> None:
        self.save_state.setText(f"Draft not saved: {message} Retrying…")
        self.save_state.setStyleSheet("color:#c5221f;")

    def _zone(self) -> dt.tzinfo:
        return self.bundle.zone if self.bundle is not None else dt.UTC

    # ---- editing entries ----------------------------------------------------------------------

    def ask_edit(self, entry: NoteEntry) -> EntryEdit | None:
        """The edit dialog (replaced in tests)."""
        bundle = self.bundle
        assert bundle is not None
        return ask_entry_edit(entry, bundle.agenda, bundle.people(), bundle.finalized, bundle.zone, self)

    def _on_entries_double_clicked(self, index: QModelIndex) -> None:
        entry = self.entries_model.entry(index.row())
        if entry is not None:
            self.edit_entry(entry)

    def edit_entry(self, entry: NoteEntry) -> None:
        app = self.context.app
        if app is None or self.bundle is None:
            return
        edit = self.ask_edit(entry)
        if edit is None:
            return
        meetings = app.meetings

        def done(result: tuple[NoteEntry, Changes]) -> None:
            if not self._closing:
                self._show_entry(result[0])

        if edit.fields is not None:
            fields = edit.fields
            self.writer.write(lambda: meetings.update_entry(edit.entry_id, fields), done)
        else:
            self.writer.write(lambda: meetings.amend_entry(edit.entry_id, edit.amendment, edit.reason), done)

    # ---- attendees ----------------------------------------------------------------------------

    def check_in(self, attendance_id: int) -> None:
        app = self.context.app
        if app is None:
            return
        events = app.events

        def done(result: Any) -> None:
            attendance = result[0]
            if self.bundle is not None and not self._closing:
                attendees = tuple(
                    attendance if a.attendance_id == attendance_id else a for a in self.bundle.attendees
                )
                self.bundle = replace(self.bundle, attendees=attendees)
                self.attendees.set_attendees(attendees, self.bundle.zone, self.bundle.event_day)
                self._shown_own_write()
            self.status_message.emit(f"Checked in {attendance.person.display_name}")

        def failed(_error: BaseException, _details: str) -> bool:
            self.attendees.model.forget_pending(attendance_id)
            return False

        self.writer.write(lambda: events.check_in(attendance_id), done, failed)

    # ---- closing ------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Something typed or asked for is still on its way to the database."""
        return self.autosaver.pending or self.writer.pending > 0

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing never waits: the window goes, the last draft save runs, and `settled` says when
        # it may be deleted.
        self._closing = True
        self.tick.stop()
        self._reload_timer.stop()
        self.autosaver.text_changed(self.field.toPlainText(), self._current_id(self.bundle))
        self.autosaver.flush()
        super().closeEvent(event)
        self.closed.emit()
        self._maybe_settled()

    def _maybe_settled(self) -> None:
        if self._closing and not self.busy and not self._settled:
            self._settled = True
            self.settled.emit()


def _set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


def _escape(text: str) -> str:
    import html

    return html.escape(text)
