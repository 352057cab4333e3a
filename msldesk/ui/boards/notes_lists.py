"""ListEditorDialog: edit a short list of words or phrases (add, edit in place, remove, reorder,
optionally restore defaults); the event's theme taxonomy is edited with it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from msldesk.ui.actions import bind
from msldesk.ui.theme import set_role


def clean_list(values: Sequence[str]) -> list[str]:
    """Trimmed, blank-free, and each value once (letter case does not make a new one)."""
    seen: set[str] = set()
    result = []
    for value in values:
        text = " ".join(value.split())
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            result.append(text)
    return result


class ListEditorDialog(QDialog):
    """Double-click or F2 edits a value; Delete removes the selected ones; Alt+Up/Down moves one."""

    def __init__(
        self,
        title: str,
        explanation: str,
        values: Sequence[str],
        defaults: Sequence[str] | None = None,
        reorder: bool = True,
        nouns: tuple[str, str] = ("entry", "entries"),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.nouns = nouns
        self.defaults = list(defaults) if defaults is not None else None
        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.count = QLabel()
        set_role(self.count, "hint")
        self.add_button = QPushButton("Add")
        self.edit_button = QPushButton("Edit")
        self.remove_button = QPushButton("Remove")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        self.restore_button = QPushButton("Restore defaults")
        for button in (self.up_button, self.down_button):
            button.setVisible(reorder)
        self.restore_button.setVisible(self.defaults is not None)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        side = QVBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ):
            button.setAutoDefault(False)
            side.addWidget(button)
        side.addStretch(1)
        self.restore_button.setAutoDefault(False)
        side.addWidget(self.restore_button)
        middle = QHBoxLayout()
        middle.addWidget(self.list, 1)
        middle.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(middle, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.buttons)
        self.resize(480, 420)

        self.set_values(values)
        self.add_button.clicked.connect(self.add_value)
        self.edit_button.clicked.connect(self.edit_current)
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(+1))
        self.restore_button.clicked.connect(self.restore_defaults)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemChanged.connect(self._update_count)
        bind(self.list, "lists.remove", self.remove_selected)
        if reorder:
            bind(self.list, "lists.up", lambda: self.move_current(-1))
            bind(self.list, "lists.down", lambda: self.move_current(+1))
        self._update_buttons()

    def _item(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        return item

    def set_values(self, values: Sequence[str]) -> None:
        self.list.clear()
        for value in values:
            self.list.addItem(self._item(value))
        self._update_count()
        self._update_buttons()

    def values(self) -> list[str]:
        return clean_list([self.list.item(row).text() for row in range(self.list.count())])

    def add_value(self) -> None:
        item = self._item("")
        self.list.addItem(item)
        self.list.setCurrentItem(item)
        self.list.editItem(item)
        self._update_count()

    def edit_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def remove_selected(self) -> None:
        rows = sorted((self.list.row(i) for i in self.list.selectedItems()), reverse=True)
        for row in rows:
            self.list.takeItem(row)
        if rows and self.list.count():
            self.list.setCurrentRow(min(rows[-1], self.list.count() - 1))
        self._update_count()

    def move_current(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)

    def restore_defaults(self) -> None:
        if self.defaults is not None:
            self.set_values(self.defaults)

    def _update_buttons(self) -> None:
        selected = bool(self.list.selectedItems())
        for button in (self.edit_button, self.remove_button, self.up_button, self.down_button):
            button.setEnabled(selected)

    def _update_count(self, *_args: object) -> None:
        n = len(self.values())
        self.count.setText(f"{n} {self.nouns[n != 1]}" if n else "The list is empty.")


class ThemesDialog(ListEditorDialog):
    """The event's theme taxonomy: the order here is the order of the summary's sections."""

    def __init__(self, themes: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(
            "Themes of this meeting",
            "Themes group the insights in the review and in the summary, in this order. While taking "
            "notes, type # to file an entry under one. Themes typed on the fly are added at the end.",
            themes,
            nouns=("theme", "themes"),
            parent=parent,
        )
