"""TrayModel: the ordered slides picked for a new deck; accepts slides dragged from the grid and
reorders by drag and drop within the tray."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from msldesk.decks.records import DeckStatus
from msldesk.ui.library.slide_grid_model import SlideCard, card_data
from msldesk.ui.widgets.mime import SLIDES_MIME, TRAY_ROWS_MIME, decode_ids, encode_ids

Index = QModelIndex | QPersistentModelIndex


class TrayModel(QAbstractListModel):
    changed = Signal()  # contents or order changed
    slides_dropped = Signal(
        list, int
    )  # slide ids from the library, insert row (cards are loaded by the view)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._cards: list[SlideCard] = []

    def cards(self) -> list[SlideCard]:
        return list(self._cards)

    def slide_ids(self) -> list[int]:
        return [c.slide_id for c in self._cards]

    def insert_cards(self, row: int, cards: Sequence[SlideCard]) -> None:
        if not cards:
            return
        row = max(0, min(row if row >= 0 else len(self._cards), len(self._cards)))
        self.beginInsertRows(QModelIndex(), row, row + len(cards) - 1)
        self._cards[row:row] = list(cards)
        self.endInsertRows()
        self.changed.emit()

    def remove_rows(self, rows: Sequence[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self._cards):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._cards[row]
                self.endRemoveRows()
        self.changed.emit()

    def clear(self) -> None:
        self.set_cards([])

    def set_cards(self, cards: Sequence[SlideCard]) -> None:
        """The tray holds exactly these cards (undo puts an earlier tray back)."""
        self.beginResetModel()
        self._cards = list(cards)
        self.endResetModel()
        self.changed.emit()

    def move_row(self, row: int, to: int) -> bool:
        """Move one card to position `to` (in the list without it)."""
        if not (0 <= row < len(self._cards)) or not (0 <= to < len(self._cards)) or row == to:
            return False
        dest = to + 1 if to > row else to
        if not self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), dest):
            return False
        card = self._cards.pop(row)
        self._cards.insert(to, card)
        self.endMoveRows()
        self.changed.emit()
        return True

    def refresh_cards(self, cards: dict[int, SlideCard]) -> None:
        """Newer details (thumbnail, status) for cards already in the tray; order is kept."""
        self._cards = [cards.get(c.slide_id, c) for c in self._cards]
        if self._cards:
            self.dataChanged.emit(self.index(0), self.index(len(self._cards) - 1))

    def update_statuses(self, statuses: dict[int, DeckStatus]) -> None:
        for row, card in enumerate(self._cards):
            status = statuses.get(card.slide_id)
            if status is not None and status != card.status:
                self._cards[row] = replace(card, status=status)
        if self._cards:
            self.dataChanged.emit(self.index(0), self.index(len(self._cards) - 1))

    # ---- model --------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        return card_data(self._cards[index.row()], role, position=index.row() + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        return base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [SLIDES_MIME, TRAY_ROWS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        return encode_ids(TRAY_ROWS_MIME, sorted({i.row() for i in indexes if i.isValid()}))

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return data.hasFormat(SLIDES_MIME) or data.hasFormat(TRAY_ROWS_MIME)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._cards)
        if data.hasFormat(TRAY_ROWS_MIME):
            rows = decode_ids(data, TRAY_ROWS_MIME)
            moving = [self._cards[r] for r in rows if 0 <= r < len(self._cards)]
            if not moving:
                return False
            before = sum(1 for r in rows if r < row)
            self.beginResetModel()
            self._cards = [c for i, c in enumerate(self._cards) if i not in set(rows)]
            at = max(0, row - before)
            self._cards[at:at] = moving
            self.endResetModel()
            self.changed.emit()
            return False  # handled here: the view must not remove the source rows again
        ids = decode_ids(data, SLIDES_MIME)
        if ids:
            self.slides_dropped.emit(ids, row)
            return True
        return False
