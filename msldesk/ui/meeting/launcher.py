"""MeetingLauncher: opens one meeting window per event and keeps each alive after it is closed until
its last draft save has landed, so closing it never waits and never loses typing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from msldesk.ui.context import AppContext

if TYPE_CHECKING:
    from msldesk.ui.meeting.window import MeetingWindow


class MeetingLauncher(QObject):
    opened = Signal(object)  # MeetingWindow

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._open: dict[int, MeetingWindow] = {}
        self._closing: set[MeetingWindow] = set()

    def windows(self) -> list[MeetingWindow]:
        return [w for w in self._open.values() if shiboken6.isValid(w)]

    def window_for(self, event_id: int) -> MeetingWindow | None:
        window = self._open.get(event_id)
        return window if window is not None and shiboken6.isValid(window) else None

    def open(self, event_id: int, parent: QWidget | None = None) -> MeetingWindow | None:
        """Show meeting mode for the event (raise it if it is open already)."""
        if not self.context.is_open:
            return None
        window = self.window_for(event_id)
        if window is None:
            from msldesk.ui.meeting.window import MeetingWindow

            window = MeetingWindow(self.context, event_id, parent)
            window.closed.connect(lambda w=window: self._on_window_closed(w))
            window.settled.connect(lambda w=window: self._on_window_settled(w))
            window.destroyed.connect(lambda _obj=None, e=event_id, w=window: self._forget(e, w))
            self._open[event_id] = window
            self.opened.emit(window)
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def _on_window_closed(self, window: MeetingWindow) -> None:
        """A closed window is not reused: opening the event again makes a new one, which reads the
        draft after this one's last save (the db lane keeps order)."""
        for event_id, open_window in list(self._open.items()):
            if open_window is window:
                del self._open[event_id]
        self._closing.add(window)

    def _on_window_settled(self, window: MeetingWindow) -> None:
        self._closing.discard(window)
        window.deleteLater()

    def _forget(self, event_id: int, window: MeetingWindow) -> None:
        if self._open.get(event_id) is window:
            del self._open[event_id]
        self._closing.discard(window)

    def close_all(self) -> bool:
        """Close every meeting window (each hands its last draft to the db lane). True if nothing
        is left on its way to the database."""
        for window in self.windows():
            window.close()
        return not any(shiboken6.isValid(w) and w.busy for w in self._closing)
