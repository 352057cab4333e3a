"""The questions meeting mode asks when it is opened on a day other than the event's: rehearse, move
the meeting to today, or (after a meeting that was recorded) add late notes; and before a rehearsal's
entries are deleted."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from msldesk.boards.events.days import day_text as _day
from msldesk.boards.records import MeetingDay

REHEARSE, MOVED, LATE_NOTES = "rehearse", "moved", "late-notes"


def day_question(day: MeetingDay, title: str, after_the_meeting: bool = False) -> str:
    """What meeting mode says, e.g. "“Board” is on 18 Jan 2027; today is 4 Dec 2026 (event's zone)"."""
    when = _day(day.event_day) if day.event_day else "another day"
    late = (
        "Add notes to the meeting: what you type joins the meeting's notes with today's time; the "
        "agenda timer keeps the times recorded on the day.\n"
        if after_the_meeting
        else ""
    )
    return (
        f"“{title}” is on {when}; today is {_day(day.today)} in the event's time zone.\n\n"
        f"{late}"
        "Rehearse: what you type is marked as rehearsal, left out of every summary, deck and export, "
        "and can be deleted in one go.\n"
        "The meeting moved to today: the event's date changes to today (same clock times), then "
        "entries are recorded as usual."
    )


def ask_day_choice(
    day: MeetingDay, title: str, parent: QWidget, after_the_meeting: bool = False
) -> str | None:
    """REHEARSE, MOVED, LATE_NOTES (offered after a meeting that was recorded), or None (close)."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Not the meeting's day",
        day_question(day, title, after_the_meeting),
        parent=parent,
    )
    late = None
    if after_the_meeting:
        late = box.addButton("Add notes to the meeting", QMessageBox.ButtonRole.AcceptRole)
    rehearse = box.addButton("Rehearse", QMessageBox.ButtonRole.AcceptRole)
    moved = box.addButton("The meeting moved to today", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(late or rehearse)
    box.exec()
    clicked = box.clickedButton()
    if late is not None and clicked is late:
        return LATE_NOTES
    return REHEARSE if clicked is rehearse else MOVED if clicked is moved else None


def ask_confirm_move(day: MeetingDay, title: str, parent: QWidget) -> bool:
    when = _day(day.event_day) if day.event_day else "its date"
    answer = QMessageBox.question(
        parent,
        "Move the meeting to today",
        f"Move “{title}” from {when} to today, {_day(day.today)}, keeping its start and end times? "
        "The change is saved in the event's history like any edit.",
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_confirm_delete_rehearsal(count: int, parent: QWidget) -> bool:
    entries = "1 entry" if count == 1 else f"{count} entries"
    answer = QMessageBox.question(
        parent,
        "Delete the rehearsal",
        f"Delete the rehearsal's {entries} and the agenda times it recorded? The meeting's own notes "
        "are not touched.",
    )
    return answer == QMessageBox.StandardButton.Yes
