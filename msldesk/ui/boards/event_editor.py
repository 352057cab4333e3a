"""EventEditor: the selected event in tabs (overview, agenda, attendees, checklist and budget, notes
and review) with its exports; everything is read and written in workers, so editing never blocks the
window, and exports run on the export lane with progress and Cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
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
from msldesk.boards.records import Audience, Event, EventFields
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.ui.boards.agenda import AgendaPanel
from msldesk.ui.boards.attendees import AttendeesPanel
from msldesk.ui.boards.bundle import EventBundle, load_bundle
from msldesk.ui.boards.checklist import ChecklistPanel
from msldesk.ui.boards.commands import SaveEventCommand
from msldesk.ui.boards.exports import (
    AUDIENCE_LABELS,
    EXPORT_KINDS,
    KINDS,
    NOTES_EXPORT_KINDS,
    ExportData,
    ExportKind,
    NotesExportData,
    Written,
    fetch,
    fetch_notes,
    suggested_name,
    write,
    write_notes,
)
from msldesk.ui.boards.formatting import event_when
from msldesk.ui.boards.overview import EventForm
from msldesk.ui.boards.review import ReviewPanel
from msldesk.ui.boards.writer import BoardsWriter
from msldesk.ui.context import AppContext
from msldesk.ui.errors import report_error
from msldesk.ui.protect.history import HistoryDialog, open_history
from msldesk.ui.tasks import TaskHandle
from msldesk.ui.widgets.export_banner import ExportBanner
from msldesk.ui.widgets.file_dialogs import ask_save_path
from msldesk.ui.widgets.menu_button import make_menu_button

EXPORT_FOLDER_KIND = "board_exports"  # an event's outputs share one remembered folder


def _title_line(style: str) -> QLabel:
    """The event's title or its date line: a long one wraps rather than widen the window."""
    label = QLabel()
    label.setStyleSheet(style)
    label.setWordWrap(True)
    return label


def _placeholder(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setStyleSheet("color:#80868b; font-size:14px;")
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
        self._export: TaskHandle | None = None
        self.history_dialog: HistoryDialog | None = None
        self._draft = False  # a new event on screen that is not in the database until Save

        self.heading = _title_line("font-size:16px; font-weight:bold;")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.when = _title_line("color:#5f6368;")
        self.saving = QLabel("Saving…")
        self.saving.setStyleSheet("color:#5f6368;")
        self.saving.hide()
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        make_menu_button(self.export_button)
        self.export_menu = QMenu(self.export_button)
        self.export_actions = {}
        for kind in EXPORT_KINDS:
            action = self.export_menu.addAction(kind.label)
            action.triggered.connect(lambda _checked=False, k=kind.key: self.export(k))
            self.export_actions[kind.key] = action
        # The meeting's outputs: in this menu and in the review tab's Share menu.
        self.notes_menu = QMenu("Meeting outputs", self)
        for kind in NOTES_EXPORT_KINDS:
            if not kind.by_audience:
                action = self.notes_menu.addAction(kind.label)
                action.triggered.connect(lambda _checked=False, k=kind.key: self.export_notes(k))
                self.export_actions[kind.key] = action
                continue
            submenu = self.notes_menu.addMenu(kind.label)
            for audience, label in AUDIENCE_LABELS.items():
                action = submenu.addAction(label)
                action.triggered.connect(
                    lambda _checked=False, k=kind.key, a=audience: self.export_notes(k, a)
                )
                self.export_actions[f"{kind.key}-{audience.value}"] = action
        self.export_menu.addSeparator()
        self.export_menu.addActions(self.notes_menu.actions())
        self.export_button.setMenu(self.export_menu)
        self.export_status = ExportBanner()
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

        self.form.save_requested.connect(self.save)
        for panel in (self.agenda, self.attendees, self.review):
            panel.status_message.connect(self.status_message)
        self.export_status.cancel_requested.connect(self.cancel_export)
        writer.failed.connect(self.reload)  # drop optimistic edits the service refused
        writer.idle_changed.connect(lambda idle: self.saving.setVisible(not idle))

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
        if self.context.app is None or self._event_id is None:
            return
        self._generation += 1
        generation, event_id, events = self._generation, self._event_id, self.context.app.events

        def done(bundle: EventBundle) -> None:
            if generation != self._generation or event_id != self._event_id:
                return  # the user moved on, or a newer load is under way
            if self.writer.pending:
                return  # a write is on its way; the reload after it shows the outcome
            self.show_bundle(bundle)

        def failed(error: BaseException, details: str) -> None:
            if generation != self._generation or event_id != self._event_id:
                return
            if isinstance(error, NotFoundError):  # deleted (here or elsewhere) while loading
                self.open_event(None)
                return
            report_error(error, details)

        self.context.runner.submit("db", lambda _p, _c: load_bundle(events, event_id), done, failed)

    def show_bundle(self, bundle: EventBundle) -> None:
        first = self.bundle is None or self.bundle.event_id != bundle.event_id
        self.bundle = bundle
        self.heading.setText(bundle.event.title)
        f = bundle.event.fields
        place = f.venue or f.virtual_link
        self.when.setText(" · ".join(x for x in (event_when(f), f.timezone, place) if x))
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
        if self.bundle is None or self.context.app is None:
            return
        event_id, events = self.bundle.event_id, self.context.app.events
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
        if self.context.app is None:
            return
        events, new = self.context.app.events, self.form.fields()
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
        if self.context.app is None:
            return
        events = self.context.app.events

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

    def ask_save_path(self, kind: ExportKind, suggested: str) -> Path | None:
        return ask_save_path(
            self,
            self.context.settings,
            EXPORT_FOLDER_KIND,
            f"Export {kind.noun}",
            suggested,
            f"{kind.file_filter};;All files (*)",
        )

    def ask_unreviewed(self, count: int, kind: ExportKind) -> str:
        """ "export", "review" or "cancel": flagged entries nobody has reviewed would go out."""
        entries = f"{count} flagged entr{'ies have' if count != 1 else 'y has'}"
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Flagged entries not reviewed",
            f"{entries} not been reviewed yet. Review them before sharing the {kind.noun}?",
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

    def _ask_path(self, kind: ExportKind, title: str) -> Path | None:
        starts_at = self.bundle.event.fields.starts_at if self.bundle is not None else None
        path = self.ask_save_path(kind, suggested_name(title, kind, starts_at))
        if path is None:
            return None
        if not kind.accepts(path.suffix):
            path = path.with_name(path.name + kind.suffix)
        return path

    def _busy(self) -> bool:
        if self._export is None:
            return False
        self.status_message.emit("An export is under way: wait for it to finish, or cancel it.")
        return True

    def export(self, key: str) -> None:
        if self.bundle is None or self.context.app is None or self._busy():
            return
        kind = KINDS[key]
        if kind in NOTES_EXPORT_KINDS:
            self.export_notes(key)
            return
        path = self._ask_path(kind, self.bundle.event.title)
        if path is None:
            return
        events, event_id, runner = self.context.app.events, self.bundle.event_id, self.context.runner
        unsaved = " (unsaved changes to the event are not in it)" if self.form.is_dirty() else ""

        def fetched(data: ExportData) -> None:
            self._run_export(key, kind, lambda _p, _c: write(key, data, path), unsaved)

        runner.submit("db", lambda _p, _c: fetch(events, event_id), fetched, self._on_fetch_failed)

    def export_notes(self, key: str, audience: Audience = Audience.MEDICAL) -> None:
        """A meeting output: read the report, ask about unreviewed flags, ask where, then write."""
        if self.bundle is None or self.context.app is None or self._busy():
            return
        app, audience = self.context.app, Audience(audience)
        kind = KINDS[key].for_audience(audience)
        meetings, events, event_id = app.meetings, app.events, self.bundle.event_id
        self.review.flush_summary()  # the db lane runs it before the read below

        def fetched(data: NotesExportData) -> None:
            if self._event_id != event_id or self._busy():
                return  # the user moved on while the report was read
            if kind.review_first and data.needing_review:
                answer = self.ask_unreviewed(data.needing_review, kind)
                if answer == "review":
                    self.tabs.setCurrentIndex(self.NOTES)
                    self.review.show_needing_review()
                    return
                if answer != "export":
                    return
            path = self._ask_path(kind, data.event_title)
            if path is None:
                return
            assembly = app.assembly
            self._run_export(
                key,
                kind,
                lambda progress, cancel: write_notes(key, data, path, progress, cancel, events, assembly),
            )

        self.context.runner.submit(
            "db",
            lambda _p, _c: fetch_notes(meetings, events, event_id, key, audience),
            fetched,
            self._on_fetch_failed,
        )

    def _run_export(self, key: str, kind: ExportKind, job: Callable[[Any, Any], Any], note: str = "") -> None:
        """Write on the export lane with the status strip following it, then record the export in
        the audit trail on the db lane (SQLite keeps one writer)."""
        if self.bundle is None or self.context.app is None:
            return
        handle: list[TaskHandle] = []
        outputs, event_id = self.context.app.outputs, self.bundle.event_id
        self.export_status.start(f"Writing the {kind.noun}…")

        def written(result: Written | Path) -> None:
            if handle and self._export is handle[0]:
                self._export = None
            done = result if isinstance(result, Written) else Written(Path(result))
            detail = f" ({done.detail})" if done.detail else ""
            if done.warnings:
                n = len(done.warnings)
                detail += f" — {n} thing{'s' if n != 1 else ''} to check"
            text = f"Saved the {kind.noun} to {done.path}"

            def recorded(_path: Any) -> None:
                self.export_status.succeeded(done.path, text + detail, done.warnings)
                self.status_message.emit(text + note)
                self.exported.emit(key, done.path)

            def not_recorded(error: BaseException, details: str) -> None:
                self.export_status.succeeded(
                    done.path, f"{text}, but it is not in the audit trail", done.warnings
                )
                report_error(error, details)

            self.context.runner.submit(
                "db",
                lambda _p, _c: outputs.record(kind.audited_as, event_id, done.path, kind.audience),
                recorded,
                not_recorded,
            )

        def failed(error: BaseException, details: str) -> None:
            if handle and self._export is handle[0]:
                self._export = None
            self.export_status.stopped(f"The {kind.noun} was not written.")
            report_error(error, details)

        self._export = self.context.runner.submit(
            "export", job, written, failed, self.export_status.progressed
        )
        handle.append(self._export)

    def _on_fetch_failed(self, error: BaseException, details: str) -> None:
        report_error(error, details)

    def cancel_export(self) -> None:
        if self._export is not None:
            self._export.cancel()
            self._export = None
            self.export_status.stopped("Export cancelled; nothing was written.")
            self.status_message.emit("Export cancelled")
