"""EventListModel: the events of one period (upcoming or past) for the list on the left, and how a
row is painted (title; date and time in the event's zone; kind, status and who accepted)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from msldesk.boards.records import Event
from msldesk.ui.boards.formatting import event_when
from msldesk.ui.theme import colour, event_status_colours, palette
from msldesk.ui.widgets.fields import label_text

EventRole = Qt.ItemDataRole.UserRole + 1
EventIdRole = Qt.ItemDataRole.UserRole + 2
WhenRole = Qt.ItemDataRole.UserRole + 3  # "Tue 14 Oct 2025, 09:00–17:00 CEST"
FactsRole = Qt.ItemDataRole.UserRole + 4  # "Advisory board · Confirmed · 3/5 accepted"

Index = QModelIndex | QPersistentModelIndex


def event_facts(event: Event) -> str:
    f = event.fields
    return f"{f.kind.label} · {f.status.label} · {event.counts.accepted}/{event.counts.external} accepted"


class EventListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events: list[Event] = []

    def set_events(self, events: list[Event]) -> None:
        """The same events in the same order are updated in place (selection and scrolling stay)."""
        if self._events and [e.event_id for e in events] == [e.event_id for e in self._events]:
            self._events = list(events)
            self.dataChanged.emit(self.index(0), self.index(len(self._events) - 1))
            return
        self.beginResetModel()
        self._events = list(events)
        self.endResetModel()

    def events(self) -> list[Event]:
        return list(self._events)

    def event_at(self, row: int) -> Event | None:
        return self._events[row] if 0 <= row < len(self._events) else None

    def row_of(self, event_id: int | None) -> int:
        return next((r for r, e in enumerate(self._events) if e.event_id == event_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        event = self._events[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return event.title
        if role == Qt.ItemDataRole.ToolTipRole:
            f = event.fields
            place = f.venue or f.virtual_link
            lines = [event.title, event_when(f), event_facts(event)]
            return label_text("\n".join([*lines, place] if place else lines))
        if role == EventRole:
            return event
        if role == EventIdRole:
            return event.event_id
        if role == WhenRole:
            return event_when(event.fields)
        if role == FactsRole:
            return event_facts(event)
        return None


class EventRowDelegate(QStyledItemDelegate):
    """Three lines per event: bold title, when, then kind · status · accepted/total."""

    PAD = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        line = option.fontMetrics.height()
        return QSize(200, 3 * line + 2 * self.PAD + 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        event: Event | None = index.data(EventRole)
        if event is None:
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        qt, look = option.palette, palette()
        if selected:
            painter.fillRect(option.rect, qt.color(QPalette.ColorRole.Highlight))
        text_colour = qt.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        line = option.fontMetrics.height()
        rect = option.rect.adjusted(self.PAD + 2, self.PAD, -self.PAD, -self.PAD)
        title_font = QFont(option.font)
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(text_colour)
        elide = painter.fontMetrics().elidedText
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            elide(event.title, Qt.TextElideMode.ElideRight, rect.width()),
        )
        painter.setFont(option.font)
        muted = text_colour if selected else colour(look.muted)
        painter.setPen(muted)
        when = index.data(WhenRole) or ""
        painter.drawText(
            QRect(rect.left(), rect.top() + line + 2, rect.width(), line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(when, Qt.TextElideMode.ElideRight, rect.width()),
        )
        status = colour(event_status_colours(look).get(event.fields.status, look.slate))
        painter.setPen(text_colour if selected else status)
        facts = index.data(FactsRole) or ""
        painter.drawText(
            QRect(rect.left(), rect.top() + 2 * line + 4, rect.width(), line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(facts, Qt.TextElideMode.ElideRight, rect.width()),
        )
        painter.setPen(colour(look.border))
        painter.drawLine(option.rect.bottomLeft(), option.rect.bottomRight())
        painter.restore()
