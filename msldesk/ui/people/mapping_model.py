"""MappingModel: one row per column of an imported file, the person field it fills, and a sample value;
TargetDelegate edits the field with a combo box that stays open on every row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from msldesk.boards.intake.mapping import TARGETS
from msldesk.ui.theme import colour, palette

IGNORE_LABEL = "(ignore)"
TargetRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex

_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split into first and last)",
    "credentials": "Credentials (MD, PhD…)",
    "state": "State / province",
    "email": "Email",
    "phone": "Phone",
    "npi": "NPI",
    "tier": "FMV tier",
    "consent_to_contact": "Consent to contact",
    "role": "Role at the event",
    "invitation": "Invitation / RSVP",
}


def target_label(target: str) -> str:
    if not target:
        return IGNORE_LABEL
    return _LABELS.get(target, target.replace("_", " ").capitalize())


# (target, label) in the order the combo lists them: "(ignore)" first.
TARGET_CHOICES: tuple[tuple[str, str], ...] = (
    ("", IGNORE_LABEL),
    *((t, target_label(t)) for t in TARGETS),
)
HEADER_COLUMN, TARGET_COLUMN, SAMPLE_COLUMN = 0, 1, 2


class MappingModel(QAbstractTableModel):
    mapping_changed = Signal()  # the user chose another field for a column

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._targets: dict[str, str] = {}
        self._samples: dict[str, str] = {}

    def set_mapping(
        self, headers: Sequence[str], mapping: Mapping[str, str], samples: Mapping[str, str]
    ) -> None:
        self.beginResetModel()
        self._headers = list(dict.fromkeys(headers))
        self._targets = {h: mapping.get(h, "") or "" for h in self._headers}
        self._samples = dict(samples)
        self.endResetModel()

    def mapping(self) -> dict[str, str]:
        return dict(self._targets)

    def headers(self) -> list[str]:
        return list(self._headers)

    def row_of(self, header: str) -> int:
        return self._headers.index(header) if header in self._headers else -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return (
                ("Column in the file", "Fills", "Example from the file")[section]
                if 0 <= section < 3
                else None
            )
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsEditable if index.column() == TARGET_COLUMN else flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._headers) or not 0 <= index.column() < 3:
            return None
        header = self._headers[index.row()]
        target = self._targets[header]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == HEADER_COLUMN:
                return header
            if column == TARGET_COLUMN:
                return target_label(target)
            sample = self._samples.get(header, "")
            return sample if role == Qt.ItemDataRole.ToolTipRole else sample.replace("\n", " ⏎ ")[:80]
        if role in (Qt.ItemDataRole.EditRole, TargetRole) and column == TARGET_COLUMN:
            return target
        if role == Qt.ItemDataRole.ForegroundRole and not target and column != TARGET_COLUMN:
            return colour(palette().faint)  # ignored columns fade back
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role not in (Qt.ItemDataRole.EditRole, TargetRole) or index.column() != TARGET_COLUMN:
            return False
        if not 0 <= index.row() < len(self._headers):
            return False
        value = value or ""
        if value not in TARGETS and value != "":
            return False
        header = self._headers[index.row()]
        if self._targets[header] == value:
            return True
        self._targets[header] = value
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), 2))
        self.mapping_changed.emit()
        return True


class TargetDelegate(QStyledItemDelegate):
    """A combo box of person fields; a choice is written to the model at once."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        for target, label in TARGET_CHOICES:
            combo.addItem(label, target)
        combo.setMaxVisibleItems(len(TARGET_CHOICES))
        # Connected after filling, so only a real choice commits.
        combo.currentIndexChanged.connect(lambda _i, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        position = editor.findData(index.data(TargetRole) or "")
        # Quietly: Qt fills a new editor before the view knows it, and committing then would warn.
        editor.blockSignals(True)
        editor.setCurrentIndex(max(position, 0))
        editor.blockSignals(False)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData() or "", Qt.ItemDataRole.EditRole)
