"""Restoring a window's saved geometry so it always lands on a screen that exists now, at a size
that fits it (a smaller screen, another scale factor, a second monitor that is gone)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QMargins, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

FRAME_GUESS = QMargins(4, 32, 4, 4)  # left, title bar, right, bottom


def _overlap(a: QRect, b: QRect) -> int:
    both = a.intersected(b)
    return both.width() * both.height() if both.isValid() else 0


def clamp_rect(rect: QRect, screens: Sequence[QRect]) -> QRect:
    """`rect` moved (and shrunk if needed) into the screen it overlaps most; into the first screen
    (the primary) when it overlaps none. `screens` are available geometries (without task bars)."""
    if not screens:
        return QRect(rect)
    target = max(screens, key=lambda s: _overlap(rect, s))
    if _overlap(rect, target) == 0:
        target = screens[0]
    width, height = min(rect.width(), target.width()), min(rect.height(), target.height())
    x = min(max(rect.x(), target.x()), target.x() + target.width() - width)
    y = min(max(rect.y(), target.y()), target.y() + target.height() - height)
    return QRect(x, y, width, height)


def available_screens() -> list[QRect]:
    """The screens' available areas, primary first."""
    primary = QGuiApplication.primaryScreen()
    screens = [primary, *(s for s in QGuiApplication.screens() if s is not primary)] if primary else []
    return [s.availableGeometry() for s in screens]


def clamp_to_screen(window: QWidget, screens: Sequence[QRect] | None = None) -> None:
    """Keep the whole window, frame and title bar included, on a screen."""
    if window.isMaximized() or window.isFullScreen():
        return
    frame, inner = window.frameGeometry(), window.geometry()
    if frame == inner and window.isWindow():
        # Not shown yet: the window manager has not told its frame's size. Guess a title bar and
        # borders, so that the frame added later does not push the bottom off the screen.
        frame = inner.marginsAdded(FRAME_GUESS)
    fitted = clamp_rect(frame, available_screens() if screens is None else screens)
    if fitted == frame:
        return
    # The frame's own size (title bar, borders) stays around the client area.
    extra_w, extra_h = frame.width() - inner.width(), frame.height() - inner.height()
    window.resize(max(fitted.width() - extra_w, 1), max(fitted.height() - extra_h, 1))
    window.move(fitted.topLeft())  # move() places the frame's top-left corner


def restore_geometry(window: QWidget, saved: object, screens: Sequence[QRect] | None = None) -> bool:
    """Restore `saved` (from saveGeometry) onto a screen that exists; False when nothing was saved
    or it could not be read (the caller picks a default size, which is clamped too)."""
    restored = isinstance(saved, (QByteArray, bytes)) and window.restoreGeometry(QByteArray(saved))
    clamp_to_screen(window, screens)
    return restored
