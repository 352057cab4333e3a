"""The review tab's confirmations: merging entries that may not be duplicates, and finalizing the notes."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from msldesk.boards.records import NoteEntry
from msldesk.core.wording import plural


def confirm_merge(parent: QWidget, keep: NoteEntry, others: list[NoteEntry], differences: list[str]) -> bool:
    """`differences`: what is not the same (speakers, kinds); said first, so a merge of
    different people's words is never a click away."""
    warning = (
        "These entries are not duplicates: " + "; ".join(differences) + ". Every speaker stays "
        "credited on the kept entry.\n\n"
        if differences
        else ""
    )
    answer = QMessageBox.question(
        parent,
        "Merge duplicates",
        f"{warning}Keep “{short(keep.text)}” and merge "
        f"{plural(len(others), 'other entry', 'other entries')} into it? Their themes join it; "
        "they leave the lists and the reports but stay stored.",
    )
    return answer == QMessageBox.StandardButton.Yes


def confirm_finalize(parent: QWidget, needing_review: int) -> bool:
    waiting = (
        f"\n\n{plural(needing_review, 'flagged entry', 'flagged entries')} still "
        f"need{'s' if needing_review == 1 else ''} review."
        if needing_review
        else ""
    )
    answer = QMessageBox.question(
        parent,
        "Finalize notes",
        "Finalize this meeting's notes? They become read-only; later corrections are kept as "
        f"amendments beside the original. Key insights, reviews and the summary stay editable.{waiting}",
    )
    return answer == QMessageBox.StandardButton.Yes


def short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
