"""Undo for the Boards section: re-saving an event's previous fields, putting an agenda back in order.

Both are pushed after the service accepted the change, so the first redo (which Qt runs on push)
does nothing: a save that fails validation never reaches the undo stack.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QUndoCommand

from msldesk.boards.records import EventFields


class _AlreadyDone(QUndoCommand):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.apply_new()

    def undo(self) -> None:
        self.apply_old()

    def apply_new(self) -> None:
        raise NotImplementedError

    def apply_old(self) -> None:
        raise NotImplementedError


class SaveEventCommand(_AlreadyDone):
    def __init__(
        self,
        apply: Callable[[int, EventFields], None],
        event_id: int,
        new: EventFields,
        old: EventFields,
    ) -> None:
        super().__init__(f"Edit event {new.title}")
        self.apply, self.event_id, self.new, self.old = apply, event_id, new, old

    def apply_new(self) -> None:
        self.apply(self.event_id, self.new)

    def apply_old(self) -> None:
        self.apply(self.event_id, self.old)


class ReorderAgendaCommand(_AlreadyDone):
    def __init__(
        self,
        apply: Callable[[int, list[int]], None],
        event_id: int,
        new: Sequence[int],
        old: Sequence[int],
    ) -> None:
        super().__init__("Reorder agenda")
        self.apply, self.event_id, self.new, self.old = apply, event_id, list(new), list(old)

    def apply_new(self) -> None:
        self.apply(self.event_id, self.new)

    def apply_old(self) -> None:
        self.apply(self.event_id, self.old)
