"""ExecutiveSummaryEditor: a meeting's executive summary, saved on the db lane after a pause in typing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from msldesk.ui.boards.writer import BoardsWriter
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.fields import field_text, show_text

SUMMARY_SAVE_DELAY_MS = 800  # a pause in typing saves the executive summary


class ExecutiveSummaryEditor(QWidget):
    """The summary box with its title and save state; `meetings` gives the meetings service (or None)."""

    def __init__(
        self, writer: BoardsWriter, meetings: Callable[[], Any], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.writer = writer
        self._meetings = meetings
        self._saved = ""  # the executive summary as stored, for the event on screen
        self.event_id: int | None = None
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(
            "Three to five sentences for busy readers: what the experts said that matters, and what "
            "happens next. It opens the summary PDF and the readout deck."
        )
        self.text.setTabChangesFocus(True)
        self.state = QLabel()
        set_role(self.state, "hint")
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SUMMARY_SAVE_DELAY_MS)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        title = QLabel("Executive summary")
        set_role(title, "heading")
        title_row.addWidget(title)
        title_row.addStretch(1)
        title_row.addWidget(self.state)
        layout.addLayout(title_row)
        layout.addWidget(self.text, 1)

        self.text.textChanged.connect(self._on_text_changed)
        self.timer.timeout.connect(self.save)

    def show_stored(self, event_id: int, stored: str) -> None:
        """The stored summary of `event_id`, unless an edit of this event's summary is not saved yet."""
        if self.event_id != event_id or not self.dirty():
            self.event_id = event_id
            self._saved = stored
            if field_text(self.text) != stored:
                self.text.blockSignals(True)
                show_text(self.text, stored)
                self.text.blockSignals(False)

    def clear(self) -> None:
        self.event_id = None
        self._saved = ""
        self.text.blockSignals(True)
        self.text.clear()
        self.text.blockSignals(False)

    def dirty(self) -> bool:
        return field_text(self.text).strip() != self._saved.strip()

    def _on_text_changed(self) -> None:
        if self.event_id is None:
            return
        if self.dirty():
            self.state.setText("Not saved yet…")
            self.timer.start()
        else:
            self.timer.stop()
            self.state.setText("Saved")

    def flush(self) -> None:
        """Save an edit now rather than after the pause (leaving the event, exporting)."""
        if self.timer.isActive() or (self.event_id is not None and self.dirty()):
            self.save()

    def save(self) -> None:
        self.timer.stop()
        meetings, event_id = self._meetings(), self.event_id
        if meetings is None or event_id is None or not self.dirty():
            return
        text = field_text(self.text)
        self.state.setText("Saving…")

        def done(_result: Any) -> None:
            if self.event_id != event_id:
                return
            self._saved = text.strip()
            self.state.setText("Saved" if not self.dirty() else "Not saved yet…")

        def failed(_error: BaseException, _details: str) -> bool:
            if self.event_id == event_id:
                self.state.setText("Not saved: see the message")
            return False  # reported like any other failed write

        self.writer.write(lambda: meetings.set_executive_summary(event_id, text), done, failed)
