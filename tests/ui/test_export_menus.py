"""Every kind of the export registry is in the desktop app under the registry's label and name (the
command line reaches each under the same name: tests/boards/test_export_registry.py), so the two
cannot drift apart; a menu item tells the command that does the same."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton

from msldesk.boards.outputs.registry import AUDIENCE_LABELS, KINDS
from msldesk.ui.exports import EXPORT_PROPERTY


def _text(item: QObject) -> str:
    assert isinstance(item, QAction | QAbstractButton), item
    return item.text().replace("&", "")


def test_every_export_kind_is_in_the_window_under_its_label(make_window) -> None:  # type: ignore[no-untyped-def]
    window, _context = make_window(seed_demo=False)
    window.show_section(window.boards_page)  # sections are built when first shown: the event's exports
    marked: dict[str, list[QObject]] = {}
    for item in window.findChildren(QObject):
        name = item.property(EXPORT_PROPERTY)
        if name:
            marked.setdefault(str(name), []).append(item)
    assert sorted(marked) == sorted(KINDS), "a menu item for each kind, and none for a kind not registered"
    for name, kind in KINDS.items():
        texts = {_text(item) for item in marked[name]}
        expected = {kind.label, *AUDIENCE_LABELS.values()} if kind.by_audience else {kind.label}
        assert texts == expected, name
        for item in marked[name]:
            if isinstance(item, QAction) and item.menu() is None:
                assert item.statusTip() == f"Command line: msldesk {kind.command}"
    # The deck builder's button, and the main window's Deck menu item that presses it.
    assert window.library.builder.export_button in marked["deck"]
    assert window.actions_by_key["export_deck"].text() == f"&{KINDS['deck'].label}"
