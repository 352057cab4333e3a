"""SlideGrid: the library's slide sorter — zoomable cards in as many columns as the width holds."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from msldesk.ui.library.delegates import (
    MAX_THUMB_W,
    MIN_THUMB_W,
    THUMB_W,
    SlideCardDelegate,
    card_size,
    thumb_size,
)
from msldesk.ui.library.slide_grid_model import SlideGridModel
from msldesk.ui.library.thumbnail_images import ThumbnailImages

ZOOM_STEP = 20  # pixels of thumbnail width per wheel notch
SPACING = 4


class SlideGrid(QListView):
    zoomed = Signal(int)  # the new thumbnail width

    def __init__(self, model: SlideGridModel, images: ThumbnailImages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(False)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(200)
        self.setSpacing(SPACING)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setModel(model)
        self.cards = SlideCardDelegate(images, self)
        self.setItemDelegate(self.cards)
        self.grid_model = model
        self._snippets = False
        self._end_pending = False
        model.loaded.connect(self._on_model_loaded)
        model.modelReset.connect(self._on_model_reset)
        self._fit()

    # ---- size ---------------------------------------------------------------------------------

    @property
    def thumb_width(self) -> int:
        return self.cards.thumb.width()

    def set_thumb_width(self, width: int) -> None:
        width = max(MIN_THUMB_W, min(MAX_THUMB_W, width))
        if width == self.thumb_width:
            return
        self.cards.set_thumb_width(width)
        self._fit()
        self.zoomed.emit(width)

    def set_snippets(self, shown: bool) -> None:
        """Search results carry a snippet under each card: they get taller cells."""
        if shown != self._snippets:
            self._snippets = shown
            self._fit()

    def columns(self) -> int:
        card = card_size(self.cards.thumb).width() + SPACING
        return max(1, self.viewport().width() // card)

    def _fit(self) -> None:
        """Cells share the row's width out evenly, as PowerPoint's slide sorter does: the columns
        follow the window, with no wide empty strip at the right."""
        card = card_size(self.cards.thumb, self._snippets)
        width = max(card.width(), self.viewport().width() // self.columns() - 2 * SPACING)
        self.setGridSize(QSize(width, card.height() + SPACING))
        # At least a row of cards (the deck builder's tray below shrinks first when the window is
        # short), but never more than a row of the usual size without a snippet: zooming in or
        # searching must not make the window taller than a small screen.
        row = card_size(thumb_size(min(self.thumb_width, THUMB_W))).height()
        self.setMinimumHeight(row + 2 * SPACING + 2 * self.frameWidth())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            notches = event.angleDelta().y() / 120
            if notches:
                self.set_thumb_width(self.thumb_width + round(notches * ZOOM_STEP))
            event.accept()
            return
        super().wheelEvent(event)

    def reset_zoom(self) -> None:
        self.set_thumb_width(THUMB_W)

    # ---- keyboard -----------------------------------------------------------------------------

    def moveCursor(
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        # End and Ctrl+End mean the end of the library: not of the pages loaded so far (the rest
        # is fetched and the cursor follows), nor of the rows a batched layout has placed yet,
        # which is where QListView's own MoveEnd stops.
        if action == QAbstractItemView.CursorAction.MoveEnd:
            if self.grid_model.has_more():
                self._end_pending = True
                self.grid_model.fetch_all()
            return self.grid_model.index(self.grid_model.rowCount() - 1)
        return super().moveCursor(action, modifiers)

    def _on_model_reset(self) -> None:
        self._end_pending = False  # another listing: an earlier End no longer applies

    def _on_model_loaded(self) -> None:
        if self._end_pending and not self.grid_model.has_more():
            self._end_pending = False
            last = self.grid_model.index(self.grid_model.rowCount() - 1)
            if last.isValid():
                self.selectionModel().setCurrentIndex(last, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                self.scrollTo(last)
