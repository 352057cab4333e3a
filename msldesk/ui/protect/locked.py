"""LockedPanel: what the window shows when the library could not be unlocked, with a Retry button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from msldesk.ui.theme import set_role

HINT = (
    "Nothing in it was changed, and nothing can be read from it until it is unlocked. "
    "Choose Retry to try again."
)


def card_labels(title: str, hint: str) -> tuple[QLabel, QLabel, QLabel]:
    """The title, message (selectable, for copying) and hint of a panel standing in for the sections."""
    title_label = QLabel(title)
    set_role(title_label, "display")
    message = QLabel()
    message.setWordWrap(True)
    set_role(message, "lead")
    message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    hint_label = QLabel(hint)
    hint_label.setWordWrap(True)
    set_role(hint_label, "hint")
    return title_label, message, hint_label


def center_card(panel: QWidget, rows: list[QWidget | list[QWidget]], max_width: int) -> None:
    """Lay out a panel that stands in for the window's sections: a card of rows (a list is a row of
    buttons), centred, a little above the middle."""
    card = QWidget()
    card.setMaximumWidth(max_width)
    inner = QVBoxLayout(card)
    inner.setSpacing(12)
    for item in rows:
        if isinstance(item, list):
            buttons = QHBoxLayout()
            for button in item:
                buttons.addWidget(button)
            buttons.addStretch(1)
            inner.addLayout(buttons)
        else:
            inner.addWidget(item)
    outer = QVBoxLayout(panel)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card, 3)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)


class LockedPanel(QWidget):
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title, self.message, self.hint = card_labels("The library is locked", HINT)
        self.library = QLabel()
        set_role(self.library, "small")
        self.library.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setDefault(True)
        self.retry_button.setMinimumWidth(120)
        self.retry_button.setToolTip("Try to open the library again")
        self.retry_button.clicked.connect(self.retry_requested)
        center_card(self, [self.title, self.message, self.hint, [self.retry_button], self.library], 620)

    def show_locked(self, message: str, library: str = "") -> None:
        self.message.setText(message)
        self.library.setText(f"Library: {library}" if library else "")
        self.hint.setText(HINT)
        self.retry_button.setEnabled(True)
        self.retry_button.setFocus()

    def set_trying(self) -> None:
        self.retry_button.setEnabled(False)
        self.hint.setText("Opening the library…")
