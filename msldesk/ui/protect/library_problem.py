"""LibraryProblemPanel: what the window shows when the library's database is missing or damaged, with
the three ways on: restore the newest backup, choose another folder, quit."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QWidget

from msldesk.ui.protect.locked import card_labels, center_card

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
        self.title, self.message, self.hint = card_labels("", HINT)
        self.restore_button = QPushButton("Restore from the newest backup")
        self.restore_button.setDefault(True)
        self.restore_button.clicked.connect(self.restore_requested)
        self.choose_button = QPushButton("Choose another folder…")
        self.choose_button.setToolTip("Open a library kept in another folder")
        self.choose_button.clicked.connect(self.choose_folder_requested)
        self.quit_button = QPushButton("Quit")
        self.quit_button.clicked.connect(self.quit_requested)
        buttons: list[QWidget] = [self.restore_button, self.choose_button, self.quit_button]
        center_card(self, [self.title, self.message, self.hint, buttons], 680)

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
