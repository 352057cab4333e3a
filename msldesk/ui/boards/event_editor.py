"""EventEditor: the selected event in tabs (overview, agenda, attendees, checklist and budget, notes
and review) with its exports; everything is read and written in workers, so editing never blocks the
window, and exports run on the export lane with progress and Cancel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from msldesk.app.history import Subject
from msldesk.boards.outputs.registry import (
    AUDIENCE_LABELS,
    EVENT_MENU_KINDS,
    KINDS,
    MEETING_MENU_KINDS,
    EventTarget,
    ExportKind,
    ReportSnapshot,
)
from msldesk.boards.records import Audience, Event, EventFields
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.ui.boards.agenda import AgendaPanel
from msldesk.ui.boards.attendees import AttendeesPanel
from msldesk.ui.boards.bundle import EventBundle, load_bundle
from msldesk.ui.boards.checklist import ChecklistPanel
from msldesk.ui.boards.commands import SaveEventCommand
from msldesk.ui.boards.formatting import event_when
from msldesk.ui.boards.overview import EventForm
from msldesk.ui.boards.review import ReviewPanel
from msldesk.ui.boards.writer import BoardsWriter
from msldesk.ui.context import AppContext
from msldesk.ui.exports import ExportJob, mark_export
from msldesk.ui.ops import DbOp
from msldesk.ui.protect.history import HistoryDialog, open_history
from msldesk.ui.theme import Role, set_role
from msldesk.ui.widgets.export_banner import ExportBanner
from msldesk.ui.widgets.fields import label_text
from msldesk.ui.widgets.file_dialogs import ask_save_path, safe_file_name
from msldesk.ui.widgets.menu_button import make_menu_button

EXPORT_FOLDER_KIND = "board_exports"  # an event's outputs share one remembered folder


def _title_line(role: Role) -> QLabel:
    """The event's title or its date line: a long one wraps rather than widen the window."""
    label = QLabel()
    set_role(label, role)
    label.setWordWrap(True)
    return label


def _placeholder(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    set_role(label, "empty")
    return label


def ask_save_discard_cancel(parent: QWidget, title: str, question: str) -> str:
    """ "save", "discard" or "cancel": what to do with edits that were not saved."""
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.question(
        parent, title, question, buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save
    )
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")


class EventEditor(QWidget):
    status_message = Signal(str)
    loaded = Signal(int)  # event id whose bundle is on screen (tests wait for it)
    exported = Signal(str, object)  # export key, Path written
    created = Signal(int)  # a draft was saved: the new event's id

    PLACEHOLDER, LOADING, CONTENT = range(3)
    OVERVIEW, AGENDA, ATTENDEES, CHECKLIST, NOTES = range(5)

    def __init__(self, context: AppContext, writer: BoardsWriter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.writer = writer
        self.bundle: EventBundle | None = None
        self._event_id: int | None = None
        self._generation = 0
        self.history_dialog: HistoryDialog | None = None
        self._draft = False  # a new event on screen that is not in the database until Save

        self.heading = _title_line("title")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.when = _title_line("hint")
        self.saving = QLabel("Saving…")
        set_role(self.saving, "hint")
        self.saving.hide()
        self._build_export_menu()
        self.history_button = QPushButton("History…")
        self.history_button.setToolTip(
            "Who changed what in this event, its agenda, attendees and payments, and every export"
        )
        self.history_button.clicked.connect(self.show_history)
        self.discard_button = QPushButton("Discard")
        self.discard_button.setToolTip("Close this new event without saving it")
        self.discard_button.clicked.connect(self.close_draft)
        self.discard_button.hide()

        self.form = EventForm()
        self.agenda = AgendaPanel(context, writer)
        self.attendees = AttendeesPanel(context, writer)
        self.checklist = ChecklistPanel(context, writer, self.form.budget_box)
        self.review = ReviewPanel(context, writer)
        self.review.share_button.setMenu(self.notes_menu)
        overview = QScrollArea()
        overview.setWidgetResizable(True)
        overview.setFrameShape(QScrollArea.Shape.NoFrame)
        overview.setWidget(self.form)
        self.tabs = QTabWidget()
        self.tabs.addTab(overview, "Overview")
        self.tabs.addTab(self.agenda, "Agenda")
        self.tabs.addTab(self.attendees, "Attendees")
        self.tabs.addTab(self.checklist, "Checklist && budget")
        self.tabs.addTab(self.review, "Notes && review")

        self._lay_out()

        self.form.save_requested.connect(self.save)
        for panel in (self.agenda, self.attendees, self.review):
            panel.status_message.connect(self.status_message)
        writer.failed.connect(self.reload)  # drop optimistic edits the service refused
        writer.idle_changed.connect(lambda idle: self.saving.setVisible(not idle))

    def _build_export_menu(self) -> None:
        """The Export button: the event's exports, then the meeting's outputs."""
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        make_menu_button(self.export_button)
        self.export_menu = QMenu(self.export_button)
        self.export_actions: dict[str, QAction] = {}
        for kind in EVENT_MENU_KINDS:
            self._add_export_action(self.export_menu, kind)
        # The meeting's outputs: in this menu and in the review tab's Share menu.
        self.notes_menu = QMenu("Meeting outputs", self)
        for kind in MEETING_MENU_KINDS:
            if not kind.by_audience:
                self._add_export_action(self.notes_menu, kind)
                continue
            submenu = self.notes_menu.addMenu(kind.label)
            mark_export(submenu.menuAction(), kind)
            for audience, label in AUDIENCE_LABELS.items():
                self._add_export_action(submenu, kind, audience, label)
        self.export_menu.addSeparator()
        self.export_menu.addActions(self.notes_menu.actions())
        self.export_button.setMenu(self.export_menu)
        self.export_status = ExportBanner()
        self.export_job = ExportJob(self.context, self.export_status, self)
        self.export_job.status_message.connect(self.status_message)
        self.export_job.written.connect(lambda name, written: self.exported.emit(name, written.path))

    def _lay_out(self) -> None:
        """The title and its buttons over the tabs; a placeholder while no event is shown or one loads."""
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.heading)
        titles.addWidget(self.when)
        header.addLayout(titles, 1)
        header.addWidget(self.saving)
        header.addWidget(self.discard_button)
        header.addWidget(self.history_button)
        header.addWidget(self.export_button)
        content_layout.addLayout(header)
        content_layout.addWidget(self.export_status)
        content_layout.addWidget(self.tabs, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(
            _placeholder("Select an event on the left, or create one with New event (Ctrl+N).")
        )
        self.stack.addWidget(_placeholder("Loading…"))
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # ---- which event --------------------------------------------------------------------------

    @property
    def event_id(self) -> int | None:
        return self._event_id

    @property
    def is_draft(self) -> bool:
        return self._draft

    def open_event(self, event_id: int | None) -> None:
        if event_id == self._event_id and self.bundle is not None:
            return
        if event_id != self._event_id:
            self.review.leave_event()  # saves a summary edit of the event being left
        self._set_draft(False)
        self._event_id = event_id
        self.bundle = None
        if event_id is None:
            self._generation += 1
            self.stack.setCurrentIndex(self.PLACEHOLDER)
            return
        self.stack.setCurrentIndex(self.LOADING)
        self._load()

    def open_draft(self, fields: EventFields) -> None:
        """Show a new event's details to fill in; nothing is stored (or audited) until Save."""
        self.review.leave_event()
        self._generation += 1  # a load still under way is for the event being left
        self._event_id, self.bundle = None, None
        self._set_draft(True)
        self.heading.setText("New event (not saved yet)")
        self.when.setText("Fill in the details, then Save (Ctrl+S). Discard closes it without a trace.")
        self.form.show_event(Event(0, fields))
        self.tabs.setCurrentIndex(self.OVERVIEW)
        self.stack.setCurrentIndex(self.CONTENT)
        self.form.title.setFocus()
        self.form.title.selectAll()

    def ask_discard_draft(self, title: str) -> str:
        """ "save", "discard" or "cancel" for a new event that was never saved."""
        return ask_save_discard_cancel(
            self, "New event not saved", f"“{title}” has not been saved. Save it as a new event?"
        )

    def close_draft(self) -> bool:
        """Ask about an unsaved new event; True when it was saved or dropped (nothing is left)."""
        if not self._draft:
            return True
        answer = self.ask_discard_draft(self.form.fields().title or "New event")
        if answer == "save":
            self.save()
        elif answer == "discard":
            self.open_event(None)
            self.status_message.emit("New event discarded; nothing was saved")
        return answer != "cancel"

    def _set_draft(self, draft: bool) -> None:
        self._draft = draft
        self.discard_button.setVisible(draft)
        self.history_button.setEnabled(not draft)
        self.export_button.setEnabled(not draft)
        for index in range(1, self.tabs.count()):  # the other tabs need a stored event
            self.tabs.setTabEnabled(index, not draft)
            self.tabs.setTabToolTip(index, "Save the new event first" if draft else "")

    def reload(self) -> None:
        if self._event_id is not None:
            self._load()

    def _load(self) -> None:
        if self._event_id is None:
            return
        self._generation += 1
        generation, event_id = self._generation, self._event_id

        def done(bundle: EventBundle) -> None:
            if generation != self._generation or event_id != self._event_id:
                return  # the user moved on, or a newer load is under way
            if self.writer.pending:
                return  # a write is on its way; the reload after it shows the outcome
            self.show_bundle(bundle)

        def failed(error: BaseException, _details: str) -> bool:
            if generation != self._generation or event_id != self._event_id:
                return True
            if isinstance(error, NotFoundError):  # deleted (here or elsewhere) while loading
                self.open_event(None)
                return True
            return False  # shown in plain words

        DbOp(self, lambda work: load_bundle(work.app.events, event_id)).success(done).failure(failed).run()

    def show_bundle(self, bundle: EventBundle) -> None:
        first = self.bundle is None or self.bundle.event_id != bundle.event_id
        self.bundle = bundle
        self.heading.setText(label_text(bundle.event.title))
        f = bundle.event.fields
        place = f.venue or f.virtual_link
        self.when.setText(label_text(" · ".join(x for x in (event_when(f), f.timezone, place) if x)))
        # Keep what the user is typing; a form that matches the stored event follows the service.
        if first or not self.form.is_dirty():
            self.form.show_event(bundle.event)
        self.agenda.show_bundle(bundle)
        self.attendees.show_bundle(bundle)
        self.checklist.show_bundle(bundle)
        self.review.show_bundle(bundle)
        self.stack.setCurrentIndex(self.CONTENT)
        self.loaded.emit(bundle.event_id)

    # ---- saving -------------------------------------------------------------------------------

    def save(self) -> None:
        if self._draft:
            self._save_draft()
            return
        if self.bundle is None or not self.context.is_open:
            return
        event_id, events = self.bundle.event_id, self.context.events
        new, old = self.form.fields(), self.bundle.event.fields
        if not self.form.is_dirty():
            self.status_message.emit("No changes to save")
            return
        self.form.clear_error()

        def done(result: Any) -> None:
            event = result[0]
            self.context.undo_stack.push(SaveEventCommand(self.apply_fields, event_id, event.fields, old))
            # Show the stored (cleaned) fields, unless the user typed on while the save ran.
            if self._event_id == event_id and self.form.fields() == new:
                self.form.show_event(event)
            self.status_message.emit(f"Saved “{event.title}”")

        def failed(error: BaseException, _details: str) -> bool:
            # Shown next to the fields while they are on screen; reported like any error otherwise.
            if isinstance(error, InvalidInputError) and self._event_id == event_id:
                self.form.show_error(error.user_message)
                self.tabs.setCurrentIndex(self.OVERVIEW)
                self.status_message.emit("Not saved: " + error.user_message)
                return True
            return False

        self.writer.write(lambda: events.update(event_id, new), done, failed)

    def _save_draft(self) -> None:
        if not self.context.is_open:
            return
        events, new = self.context.events, self.form.fields()
        self.form.clear_error()

        def done(result: Any) -> None:
            event = result[0]
            if self._draft:  # still on screen (the user may have gone on to another event)
                self.open_event(event.event_id)
            self.created.emit(event.event_id)
            self.status_message.emit(f"Created “{event.title}”")

        def failed(error: BaseException, _details: str) -> bool:
            if isinstance(error, InvalidInputError) and self._draft:
                self.form.show_error(error.user_message)
                self.status_message.emit("Not saved: " + error.user_message)
                return True
            return False

        self.writer.write(lambda: events.create(new), done, failed)

    def apply_fields(self, event_id: int, fields: EventFields) -> None:
        """Used by undo and redo: store these fields for the event."""
        if not self.context.is_open:
            return
        events = self.context.events

        def done(result: Any) -> None:
            if self._event_id == event_id:
                self.form.show_event(result[0])
            self.status_message.emit(f"Event details of “{result[0].title}” restored")

        self.writer.write(lambda: events.update(event_id, fields), done)

    # ---- history ------------------------------------------------------------------------------

    def show_history(self) -> HistoryDialog | None:
        """The event's audit trail (with its attendance records and exports), without blocking."""
        if self.bundle is None:
            return None
        subject = Subject("event", self.bundle.event_id, f"Event: {self.bundle.event.title}")
        self.history_dialog = open_history(self.context, subject, self.window())
        return self.history_dialog

    # ---- exports ------------------------------------------------------------------------------

    def _add_export_action(
        self, menu: QMenu, kind: ExportKind[Any, Any, Any], audience: Audience | None = None, text: str = ""
    ) -> None:
        action = menu.addAction(text or kind.label)
        mark_export(action, kind)
        action.triggered.connect(
            lambda _checked=False, k=kind.name, a=audience or Audience.MEDICAL: self.export(k, a)
        )
        self.export_actions[kind.name if audience is None else f"{kind.name}-{audience.value}"] = action

    def ask_save_path(self, kind: ExportKind[Any, Any, Any], suggested: str) -> Path | None:
        return ask_save_path(
            self,
            self.context.settings,
            EXPORT_FOLDER_KIND,
            f"Export {kind.noun}",
            suggested,
            f"{kind.file_filter};;All files (*)",
            kind.suffixes,
        )

    def ask_unreviewed(self, count: int, noun: str) -> str:
        """ "export", "review" or "cancel": flagged entries nobody has reviewed would go out."""
        entries = f"{count} flagged entr{'ies have' if count != 1 else 'y has'}"
        them = "them" if count != 1 else "it"
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Flagged entries not reviewed",
            f"{entries} not been reviewed yet. Review {them} before sharing the {noun}?",
            parent=self,
        )
        box.setInformativeText(
            "Flagged entries contain restricted wording. Unreviewed ones are left out of the "
            "commercial audience's outputs and shown to the others."
        )
        review = box.addButton("Review first", QMessageBox.ButtonRole.AcceptRole)
        export = box.addButton("Export anyway", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(review)
        box.exec()
        clicked = box.clickedButton()
        return "review" if clicked is review else "export" if clicked is export else "cancel"

    def _busy(self) -> bool:
        if not self.export_job.running:
            return False
        self.status_message.emit("An export is under way: wait for it to finish, or cancel it.")
        return True

    def export(self, name: str, audience: Audience = Audience.MEDICAL) -> None:
        """Export the event as the registry's kind `name` (a meeting output for `audience`; the
        payments of the event's year): read what it shows, ask about unreviewed flagged entries
        where it carries the notes, ask where, then write and record it in the background."""
        if self.bundle is None or self._busy():
            return
        kind, event, event_id = KINDS[name], self.bundle.event, self.bundle.event_id
        year = (event.fields.starts_at or dt.datetime.now()).year
        target = year if kind.subject == "year" else EventTarget(event_id, Audience(audience))
        noun = kind.noun_for(target)
        unsaved = " (unsaved changes to the event are not in it)" if self.form.is_dirty() else ""
        self.review.flush_summary()  # the db lane runs it before the read

        def choose(data: Any) -> Path | None:
            if self._event_id != event_id:
                return None  # the user moved on while it was read
            if kind.review_first and isinstance(data, ReportSnapshot) and data.needing_review:
                answer = self.ask_unreviewed(data.needing_review, noun)
                if answer == "review":
                    self.tabs.setCurrentIndex(self.NOTES)
                    self.review.show_needing_review()
                if answer != "export":
                    return None
            if kind.subject == "year":
                suggested = safe_file_name("Open Payments", str(year), suffix=kind.suffixes[0])
            else:  # named from the event as it was read: "Oncology board - 2025-10-14 - sign-in sheet.pdf"
                starts = data.event.fields.starts_at
                day = f"{starts:%Y-%m-%d}" if starts is not None else ""
                suggested = safe_file_name(data.event.title or "event", day, noun, suffix=kind.suffixes[0])
            return self.ask_save_path(kind, suggested)

        self.export_job.start(kind, target, choose, unsaved)

    def cancel_export(self) -> None:
        self.export_job.cancel()
