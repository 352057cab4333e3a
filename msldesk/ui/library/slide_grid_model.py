"""SlideGridModel: slide cards for the grid, paged from the service so 10,000 slides stay smooth."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from msldesk.decks.records import DeckStatus, SearchFilters, SearchHit, SlideInfo
from msldesk.ui.ops import Op, Work
from msldesk.ui.widgets.mime import SLIDES_MIME, encode_ids

if TYPE_CHECKING:
    from msldesk.ui.context import AppContext  # which reads PAGE_SIZE from here

CardRole = Qt.ItemDataRole.UserRole + 10
PAGE_SIZE = 400

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class SlideCard:
    """What one grid cell shows, from a slide listing or a search hit."""

    slide_id: int
    deck_id: int
    deck_title: str
    number: int
    title: str
    status: DeckStatus
    thumbnail: str | None
    change: str = ""
    snippet: str = ""

    @property
    def display_title(self) -> str:
        return self.title or f"Slide {self.number}"

    @classmethod
    def from_slide(cls, s: SlideInfo) -> SlideCard:
        return cls(s.slide_id, s.deck_id, s.deck_title, s.number, s.title, s.status, s.thumbnail, s.change)

    @classmethod
    def from_hit(cls, h: SearchHit) -> SlideCard:
        return cls(
            h.slide_id, h.deck_id, h.deck_title, h.number, h.title, h.status, h.thumbnail, snippet=h.snippet
        )


def card_data(card: SlideCard, role: int, position: int | None = None) -> Any:
    """What a slide card shows for a role, in the grid and in the deck builder tray."""
    if role == Qt.ItemDataRole.DisplayRole:
        return card.display_title
    if role == Qt.ItemDataRole.ToolTipRole:
        prefix = f"{position}. " if position is not None else ""
        text = f"{prefix}{card.display_title}\n{card.deck_title} — slide {card.number}"
        if card.status.blocked:
            text += f"\n{card.status.label}: not for use with HCPs"
        return text
    if role == CardRole:
        return card
    return None


class SlideGridModel(QAbstractListModel):
    """Browse mode pages slides in with fetchMore (asynchronously, on the db lane); search mode
    shows a finished list of hits."""

    loaded = Signal()  # a page or a result list arrived

    def __init__(self, context: AppContext, service_getter: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.context = context
        self._service = service_getter  # callable returning the DeckService (built in a worker)
        self._cards: list[SlideCard] = []
        self._total = 0
        self._deck_id: int | None = None
        self._narrow: SearchFilters | None = None  # browsing: the library's tag, area, status filters
        self._fetching = False
        self._want_all = False  # End was pressed: load every remaining page
        self._generation = 0
        self._first_page = False  # showing the page read before the library was fully open

    # ---- modes --------------------------------------------------------------------------------

    def browse(self, deck_id: int | None, narrow: SearchFilters | None = None) -> None:
        """Show a deck's slides (or all slides), only those with `narrow`'s tag, area and status if
        given; counts first, then pages on demand."""
        self._generation += 1
        generation = self._generation
        # The first page shown before the library opened stays until the same listing's page is in,
        # so the grid does not go blank in between.
        keep = self._first_page and deck_id is None and narrow is None
        self._first_page = False
        if not keep:
            self._reset(deck_id, narrow, 0)
        self._fetching = True
        service = self._service()

        def job(_work: Work) -> tuple[int, list[SlideInfo]]:
            total = service.count_slides(deck_id, True, narrow)
            return total, service.list_slides(deck_id, 0, PAGE_SIZE, True, narrow)

        def done(result: tuple[int, list[SlideInfo]]) -> None:
            if generation != self._generation:
                return  # the user moved on; a newer listing is coming
            total, slides = result
            if keep:
                self._reset(deck_id, narrow, total)
            self._fetching = False
            self._total = total
            self._append(slides)

        Op(self, job).success(done).failure(self._on_error).run()

    def show_first_page(self, total: int, slides: list[SlideInfo]) -> None:
        """The first page of all slides, read before the library is fully open: shown at once, with no
        paging until browse() has the service to page from."""
        self._generation += 1
        self._reset(None, None, total)
        self._first_page = True
        self._append(slides)

    def _reset(self, deck_id: int | None, narrow: SearchFilters | None, total: int) -> None:
        self.beginResetModel()
        self._cards, self._total, self._fetching, self._want_all = [], total, False, False
        self._deck_id, self._narrow = deck_id, narrow
        self.endResetModel()

    def show_results(self, hits: list[SearchHit]) -> None:
        self._generation += 1
        self.beginResetModel()
        self._cards = [SlideCard.from_hit(h) for h in hits]
        self._total = len(self._cards)
        self._fetching = self._want_all = self._first_page = False
        self.endResetModel()
        self.loaded.emit()

    def _append(self, slides: list[SlideInfo]) -> None:
        if slides:
            first = len(self._cards)
            self.beginInsertRows(QModelIndex(), first, first + len(slides) - 1)
            self._cards.extend(SlideCard.from_slide(s) for s in slides)
            self.endInsertRows()
        if not slides:
            self._total = len(self._cards)  # the library shrank meanwhile
        if self._want_all and self.canFetchMore():
            self._fetch(None)
        self.loaded.emit()

    def _on_error(self, _error: BaseException, _details: str) -> None:
        self._fetching = False  # and the op shows the error

    # ---- paging -------------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    @property
    def busy(self) -> bool:
        return self._fetching

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return (
            not parent.isValid()
            and not self._fetching
            and not self._first_page
            and len(self._cards) < self._total
        )

    def has_more(self) -> bool:
        """Slides the listing has that are not loaded yet (or a first page still on its way)."""
        return self._fetching or len(self._cards) < self._total

    def fetch_all(self) -> None:
        """Load everything that is left (End and Ctrl+End go to the real end of the library)."""
        self._want_all = True
        if self.canFetchMore():
            self._fetch(None)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._fetch(PAGE_SIZE)

    def _fetch(self, limit: int | None) -> None:
        self._fetching = True
        generation = self._generation
        offset, deck_id, narrow = len(self._cards), self._deck_id, self._narrow
        service = self._service()

        def job(_work: Work) -> list[SlideInfo]:
            return service.list_slides(deck_id, offset, limit, True, narrow)

        def done(slides: list[SlideInfo]) -> None:
            if generation != self._generation:
                return
            self._fetching = False
            self._append(slides)

        Op(self, job).success(done).failure(self._on_error).run()

    # ---- model --------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cards)

    def card(self, row: int) -> SlideCard | None:
        return self._cards[row] if 0 <= row < len(self._cards) else None

    def update_thumbnails(self, paths: dict[int, str | None]) -> None:
        """Fill in thumbnails rendered after the cards were loaded, keeping scroll and selection."""
        changed = False
        for row, card in enumerate(self._cards):
            new = paths.get(card.slide_id, card.thumbnail)
            if new != card.thumbnail:
                self._cards[row] = replace(card, thumbnail=new)
                changed = True
        if changed and self._cards:
            self.dataChanged.emit(self.index(0), self.index(len(self._cards) - 1))

    def row_of(self, slide_id: int) -> int:
        """The row of a loaded slide, -1 when it is not (or not yet) in the grid."""
        return next((row for row, card in enumerate(self._cards) if card.slide_id == slide_id), -1)

    def deck_ids(self) -> set[int]:
        """The decks whose slides are listed (their thumbnails are rendered first)."""
        return {card.deck_id for card in self._cards}

    def rows_with_thumbnail(self, path: str) -> list[int]:
        return [row for row, card in enumerate(self._cards) if card.thumbnail == path]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        return card_data(self._cards[index.row()], role)

    def mimeTypes(self) -> list[str]:
        return [SLIDES_MIME]

    def mimeData(self, indexes: Any) -> Any:
        """Dragged slides carry their ids, so the deck builder tray can take them."""
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return encode_ids(SLIDES_MIME, [self._cards[r].slide_id for r in rows if 0 <= r < len(self._cards)])

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
