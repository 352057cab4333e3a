"""Agenda timing, pure (no database): when each item starts and ends, what runs past the event, reordering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from msldesk.core import clock
from msldesk.core.errors import InvalidInputError

MAX_ITEM_MINUTES = 24 * 60
_UTC = dt.UTC


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    overruns: bool  # ends after the event ends


def schedule(
    event_start: dt.datetime | None,
    event_end: dt.datetime | None,
    minutes: Sequence[int],
    *,
    timezone: str | None = None,
) -> list[Slot | None]:
    """One slot per item, back to back from the event start; all None while the event has no start.

    Times come back in `timezone` (an IANA name) if given, else in the zone of `event_start`.
    """
    durations = _checked_minutes(minutes)
    if event_start is None:
        return [None] * len(durations)
    start_utc = _as_utc(event_start, "start")
    end_utc = _as_utc(event_end, "end") if event_end is not None else None
    zone = clock.zone(timezone) if timezone else event_start.tzinfo
    slots: list[Slot | None] = []
    # Wall-clock arithmetic on a zoneinfo datetime ignores a DST change in between; UTC does not.
    cursor = start_utc
    for duration in durations:
        finish = cursor + dt.timedelta(minutes=duration)
        overruns = end_utc is not None and finish > end_utc
        slots.append(Slot(cursor.astimezone(zone), finish.astimezone(zone), overruns))
        cursor = finish
    return slots


def agenda_overrun_minutes(
    event_start: dt.datetime | None, event_end: dt.datetime | None, minutes: Sequence[int]
) -> int:
    """How many minutes the agenda runs past the event end (0 if it fits or either end is unknown)."""
    total = sum(_checked_minutes(minutes))
    if event_start is None or event_end is None:
        return 0
    available = _as_utc(event_end, "end") - _as_utc(event_start, "start")
    over = dt.timedelta(minutes=total) - available
    if over <= dt.timedelta(0):
        return 0
    # An event ending at 17:00:30 with an agenda to 17:01 still overruns: round up, never to 0.
    return -(-over // dt.timedelta(minutes=1))


def move(order: Sequence[int], from_index: int, to_index: int) -> list[int]:
    """`order` with the id at `from_index` taken out and put back at `to_index` (both 0-based)."""
    count = len(order)
    for name, index in (("from", from_index), ("to", to_index)):
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            raise InvalidInputError(
                "That agenda item cannot be moved there.",
                f"{name}_index={index!r} is outside 0..{count - 1} for an agenda of {count} items",
            )
    result = list(order)
    result.insert(to_index, result.pop(from_index))
    return result


def _checked_minutes(minutes: Sequence[int]) -> list[int]:
    checked = []
    for position, value in enumerate(minutes, start=1):
        # bool is an int subclass; True minutes is always a mistake.
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInputError(
                f"Agenda item {position}: the length must be a whole number of minutes.",
                f"minutes[{position - 1}]={value!r}",
            )
        if not 0 <= value <= MAX_ITEM_MINUTES:
            raise InvalidInputError(
                f"Agenda item {position}: the length must be between 0 and {MAX_ITEM_MINUTES} minutes "
                f"(it is {value}).",
                f"minutes[{position - 1}]={value!r}",
            )
        checked.append(value)
    return checked


def _as_utc(moment: dt.datetime, which: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInputError(
            f"The event {which} time has no time zone.", f"naive datetime {moment.isoformat()}"
        )
    return moment.astimezone(_UTC)
