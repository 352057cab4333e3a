"""The action registry: every menu command with its shortcut, built in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QWidget

MENU_PROPERTY = "msldesk_menu"  # each built action knows its menu (the shortcuts sheet groups by it)


@dataclass(frozen=True)
class ActionSpec:
    key: str
    menu: str
    text: str
    handler: Callable[[], object]
    shortcut: QKeySequence.StandardKey | str | None = None
    tip: str = ""
    # The shortcut works only while this widget has the focus (Delete in the deck list must not
    # take Delete from the slide tray or a text field); the menu item works everywhere.
    focus: QWidget | None = None


def build_actions(parent: QWidget, menubar: QMenuBar, specs: list[ActionSpec]) -> dict[str, QAction]:
    actions: dict[str, QAction] = {}
    menus: dict[str, object] = {}
    for spec in specs:
        menu = menus.get(spec.menu)
        if menu is None:
            menu = menus[spec.menu] = menubar.addMenu(spec.menu)
        if spec.key.startswith("-"):
            menu.addSeparator()  # type: ignore[attr-defined]
            continue
        action = QAction(spec.text, parent)
        action.setProperty(MENU_PROPERTY, spec.menu)
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
        if spec.focus is not None:
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            spec.focus.addAction(action)
        if spec.tip:
            action.setStatusTip(spec.tip)
        action.triggered.connect(lambda _checked=False, h=spec.handler: h())
        menu.addAction(action)  # type: ignore[attr-defined]
        parent.addAction(action)
        actions[spec.key] = action
    return actions
