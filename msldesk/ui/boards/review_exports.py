"""ExportStatus: the strip under the event's heading that follows an export: progress and Cancel while
it runs, then where the file went with "Open folder", or that it was cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QToolButton, QWidget


class ExportStatus(QFrame):
    cancel_requested = Signal()
    open_folder_requested = Signal(object)  # Path of the written file

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportStatus")
        self.setStyleSheet(
            "#exportStatus { background:#eef3fb; border:1px solid #c6d5ee; border-radius:4px; }"
        )
        self.path: Path | None = None
        self.message = QLabel()
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the export; nothing is written")
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip("Show the file in its folder")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Hide this message")
        self.close_button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 3, 3, 3)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.open_button)
        layout.addWidget(self.close_button)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.close_button.clicked.connect(self.hide)
        self.hide()

    @property
    def running(self) -> bool:
        return self.isVisibleTo(self.parentWidget()) and self.cancel_button.isVisibleTo(self)

    def start(self, text: str) -> None:
        self.path = None
        self.message.setText(text)
        self.message.setToolTip("")
        self.progress.setRange(0, 0)  # busy until the first progress report
        self._show(running=True)

    def progressed(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        if message:
            self.progress.setToolTip(message)

    def succeeded(self, path: Path, text: str, warnings: Sequence[str] = ()) -> None:
        self.path = path
        self.message.setText(text)
        self.message.setToolTip("Please check:\n" + "\n".join(f"• {w}" for w in warnings) if warnings else "")
        self._show(running=False)
        self.open_button.show()

    def stopped(self, text: str) -> None:
        """Cancelled or failed: say so, without a file to open."""
        self.path = None
        self.message.setText(text)
        self.message.setToolTip("")
        self._show(running=False)

    def _show(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.open_button.hide()
        self.close_button.setVisible(not running)
        self.show()

    def _on_open_button_clicked(self) -> None:
        if self.path is not None:
            self.open_folder_requested.emit(self.path)
