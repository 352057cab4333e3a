"""RunningAgendaModel: the agenda as the meeting runs it: planned and actual times per item, the
current item marked, the running item's minutes live."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from msldesk.boards.records import AgendaItem
from msldesk.ui.boards.formatting import duration, time_range
from msldesk.ui.meeting.state import local_clock, signed_minutes
from msldesk.ui.theme import colour, palette

Index = QModelIndex | QPersistentModelIndex
ItemIdRole = Qt.ItemDataRole.UserRole + 1


class Column(IntEnum):
    ITEM = 0
    PLANNED = 1
    ACTUAL = 2
    DIFFERENCE = 3


HEADERS = {Column.ITEM: "Agenda", Column.PLANNED: "Planned", Column.ACTUAL: "Actual", Column.DIFFERENCE: "±"}


def elapsed_minutes(item: AgendaItem, now: dt.datetime) -> float | None:
    if item.actual_start is None:
        return None
    end = item.actual_end or now
    return (end - item.actual_start).total_seconds() / 60


class RunningAgendaModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[AgendaItem] = []
        self._current_id: int | None = None
        self._zone: dt.tzinfo = dt.UTC
        self._now = dt.datetime.now(dt.UTC)
        # One font object, returned every time: with PySide6 6.12 on Python 3.11, a fresh QFont or
        # QBrush per data() call ended in "bool_dealloc" at interpreter exit (a refcount error).
        self._bold = QFont()
        self._bold.setBold(True)

    def set_agenda(
        self, items: tuple[AgendaItem, ...] | list[AgendaItem], current_id: int | None, zone: dt.tzinfo
    ) -> None:
        same_rows = [i.item_id for i in items] == [i.item_id for i in self._items]
        if same_rows and self._items:
            self._items, self._current_id, self._zone = list(items), current_id, zone
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._items) - 1, len(Column) - 1))
            return
        self.beginResetModel()
        self._items, self._current_id, self._zone = list(items), current_id, zone
        self.endResetModel()

    def set_now(self, now: dt.datetime) -> None:
        """Move the clock on: the running item's cells are updated when what they say changes (once a
        minute), not on every tick of a meeting that runs for hours."""
        row = self.row_of(self._current_id)
        before = self._live_texts(row)
        self._now = now
        if row >= 0 and self._live_texts(row) != before:
            self.dataChanged.emit(self.index(row, Column.ACTUAL), self.index(row, Column.DIFFERENCE))

    def _live_texts(self, row: int) -> tuple[str, str]:
        item = self.item(row)
        if item is None:
            return ("", "")
        return self._text(item, Column.ACTUAL), self._text(item, Column.DIFFERENCE)

    def item(self, row: int) -> AgendaItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def items(self) -> list[AgendaItem]:
        return list(self._items)

    def row_of(self, item_id: int | None) -> int:
        return next((r for r, i in enumerate(self._items) if i.item_id == item_id), -1) if item_id else -1

    @property
    def current_id(self) -> int | None:
        return self._current_id

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(Column(section))
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = Column(index.column())
        current = item.item_id == self._current_id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item)
        if role == ItemIdRole:
            return item.item_id
        if role == Qt.ItemDataRole.FontRole and current:
            return self._bold
        if role == Qt.ItemDataRole.BackgroundRole and current:
            return colour(palette().accent_bg)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == Column.DIFFERENCE and self._over(item) > 0:
                return colour(palette().error)
            if item.actual_end is not None and not current:
                return colour(palette().muted)
        if role == Qt.ItemDataRole.TextAlignmentRole and column != Column.ITEM:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _over(self, item: AgendaItem) -> float:
        spent = elapsed_minutes(item, self._now)
        return 0.0 if spent is None else spent - item.fields.minutes

    def _text(self, item: AgendaItem, column: Column) -> str:
        if column == Column.ITEM:
            mark = "▶ " if item.item_id == self._current_id else ("✓ " if item.actual_end else "")
            return f"{mark}{item.position + 1}. {item.fields.title}"
        if column == Column.PLANNED:
            return duration(item.fields.minutes)
        spent = elapsed_minutes(item, self._now)
        if column == Column.ACTUAL:
            if spent is None:
                return ""
            return duration(int(spent))
        if spent is None:
            return ""
        if item.actual_end is None:  # running: only say something once it is over its time
            over = int(spent - item.fields.minutes)
            return f"+{over} min" if over > 0 else ""
        return signed_minutes(round(spent) - item.fields.minutes)

    def _tooltip(self, item: AgendaItem) -> str:
        lines = [item.fields.title]
        if item.presenter_name:
            lines.append(f"Presenter: {item.presenter_name}")
        planned = time_range(item.starts_at, item.ends_at)
        lines.append(f"Planned: {planned + ', ' if planned else ''}{duration(item.fields.minutes)}")
        if item.actual_start is not None:
            end = local_clock(item.actual_end, self._zone) or "running"
            lines.append(f"Actual: {local_clock(item.actual_start, self._zone)}–{end}")
        lines.append("Double-click to go to this item")
        return "\n".join(lines)
