"""LazySection: a tab page that builds its view the first time it is shown or asked for, so that the
start builds (and imports) only the section on screen, and that one once the window is painted
(after_first_paint)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QShowEvent


class LazySection(QWidget):
    view_built = Signal(object)  # the view, just built

    def __init__(
        self, build: Callable[[], QWidget], build_when_shown: bool = True, parent: QWidget | None = None
    ) -> None:
        """`build_when_shown` False: built only when asked for (the window asks once it is up)."""
        super().__init__(parent)
        self._build = build
        self._build_when_shown = build_when_shown
        self._view: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> QWidget | None:
        """The view, or None while nobody has looked at it (nothing to save, close or cancel in it)."""
        return self._view

    def view(self) -> QWidget:
        if self._view is None:
            self._view = self._build()
            self._layout.addWidget(self._view)
            self.view_built.emit(self._view)
        return self._view

    def showEvent(self, event: QShowEvent) -> None:
        if self._build_when_shown:
            self.view()
        super().showEvent(event)

    def focus_search(self) -> None:
        self.view().focus_search()  # type: ignore[attr-defined]

    def focus_find(self) -> None:
        """Edit › Find: the view's own find field if it has one (Boards: its filter), else its search."""
        view: Any = self.view()
        getattr(view, "focus_find", view.focus_search)()


def after_first_paint(
    widget: QWidget, then: Callable[[], object], wanted: Callable[[], bool] = lambda: True
) -> None:
    """Call `then` from the event loop once `widget` has painted while `wanted()` held."""
    widget.installEventFilter(_FirstPaint(then, wanted, widget))


class _FirstPaint(QObject):
    def __init__(self, then: Callable[[], object], wanted: Callable[[], bool], parent: QWidget) -> None:
        super().__init__(parent)
        self._then, self._wanted = then, wanted

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # QEvent's ~180 event types load here, after the window shows, not when this module does.
        if event.type() == QtCore.QEvent.Type.Paint and self._wanted():
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)  # after the paint is done
            self.deleteLater()
        return False
