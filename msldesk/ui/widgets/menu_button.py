"""A tool button that opens a menu: its arrow gets room of its own beside the label (Qt's InstantPopup
button sizes itself for the label alone, so the arrow was drawn over the last letters)."""

from __future__ import annotations

from PySide6.QtWidgets import QToolButton

from msldesk.ui.theme import set_property


def make_menu_button(button: QToolButton) -> QToolButton:
    """Set `button` to open its menu on click; the theme pads its right side for the menu arrow."""
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    set_property(button, "menu", True)
    return button
