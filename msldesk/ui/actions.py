"""The action registry: every menu command with its shortcut, built in one place, and every keyboard
shortcut outside the menus (KEYMAP), which widgets take from here with bind(). The shortcuts sheet
lists both, so no key works that the sheet does not show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from PySide6 import QtCore
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QWidget

from msldesk.boards.kinds import EntryKind

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent

# This module is on the start path (before the window shows): Qt's enums are reached as QtCore.Qt
# where used, since importing the name Qt builds ~90 enums (~17 ms).

MENU_PROPERTY = "msldesk_menu"  # each built action knows its menu (the shortcuts sheet groups by it)
SHORTCUT_PROPERTY = "msldesk_shortcut"  # an action made by bind() knows its name in KEYMAP

Keys = QKeySequence.StandardKey | str


@dataclass(frozen=True)
class ActionSpec:
    key: str
    menu: str
    text: str
    handler: Callable[[], object]
    shortcut: Keys | None = None
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
            # Through the property: resolving setShortcut()'s overloads makes PySide build all of
            # Qt's ~90 enums (~17 ms) before the window can show.
            action.setProperty("shortcut", QKeySequence(spec.shortcut))
        if spec.focus is not None:
            action.setShortcutContext(_context(FOCUS))
            spec.focus.addAction(action)
        if spec.tip:
            action.setStatusTip(spec.tip)
        action.triggered.connect(lambda _checked=False, h=spec.handler: h())
        menu.addAction(action)  # type: ignore[attr-defined]
        parent.addAction(action)
        actions[spec.key] = action
    return actions


# ---- shortcuts outside the menus ------------------------------------------------------------------

Scope = Literal["focus", "inside", "window"]
FOCUS: Scope = "focus"  # only while its widget has the focus
INSIDE: Scope = "inside"  # while the focus is anywhere inside it
WINDOW: Scope = "window"  # anywhere in its window


def _context(scope: Scope) -> QtCore.Qt.ShortcutContext:
    contexts = QtCore.Qt.ShortcutContext
    return {
        FOCUS: contexts.WidgetShortcut,
        INSIDE: contexts.WidgetWithChildrenShortcut,
        WINDOW: contexts.WindowShortcut,
    }[scope]


@dataclass(frozen=True)
class Shortcut:
    area: str  # the heading it is listed under on the shortcuts sheet
    text: str
    keys: tuple[Keys, ...]
    # Where it works. None: a key the widget reads itself (Enter in the note field), listed on the
    # sheet but never bound; its widget checks it with pressed().
    scope: Scope | None = FOCUS


MEETING = "Meeting mode"
# Meeting mode's note kinds: Ctrl+1..5 choose these, in this order.
KIND_ORDER: tuple[EntryKind, ...] = (
    EntryKind.NOTE,
    EntryKind.INSIGHT,
    EntryKind.QUOTE,
    EntryKind.QUESTION,
    EntryKind.ACTION,
)
KEYMAP: dict[str, Shortcut] = {
    "library.escape": Shortcut(
        "Library", "Stop the import or thumbnails, else clear the slide search", ("Esc",), None
    ),
    "library.to_results": Shortcut("Library", "From the search field down to the slides", ("Down",), None),
    "tray.remove": Shortcut(
        "Deck builder tray", "Remove the selected slides", (QKeySequence.StandardKey.Delete,)
    ),
    "tray.earlier": Shortcut("Deck builder tray", "Move the selected slides earlier", ("Ctrl+Left",)),
    "tray.later": Shortcut("Deck builder tray", "Move the selected slides later", ("Ctrl+Right",)),
    "boards.new": Shortcut("Boards", "New event", (QKeySequence.StandardKey.New,), None),
    "boards.save": Shortcut("Boards", "Save the event", (QKeySequence.StandardKey.Save,), None),
    "boards.delete": Shortcut(
        "Boards", "Delete the selected event (in the event list)", (QKeySequence.StandardKey.Delete,)
    ),
    "agenda.up": Shortcut("Event agenda", "Move the agenda item up", ("Alt+Up",), INSIDE),
    "agenda.down": Shortcut("Event agenda", "Move the agenda item down", ("Alt+Down",), INSIDE),
    "review.key": Shortcut(
        "Notes review", "Mark the selected entries as key, or unmark them", ("Space",), None
    ),
    "review.edit": Shortcut("Notes review", "Edit the entry", ("Return", "F2"), None),
    "review.merge": Shortcut("Notes review", "Merge the selected entries", ("Ctrl+Shift+M",), INSIDE),
    "lists.edit": Shortcut("Themes and restricted terms", "Edit the value", ("F2",), None),
    # In the list dialogs, anywhere in the dialog (an item being edited keeps its own Delete).
    "lists.remove": Shortcut(
        "Themes and restricted terms",
        "Remove the selected values",
        (QKeySequence.StandardKey.Delete,),
        WINDOW,
    ),
    "lists.up": Shortcut("Themes and restricted terms", "Move the theme up", ("Alt+Up",), WINDOW),
    "lists.down": Shortcut("Themes and restricted terms", "Move the theme down", ("Alt+Down",), WINDOW),
    "people.new": Shortcut("People", "New person", ("Ctrl+N",), INSIDE),
    "people.delete": Shortcut(
        "People", "Delete the selected people (in the table)", (QKeySequence.StandardKey.Delete,)
    ),
    "meeting.file": Shortcut(MEETING, "File the note", ("Return",), None),
    "meeting.new_line": Shortcut(MEETING, "New line in the note", ("Shift+Return",), None),
    "meeting.forget_kind": Shortcut(MEETING, "Back to the kind the note's marker says", ("Esc",), None),
    **{
        f"meeting.kind.{n}": Shortcut(MEETING, f"Note kind: {kind.label}", (f"Ctrl+{n}",), WINDOW)
        for n, kind in enumerate(KIND_ORDER, start=1)
    },
    # Ctrl+arrows move through the agenda only while the note is empty: in a note they move by word.
    "meeting.next": Shortcut(
        MEETING, "Next agenda item (Ctrl+Right: while the note is empty)", ("F8", "Ctrl+Right"), WINDOW
    ),
    "meeting.previous": Shortcut(
        MEETING,
        "Previous agenda item (Ctrl+Left: while the note is empty)",
        ("Shift+F8", "Ctrl+Left"),
        WINDOW,
    ),
    "meeting.close": Shortcut(MEETING, "Close meeting mode", (QKeySequence.StandardKey.Close,), WINDOW),
    "meeting.help": Shortcut(MEETING, "Help: note markers and shortcuts", ("F1",), WINDOW),
}


def key_sequences(*names: str) -> tuple[QKeySequence, ...]:
    return tuple(QKeySequence(k) for name in names for k in KEYMAP[name].keys)


def bind(widget: QWidget, name: str, handler: Callable[[], object]) -> QAction:
    """Give `widget` the shortcut registered as `name`: an action calling `handler`, working where
    the registry says (relative to `widget`), listed on the shortcuts sheet."""
    spec = KEYMAP[name]
    if spec.scope is None:
        raise ValueError(f"{name} is read by its widget; check it with pressed()")
    action = QAction(spec.text, widget)
    action.setShortcuts(list(key_sequences(name)))
    action.setShortcutContext(_context(spec.scope))
    action.setProperty(MENU_PROPERTY, spec.area)
    action.setProperty(SHORTCUT_PROPERTY, name)
    action.triggered.connect(lambda _checked=False: handler())
    widget.addAction(action)
    return action


def pressed(event: QKeyEvent, name: str) -> bool:
    """Whether `event` is the key registered as `name` (for keys a widget reads itself)."""
    typed = QKeySequence(event.keyCombination())
    return any(typed.matches(k) == QKeySequence.SequenceMatch.ExactMatch for k in key_sequences(name))
