"""The People section: the directory of healthcare professionals and colleagues, search, merge, import."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from msldesk.ui.context import AppContext


class PeopleView(QWidget):
    status_message = Signal(str)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("People"))

    def focus_search(self) -> None:
        """Put the keyboard in this section's main list or search field."""
