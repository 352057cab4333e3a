"""DeckListModel: the library's decks (first row: all slides), with status for badges."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from msldesk.core.wording import plural
from msldesk.decks.records import DeckInfo


def _title_key(title: str) -> str:
    return " ".join(title.casefold().split())


def _tooltip(deck: DeckInfo) -> str:
    parts = [
        deck.title,
        f"{deck.status.label} · {plural(deck.slide_count, 'slide')} · version {deck.version}",
        f"File: {deck.file_name}",
    ]
    if deck.is_team:
        parts.insert(1, "Team deck: published by your organisation; read-only here")
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


DeckRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
DeckIdRole = Qt.ItemDataRole.UserRole + 3
DetailsRole = Qt.ItemDataRole.UserRole + 4  # the row's second line

Index = QModelIndex | QPersistentModelIndex


class DeckListModel(QAbstractListModel):
    ALL_SLIDES = "All slides"

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._decks: list[DeckInfo] = []
        self._total_slides = 0
        self._shared_titles: set[str] = set()

    def set_decks(self, decks: list[DeckInfo]) -> None:
        self.beginResetModel()
        self._decks = list(decks)
        self._total_slides = sum(d.slide_count for d in decks)
        seen: set[str] = set()
        self._shared_titles = set()
        for deck in decks:
            key = _title_key(deck.title)
            (self._shared_titles if key in seen else seen).add(key)
        self.endResetModel()

    def set_total(self, total: int) -> None:
        """The first row's slide count, before the decks themselves are listed (the library opening)."""
        self._total_slides = total
        self.dataChanged.emit(self.index(0), self.index(0))

    def details(self, deck: DeckInfo) -> str:
        """The second line: enough to tell decks with the same title apart (file name, version)."""
        parts = [plural(deck.slide_count, "slide"), f"v{deck.version}"]
        if _title_key(deck.title) in self._shared_titles:
            parts.insert(0, deck.file_name)  # first: it is what tells them apart in a narrow list
        if deck.approval_code:
            parts.append(deck.approval_code)
        if deck.thumbnail_state == "failed":
            parts.append("no thumbnails")
        return " · ".join(parts)

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
            if role == DetailsRole:
                return plural(self._total_slides, "slide")
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Every current slide in the library"
            return None
        deck = self._decks[index.row() - 1]
        if role == Qt.ItemDataRole.DisplayRole:
            return deck.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(deck)
        if role == DetailsRole:
            return self.details(deck)
        if role == DeckRole:
            return deck
        if role == StatusRole:
            return deck.status
        if role == DeckIdRole:
            return deck.deck_id
        return None
