"""Write an event as an iCalendar (.ics) invitation: one VEVENT, its VTIMEZONE, agenda and attendees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from msldesk.boards.records import (
    AgendaItem,
    Attendance,
    AttendeeRole,
    Event,
    EventStatus,
    Invitation,
)
from msldesk.core import clock
from msldesk.core.errors import InvalidInputError
from msldesk.core.fileio import atomic_write_bytes
from msldesk.core.text_safety import clean_text

PRODID = "-//msldesk//msldesk//EN"

# RFC 5546: PUBLISH is a calendar entry to save, REQUEST asks the attendees to reply and needs an
# ORGANIZER. Without an organizer address we cannot send a valid REQUEST, so the file is a PUBLISH;
# its ATTENDEE lines are then informational (Outlook's own "Save as calendar" does the same).
_PARTSTAT = {
    Invitation.NOT_SENT: "NEEDS-ACTION",
    Invitation.INVITED: "NEEDS-ACTION",
    Invitation.WAITLISTED: "NEEDS-ACTION",
    Invitation.ACCEPTED: "ACCEPTED",
    Invitation.TENTATIVE: "TENTATIVE",
    Invitation.DECLINED: "DECLINED",
}
_STATUS = {
    EventStatus.PLANNING: "TENTATIVE",
    EventStatus.CONFIRMED: "CONFIRMED",
    EventStatus.COMPLETED: "CONFIRMED",
    EventStatus.CLOSED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
}


def event_uid(event_id: int) -> str:
    """Stable per event, so re-importing an updated file replaces the entry instead of duplicating it."""
    return f"msldesk-event-{event_id}@msldesk.local"


def agenda_lines(event: Event, agenda: Sequence[AgendaItem], zone: ZoneInfo) -> list[str]:
    """ "09:00–09:30  Welcome (Presentation, Dr A. Smith)" per item, in the event's local time.

    Items without computed times (records built before scheduling) follow each other from the event
    start, the same way the agenda computes them. A date heads each day when the agenda spans days.
    """
    start = event.fields.starts_at
    cursor = clock.on_clock(start, zone) if start is not None else None
    timed: list[tuple[dt.datetime | None, dt.datetime | None, AgendaItem]] = []
    for item in sorted(agenda, key=lambda i: i.position):
        begins = clock.on_clock(item.starts_at, zone) if item.starts_at is not None else cursor
        ends = clock.on_clock(item.ends_at, zone) if item.ends_at is not None else None
        if ends is None and begins is not None:
            ends = begins + dt.timedelta(minutes=item.fields.minutes)
        timed.append((begins, ends, item))
        cursor = ends
    days = {b.date() for b, _, _ in timed if b is not None}
    lines: list[str] = []
    day_shown: dt.date | None = None
    for begins, ends, item in timed:
        if len(days) > 1 and begins is not None and begins.date() != day_shown:
            day_shown = begins.date()
            lines.append(clock.long_date(day_shown))
        span = f"{begins:%H:%M}–{ends:%H:%M}" if begins is not None and ends is not None else "--:--"
        detail = ", ".join(p for p in (item.fields.kind.label, item.presenter_name) if p)
        lines.append(f"{span}  {item.fields.title} ({detail})")
    return lines


def _description(event: Event, agenda: Sequence[AgendaItem], zone: ZoneInfo) -> str:
    f = event.fields
    parts: list[str] = []
    if f.objectives.strip():
        parts.append("Objectives:\n" + f.objectives.strip())
    if f.key_questions.strip():
        parts.append("Key questions:\n" + f.key_questions.strip())
    if agenda:
        parts.append(f"Agenda ({zone.key} time):\n" + "\n".join(agenda_lines(event, agenda, zone)))
    if f.virtual_link.strip():
        parts.append("Join online: " + f.virtual_link.strip())
    return "\n\n".join(parts)


def _line(value: str) -> str:
    """One clean line: a control character or a lone surrogate would make the file unreadable."""
    return " ".join(clean_text(value, breaks=False).split())


def write_event_ics(
    event: Event,
    agenda: Sequence[AgendaItem],
    attendees: Sequence[Attendance],
    path: Path,
    organizer_email: str = "",
) -> None:
    """Write `event` as a one-event calendar file.

    METHOD is REQUEST when `organizer_email` is given (attendees can reply), else PUBLISH. Every
    attendee with an email becomes an ATTENDEE (chair: CHAIR, observer: NON-PARTICIPANT, others:
    REQ-PARTICIPANT); people who declined stay in the list as PARTSTAT=DECLINED so the organizer's
    calendar shows the whole picture. People without an email cannot be calendar attendees.
    """
    from icalendar import Calendar, vCalAddress
    from icalendar import Event as VEvent

    f = event.fields
    if f.starts_at is None or f.ends_at is None:
        raise InvalidInputError("Set the event's start and end before exporting a calendar invitation")
    zone = clock.zone(f.timezone)
    starts, ends = clock.on_clock(f.starts_at, zone), clock.on_clock(f.ends_at, zone)
    if ends <= starts:
        raise InvalidInputError("The event ends before it starts; fix its times before exporting a calendar")
    organizer = _line(organizer_email)
    method = "REQUEST" if organizer else "PUBLISH"

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)

    vevent = VEvent()
    vevent.add("uid", event_uid(event.event_id))
    vevent.add("dtstamp", dt.datetime.now(dt.UTC))
    vevent.add("dtstart", starts)
    vevent.add("dtend", ends)
    vevent.add("summary", _line(f.title) or f.kind.label)
    link = _line(f.virtual_link)
    location = _line(f.venue) or link
    if location:
        vevent.add("location", location)
    if link:
        vevent.add("url", link)
    description = clean_text(_description(event, agenda, zone))
    if description:
        vevent.add("description", description)
    vevent.add("status", _STATUS.get(f.status, "CONFIRMED"))
    if f.kind.label:
        vevent.add("categories", [f.kind.label])
    if organizer:
        vevent.add("organizer", vCalAddress.new(organizer))

    for attendance in attendees:
        email = _line(attendance.person.fields.email)
        if not email:
            continue
        a = attendance.fields
        role = {AttendeeRole.CHAIR: "CHAIR", AttendeeRole.OBSERVER: "NON-PARTICIPANT"}.get(
            a.role, "REQ-PARTICIPANT"
        )
        partstat = _PARTSTAT.get(a.invitation, "NEEDS-ACTION")
        address = vCalAddress.new(
            email,
            cn=_line(attendance.person.display_name) or None,
            cutype="INDIVIDUAL",
            role=role,
            partstat=partstat,
            rsvp=True if method == "REQUEST" and partstat == "NEEDS-ACTION" else None,
        )
        vevent.add("attendee", address)

    calendar.add_component(vevent)
    # A VTIMEZONE covering only the years around the event: valid, and far shorter than 1970-2038.
    calendar.add_missing_timezones(
        first_date=dt.date(starts.year - 1, 1, 1), last_date=dt.date(ends.year + 2, 1, 1)
    )
    atomic_write_bytes(Path(path), calendar.to_ical())
