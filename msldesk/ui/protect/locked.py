"""LockedPanel: what the window shows when the library could not be unlocked, with a Retry button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

HINT = (
    "Nothing in it was changed, and nothing can be read from it until it is unlocked. "
    "Choose Retry to try again."
)


class LockedPanel(QWidget):
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("The library is locked")
        self.title.setStyleSheet("font-size:20px; font-weight:bold;")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-size:13px;")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color:#5f6368;")
        self.library = QLabel()
        self.library.setStyleSheet("color:#5f6368; font-size:11px;")
        self.library.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setDefault(True)
        self.retry_button.setMinimumWidth(120)
        self.retry_button.setToolTip("Try to open the library again")
        self.retry_button.clicked.connect(self.retry_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        card = QWidget()
        card.setMaximumWidth(620)
        inner = QVBoxLayout(card)
        inner.setSpacing(12)
        inner.addWidget(self.title)
        inner.addWidget(self.message)
        inner.addWidget(self.hint)
        inner.addLayout(buttons)
        inner.addWidget(self.library)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def show_locked(self, message: str, library: str = "") -> None:
        self.message.setText(message)
        self.library.setText(f"Library: {library}" if library else "")
        self.hint.setText(HINT)
        self.retry_button.setEnabled(True)
        self.retry_button.setFocus()

    def set_trying(self) -> None:
        self.retry_button.setEnabled(False)
        self.hint.setText("Opening the library…")
