"""MeetingBundle: what meeting mode shows, read in one db-lane job, and how it writes times and kinds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from msldesk.boards.meeting.guard import RestrictedTerms
from msldesk.boards.records import AgendaItem, Attendance, Draft, EntryKind, Event, MeetingDay, NoteEntry
from msldesk.core import clock
from msldesk.core.folding import fold

if TYPE_CHECKING:  # the services load SQLAlchemy; the GUI starts without it
    from msldesk.app.services import App

KIND_MARKERS: dict[EntryKind, str] = {
    EntryKind.NOTE: "note:",
    EntryKind.INSIGHT: "!",
    EntryKind.QUOTE: '"',
    EntryKind.QUESTION: "?",
    EntryKind.ACTION: ">",
}


@dataclass(frozen=True)
class MeetingBundle:
    event: Event
    agenda: tuple[AgendaItem, ...]
    attendees: tuple[Attendance, ...]
    entries: tuple[NoteEntry, ...]
    themes: tuple[str, ...]  # the event's taxonomy
    draft: Draft | None
    finalized_at: dt.datetime | None
    terms: RestrictedTerms
    day: MeetingDay  # on the event's day? rehearsing? (entries are the rehearsal's while it runs)

    @property
    def event_id(self) -> int:
        return self.event.event_id

    @property
    def finalized(self) -> bool:
        return self.finalized_at is not None

    @property
    def zone(self) -> dt.tzinfo:
        return clock.zone(self.event.fields.timezone)

    @property
    def event_day(self) -> dt.date | None:
        start = self.event.fields.starts_at
        return start.astimezone(self.zone).date() if start is not None else None

    def current_item(self) -> AgendaItem | None:
        """The item started last and not yet ended (the service's rule)."""
        running = [i for i in self.agenda if i.actual_start is not None and i.actual_end is None]
        return max(running, key=lambda i: i.actual_start) if running else None  # type: ignore[arg-type,return-value]

    def started(self) -> bool:
        return any(i.actual_start is not None for i in self.agenda)

    def people(self) -> list[tuple[int, str]]:
        """Who "@" may name, as the service reads it: attendees, then agenda presenters."""
        seen: dict[int, str] = {}
        for attendance in self.attendees:
            seen.setdefault(attendance.person.person_id, attendance.person.display_name)
        for item in self.agenda:
            if item.fields.presenter_id is not None and item.presenter_name:
                seen.setdefault(item.fields.presenter_id, item.presenter_name)
        return list(seen.items())

    def theme_names(self) -> list[str]:
        """The taxonomy, then themes typed on the fly in this meeting (so they complete too)."""
        names = list(self.themes)
        known = {fold(t) for t in names}
        for entry in self.entries:
            for theme in entry.fields.themes:
                if fold(theme) not in known:
                    known.add(fold(theme))
                    names.append(theme)
        return names


def load_meeting(app: App, event_id: int) -> MeetingBundle:
    """Runs in a worker: everything the meeting window shows about one event."""
    meetings, events = app.meetings, app.events
    day = meetings.meeting_day(event_id)
    return MeetingBundle(
        event=events.get(event_id),
        agenda=tuple(meetings.agenda(event_id)),
        attendees=tuple(events.attendees(event_id)),
        entries=tuple(meetings.entries(event_id, rehearsal=day.rehearsing)),
        themes=tuple(meetings.themes(event_id)),
        draft=meetings.draft(event_id),
        finalized_at=meetings.finalized_at(event_id),
        terms=meetings.restricted_terms(),
        day=day,
    )


def countdown(seconds: float) -> str:
    """ "12:05" left, or "−3:20" over; hours are shown when there are any ("1:02:00")."""
    sign = "−" if seconds < 0 else ""
    whole = int(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}" if hours else f"{sign}{minutes}:{secs:02d}"


def signed_minutes(minutes: int) -> str:
    if minutes == 0:
        return "on time"
    return f"+{minutes} min" if minutes > 0 else f"−{-minutes} min"


def local_clock(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%H:%M")
