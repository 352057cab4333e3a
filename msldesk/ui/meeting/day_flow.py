"""DayFlow: what meeting mode does about the meeting's day: the banner, the question when it is opened
on another day (rehearse, move, late notes), ending a rehearsal on the day and deleting one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from msldesk.boards.events.days import day_text
from msldesk.core.changes import Changes
from msldesk.core.clock import short_date
from msldesk.ui.meeting.day_dialogs import LATE_NOTES, MOVED, REHEARSE
from msldesk.ui.meeting.state import MeetingBundle

if TYPE_CHECKING:
    from msldesk.ui.meeting.window import MeetingWindow


class DayFlow:
    """Owned by a MeetingWindow; asks through the window's ask_* methods (tests replace those)."""

    def __init__(self, window: MeetingWindow) -> None:
        self.window = window
        self.asking = False  # the "not the meeting's day" question is open or on its way
        self.late_notes = False  # the user chose to add notes after the meeting's day

    def undecided(self, bundle: MeetingBundle) -> bool:
        """Opened on another day than the event's, and neither rehearsing, moved nor adding late notes."""
        return (
            not bundle.finalized
            and not bundle.day.on_the_day
            and not bundle.day.rehearsing
            and not self.late_notes
        )

    def agenda_frozen(self, bundle: MeetingBundle) -> bool:
        """No agenda moves: before the user has said what this session is, and while adding notes
        after the meeting (its recorded times stay as they were on the day)."""
        return bundle.finalized or self.undecided(bundle) or self.late_notes

    def show_banner(self, bundle: MeetingBundle, undecided: bool) -> None:
        banner, day, zone = self.window.banner, bundle.day, bundle.zone
        if bundle.finalized:
            done = bundle.finalized_at.astimezone(zone)  # type: ignore[union-attr]
            when = f"{short_date(done)} {done:%H:%M}"
            banner.setText(
                f"These notes were finalized on {when} and are read-only. Double-click an entry to add "
                "an amendment; it is kept beside the original."
            )
        elif day.rehearsing:
            banner.setText(
                "<b>Rehearsal.</b> Entries typed now are marked as rehearsal and left out of every "
                "summary, deck and export; agenda times count from the rehearsal's start. "
                "“Delete rehearsal” removes them in one go."
            )
        elif undecided:
            banner.setText("This is not the meeting's day: choose to rehearse or to move the meeting.")
        elif self.late_notes:
            on = day_text(day.event_day) if day.event_day else "its day"
            banner.setText(
                f"Adding notes after the meeting of {on}: entries are filed with today's time; the agenda "
                "keeps the times recorded on the day."
            )
        banner.setVisible(bundle.finalized or day.rehearsing or undecided or self.late_notes)

    def after_show(self, bundle: MeetingBundle, undecided: bool) -> None:
        """A bundle is on screen: ask what this session is, or end a rehearsal on the real day."""
        day = bundle.day
        if undecided and not self.asking:
            self.asking = True
            QTimer.singleShot(0, self._ask_about_the_day)  # once the window is on screen
        elif day.rehearsing and day.on_the_day and not bundle.finalized:
            self._end_rehearsal()

    def _ask_about_the_day(self) -> None:
        window = self.window
        app, bundle = window.context.app, window.bundle
        if app is None or bundle is None or window._closing or not self.undecided(bundle):
            self.asking = False
            return
        meetings, event_id = app.meetings, window.event_id
        choice = window.ask_day_choice(bundle.day)
        if choice == MOVED and not window.ask_confirm_move(bundle.day):
            choice = None
        if choice is None:
            self.asking = False
            window.close()
            return
        if choice == LATE_NOTES:  # nothing to store: entries are filed as usual, the timer stays off
            self.asking = False
            self.late_notes = True
            window.show_bundle(bundle)
            window.status_message.emit("Adding notes after the meeting")
            return

        def done(_result: Any) -> None:
            self.asking = False
            window.status_message.emit("Rehearsing" if choice == REHEARSE else "The meeting moved to today")

        def failed(_error: BaseException, _details: str) -> bool:
            self.asking = False  # the error is shown; the question comes back with the reload
            window._reload_timer.start()
            return False

        job = (
            (lambda: meetings.start_rehearsal(event_id))
            if choice == REHEARSE
            else (lambda: meetings.move_to_today(event_id))
        )
        window.writer.write(job, done, failed)

    def _end_rehearsal(self) -> None:
        """The real meeting's day: a rehearsal still running ends, and its agenda times go."""
        window = self.window
        app = window.context.app
        if app is not None:
            meetings, event_id = app.meetings, window.event_id
            window.writer.write(lambda: meetings.end_rehearsal(event_id))

    def delete_rehearsal(self) -> None:
        window = self.window
        app, bundle = window.context.app, window.bundle
        if app is None or bundle is None:
            return
        # While rehearsing, the list holds the rehearsal's entries, those filed since loading too.
        count = max(bundle.day.rehearsal_entries, len(bundle.entries) if bundle.day.rehearsing else 0)
        if not window.ask_confirm_delete_rehearsal(count):
            return
        meetings, event_id = app.meetings, window.event_id

        def done(result: tuple[int, Changes]) -> None:
            entries = "1 rehearsal entry" if result[0] == 1 else f"{result[0]} rehearsal entries"
            window.status_message.emit(f"Deleted {entries}")

        window.writer.write(lambda: meetings.delete_rehearsal(event_id), done)
