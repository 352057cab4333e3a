"""AgendaPanel: the event's agenda table with add, edit, remove, drag-and-drop and Alt+Up/Down
reordering; clock times follow at once and the order is saved on the db lane (undoable)."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.records import AgendaItemFields, AgendaItemRemoval, Invitation
from msldesk.ui.actions import bind
from msldesk.ui.boards.agenda_model import AgendaModel, Column
from msldesk.ui.boards.bundle import EventBundle
from msldesk.ui.boards.commands import ReorderAgendaCommand
from msldesk.ui.boards.delegates import BoardsDelegate
from msldesk.ui.boards.formatting import duration, linked_text, time_range
from msldesk.ui.boards.removal_questions import ask_remove_item, say_kept
from msldesk.ui.boards.writer import BoardsWriter
from msldesk.ui.context import AppContext
from msldesk.ui.ops import DbOp
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.table_fit import comfortable_rows, fit_columns, stretch_column

# Typical values, measured in the table's font (not fixed pixels); the title gets the room left.
COLUMN_SAMPLES = {
    Column.TIME: "⚠ 00:00–00:00",
    Column.KIND: "Presentation",
    Column.PRESENTER: "Amelia Hart-Lovelace",
    Column.MINUTES: "000",
    Column.QUESTIONS: "What would you need to see?",
    Column.SLIDES: "⚠ slides removed",
}


class AgendaPanel(QWidget):
    status_message = Signal(str)

    def __init__(self, context: AppContext, writer: BoardsWriter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.writer = writer
        self.event_id: int | None = None
        self._select_after_load: int | None = None
        # The saved collections the item dialog offers (name, id, slides), read when an event shows.
        self.collections: list[tuple[str, int, int]] = []
        self.model = AgendaModel(self)

        self._build_table()

        self.add_button = QPushButton("Add item…")
        self.edit_button = QPushButton("Edit…")
        self.remove_button = QPushButton("Remove")
        self.up_button = QPushButton("Move up")
        self.up_button.setToolTip("Move the selected item earlier (Alt+Up)")
        self.down_button = QPushButton("Move down")
        self.down_button.setToolTip("Move the selected item later (Alt+Down)")
        self.summary = QLabel()
        self.summary.setWordWrap(True)  # a long time zone name must not widen the window
        self.overrun_label = QLabel()
        set_role(self.overrun_label, "alert")
        self.overrun_label.hide()
        # Agenda items that lost linked slides (a deck removed from the library), said in words.
        self.lost_label = QLabel()
        self.lost_label.setWordWrap(True)
        self.lost_label.setTextFormat(Qt.TextFormat.RichText)
        self.lost_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(self.lost_label, "caution")
        self.lost_label.hide()
        self.linked_label = QLabel()
        set_role(self.linked_label, "hint")
        self.linked_label.setWordWrap(True)
        self._build_pages()

        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.linked_label)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.overrun_label)
        layout.addWidget(self.lost_label)

        self._connect_signals()
        self._update_buttons()

    def _build_table(self) -> None:
        """The agenda table: items are edited in place and dragged into a new order."""
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(BoardsDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        # Internal moves only; the model does the move itself in dropMimeData.
        self.table.setDragEnabled(True)
        self.table.setAcceptDrops(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDragDropOverwriteMode(False)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.verticalHeader().setSectionsMovable(False)
        self.table.setWordWrap(False)
        comfortable_rows(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        fit_columns(self.table, COLUMN_SAMPLES)
        stretch_column(self.table, Column.TITLE, "Case discussion: re-challenge")

    def _build_pages(self) -> None:
        """An empty agenda says what to do instead of showing an empty grid."""
        self.empty_hint = QLabel(
            "No agenda items yet.\n\nAdd item… puts the first one in; each item's clock time follows "
            "from the event's start and the minutes of the items before it. Drag rows (or Alt+Up and "
            "Alt+Down) to change the order."
        )
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(self.empty_hint, "empty")
        self.first_item_button = QPushButton("Add the first item…")
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_hint)
        empty_layout.addWidget(self.first_item_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)
        self.pages = QStackedWidget()
        self.pages.addWidget(empty)
        self.pages.addWidget(self.table)

    def _connect_signals(self) -> None:
        """The buttons, Alt+Up and Alt+Down, edits and moves in the table, the summary."""
        bind(self, "agenda.up", lambda: self.move_selected(-1))
        bind(self, "agenda.down", lambda: self.move_selected(+1))
        self.add_button.clicked.connect(self.add_item)
        self.first_item_button.clicked.connect(self.add_item)
        self.edit_button.clicked.connect(self.edit_item)
        self.remove_button.clicked.connect(self.remove_item)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(+1))
        self.model.item_edited.connect(self._on_model_item_edited)
        self.model.order_changed.connect(self._on_model_order_changed)
        for signal in (self.model.modelReset, self.model.dataChanged, self.model.rowsMoved):
            signal.connect(self._update_summary)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._on_table_double_clicked)

    # ---- contents -----------------------------------------------------------------------------

    def show_bundle(self, bundle: EventBundle) -> None:
        self.event_id = bundle.event_id
        self.reload_collections()  # saved in the library since this event was last shown, perhaps
        presenters = [
            (a.person.display_name, a.person.person_id)
            for a in bundle.attendees
            if a.fields.invitation is not Invitation.DECLINED
        ]
        self.model.set_agenda(bundle.event.fields, bundle.agenda, presenters)
        slides = {s for i in bundle.agenda for s in i.fields.slide_ids}
        collections = {c for i in bundle.agenda for c in i.fields.collection_ids}
        linked = linked_text(len(slides), len(collections))
        self.linked_label.setText(f"Linked from the library: {linked}" if linked else "")
        lost = [
            f"⚠ “{html.escape(item.fields.title)}”: {html.escape(line)}"
            for item in bundle.agenda
            for line in item.note.splitlines()
            if line.strip()
        ]
        self.lost_label.setText("<br>".join(lost))
        self.lost_label.setVisible(bool(lost))
        if self._select_after_load is not None:
            row = self.model.row_of(self._select_after_load)
            self._select_after_load = None
            if row >= 0:
                self.select_row(row)
        self._update_summary()
        self._update_buttons()

    def presenters(self) -> list[tuple[str, int]]:
        return self.model.presenters()

    def select_row(self, row: int) -> None:
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, Column.TITLE),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )

    def selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return rows[0].row()
        current = self.table.currentIndex()
        return current.row() if current.isValid() else -1

    def _update_summary(self, *_args: Any) -> None:
        count, total = self.model.rowCount(), self.model.total_minutes()
        event = self.model.event_fields()
        parts = [f"{count} item{'s' if count != 1 else ''}, {duration(total)}"]
        if event is not None and event.starts_at is not None:
            if event.ends_at is not None:
                length = int((event.ends_at - event.starts_at).total_seconds() // 60)
                parts.append(f"event {time_range(event.starts_at, event.ends_at)} ({duration(length)})")
            parts.append(f"times in {event.timezone}")
        elif count:
            parts.append("set the event's start to see clock times")
        self.summary.setText(" · ".join(parts))
        over = self.model.overrun_minutes()
        self.overrun_label.setText(f"Agenda overruns the event by {over} min" if over else "")
        self.overrun_label.setVisible(bool(over))
        self.pages.setCurrentIndex(1 if count else 0)

    def _update_buttons(self, *_args: Any) -> None:
        row, count = self.selected_row(), self.model.rowCount()
        self.add_button.setEnabled(self.event_id is not None)
        self.edit_button.setEnabled(row >= 0)
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)

    # ---- dialogs (replaced in tests) ----------------------------------------------------------

    def ask_agenda_item(self, initial: AgendaItemFields | None) -> AgendaItemFields | None:
        from msldesk.ui.boards.agenda_dialog import AgendaItemDialog

        dialog = AgendaItemDialog(initial, self.presenters(), self, self.collections)
        return dialog.fields() if dialog.exec() else None

    def reload_collections(self) -> None:
        def done(found: list[Any]) -> None:
            self.collections = [(c.name, c.collection_id, len(c.slide_ids)) for c in found]

        DbOp(self, lambda work: work.app.assembly.collections()).success(done).run()

    # ---- edits --------------------------------------------------------------------------------

    def _events(self) -> Any:
        return self.context.events

    def add_item(self) -> None:
        if self.event_id is None:
            return
        fields = self.ask_agenda_item(None)
        if fields is None:
            return
        event_id, events = self.event_id, self._events()
        row = self.selected_row()
        position = row + 1 if 0 <= row < self.model.rowCount() - 1 else None

        def done(result: Any) -> None:
            self._select_after_load = result[0].item_id
            self.status_message.emit(f"Added “{result[0].fields.title}” to the agenda")

        self.writer.write(lambda: events.add_agenda_item(event_id, fields, position), done)

    def edit_item(self) -> None:
        item = self.model.item(self.selected_row())
        if item is None:
            return
        fields = self.ask_agenda_item(item.fields)
        if fields is None or fields == item.fields:
            return
        events = self._events()
        self.writer.write(lambda: events.update_agenda_item(item.item_id, fields))

    def ask_confirm_remove(self, plan: AgendaItemRemoval) -> bool:
        return ask_remove_item(plan, self)

    def say_kept(self, refusal: str) -> None:
        say_kept(refusal, self)

    def remove_item(self) -> None:
        """Asks first when meeting notes are filed under the item (they stay, keeping its title);
        refused when those notes are finalized."""
        item = self.model.item(self.selected_row())
        if item is None:
            return
        events = self._events()

        def planned(plan: AgendaItemRemoval) -> None:
            if plan.refusal:
                self.say_kept(plan.refusal)
            elif plan.notes and not self.ask_confirm_remove(plan):
                self.status_message.emit("Nothing was removed")
            else:
                self.writer.write(lambda: events.remove_agenda_item(item.item_id), removed)

        def removed(_changes: Any) -> None:
            self.status_message.emit(f"Removed “{item.fields.title}” from the agenda")

        self.writer.write(lambda: events.agenda_removal_plan(item.item_id), planned)

    def move_selected(self, step: int) -> None:
        row = self.selected_row()
        if row >= 0 and self.model.move_item(row, row + step):
            self.select_row(row + step)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if not index.flags() & Qt.ItemFlag.ItemIsEditable:
            self.edit_item()

    def _on_model_item_edited(self, item_id: int, fields: AgendaItemFields) -> None:
        events = self._events()
        self.writer.write(lambda: events.update_agenda_item(item_id, fields))

    def _on_model_order_changed(self, new: list[int], old: list[int]) -> None:
        if self.event_id is None:
            return
        event_id, events = self.event_id, self._events()

        def done(_result: Any) -> None:
            self.context.undo_stack.push(ReorderAgendaCommand(self.apply_order, event_id, new, old))
            self.status_message.emit("Agenda order saved")

        self.writer.write(lambda: events.reorder_agenda(event_id, new), done)
        self._update_buttons()

    def apply_order(self, event_id: int, item_ids: list[int]) -> None:
        """Used by undo and redo: save this order of the event's agenda."""
        events = self._events()
        self.writer.write(lambda: events.reorder_agenda(event_id, item_ids))
