"""Moments against an event's day, in its zone: a meeting report's date, a check-in time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from msldesk.boards.records import EventFields
from msldesk.core.clock import short_date, zone
from msldesk.core.errors import DateMismatchError

# A meeting that ran past midnight was still going in the small hours of the next day.
PAST_MIDNIGHT_HOURS = 6


def day_text(day: dt.date) -> str:
    """ "14 Nov 2022": the day as people write it, never ambiguous between day and month."""
    return short_date(day)


@dataclass(frozen=True)
class ReportDay:
    """The day a meeting report records against the event's day(s)."""

    report_day: dt.date
    event_day: dt.date
    matches: bool

    @property
    def message(self) -> str:
        return f"This report is from {day_text(self.report_day)}; the event is on {day_text(self.event_day)}."


def check_report_day(meeting_start: dt.datetime | None, event: EventFields) -> ReportDay | None:
    """None when there is nothing to compare (a report without times, an event without a date).

    The report's times are the wall-clock times of the meeting, read as the event's zone; a report
    from the event's day(s), or from the small hours after its last day, describes it."""
    if meeting_start is None or event.starts_at is None:
        return None
    tz = zone(event.timezone)
    first = _wall(event.starts_at, tz).date()
    # An event ending at midnight ("21:00–24:00") does not take up the next day.
    ends = event.ends_at - dt.timedelta(microseconds=1) if event.ends_at is not None else None
    last = _wall(ends, tz).date() if ends is not None else first
    last = max(first, last)
    start = _wall(meeting_start, tz)
    report_day = start.date()
    matches = first <= report_day <= last or (
        report_day == last + dt.timedelta(days=1) and start.hour < PAST_MIDNIGHT_HOURS
    )
    return ReportDay(report_day, first, matches)


def checkin_text(
    moment: dt.datetime | None,
    event_day: dt.date | None,
    zone: dt.tzinfo | None = None,
    today: dt.date | None = None,
) -> str:
    """A check-in on the event's clock: "09:03" on the event's day, "19 Jan 09:03" on another day of
    this year, "14 Nov 2022 09:03" in another year. The one rule for the table, meeting mode and
    every export; `moment` is an instant (naive: this computer's local time), `zone` the event's."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)  # no zone: this computer's
    if local.date() == event_day:
        return f"{local:%H:%M}"
    this_year = (today or dt.datetime.now(local.tzinfo).date()).year
    if local.year == this_year:
        return f"{short_date(local, year=False)} {local:%H:%M}"
    return f"{short_date(local)} {local:%H:%M}"


def _wall(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return (
        moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone(tz).replace(tzinfo=None)
    )


def refuse_other_day(meeting_start: dt.datetime | None, event: EventFields) -> None:
    """DateMismatchError when the report is from another day than the event: nothing is written."""
    day = check_report_day(meeting_start, event)
    if day is not None and not day.matches:
        raise DateMismatchError(
            f"{day.message} Nothing was imported: its attendance would describe another meeting.",
            details=f"report start {meeting_start}, event {event.starts_at}",
        )
