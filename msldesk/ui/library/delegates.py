"""Painting of slide cards (thumbnail or title placeholder, badges, snippet) and deck rows."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from msldesk.decks.records import DeckStatus
from msldesk.ui.library.badges import badge_colour
from msldesk.ui.library.thumbnail_images import ThumbnailImages
from msldesk.ui.models.deck_list import DeckRole
from msldesk.ui.models.slide_grid import CardRole, SlideCard

THUMB_W, THUMB_H = 208, 117
CARD_W, CARD_H = THUMB_W + 16, THUMB_H + 48
SNIPPET_H = 44

Index = QModelIndex | QPersistentModelIndex


def _draw_badge(painter: QPainter, right: int, top: int, text: str, colour: QColor) -> None:
    font = QFont(painter.font())
    font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
    font.setBold(True)
    painter.setFont(font)
    width = painter.fontMetrics().horizontalAdvance(text) + 10
    rect = QRect(right - width, top, width, painter.fontMetrics().height() + 2)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(rect, 3, 3)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


class SlideCardDelegate(QStyledItemDelegate):
    def __init__(self, images: ThumbnailImages, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.images = images
        self.placeholder_hint = "Thumbnail pending"

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        card: SlideCard | None = index.data(CardRole)
        extra = SNIPPET_H if card is not None and card.snippet else 0
        return QSize(CARD_W, CARD_H + extra)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        card: SlideCard | None = index.data(CardRole)
        if card is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(4, 4, -4, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        painter.setPen(palette.color(QPalette.ColorRole.Highlight) if selected else QColor("#d0d4da"))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 6, 6)

        thumb = QRect(rect.left() + 4, rect.top() + 4, rect.width() - 8, THUMB_H)
        pixmap = self.images.get(card.thumbnail) if card.thumbnail else None
        if pixmap is not None:
            scaled = pixmap
            if pixmap.width() > thumb.width() or pixmap.height() > thumb.height():
                scaled = pixmap.scaled(thumb.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = thumb.left() + (thumb.width() - scaled.width()) // 2
            y = thumb.top() + (thumb.height() - scaled.height()) // 2
            painter.drawPixmap(x, y, scaled)
        else:
            self._paint_placeholder(painter, thumb, card)
        if card.status.blocked:
            # Expired or withdrawn content is marked wherever it appears.
            painter.fillRect(thumb, QColor(255, 255, 255, 120))
        if card.status in (DeckStatus.EXPIRED, DeckStatus.WITHDRAWN, DeckStatus.EXPIRING):
            _draw_badge(
                painter, thumb.right() - 4, thumb.top() + 4, card.status.label, badge_colour(card.status)
            )
        if card.change in ("new", "changed"):
            _draw_badge(painter, thumb.left() + 60, thumb.top() + 4, card.change, QColor("#1565c0"))

        text_top = thumb.bottom() + 4
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        title = metrics.elidedText(
            f"{card.number}. {card.display_title}", Qt.TextElideMode.ElideRight, thumb.width()
        )
        painter.drawText(thumb.left(), text_top + metrics.ascent(), title)
        painter.setFont(option.font)
        metrics = painter.fontMetrics()
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        deck = metrics.elidedText(card.deck_title, Qt.TextElideMode.ElideRight, thumb.width())
        painter.drawText(thumb.left(), text_top + metrics.height() + metrics.ascent(), deck)
        if card.snippet:
            doc = QTextDocument()
            doc.setDefaultFont(option.font)
            doc.setTextWidth(thumb.width())
            doc.setHtml(card.snippet)
            painter.translate(thumb.left(), text_top + 2 * metrics.height() + 2)
            doc.drawContents(painter, QRectF(0, 0, thumb.width(), SNIPPET_H))
        painter.restore()

    def _paint_placeholder(self, painter: QPainter, rect: QRect, card: SlideCard) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#eef1f5"))
        painter.drawRect(rect)
        painter.setPen(QColor("#33475b"))
        font = QFont(painter.font())
        font.setPointSizeF(font.pointSizeF() + 1)
        font.setBold(True)
        painter.setFont(font)
        inner = rect.adjusted(10, 10, -10, -24)
        painter.drawText(inner, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, card.display_title)
        font.setBold(False)
        font.setPointSizeF(max(7.0, font.pointSizeF() - 2.5))
        painter.setFont(font)
        painter.setPen(QColor("#7a8797"))
        painter.drawText(
            rect.adjusted(4, 0, -4, -4),
            Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter,
            self.placeholder_hint,
        )


class DeckRowDelegate(QStyledItemDelegate):
    """A deck row: title and a status badge."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        # Width 1: rows take the view's width and elide; they never force a horizontal scroll bar.
        return QSize(1, option.fontMetrics.height() * 2 + 10)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        deck = index.data(DeckRole)
        if deck is None:
            super().paint(painter, option, index)
            return
        painter.save()
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        rect = option.rect.adjusted(6, 2, -6, -2)
        metrics = option.fontMetrics
        badge_width = metrics.horizontalAdvance(deck.status.label) + 14
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colour_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(option.palette.color(colour_role))
        title = metrics.elidedText(deck.title, Qt.TextElideMode.ElideRight, rect.width() - badge_width - 6)
        painter.drawText(rect.left(), rect.top() + metrics.ascent() + 2, title)
        details = f"{deck.slide_count} slides · v{deck.version}"
        if deck.approval_code:
            details += f" · {deck.approval_code}"
        if deck.thumbnail_state == "failed":
            details += " · no thumbnails"
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        painter.setFont(small)
        painter.drawText(rect.left(), rect.top() + metrics.height() + metrics.ascent() + 2, details)
        _draw_badge(painter, rect.right(), rect.top() + 3, deck.status.label, badge_colour(deck.status))
        painter.restore()
