"""NotesTree: the review tab's tree of note entries, its columns and its keys."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from msldesk.ui.boards.review_model import Column, NotesTreeModel
from msldesk.ui.widgets.table_fit import comfortable_rows, fit_columns, stretch_column


class NotesTree(QTreeView):
    """Space marks key insights and Return edits, instead of the view's own uses of those keys."""

    key_pressed = Signal()
    edit_requested = Signal()

    def __init__(self, model: NotesTreeModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        comfortable_rows(self)
        self.setAllColumnsShowFocus(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Measured with the view's font (not fixed pixels); the entry's words get the room left.
        fit_columns(self, {Column.TIME: "\u2003\u200300:00", Column.KEY: "", Column.KIND: "Question",
                           Column.SPEAKER: "Amelia Hart-Lovelace", Column.THEMES: "Sequencing, Re-challenge",
                           Column.REVIEW: "Needs review: superior to"},
                    bold=(Column.REVIEW,))  # "Needs review" is drawn in bold  # fmt: skip
        stretch_column(self, Column.TEXT, "Most centres switch to docetaxel-based")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.modifiers():
            self.key_pressed.emit()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) and not event.modifiers():
            self.edit_requested.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()
