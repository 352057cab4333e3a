"""Help › Keyboard shortcuts and Help › Note markers: generated from the actions a window really has,
the registry of every other shortcut (actions.KEYMAP) and the note grammar's own constants, so
neither sheet can drift from what the app does."""

from __future__ import annotations

import html
from collections.abc import Collection, Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

from msldesk.boards.meeting.entry_text import (
    DUE_KEYWORD,
    DUE_WORDS,
    MENTION_MARK,
    SYMBOL_MARKERS,
    THEME_MARK,
    WORD_MARKERS,
)
from msldesk.boards.records import EntryKind
from msldesk.ui.actions import KEYMAP, MENU_PROPERTY, SHORTCUT_PROPERTY, key_sequences
from msldesk.ui.widgets.geometry import clamp_to_screen

SHORTCUTS, MARKERS = 0, 1
Row = tuple[str, str, str]  # menu, command, keys


def plain(text: str) -> str:
    """Menu text as read: "&Export deck…" -> "Export deck"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def sequences_text(sequences: Iterable[QKeySequence]) -> str:
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in sequences if not k.isEmpty())


def keys_text(action: QAction) -> str:
    return sequences_text(action.shortcuts())


def shortcut_rows(actions: Iterable[QAction]) -> list[Row]:
    """Every menu action with a shortcut, as (menu, command, keys), in the menu the action registry
    put it in (see build_actions); actions made by bind() are listed by registered_rows()."""
    rows: list[Row] = []
    for action in actions:
        keys = keys_text(action)
        if keys and not action.property(SHORTCUT_PROPERTY):
            rows.append((plain(str(action.property(MENU_PROPERTY) or "")), plain(action.text()), keys))
    return rows


def registered_rows(areas: Collection[str] | None = None) -> list[Row]:
    """The shortcuts outside the menus, from the registry, in `areas` (all of them when None): also
    those of windows not open now, such as meeting mode's."""
    return [
        (spec.area, spec.text, sequences_text(key_sequences(name)))
        for name, spec in KEYMAP.items()
        if areas is None or spec.area in areas
    ]


def shortcuts_html(rows: Iterable[Row]) -> str:
    parts = ["<h3>Keyboard shortcuts</h3>"]
    menu_seen: str | None = None
    for menu, command, keys in rows:
        if menu != menu_seen:
            if menu_seen is not None:
                parts.append("</table>")
            parts.append(f"<h4>{html.escape(menu)}</h4><table cellspacing=0 cellpadding=3>")
            menu_seen = menu
        parts.append(f"<tr><td width=60%>{html.escape(command)}</td><td><b>{html.escape(keys)}</b></td></tr>")
    if menu_seen is not None:
        parts.append("</table>")
    return "".join(parts)


def markers_html() -> str:
    """The grammar of meeting mode's note field, from msldesk.boards.meeting.entry_text."""

    def code(text: str) -> str:
        return f"<code><b>{html.escape(text)}</b></code>"

    rows = []
    for kind in EntryKind:
        symbols = [code(s + " ") for s, k in SYMBOL_MARKERS.items() if k is kind]
        words = [code(w + ":") for w, k in WORD_MARKERS.items() if k is kind]
        if symbols or words:
            rows.append(
                f"<tr><td>{html.escape(kind.label)}</td><td>{' &nbsp; '.join(symbols + words)}</td></tr>"
            )
    due_forms = ["2026-12-15", "+3d", "+2w", *DUE_WORDS]
    quoted_theme = THEME_MARK + '"two words"'
    return (
        "<h3>Note markers</h3>"
        "<p>Start a note with a marker to choose its kind; anything not recognised stays in the text "
        "as typed. A kind chosen with Ctrl+1…5 wins over a marker.</p>"
        "<table cellspacing=0 cellpadding=3>"
        "<tr><th align=left>Kind</th><th align=left>Type at the start</th></tr>"
        + "".join(rows)
        + "</table><h4>Inside a note</h4><table cellspacing=0 cellpadding=3>"
        f"<tr><td>{code(MENTION_MARK + 'name')}</td><td>Who said it (for an action: who does it)</td></tr>"
        f"<tr><td>{code(THEME_MARK + 'theme')} {code(quoted_theme)}</td>"
        "<td>A theme for the insight summary (the event's themes are completed)</td></tr>"
        f"<tr><td>{' '.join(code(f'{DUE_KEYWORD}:{form}') for form in due_forms)}</td>"
        "<td>When an action is due</td></tr></table>"
    )


class HelpSheets(QDialog):
    """Both sheets in one non-modal window, one tab each."""

    def __init__(self, rows: list[Row], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("msldesk help")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.rows = rows
        self.tabs = QTabWidget()
        self.shortcuts = QTextBrowser()
        self.shortcuts.setHtml(shortcuts_html(rows))
        self.markers = QTextBrowser()
        self.markers.setHtml(markers_html())
        self.tabs.addTab(self.shortcuts, "Keyboard shortcuts")
        self.tabs.addTab(self.markers, "Note markers")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(560, 640)


def open_help(window: QWidget, tab: int = SHORTCUTS, areas: Collection[str] | None = None) -> HelpSheets:
    """Show the help sheets for `window`: its menus' shortcuts, then the registered ones in `areas`
    (all when None), on `tab`; non-modal, so the sheet can stay open beside the work."""
    sheets = HelpSheets(shortcut_rows(window.actions()) + registered_rows(areas), window)
    sheets.tabs.setCurrentIndex(tab)
    sheets.show()
    clamp_to_screen(sheets)  # 640 px tall does not fit a laptop at a scale factor of 2
    sheets.raise_()
    return sheets
