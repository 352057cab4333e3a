"""Window sizes that fit the screen: a saved geometry restored onto a screen that exists now, at a
size that fits it (a smaller screen, another scale factor, a second monitor that is gone); a
window's or dialog's first size capped at its screen; tall forms that scroll instead of growing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QByteArray, QMargins, QObject, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QScrollArea, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent

# The main window restores its geometry before it shows: Qt's enums are reached as QtCore.Qt and
# QtCore.QEvent where used, since importing those names builds a few hundred enums (~20 ms).

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


def fit_size(window: QWidget, width: int, height: int) -> None:
    """Give a window (or dialog) its first size, capped at the screen it opens on with room for the
    frame: at a scale factor of 2 a laptop's screen is 960x600, and a dialog taller than that hides
    its buttons. Where it opens is left to Qt (a dialog is centred on its parent)."""
    area = (window.screen() or QGuiApplication.primaryScreen()).availableGeometry()
    frame_w, frame_h = FRAME_GUESS.left() + FRAME_GUESS.right(), FRAME_GUESS.top() + FRAME_GUESS.bottom()
    window.resize(min(width, area.width() - frame_w), min(height, area.height() - frame_h))


class VerticalScroll(QScrollArea):
    """A tall form that scrolls up and down when the window is short, instead of making the window
    taller than a small screen; it keeps the form's own minimum width (no sideways scrolling). The
    form is sized here, not by QScrollArea's widgetResizable, which gives a form with wrapping labels
    its preferred height and so scrolls where the form could still shrink (a list, a tray)."""

    def __init__(self, form: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form = form  # before setWidget: the events it sends come through eventFilter
        self.setWidget(form)
        form.installEventFilter(self)  # a banner or a message shown in the form changes its height
        self.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        types = QtCore.QEvent.Type
        if (watched is self.form and event.type() == types.LayoutRequest) or (
            watched is self.viewport() and event.type() == types.Resize
        ):
            self._fit()
        return super().eventFilter(watched, event)

    def _fit(self) -> None:
        view = self.viewport()
        self.form.resize(view.width(), max(view.height(), least_height(self.form, view.width())))

    def _with_scroll_bar(self, size: QSize, height: int) -> QSize:
        return QSize(size.width() + self.verticalScrollBar().sizeHint().width(), height)

    def minimumSizeHint(self) -> QSize:
        return self._with_scroll_bar(self.form.minimumSizeHint(), super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        hint = self.form.sizeHint()
        return self._with_scroll_bar(hint, hint.height())


def least_height(form: QWidget, width: int) -> int:
    """The least height `form` needs at `width`: its wrapped labels at that width, its other parts
    (lists, trays, text boxes) at their minimum."""
    layout = form.layout()
    if layout is None or not layout.hasHeightForWidth():
        return form.minimumSizeHint().height()
    items = [item for i in range(layout.count()) if (item := layout.itemAt(i)) and not item.isEmpty()]
    give = sum(
        max(0, item.sizeHint().height() - item.minimumSize().height())
        for item in items
        if not item.hasHeightForWidth()
    )
    return form.heightForWidth(width) - give
