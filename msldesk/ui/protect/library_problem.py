"""LibraryProblemPanel: what the window shows when the library's database is missing or damaged, with
the three ways on: restore the newest backup, choose another folder, quit."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

HINT = (
    "msldesk did not start a new, empty library in its place: your data is in your backups. "
    "Restoring checks the whole backup first."
)


class LibraryProblemPanel(QWidget):
    restore_requested = Signal()
    choose_folder_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setStyleSheet("font-size:20px; font-weight:bold;")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-size:13px;")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color:#5f6368;")
        self.restore_button = QPushButton("Restore from the newest backup")
        self.restore_button.setDefault(True)
        self.restore_button.clicked.connect(self.restore_requested)
        self.choose_button = QPushButton("Choose another folder…")
        self.choose_button.setToolTip("Open a library kept in another folder")
        self.choose_button.clicked.connect(self.choose_folder_requested)
        self.quit_button = QPushButton("Quit")
        self.quit_button.clicked.connect(self.quit_requested)
        buttons = QHBoxLayout()
        for button in (self.restore_button, self.choose_button, self.quit_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        card = QWidget()
        card.setMaximumWidth(680)
        inner = QVBoxLayout(card)
        inner.setSpacing(12)
        inner.addWidget(self.title)
        inner.addWidget(self.message)
        inner.addWidget(self.hint)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def show_problem(self, title: str, message: str, newest_backup: Path | None) -> None:
        self.title.setText(title)
        self.message.setText(message)
        self.hint.setText(HINT if newest_backup is not None else "There is no backup in this library folder.")
        self.restore_button.setEnabled(newest_backup is not None)
        self.restore_button.setToolTip(str(newest_backup) if newest_backup is not None else "")
        self.choose_button.setEnabled(True)
        (self.restore_button if newest_backup is not None else self.choose_button).setFocus()

    def set_busy(self, text: str) -> None:
        self.restore_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.hint.setText(text)
