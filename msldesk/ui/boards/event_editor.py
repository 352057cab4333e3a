"""EventEditor: the selected event in tabs (overview, agenda, attendees, checklist and budget) with
its exports; everything is read and written in workers, so editing never blocks the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.records import EventFields
from msldesk.errors import InvalidInputError, NotFoundError
from msldesk.ui.boards.agenda import AgendaPanel
from msldesk.ui.boards.attendees import AttendeesPanel
from msldesk.ui.boards.bundle import EventBundle, load_bundle
from msldesk.ui.boards.checklist import ChecklistPanel
from msldesk.ui.boards.commands import SaveEventCommand
from msldesk.ui.boards.exports import (
    EXPORT_KINDS,
    KINDS,
    ExportData,
    ExportKind,
    fetch,
    suggested_name,
    write,
)
from msldesk.ui.boards.formatting import event_when
from msldesk.ui.boards.overview import EventForm
from msldesk.ui.boards.writer import BoardsWriter
from msldesk.ui.context import AppContext
from msldesk.ui.errors import report_error


def _placeholder(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setStyleSheet("color:#80868b; font-size:14px;")
    return label


class EventEditor(QWidget):
    status_message = Signal(str)
    loaded = Signal(int)  # event id whose bundle is on screen (tests wait for it)
    exported = Signal(str, object)  # export key, Path written

    PLACEHOLDER, LOADING, CONTENT = range(3)
    OVERVIEW, AGENDA, ATTENDEES, CHECKLIST = range(4)

    def __init__(self, context: AppContext, writer: BoardsWriter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.writer = writer
        self.bundle: EventBundle | None = None
        self._event_id: int | None = None
        self._generation = 0
        self._last_folder = Path.home()

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size:16px; font-weight:bold;")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.when = QLabel()
        self.when.setStyleSheet("color:#5f6368;")
        self.saving = QLabel("Saving…")
        self.saving.setStyleSheet("color:#5f6368;")
        self.saving.hide()
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_menu = QMenu(self.export_button)
        self.export_actions = {}
        for kind in EXPORT_KINDS:
            action = self.export_menu.addAction(kind.label)
            action.triggered.connect(lambda _checked=False, k=kind.key: self.export(k))
            self.export_actions[kind.key] = action
        self.export_button.setMenu(self.export_menu)

        self.form = EventForm()
        self.agenda = AgendaPanel(context, writer)
        self.attendees = AttendeesPanel(context, writer)
        self.checklist = ChecklistPanel(context, writer, self.form.budget_box)
        overview = QScrollArea()
        overview.setWidgetResizable(True)
        overview.setFrameShape(QScrollArea.Shape.NoFrame)
        overview.setWidget(self.form)
        self.tabs = QTabWidget()
        self.tabs.addTab(overview, "Overview")
        self.tabs.addTab(self.agenda, "Agenda")
        self.tabs.addTab(self.attendees, "Attendees")
        self.tabs.addTab(self.checklist, "Checklist && budget")

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.heading)
        titles.addWidget(self.when)
        header.addLayout(titles, 1)
        header.addWidget(self.saving)
        header.addWidget(self.export_button)
        content_layout.addLayout(header)
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
        for panel in (self.agenda, self.attendees):
            panel.status_message.connect(self.status_message)
        writer.failed.connect(self.reload)  # drop optimistic edits the service refused
        writer.idle_changed.connect(lambda idle: self.saving.setVisible(not idle))

    # ---- which event --------------------------------------------------------------------------

    @property
    def event_id(self) -> int | None:
        return self._event_id

    def open_event(self, event_id: int | None) -> None:
        if event_id == self._event_id and self.bundle is not None:
            return
        self._event_id = event_id
        self.bundle = None
        if event_id is None:
            self._generation += 1
            self.stack.setCurrentIndex(self.PLACEHOLDER)
            return
        self.stack.setCurrentIndex(self.LOADING)
        self._load()

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
        self.stack.setCurrentIndex(self.CONTENT)
        self.loaded.emit(bundle.event_id)

    # ---- saving -------------------------------------------------------------------------------

    def save(self) -> None:
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

    # ---- exports ------------------------------------------------------------------------------

    def ask_save_path(self, kind: ExportKind, suggested: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            f"Export {kind.noun}",
            str(self._last_folder / suggested),
            f"{kind.file_filter};;All files (*)",
        )
        return Path(name) if name else None

    def export(self, key: str) -> None:
        if self.bundle is None or self.context.app is None:
            return
        kind = KINDS[key]
        path = self.ask_save_path(kind, suggested_name(self.bundle.event.title, kind))
        if path is None:
            return
        if path.suffix.lower() != kind.suffix:
            path = path.with_name(path.name + kind.suffix)
        self._last_folder = path.parent
        events, event_id, runner = self.context.app.events, self.bundle.event_id, self.context.runner
        unsaved = " (unsaved changes to the event are not in it)" if self.form.is_dirty() else ""

        def written(result: Path) -> None:
            self.status_message.emit(f"Saved the {kind.noun} to {result}{unsaved}")
            self.exported.emit(key, result)

        def failed(error: BaseException, details: str) -> None:
            report_error(error, details)

        def fetched(data: ExportData) -> None:
            runner.submit("export", lambda _p, _c: write(key, data, path), written, failed)

        runner.submit("db", lambda _p, _c: fetch(events, event_id), fetched, failed)
