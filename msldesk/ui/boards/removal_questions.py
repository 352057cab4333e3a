"""The questions before deleting an event or removing an agenda item, naming what goes with it, and the
refusal when records that must be kept would go (reported payments, finalized notes)."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QWidget

from msldesk.boards.records import AgendaItemRemoval, EventDeletion
from msldesk.core.errors import KeptRecordsError
from msldesk.core.wording import plural
from msldesk.ui.errors import report_error
from msldesk.ui.widgets.confirm import confirm_destructive


def say_kept(refusal: str, parent: QWidget) -> None:
    """Why it stays and what to do instead, shown the way errors are (without blocking)."""
    report_error(KeptRecordsError(refusal), refusal, parent)


def event_deletion_details(plan: EventDeletion) -> str:
    """Rich text: what goes with the event, counted, and what stays."""
    takes = plan.takes()
    parts = []
    if takes:
        rows = "".join(f"<li>{html.escape(line)}</li>" for line in takes)
        parts.append(f"<b>With it go:</b><ul>{rows}</ul>")
    parts.append(
        "Its checklist and themes go too. People stay in the directory. The audit trail records what "
        "was deleted"
        + (", but not the text of the notes." if plan.notes or plan.rehearsal_notes else ".")
        + " This cannot be undone."
    )
    return "".join(parts)


def ask_delete_event(plan: EventDeletion, parent: QWidget) -> bool:
    return confirm_destructive(
        parent,
        "Delete event",
        f"Delete “{html.escape(plan.title)}”?",
        event_deletion_details(plan),
        "Delete",
        warning=bool(plan.notes or plan.attendees),
    )


def ask_remove_item(plan: AgendaItemRemoval, parent: QWidget) -> bool:
    """Asked when meeting notes are filed under the item: they stay, and keep its title."""
    one = plan.notes == 1
    return confirm_destructive(
        parent,
        "Remove agenda item",
        f"Remove “{html.escape(plan.title)}” from the agenda?",
        f"{plural(plan.notes, 'meeting note')} {'is' if one else 'are'} filed under it. "
        f"{'It stays' if one else 'They stay'} in the event's notes, no longer under an agenda item, and "
        f"{'keeps' if one else 'each keep'} a record that {'it was' if one else 'they were'} filed under "
        f"“{html.escape(plan.title)}”.",
        "Remove",
        warning=True,
    )
