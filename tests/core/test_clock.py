"""The one time policy: zones, storage in UTC, and how times read."""

from __future__ import annotations

import datetime as dt

import pytest

from msldesk.core import clock
from msldesk.core.errors import InvalidInputError


def test_an_unknown_zone_is_refused_with_the_same_words_everywhere() -> None:
    with pytest.raises(InvalidInputError, match="“Mars/Olympus” is not a time zone msldesk knows"):
        clock.zone("Mars/Olympus")
    assert str(clock.zone("")) == "UTC"


def test_event_times_are_stored_in_utc_and_read_back_on_the_events_clock() -> None:
    berlin = clock.zone("Europe/Berlin")
    wall = dt.datetime(2027, 1, 18, 9, 0)  # naive: the event's own wall time
    stored = clock.to_utc(wall, berlin)
    assert stored == dt.datetime(2027, 1, 18, 8, 0)
    assert stored.tzinfo is None
    back = clock.from_utc(stored, berlin)
    assert back is not None
    assert back.replace(tzinfo=None) == wall
    assert back.utcoffset() == dt.timedelta(hours=1)
    assert clock.on_clock(wall, berlin).tzinfo is berlin


def test_times_read_the_way_people_write_them() -> None:
    assert clock.long_date(dt.date(2026, 3, 12)) == "Thursday 12 March 2026"
    assert clock.zone_abbreviation(dt.datetime(2027, 1, 18, 9, tzinfo=clock.zone("Europe/Berlin"))) == "CET"
    kolkata = dt.datetime(2027, 1, 18, 9, tzinfo=clock.zone("Asia/Kolkata"))
    assert clock.zone_abbreviation(kolkata) == "IST"
    dubai = dt.datetime(2027, 1, 18, 9, tzinfo=clock.zone("Asia/Dubai"))
    assert clock.zone_abbreviation(dubai) == "UTC+04:00"
