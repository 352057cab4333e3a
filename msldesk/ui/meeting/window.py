"""MeetingWindow: one running event in a focused window: the agenda with a clock and countdown, the
note field (time-stamped entries filed under the current item, autosaved as typed), the entries so
far and the attendees to check in. Every read and write runs on the db lane."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QWidget

from msldesk.boards.meeting.entry_text import split_kind_marker
from msldesk.boards.records import AgendaItem, EntryKind, MeetingDay, NoteEntry
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.ui.actions import KIND_ORDER
from msldesk.ui.boards.writer import BoardsWriter
from msldesk.ui.context import AppContext
from msldesk.ui.errors import report_error
from msldesk.ui.meeting.autosave import DraftAutosaver
from msldesk.ui.meeting.day_dialogs import (
    ask_confirm_delete_rehearsal,
    ask_confirm_move,
    ask_day_choice,
)
from msldesk.ui.meeting.day_flow import DayFlow
from msldesk.ui.meeting.entry_dialog import EntryEdit, ask_entry_edit
from msldesk.ui.meeting.layout import NO_DUE, MeetingWidgets, build_meeting_window
from msldesk.ui.meeting.state import MeetingBundle, countdown, load_meeting
from msldesk.ui.ops import DbOp
from msldesk.ui.theme import set_property, set_role
from msldesk.ui.widgets.geometry import fit_size

# The clock ticks once a second, and labels are only set when their text changes: with PySide6 6.12
# on Python 3.11 each call into Qt that returns nothing, and each emit, costs the interpreter a
# reference to None or True, and a meeting runs for hours (see the tests' refcount check).
TICK_MS = 1000
RELOAD_DELAY_MS = 120


class MeetingWindow(MeetingWidgets):
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
        self.writer = BoardsWriter(context, self)
        self.day_flow = DayFlow(self)
        app = context.app
        assert app is not None, "meeting mode opens once the library is open"
        meetings = app.meetings
        self.autosaver = DraftAutosaver(
            context, lambda text, item_id: meetings.save_draft(event_id, text, item_id), self
        )
        self.setWindowTitle("Meeting mode")
        fit_size(self, 1320, 820)
        build_meeting_window(self)
        self._wire()
        self.load()

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
        self.delete_rehearsal_button.clicked.connect(self.day_flow.delete_rehearsal)
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
        if self._closing:
            return
        self._generation += 1
        generation, event_id = self._generation, self.event_id

        def done(bundle: MeetingBundle) -> None:
            if generation == self._generation and not self._closing:
                self.show_bundle(bundle)

        def failed(error: BaseException, details: str) -> bool:
            if isinstance(error, NotFoundError):  # deleted while the meeting was open
                self.banner.setText(
                    "This event was deleted. Entries can no longer be filed; copy anything you still need "
                    "from the note field."
                )
                self.banner.show()
                self.field.setReadOnly(True)
                self.next_action.setEnabled(False)
                self.next_button.setEnabled(False)
                return True
            report_error(error, details, self)
            return True

        DbOp(self, lambda work: load_meeting(work.app, event_id)).success(done).failure(failed).run()

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
        day, undecided = bundle.day, self.day_flow.undecided(bundle)
        self.day_flow.show_banner(bundle, undecided)
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
        self.day_flow.after_show(bundle, undecided)
        self.loaded.emit(bundle.event_id)

    # ---- the meeting's day and rehearsals (the questions; DayFlow acts on the answers) ---------

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
        set_property(self.countdown, "tone", "error" if left < 0 else "success")
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
        finalized = self.day_flow.agenda_frozen(bundle)  # nothing to move through
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
        if self.day_flow.agenda_frozen(self.bundle):
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
        if app is None or self.bundle is None or self.day_flow.agenda_frozen(self.bundle):
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
        number = KIND_ORDER.index(kind) + 1
        self.kind_button.setText(kind.label if why != "default" else f"{kind.label}")
        set_property(self.kind_button, "kind", kind.value)
        set_property(self.kind_button, "marker", why == "marker")  # shown in italics
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
        if self.bundle is not None and self.day_flow.undecided(self.bundle):
            self.status_message.emit("This is not the meeting's day: rehearse or move the meeting first.")
            return
        meetings, event_id, when = app.meetings, self.event_id, self.now()
        kind = self.explicit_kind
        effective, _why = self.effective_kind()
        due = self.due.python_date() if effective is EntryKind.ACTION and self.due.date() != NO_DUE else None
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
        set_role(self.save_state, "hint")

    def _on_autosaver_failed(self, message: str) -> None:
        self.save_state.setText(f"Draft not saved: {message} Retrying…")
        set_role(self.save_state, "error")

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
