"""NotesTree: the review tab's tree of note entries, its columns and its keys."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from msldesk.ui.boards.review_model import Column, NotesTreeModel
from msldesk.ui.widgets.table_fit import comfortable_rows


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
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.TEXT, QHeaderView.ResizeMode.Stretch)
        for column, width in ((Column.TIME, 90), (Column.KEY, 26), (Column.KIND, 70), (Column.SPEAKER, 160),
                              (Column.THEMES, 170), (Column.REVIEW, 200)):  # fmt: skip
            self.setColumnWidth(column, width)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.modifiers():
            self.key_pressed.emit()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) and not event.modifiers():
            self.edit_requested.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()
