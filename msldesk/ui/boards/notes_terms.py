"""RestrictedTermsDialog: the compliance guard's list of restricted words and phrases, with the
built-in list one click away; saving re-checks every entry that is not finalized."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from msldesk.boards.meeting.guard import DEFAULT_TERMS
from msldesk.ui.boards.notes_lists import ListEditorDialog

EXPLANATION = (
    "Notes that contain one of these words or phrases are flagged as they are typed, and must be "
    "reviewed before a summary is shared. Letter case does not matter, and “off label”, “off-label” "
    "and “off–label” are the same term. Saving re-checks the notes of every meeting not yet finalized."
)


class RestrictedTermsDialog(ListEditorDialog):
    def __init__(self, terms: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(
            "Restricted terms",
            EXPLANATION,
            terms,
            defaults=DEFAULT_TERMS,
            reorder=False,
            nouns=("term", "terms"),
            parent=parent,
        )
        self.list.setSortingEnabled(False)
