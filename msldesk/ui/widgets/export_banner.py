"""ExportBanner: how every export (and every backup) ends. A strip (never a blocking dialog) that
follows the export: progress and Cancel while it runs, then where the file went with *Open* and *Show
in folder*, any warnings in plain sight, or that it was cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from msldesk.ui.theme import set_role

# Hands a file or folder to the desktop; tests replace it so nothing is launched.
open_url = QDesktopServices.openUrl


MAX_WARNINGS_SHOWN = 3


class ExportBanner(QFrame):
    cancel_requested = Signal()
    opened = Signal(object)  # Path handed to the desktop (the file, or its folder)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportBanner")  # the theme's look of a banner
        self.path: Path | None = None
        self.message = QLabel()
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the export; nothing is written")
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(self.warnings, "caution")
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Open the file with its usual application")
        self.reveal_button = QPushButton("Show in folder")
        self.reveal_button.setToolTip("Open the folder the file was saved in")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Hide this message")
        self.close_button.setAutoRaise(True)
        texts = QVBoxLayout()
        texts.setContentsMargins(0, 0, 0, 0)
        texts.addWidget(self.message)
        texts.addWidget(self.warnings)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 3, 3, 3)
        layout.addLayout(texts, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.open_button)
        layout.addWidget(self.reveal_button)
        layout.addWidget(self.close_button)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.reveal_button.clicked.connect(self._on_reveal_button_clicked)
        self.close_button.clicked.connect(self.hide)
        self.hide()

    @property
    def running(self) -> bool:
        parent = self.parentWidget()  # Qt reads isVisibleTo(no parent) as isVisible()
        shown = self.isVisibleTo(parent) if parent is not None else self.isVisible()
        return shown and self.cancel_button.isVisibleTo(self)

    def start(self, text: str) -> None:
        self.path = None
        self.message.setText(text)
        self.message.setToolTip("")
        self._set_warnings(())
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setEnabled(True)
        self._show(running=True)

    def stopping(self, text: str = "Stopping…") -> None:
        """Cancel was asked for; the job has not answered yet (it may still finish)."""
        self.message.setText(text)
        self.cancel_button.setEnabled(False)

    def progressed(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        if message:
            self.progress.setToolTip(message)

    def succeeded(self, path: Path, text: str, warnings: Sequence[str] = (), openable: bool = True) -> None:
        """Done: `path` was written. `openable` False for a file no desktop application opens
        usefully (a backup): then only *Show in folder*."""
        self.path = path
        self.message.setText(text)
        self.message.setToolTip("")
        self._set_warnings(warnings)
        self._show(running=False)
        self.open_button.setVisible(openable)
        self.reveal_button.show()

    def _set_warnings(self, warnings: Sequence[str]) -> None:
        """Readable without hovering: the first few in the banner, all of them in the tooltip."""
        shown = [f"• {w}" for w in warnings[:MAX_WARNINGS_SHOWN]]
        if len(warnings) > MAX_WARNINGS_SHOWN:
            shown.append(f"… and {len(warnings) - MAX_WARNINGS_SHOWN} more (hover to see all)")
        self.warnings.setText("Please check:\n" + "\n".join(shown) if warnings else "")
        self.warnings.setToolTip("\n".join(f"• {w}" for w in warnings))
        self.warnings.setVisible(bool(warnings))

    def stopped(self, text: str) -> None:
        """Cancelled or failed: say so, without a file to open."""
        self.path = None
        self.message.setText(text)
        self.message.setToolTip("")
        self._set_warnings(())
        self._show(running=False)

    def _show(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.open_button.hide()
        self.reveal_button.hide()
        self.close_button.setVisible(not running)
        self.show()

    def open_path(self, path: Path) -> None:
        open_url(QUrl.fromLocalFile(str(path)))
        self.opened.emit(path)

    def _on_open_button_clicked(self) -> None:
        if self.path is not None:
            self.open_path(self.path)

    def _on_reveal_button_clicked(self) -> None:
        if self.path is not None:
            self.open_path(self.path.parent)
