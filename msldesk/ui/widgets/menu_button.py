"""A tool button that opens a menu: its arrow gets room of its own beside the label (Qt's InstantPopup
button sizes itself for the label alone, so the arrow was drawn over the last letters)."""

from __future__ import annotations

from PySide6.QtWidgets import QStyle, QStyleOptionToolButton, QToolButton

ARROW_GAP = 6


def make_menu_button(button: QToolButton) -> QToolButton:
    """Set `button` to open its menu on click, with padding on the right for the menu arrow."""
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    option = QStyleOptionToolButton()
    option.initFrom(button)
    arrow = button.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, option, button)
    button.setStyleSheet(
        f"QToolButton {{ padding: 3px {arrow + ARROW_GAP}px 3px 8px; }}"
        "QToolButton::menu-indicator { subcontrol-origin: padding; subcontrol-position: right center;"
        " right: 4px; }"
    )
    return button
