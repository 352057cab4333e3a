"""In-place editors for the Boards tables: a combo box where the model offers choices, a spin box
with sensible limits where it offers them, the default editor otherwise."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

ChoicesRole = Qt.ItemDataRole.UserRole + 40  # list[(label, value)] the cell may take
LimitsRole = Qt.ItemDataRole.UserRole + 41  # (minimum, maximum, decimals) of a number cell

Index = QModelIndex | QPersistentModelIndex


def _opaque(editor: QWidget) -> QWidget:
    """An editor that paints its own background, so the cell's text does not show through it."""
    editor.setAutoFillBackground(True)
    return editor


class BoardsDelegate(QStyledItemDelegate):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        choices = index.data(ChoicesRole)
        if choices is not None:
            combo = QComboBox(parent)
            for label, value in choices:
                combo.addItem(label, value)
            # One click chooses: commit as soon as an entry is picked, like a menu.
            combo.activated.connect(lambda _i, c=combo: self._commit_and_close(c))
            return _opaque(combo)
        limits = index.data(LimitsRole)
        if limits is not None:
            low, high, decimals = limits
            spin: QSpinBox | QDoubleSpinBox
            if decimals:
                spin = QDoubleSpinBox(parent)
                spin.setDecimals(decimals)
            else:
                spin = QSpinBox(parent)
            spin.setRange(low, high)
            spin.setFrame(False)
            # No arrows in a narrow cell (they covered the digits); Up/Down and the wheel still step.
            spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
            spin.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return _opaque(spin)
        return _opaque(super().createEditor(parent, option, index))

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: Index) -> None:
        # The whole cell, however tall the editor would like to be: nothing of the cell shows around it.
        editor.setGeometry(option.rect)

    def _commit_and_close(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value: Any = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            row = editor.findData(value)
            editor.setCurrentIndex(max(row, 0))
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value or 0))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value or 0))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, (QDoubleSpinBox, QSpinBox)):
            editor.interpretText()
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)
