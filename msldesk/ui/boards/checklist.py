"""The planning checklist (automatic steps worked out from the attendee list, manual ones ticked by
hand) with its progress, and the event's budget next to what it pays its attendees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.events.counts import is_accepted_external
from msldesk.boards.records import Attendance, ChecklistItem
from msldesk.ui.boards.bundle import EventBundle
from msldesk.ui.boards.formatting import money_by_currency
from msldesk.ui.boards.writer import BoardsWriter
from msldesk.ui.context import AppContext
from msldesk.ui.theme import colour, palette, set_role

ChecklistItemRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class ChecklistModel(QAbstractListModel):
    ticked = Signal(str, bool)  # key of a manual step, done

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ChecklistItem] = []

    def set_items(self, items: Sequence[ChecklistItem]) -> None:
        if [i.key for i in items] == [i.key for i in self._items] and self._items:
            self._items = list(items)
            self.dataChanged.emit(self.index(0), self.index(len(self._items) - 1))
            return
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def items(self) -> list[ChecklistItem]:
        return list(self._items)

    def done_count(self) -> int:
        return sum(1 for i in self._items if i.done)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self._items[index.row()].automatic:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{item.label} — {item.detail}" if item.detail else item.label
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if item.done else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            if item.automatic:
                return "Worked out from the attendee list; it ticks itself when every attendee is done."
            return "Tick when done"
        if role == Qt.ItemDataRole.ForegroundRole and item.automatic:
            return colour(palette().slate)
        if role == ChecklistItemRole:
            return item
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        row = index.row()
        if not 0 <= row < len(self._items) or self._items[row].automatic:
            return False
        done = Qt.CheckState(value) == Qt.CheckState.Checked
        item = self._items[row]
        if done == item.done:
            return True
        self._items[row] = replace(item, done=done)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.ticked.emit(item.key, done)
        return True


def paid_attendees(attendees: Sequence[Attendance]) -> list[Attendance]:
    """Whose payments count as transfers of value: accepted, not company staff (as the service)."""
    return [a for a in attendees if is_accepted_external(a.fields)]


class ChecklistPanel(QWidget):
    def __init__(
        self, context: AppContext, writer: BoardsWriter, budget_box: QGroupBox, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.writer = writer
        self.event_id: int | None = None
        self.model = ChecklistModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setSpacing(2)
        self.list.setWordWrap(True)  # long steps wrap instead of hiding behind a scroll bar
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.honoraria = QLabel()
        self.travel = QLabel()
        self.expenses = QLabel()
        self.total = QLabel()
        set_role(self.total, "heading")
        self.compared = QLabel()
        self.compared.setWordWrap(True)
        payments = QGroupBox("Payments to attendees (accepted, external)")
        form = QFormLayout(payments)
        form.addRow("Honoraria", self.honoraria)
        form.addRow("Travel", self.travel)
        form.addRow("Expenses", self.expenses)
        form.addRow("Total", self.total)
        form.addRow(self.compared)
        checklist = QGroupBox("Planning checklist")
        checklist_layout = QVBoxLayout(checklist)
        hint = QLabel("The first steps follow the attendee list; tick the others by hand.")
        set_role(hint, "hint")
        hint.setWordWrap(True)  # a long line would set the whole window's minimum width
        checklist_layout.addWidget(self.progress)
        checklist_layout.addWidget(self.list, 1)
        checklist_layout.addWidget(hint)
        money = QVBoxLayout()
        money.addWidget(budget_box)
        money.addWidget(payments)
        money.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(checklist, 3)
        layout.addLayout(money, 2)
        self.model.ticked.connect(self._on_model_ticked)
        self.model.modelReset.connect(self._update_progress)
        self.model.dataChanged.connect(self._update_progress)

    def show_bundle(self, bundle: EventBundle) -> None:
        self.event_id = bundle.event_id
        self.model.set_items(bundle.checklist)
        self._update_progress()
        paid = paid_attendees(bundle.attendees)
        honoraria = [(a.fields.honorarium_amount, a.fields.currency) for a in paid]
        travel = [(a.fields.travel_amount, a.fields.currency) for a in paid]
        expenses = [(a.fields.expenses_amount, a.fields.currency) for a in paid]
        f = bundle.event.fields
        self.honoraria.setText(money_by_currency(honoraria, f.currency))
        self.travel.setText(money_by_currency(travel, f.currency))
        self.expenses.setText(money_by_currency(expenses, f.currency))
        self.total.setText(money_by_currency([*honoraria, *travel, *expenses], f.currency))
        spent = sum(
            (amount for amount, currency in (*honoraria, *travel, *expenses) if currency == f.currency),
            start=Decimal("0"),
        )
        if f.budget_estimated > 0:
            share = spent / f.budget_estimated * 100
            self.compared.setText(f"{share:.0f}% of the estimated budget ({f.currency}) goes to attendees.")
        else:
            self.compared.setText("Set an estimated budget to compare it with the payments.")

    def _update_progress(self, *_args: Any) -> None:
        total, done = self.model.rowCount(), self.model.done_count()
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} of {total} done")

    def _on_model_ticked(self, key: str, done: bool) -> None:
        if self.event_id is None or not self.context.is_open:
            return
        event_id, events = self.event_id, self.context.events
        self.writer.write(lambda: events.set_checklist(event_id, key, done))
