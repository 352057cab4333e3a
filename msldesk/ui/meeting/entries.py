"""EntryListModel and its delegate: the meeting's entries, oldest first, each with its kind, time,
speaker, themes, flag and edits; a small heading where the agenda item changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from msldesk.boards.records import EntryKind, NoteEntry
from msldesk.core.clock import short_date
from msldesk.ui.meeting.state import local_clock
from msldesk.ui.theme import RADIUS, colour, entry_kind_colours, palette

Index = QModelIndex | QPersistentModelIndex
EntryRole = Qt.ItemDataRole.UserRole + 1
EntryIdRole = Qt.ItemDataRole.UserRole + 2
HeadingRole = Qt.ItemDataRole.UserRole + 3  # the agenda item's name above its first entry, else ""
FactsRole = Qt.ItemDataRole.UserRole + 4  # "10:42 · Avery Demo-Lindqvist (chair) · #Dosing · …"
MAX_TEXT_LINES = 4


class EntryListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[NoteEntry] = []
        self._item_names: dict[int, str] = {}
        self._zone: dt.tzinfo = dt.UTC

    def set_context(self, item_names: dict[int, str], zone: dt.tzinfo) -> None:
        """Names of the agenda items ("2. Data review") and the event's zone, for display."""
        if item_names != self._item_names or zone != self._zone:
            self._item_names, self._zone = dict(item_names), zone
            if self._entries:
                self.dataChanged.emit(self.index(0), self.index(len(self._entries) - 1))

    def set_entries(self, entries: list[NoteEntry] | tuple[NoteEntry, ...]) -> None:
        """Entries added at the end are inserted and changed ones updated in place (the scroll
        position and selection stay); anything else resets the list."""
        new_ids = [e.entry_id for e in entries]
        old_ids = [e.entry_id for e in self._entries]
        if not old_ids or new_ids[: len(old_ids)] != old_ids:
            self.beginResetModel()
            self._entries = list(entries)
            self.endResetModel()
            return
        for row, entry in enumerate(entries[: len(old_ids)]):
            if entry != self._entries[row]:
                self._entries[row] = entry
                self.dataChanged.emit(self.index(row), self.index(row))
        if len(new_ids) > len(old_ids):
            self.beginInsertRows(QModelIndex(), len(old_ids), len(new_ids) - 1)
            self._entries.extend(entries[len(old_ids) :])
            self.endInsertRows()

    def put_entry(self, entry: NoteEntry) -> None:
        """One entry filed or edited here: update it, or add it at the end."""
        row = self.row_of(entry.entry_id)
        if row >= 0:
            self._entries[row] = entry
            self.dataChanged.emit(self.index(row), self.index(row))
            return
        self.beginInsertRows(QModelIndex(), len(self._entries), len(self._entries))
        self._entries.append(entry)
        self.endInsertRows()

    def entries(self) -> list[NoteEntry]:
        return list(self._entries)

    def entry(self, row: int) -> NoteEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def row_of(self, entry_id: int) -> int:
        return next((r for r, e in enumerate(self._entries) if e.entry_id == entry_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.text
        if role == EntryRole:
            return entry
        if role == EntryIdRole:
            return entry.entry_id
        if role == HeadingRole:
            return self._heading(index.row())
        if role == FactsRole:
            return self.facts(entry)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(entry)
        return None

    def _heading(self, row: int) -> str:
        item_id = self._entries[row].fields.agenda_item_id
        if row > 0 and self._entries[row - 1].fields.agenda_item_id == item_id:
            return ""
        return self._item_names.get(item_id or 0, "Before the agenda started" if item_id is None else "")

    def facts(self, entry: NoteEntry) -> str:
        f = entry.fields
        parts = [local_clock(entry.created_at, self._zone)]
        if entry.speaker_name:
            parts.append(entry.speaker_name + (f" ({entry.speaker_role})" if entry.speaker_role else ""))
        if f.kind is EntryKind.ACTION:
            owner = entry.owner_name or "no owner"
            parts.append(f"→ {owner}" + (f", due {short_date(f.due)}" if f.due else ""))
        if f.themes:
            parts.append(" ".join(f"#{t}" for t in f.themes))
        if entry.amendments:
            last = entry.amendments[-1]
            count = len(entry.amendments)
            parts.append(
                f"amended {local_clock(last.created_at, self._zone)}" + (f" (×{count})" if count > 1 else "")
            )
        elif entry.edited_at is not None:
            parts.append(f"edited {local_clock(entry.edited_at, self._zone)}")
        if f.key:
            parts.append("★ key")
        return " · ".join(p for p in parts if p)

    def _tooltip(self, entry: NoteEntry) -> str:
        lines = [entry.text]
        if entry.amendments:
            lines.append(f"\nOriginal: {entry.fields.text}")
            for a in entry.amendments:
                reason = f" — {a.reason}" if a.reason else ""
                lines.append(f"Amended {local_clock(a.created_at, self._zone)}: {a.text}{reason}")
        if entry.flag_terms:
            lines.append("\nRestricted terms: " + ", ".join(entry.flag_terms))
        lines.append("\nDouble-click to edit")
        return "\n".join(lines)


class EntryDelegate(QStyledItemDelegate):
    """A kind badge, the facts line and the text (up to four lines), with a heading where the
    agenda item changes."""

    PAD = 6
    BADGE_WIDTH = 74

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.view = view
        # The list lays out every row again when one is added; with hundreds of entries measuring
        # wrapped text each time stalled typing (~15 ms per entry filed), so heights are remembered.
        self._heights: dict[tuple[str, bool], int] = {}
        self._heights_width = 0

    def _text_width(self) -> int:
        return max(120, self.view.viewport().width() - self.BADGE_WIDTH - 3 * self.PAD)

    def _text_height(self, font_metrics: QFontMetrics, text: str) -> int:
        line = font_metrics.lineSpacing()
        bound = font_metrics.boundingRect(
            QRect(0, 0, self._text_width(), line * MAX_TEXT_LINES), Qt.TextFlag.TextWordWrap, text
        )
        return min(max(bound.height(), line), line * MAX_TEXT_LINES)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        width = self._text_width()
        if width != self._heights_width or len(self._heights) > 20_000:
            self._heights.clear()
            self._heights_width = width
        key = (index.data() or "", bool(index.data(HeadingRole)))
        height = self._heights.get(key)
        if height is None:
            metrics = option.fontMetrics
            height = 2 * self.PAD + metrics.height() + 2 + self._text_height(metrics, key[0])
            if key[1]:
                height += metrics.height() + 8
            self._heights[key] = height
        return QSize(width, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        entry: NoteEntry | None = index.data(EntryRole)
        if entry is None:
            return
        painter.save()
        qt, look = option.palette, palette()
        metrics = option.fontMetrics
        line = metrics.height()
        rect = option.rect
        heading = index.data(HeadingRole)
        if heading:
            band = QRect(rect.left(), rect.top(), rect.width(), line + 8)
            painter.fillRect(band, colour(look.surface_alt))
            font = QFont(option.font)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(colour(look.text))
            painter.drawText(
                band.adjusted(self.PAD + 2, 0, -self.PAD, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                painter.fontMetrics().elidedText(heading, Qt.TextElideMode.ElideRight, band.width() - 16),
            )
            rect = rect.adjusted(0, line + 8, 0, 0)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, qt.color(QPalette.ColorRole.Highlight))
        elif entry.flagged:
            painter.fillRect(rect, colour(look.error_tint))
        text_colour = qt.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        body = rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)

        # The kind badge.
        badge = QRect(body.left(), body.top(), self.BADGE_WIDTH - self.PAD, line + 2)
        fill = colour(entry_kind_colours(look).get(entry.kind, look.muted))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(badge, RADIUS, RADIUS)
        small = QFont(option.font)
        small.setBold(True)
        small.setPointSizeF(max(6.0, option.font.pointSizeF() * 0.8))
        painter.setFont(small)
        painter.setPen(colour(look.on_colour))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, entry.kind.label.upper())

        left = body.left() + self.BADGE_WIDTH
        width = body.right() - left
        # The facts line, then the flag mark at its right end.
        painter.setFont(option.font)
        flag = ""
        if entry.flag_terms:
            flag = ("⚠ " if entry.flagged else "✓ ") + ", ".join(entry.flag_terms)
        flag_width = min(metrics.horizontalAdvance(flag) + 4, width // 2) if flag else 0
        muted = colour(look.muted)
        painter.setPen(text_colour if selected else muted)
        facts = index.data(FactsRole) or ""
        painter.drawText(
            QRect(left, body.top(), width - flag_width - 8, line + 2),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(facts, Qt.TextElideMode.ElideRight, width - flag_width - 8),
        )
        if flag:
            painter.setPen(text_colour if selected else (colour(look.error) if entry.flagged else muted))
            painter.drawText(
                QRect(body.right() - flag_width, body.top(), flag_width, line + 2),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(flag, Qt.TextElideMode.ElideRight, flag_width),
            )
        # The text.
        painter.setPen(text_colour)
        text_rect = QRect(left, body.top() + line + 4, width, self._text_height(metrics, entry.text))
        painter.drawText(text_rect, int(Qt.TextFlag.TextWordWrap), entry.text)
        painter.setPen(colour(look.border))
        painter.drawLine(option.rect.bottomLeft(), option.rect.bottomRight())
        painter.restore()
