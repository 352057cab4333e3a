"""DeckListModel: the library's decks (first row: all slides), with status for badges."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from msldesk.decks.records import DeckInfo

DeckRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
DeckIdRole = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex


class DeckListModel(QAbstractListModel):
    ALL_SLIDES = "All slides"

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._decks: list[DeckInfo] = []
        self._total_slides = 0

    def set_decks(self, decks: list[DeckInfo]) -> None:
        self.beginResetModel()
        self._decks = list(decks)
        self._total_slides = sum(d.slide_count for d in decks)
        self.endResetModel()

    def decks(self) -> list[DeckInfo]:
        return list(self._decks)

    def row_of(self, deck_id: int | None) -> int:
        if deck_id is None:
            return 0
        for row, deck in enumerate(self._decks, start=1):
            if deck.deck_id == deck_id:
                return row
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._decks) + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if index.row() == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{self.ALL_SLIDES} ({self._total_slides:,})"
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Every current slide in the library"
            return None
        deck = self._decks[index.row() - 1]
        if role == Qt.ItemDataRole.DisplayRole:
            return deck.title
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [deck.title, f"{deck.status.label} · {deck.slide_count} slides · version {deck.version}"]
            if deck.approval_code:
                parts.append(f"Approval code {deck.approval_code}")
            if deck.expires_on:
                parts.append(f"Expires {deck.expires_on.isoformat()}")
            if deck.version > 1:
                parts.append(
                    f"Changes in v{deck.version}: {deck.slides_added} new, "
                    f"{deck.slides_changed} changed, {deck.slides_removed} removed"
                )
            return "\n".join(parts)
        if role == DeckRole:
            return deck
        if role == StatusRole:
            return deck.status
        if role == DeckIdRole:
            return deck.deck_id
        return None
