"""Undo for the directory: adding a person and editing one (deleting and merging ask first instead)."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QUndoCommand

from msldesk.boards.records import PersonFields


class PeopleWriter(Protocol):
    """What the commands need from the view: service calls on the db lane, by the id first given."""

    def apply_update(self, person_id: int, fields: PersonFields) -> None: ...
    def apply_add(self, person_id: int, fields: PersonFields) -> None: ...
    def apply_delete(self, person_id: int) -> None: ...


class _SavedCommand(QUndoCommand):
    """Pushed after the service call succeeded: the push's own redo() must not save it twice."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._saved = True

    def redo(self) -> None:
        if self._saved:
            self._saved = False
            return
        self.do()

    def do(self) -> None:
        raise NotImplementedError


class EditPersonCommand(_SavedCommand):
    def __init__(self, writer: PeopleWriter, person_id: int, old: PersonFields, new: PersonFields) -> None:
        super().__init__(f"Edit {new.display_name or old.display_name}")
        self.writer, self.person_id, self.old, self.new = writer, person_id, old, new

    def do(self) -> None:
        self.writer.apply_update(self.person_id, self.new)

    def undo(self) -> None:
        self.writer.apply_update(self.person_id, self.old)


class AddPersonCommand(_SavedCommand):
    """Undo deletes the new person; redo adds them again (under a new id the view keeps track of)."""

    def __init__(self, writer: PeopleWriter, person_id: int, fields: PersonFields) -> None:
        super().__init__(f"Add {fields.display_name}")
        self.writer, self.person_id, self.fields = writer, person_id, fields

    def do(self) -> None:
        self.writer.apply_add(self.person_id, self.fields)

    def undo(self) -> None:
        self.writer.apply_delete(self.person_id)
