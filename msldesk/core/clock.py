"""Time, decided once: which zone an event's times are in, UTC for storage, wall time for display.

Every stored moment is UTC (naive in the database, aware in records). An event's own times are read
and shown on its zone's clock. A zone name msldesk does not know is refused with the same words
wherever it is met: a time silently shown in another zone would be wrong without anyone noticing.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from msldesk.core.errors import InvalidInputError

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name` ("" is UTC); InvalidInputError naming it when msldesk does not know it."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInputError(
            f"“{name}” is not a time zone msldesk knows. Use a name like Europe/Berlin or America/New_York.",
            details=repr(exc),
        ) from exc


def to_utc(moment: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    """An event's time for storage: aware, or naive = wall time in the event's zone -> naive UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def from_utc(moment: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    """A stored (naive UTC) time on `tz`'s clock."""
    return None if moment is None else moment.replace(tzinfo=dt.UTC).astimezone(tz)


def instant_to_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment something happened (aware, or naive = this computer's local time) -> naive UTC, to
    the second, for storage."""
    return None if moment is None else moment.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)


def utc_now() -> dt.datetime:
    """Now, as stored: naive UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def stored(moment: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) moment as records carry it: aware, in UTC."""
    return moment.replace(tzinfo=dt.UTC)


def local(moment: dt.datetime) -> dt.datetime:
    """A recorded moment (aware) on this computer's clock, for showing. A naive time is refused: read
    as local time it would silently be off by the zone's offset."""
    if moment.tzinfo is None:
        raise ValueError(f"a moment to show must carry its zone: {moment!r}")
    return moment.astimezone()


def on_clock(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """`moment` on `tz`'s clock; a naive time is taken to be wall time there already."""
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def long_date(day: dt.date) -> str:
    """ "Thursday 12 March 2026", in English whatever the process locale (strftime's %A follows it)."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date, weekday: bool = False, year: bool = True) -> str:
    """ "4 Jan 2027" ("Mon 4 Jan 2027" with `weekday`, "4 Jan" without `year`), in English whatever
    the process locale: Qt sets it from the system's, and strftime's %a and %b follow it (an
    English summary made on a German laptop said "Dez")."""
    text = f"{day.day} {_MONTHS[day.month - 1][:3]}"
    if weekday:
        text = f"{short_weekday(day)} {text}"
    return f"{text} {day.year}" if year else text


def short_weekday(day: dt.date) -> str:
    """ "Mon", in English whatever the process locale (as short_date)."""
    return _DAYS[day.weekday()][:3]


def zone_abbreviation(moment: dt.datetime) -> str:
    """ "CET", or "UTC+03:00" where the zone has no letters for its abbreviation; "" for a naive time."""
    name = moment.tzname() or ""
    if re.fullmatch(r"[A-Za-z]{2,5}", name):
        return name
    offset = moment.utcoffset()
    if offset is None:
        return ""
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"
