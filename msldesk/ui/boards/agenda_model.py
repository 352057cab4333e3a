"""AgendaModel: an event's agenda as a table whose clock times follow every edit and move at once
(worked out here with the same rules as the service), with rows that run past the event marked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QApplication, QStyle

from msldesk.boards.events.timing import agenda_overrun_minutes, schedule
from msldesk.boards.records import AgendaItem, AgendaItemFields, AgendaKind, EventFields
from msldesk.ui.boards.delegates import ChoicesRole, LimitsRole
from msldesk.ui.boards.formatting import clock, time_range
from msldesk.ui.theme import colour, palette

AgendaItemRole = Qt.ItemDataRole.UserRole + 1
AGENDA_ROWS_MIME = "application/x-msldesk-agenda-rows"
NO_PRESENTER = 0  # combo value for "nobody"; person ids start at 1

Index = QModelIndex | QPersistentModelIndex


class Column:
    TIME, TITLE, KIND, PRESENTER, MINUTES, QUESTIONS, SLIDES = range(7)


HEADERS = ("Time", "Title", "Kind", "Presenter", "Minutes", "Questions", "Slides")
EDITABLE = {Column.TITLE, Column.KIND, Column.PRESENTER, Column.MINUTES, Column.QUESTIONS}


def linked_text(fields: AgendaItemFields) -> str:
    parts = []
    if fields.slide_ids:
        parts.append(f"{len(fields.slide_ids)} slide{'s' if len(fields.slide_ids) != 1 else ''}")
    if fields.collection_ids:
        n = len(fields.collection_ids)
        parts.append(f"{n} collection{'s' if n != 1 else ''}")
    return ", ".join(parts)


class AgendaModel(QAbstractTableModel):
    item_edited = Signal(int, object)  # item id, AgendaItemFields (new)
    order_changed = Signal(list, list)  # item ids in the new order, in the old order

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[AgendaItem] = []
        self._event: EventFields | None = None
        self._presenters: list[tuple[str, int]] = []  # (name, person id) the presenter combo offers

    # ---- contents -----------------------------------------------------------------------------

    def set_agenda(
        self, event: EventFields, items: Sequence[AgendaItem], presenters: Sequence[tuple[str, int]] = ()
    ) -> None:
        """New contents; when the same items come back in the same order the rows are updated in
        place, so an open editor or the selection survives a refresh."""
        self._event = event
        self._presenters = list(presenters)
        if [i.item_id for i in items] == self.item_ids() and self._items:
            self._items = list(items)
            self._recompute()
            return
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def items(self) -> list[AgendaItem]:
        return list(self._items)

    def item(self, row: int) -> AgendaItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def event_fields(self) -> EventFields | None:
        return self._event

    def presenters(self) -> list[tuple[str, int]]:
        return list(self._presenters)

    def item_ids(self) -> list[int]:
        return [i.item_id for i in self._items]

    def row_of(self, item_id: int) -> int:
        return next((r for r, i in enumerate(self._items) if i.item_id == item_id), -1)

    def total_minutes(self) -> int:
        return sum(i.fields.minutes for i in self._items)

    def overrun_minutes(self) -> int:
        if self._event is None:
            return 0
        return agenda_overrun_minutes(
            self._event.starts_at, self._event.ends_at, [i.fields.minutes for i in self._items]
        )

    def _recompute(self) -> None:
        """Clock times from the event start and the minutes of the items before (as the service)."""
        if self._event is not None and self._items:
            slots = schedule(
                self._event.starts_at, self._event.ends_at, [i.fields.minutes for i in self._items]
            )
            self._items = [
                replace(
                    item,
                    position=row,
                    starts_at=slot.starts_at if slot else None,
                    ends_at=slot.ends_at if slot else None,
                    overruns=bool(slot and slot.overruns),
                )
                for row, (item, slot) in enumerate(zip(self._items, slots, strict=True))
            ]
        if self._items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._items) - 1, len(HEADERS) - 1))

    # ---- table --------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return section + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        if index.column() in EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item, column = self._items[index.row()], index.column()
        f = item.fields
        if role == AgendaItemRole:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == Qt.ItemDataRole.EditRole:
            return {
                Column.TITLE: f.title,
                Column.KIND: f.kind.value,
                Column.PRESENTER: f.presenter_id or NO_PRESENTER,
                Column.MINUTES: f.minutes,
                Column.QUESTIONS: f.questions,
            }.get(column, self._display(item, column))
        if role == Qt.ItemDataRole.BackgroundRole and item.overruns:
            return colour(palette().error_bg)
        if role == Qt.ItemDataRole.DecorationRole and (
            (column == Column.TIME and item.overruns) or (column == Column.SLIDES and item.note)
        ):
            # A mark that shows on a selected row too (the background colour does not).
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.MINUTES,):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ChoicesRole:
            return self._choices(item, column)
        if role == LimitsRole and column == Column.MINUTES:
            return (0, 24 * 60, 0)
        return None

    def _tooltip(self, item: AgendaItem, column: int) -> str | None:
        if column == Column.SLIDES and item.note:
            return item.note
        if item.overruns:
            return self.overrun_text(item)
        if column == Column.QUESTIONS and item.fields.questions:
            return item.fields.questions
        return None

    def _choices(self, item: AgendaItem, column: int) -> list[tuple[str, Any]] | None:
        """What the combo of a Kind or Presenter cell offers, as (label, value)."""
        f = item.fields
        if column == Column.KIND:
            return [(k.label, k.value) for k in AgendaKind]
        if column == Column.PRESENTER:
            choices = [("(nobody)", NO_PRESENTER), *self._presenters]
            if f.presenter_id and all(v != f.presenter_id for _, v in choices):
                choices.append((item.presenter_name or f"Person {f.presenter_id}", f.presenter_id))
            return choices
        return None

    def overrun_text(self, item: AgendaItem) -> str:
        """Why the item is marked: it ends after the event does (it may start before the end)."""
        if self._event is None or self._event.ends_at is None:
            return ""
        event_end = clock(self._event.ends_at)
        return f"Overruns: ends at {clock(item.ends_at)}, after the event ends at {event_end}"

    @staticmethod
    def _display(item: AgendaItem, column: int) -> Any:
        f = item.fields
        if column == Column.TIME:
            return time_range(item.starts_at, item.ends_at)
        if column == Column.TITLE:
            return f.title
        if column == Column.KIND:
            return f.kind.label
        if column == Column.PRESENTER:
            return item.presenter_name
        if column == Column.MINUTES:
            return f.minutes
        if column == Column.QUESTIONS:
            return " ".join(f.questions.split())
        if column == Column.SLIDES:
            linked = linked_text(f)
            if item.note:  # slides of a removed deck: the panel and the tooltip say which
                return f"{linked}; slides removed" if linked else "slides removed"
            return linked
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() not in EDITABLE:
            return False
        row, column = index.row(), index.column()
        if not 0 <= row < len(self._items):
            return False
        item = self._items[row]
        f = item.fields
        name = item.presenter_name
        try:
            if column == Column.TITLE:
                title = " ".join(str(value).split())
                if not title:
                    return False
                new = replace(f, title=title)
            elif column == Column.KIND:
                new = replace(f, kind=AgendaKind(value))
            elif column == Column.PRESENTER:
                person_id = int(value or 0) or None
                new = replace(f, presenter_id=person_id)
                name = next((n for n, v in self._presenters if v == person_id), "") if person_id else ""
            elif column == Column.MINUTES:
                minutes = int(value)
                if not 0 <= minutes <= 24 * 60:
                    return False
                new = replace(f, minutes=minutes)
            else:
                new = replace(f, questions=str(value))
        except (TypeError, ValueError):
            return False
        if new == f:
            return True
        self._items[row] = replace(item, fields=new, presenter_name=name)
        self._recompute()  # minutes move every later clock time
        self.item_edited.emit(item.item_id, new)
        return True

    # ---- moving rows --------------------------------------------------------------------------

    def moveRows(
        self,
        source_parent: Index,
        source_row: int,
        count: int,
        destination_parent: Index,
        destination_child: int,
    ) -> bool:
        """Qt's move: rows [source_row, source_row + count) go before `destination_child` (counted
        in the list before the move)."""
        if source_parent.isValid() or destination_parent.isValid() or count < 1:
            return False
        if source_row < 0 or source_row + count > len(self._items):
            return False
        if not 0 <= destination_child <= len(self._items):
            return False
        if source_row <= destination_child <= source_row + count:
            return False  # a move onto itself
        old = self.item_ids()
        if not self.beginMoveRows(
            QModelIndex(), source_row, source_row + count - 1, QModelIndex(), destination_child
        ):
            return False
        block = self._items[source_row : source_row + count]
        rest = self._items[:source_row] + self._items[source_row + count :]
        at = destination_child if destination_child < source_row else destination_child - count
        self._items = rest[:at] + block + rest[at:]
        self.endMoveRows()
        self._recompute()
        self.order_changed.emit(self.item_ids(), old)
        return True

    def move_item(self, row: int, to_row: int) -> bool:
        """Move one item so that it ends up at `to_row`."""
        if not (0 <= row < len(self._items) and 0 <= to_row < len(self._items)) or row == to_row:
            return False
        return self.moveRows(QModelIndex(), row, 1, QModelIndex(), to_row + 1 if to_row > row else to_row)

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [AGENDA_ROWS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime.setData(AGENDA_ROWS_MIME, QByteArray(json.dumps(rows).encode()))
        return mime

    @staticmethod
    def _rows(data: QMimeData) -> list[int]:
        try:
            return [int(r) for r in json.loads(bytes(data.data(AGENDA_ROWS_MIME).data()).decode() or "[]")]
        except (ValueError, TypeError):
            return []

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return data.hasFormat(AGENDA_ROWS_MIME)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """A drop inside the table moves the dragged rows before the row dropped on (or to the end).
        It always answers False: the move is done here, and the view must not remove the source rows
        afterwards as it would after a successful move between models."""
        if not data.hasFormat(AGENDA_ROWS_MIME) or action == Qt.DropAction.IgnoreAction:
            return False
        rows = [r for r in self._rows(data) if 0 <= r < len(self._items)]
        if not rows:
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._items)
        if rows == list(range(rows[0], rows[0] + len(rows))):
            self.moveRows(QModelIndex(), rows[0], len(rows), QModelIndex(), row)
            return False
        old = self.item_ids()
        moving = [self._items[r] for r in rows]
        rest = [i for r, i in enumerate(self._items) if r not in set(rows)]
        at = max(0, row - sum(1 for r in rows if r < row))
        self.beginResetModel()
        self._items = rest[:at] + moving + rest[at:]
        self.endResetModel()
        self._recompute()
        if self.item_ids() != old:
            self.order_changed.emit(self.item_ids(), old)
        return False
