"""Undo for the deck builder's tray: a change the user made (clear, remove, move, open a collection,
add) is put back with Edit › Undo, as a slide sorter in PowerPoint would."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from msldesk.ui.builder.tray_model import TrayModel
from msldesk.ui.library.slide_grid_model import SlideCard


class TrayChange(QUndoCommand):
    """Pushed after the change is on screen, so the first redo (which Qt runs on push) does nothing.
    `restored` runs after an undo or redo: slides removed from the library meanwhile leave again."""

    def __init__(
        self,
        model: TrayModel,
        text: str,
        before: list[SlideCard],
        after: list[SlideCard],
        restored: Callable[[], None],
    ) -> None:
        super().__init__(text)
        self.model, self.before, self.after, self.restored = model, before, after, restored
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.model.set_cards(self.after)
        self.restored()

    def undo(self) -> None:
        self.model.set_cards(self.before)
        self.restored()
