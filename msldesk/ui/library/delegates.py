"""Painting of slide cards (thumbnail or title placeholder, badges, snippet) and deck rows."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from msldesk.decks.records import DeckStatus
from msldesk.ui.library.badges import TEAM_LABEL, badge_colour, team_badge_colour
from msldesk.ui.library.deck_list_model import DeckRole, DetailsRole
from msldesk.ui.library.slide_grid_model import CardRole, SlideCard
from msldesk.ui.library.thumbnail_images import ThumbnailImages
from msldesk.ui.theme import BADGE_RADIUS, colour, palette

THUMB_W, THUMB_H = 208, 117
CARD_W, CARD_H = THUMB_W + 16, THUMB_H + 48
SNIPPET_H = 44
# Thumbnail widths the grid can zoom between (PNGs are rendered 320 px wide), 16:9 like most decks.
MIN_THUMB_W, MAX_THUMB_W = 120, 320
ELLIPSIS = "…"

Index = QModelIndex | QPersistentModelIndex


def thumb_size(width: int) -> QSize:
    width = max(MIN_THUMB_W, min(MAX_THUMB_W, width))
    return QSize(width, round(width * 9 / 16))


def card_size(thumb: QSize, snippet: bool = False) -> QSize:
    return QSize(thumb.width() + 16, thumb.height() + 48 + (SNIPPET_H if snippet else 0))


def _badge_font(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(max(7.0, small.pointSizeF() - 1.5))
    small.setBold(True)
    return small


def badge_width(font: QFont, text: str) -> int:
    return QFontMetrics(_badge_font(font)).horizontalAdvance(text) + 10


def _draw_badge(painter: QPainter, rect: QRect, text: str, fill: QColor) -> None:
    painter.setFont(_badge_font(painter.font()))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, BADGE_RADIUS, BADGE_RADIUS)
    painter.setPen(colour(palette().on_colour))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def caption_layout(
    text: QRect, line_height: int, badge_widths: Sequence[int]
) -> tuple[QRect, QRect, list[QRect]]:
    """Where a card's caption goes: the title line, the deck line, and the badges, which sit at the
    right of the deck line (never over the thumbnail, where a slide has its title, nor over the
    title line). The deck name gets what the badges leave; badges that do not fit are dropped
    (the tooltip and the preview still say the status)."""
    title = QRect(text.left(), text.top(), text.width(), line_height)
    line = QRect(text.left(), text.top() + line_height, text.width(), line_height)
    badges: list[QRect] = []
    right = line.right()
    for width in badge_widths:
        if right - width < line.left() + min(40, line.width() // 3):
            break  # keep room for a few letters of the deck name
        badges.append(QRect(right - width + 1, line.top() + 1, width, line_height - 2))
        right -= width + 4
    deck = QRect(line.left(), line.top(), max(0, right - line.left()), line_height)
    return title, deck, badges


def elide_html(snippet: str, font: QFont, width: int, height: int) -> str:
    """A snippet (HTML with <b> marks) cut to whole words that fit the box, ending with "…" when cut."""
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setTextWidth(width)
    doc.setDocumentMargin(0)

    def fits(html_text: str) -> bool:
        doc.setHtml(html_text)
        return doc.size().height() <= height

    if fits(snippet):
        return snippet
    pieces = re.findall(r"<[^>]+>|[^<\s]+|\s+", snippet)
    words = [i for i, piece in enumerate(pieces) if not piece.startswith("<") and not piece.isspace()]

    def cut(count: int) -> str:
        end = words[count - 1] + 1 if count else 0
        kept = "".join(pieces[:end]).rstrip(" ,;:.")
        if kept.count("<b>") > kept.count("</b>"):
            kept += "</b>"
        return kept + ELLIPSIS

    low, high = 0, len(words)  # binary search: the most words that fit with the ellipsis
    while low < high:
        middle = (low + high + 1) // 2
        if fits(cut(middle)):
            low = middle
        else:
            high = middle - 1
    return cut(low)


class SlideCardDelegate(QStyledItemDelegate):
    def __init__(self, images: ThumbnailImages, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.images = images
        self.placeholder_hint = "Thumbnail pending"
        self.thumb = QSize(THUMB_W, THUMB_H)
        self._snippets: dict[tuple[str, int], str] = {}  # elided snippets by (html, width)

    def set_thumb_width(self, width: int) -> None:
        self.thumb = thumb_size(width)
        self._snippets.clear()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        card: SlideCard | None = index.data(CardRole)
        return card_size(self.thumb, card is not None and bool(card.snippet))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        card: SlideCard | None = index.data(CardRole)
        if card is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # The card keeps its size and is centred in a cell the grid may have widened to fill a row.
        size = card_size(self.thumb, bool(card.snippet))
        cell = option.rect
        rect = QRect(
            cell.left() + max(0, (cell.width() - size.width()) // 2), cell.top(), size.width(), size.height()
        ).adjusted(4, 4, -4, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        qt, theme = option.palette, palette()
        painter.setPen(qt.color(QPalette.ColorRole.Highlight) if selected else colour(theme.border))
        painter.setBrush(qt.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 6, 6)

        thumb = QRect(rect.left() + 4, rect.top() + 4, rect.width() - 8, self.thumb.height())
        pixmap = self.images.get(card.thumbnail) if card.thumbnail else None
        if pixmap is not None:
            scaled = pixmap
            if pixmap.width() > thumb.width() or pixmap.height() > thumb.height():
                scaled = pixmap.scaled(
                    thumb.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            x = thumb.left() + (thumb.width() - scaled.width()) // 2
            y = thumb.top() + (thumb.height() - scaled.height()) // 2
            painter.drawPixmap(x, y, scaled)
        else:
            self._paint_placeholder(painter, thumb, card)
        if card.status.blocked:
            # Expired or withdrawn content is marked wherever it appears.
            painter.fillRect(thumb, colour(theme.veil))

        badges: list[tuple[str, QColor]] = []
        if card.status in (DeckStatus.EXPIRED, DeckStatus.WITHDRAWN, DeckStatus.EXPIRING):
            badges.append((card.status.label, badge_colour(card.status)))
        if card.change in ("new", "changed"):
            badges.append((card.change, colour(theme.accent)))
        painter.setFont(option.font)
        metrics = painter.fontMetrics()
        text = QRect(thumb.left(), thumb.bottom() + 4, thumb.width(), 2 * metrics.height())
        title_rect, deck_rect, badge_rects = caption_layout(
            text, metrics.height(), [badge_width(option.font, label) for label, _ in badges]
        )
        painter.setPen(qt.color(QPalette.ColorRole.Text))
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        title = painter.fontMetrics().elidedText(
            f"{card.number}. {card.display_title}", Qt.TextElideMode.ElideRight, title_rect.width()
        )
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(option.font)
        painter.setPen(qt.color(QPalette.ColorRole.PlaceholderText))
        deck = metrics.elidedText(card.deck_title, Qt.TextElideMode.ElideRight, deck_rect.width())
        painter.drawText(deck_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, deck)
        for (label, fill), badge in zip(badges, badge_rects, strict=False):
            painter.setFont(option.font)
            _draw_badge(painter, badge, label, fill)
        if card.snippet:
            key = (card.snippet, thumb.width())
            if key not in self._snippets:
                self._snippets[key] = elide_html(card.snippet, option.font, thumb.width(), SNIPPET_H)
            doc = QTextDocument()
            doc.setDefaultFont(option.font)
            doc.setDocumentMargin(0)
            doc.setTextWidth(thumb.width())
            doc.setHtml(self._snippets[key])
            painter.translate(thumb.left(), text.bottom() + 4)
            doc.drawContents(painter, QRectF(0, 0, thumb.width(), SNIPPET_H))
        painter.restore()

    def _paint_placeholder(self, painter: QPainter, rect: QRect, card: SlideCard) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        theme = palette()
        painter.setBrush(colour(theme.surface_alt))
        painter.drawRect(rect)
        painter.setPen(colour(theme.slate))
        font = QFont(painter.font())
        font.setPointSizeF(font.pointSizeF() + 1)
        font.setBold(True)
        painter.setFont(font)
        inner = rect.adjusted(10, 10, -10, -24)
        painter.drawText(inner, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, card.display_title)
        font.setBold(False)
        font.setPointSizeF(max(7.0, font.pointSizeF() - 2.5))
        painter.setFont(font)
        painter.setPen(colour(theme.faint))
        painter.drawText(
            rect.adjusted(4, 0, -4, -4),
            Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter,
            self.placeholder_hint,
        )


class DeckRowDelegate(QStyledItemDelegate):
    """A deck row: title and a status badge, then the model's details line (count, version, and the
    file name where another deck has the same title); both lines elided, in full in the tooltip."""

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
        badge = badge_width(option.font, deck.status.label)
        # A narrow list (a small screen, scale 2) keeps room for the title: the badge becomes a
        # coloured dot, and the status is still in the tooltip and the deck details.
        narrow = rect.width() - badge < metrics.averageCharWidth() * 12
        if narrow:
            badge = metrics.height() // 2
        # A Team deck (from the team hub) says so beside its status, where there is room for both.
        team = badge_width(option.font, TEAM_LABEL) + 4 if deck.is_team and not narrow else 0
        if team and rect.width() - badge - team < metrics.averageCharWidth() * 12:
            team = 0
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colour_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(option.palette.color(colour_role))
        title = metrics.elidedText(deck.title, Qt.TextElideMode.ElideRight, rect.width() - badge - team - 10)
        painter.drawText(rect.left(), rect.top() + metrics.ascent() + 2, title)
        details = str(index.data(DetailsRole) or "")
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        painter.setFont(small)
        details = QFontMetrics(small).elidedText(details, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect.left(), rect.top() + metrics.height() + metrics.ascent() + 2, details)
        painter.setFont(option.font)
        if narrow:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(badge_colour(deck.status))
            painter.drawEllipse(QRect(rect.right() - badge, rect.top() + 3 + badge // 2, badge, badge))
        else:
            height = QFontMetrics(_badge_font(option.font)).height() + 2
            place = QRect(rect.right() - badge, rect.top() + 3, badge, height)
            _draw_badge(painter, place, deck.status.label, badge_colour(deck.status))
            if team:
                place = QRect(rect.right() - badge - team, rect.top() + 3, team - 4, height)
                _draw_badge(painter, place, TEAM_LABEL, team_badge_colour())
        painter.restore()
