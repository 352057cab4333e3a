"""Moments against an event's day: check-in times as people read them, a meeting report's day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.events.days import check_report_day, checkin_text, day_text
from msldesk.boards.records import EventFields

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = dt.date(2027, 1, 20)
EVENT_DAY = dt.date(2027, 1, 18)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2027, 1, 18, 8, 3, tzinfo=dt.UTC), "09:03"),  # the event's day, on its clock
        (dt.datetime(2027, 1, 17, 23, 30, tzinfo=dt.UTC), "00:30"),  # the day before in UTC, not in Berlin
        (dt.datetime(2027, 1, 19, 8, 3, tzinfo=dt.UTC), "19 Jan 09:03"),  # another day of this year
        (dt.datetime(2022, 11, 14, 8, 30, tzinfo=dt.UTC), "14 Nov 2022 09:30"),  # another year
        (dt.datetime(2026, 12, 31, 22, 59, tzinfo=dt.UTC), "31 Dec 2026 23:59"),
        (None, ""),
    ],
)
def test_checkin_text_shows_the_date_off_the_event_day_and_the_year_off_this_year(
    moment: dt.datetime | None, expected: str
) -> None:
    assert checkin_text(moment, EVENT_DAY, BERLIN, today=TODAY) == expected


def test_checkin_text_of_an_undated_event_always_names_the_day() -> None:
    moment = dt.datetime(2027, 1, 18, 8, 3, tzinfo=dt.UTC)
    assert checkin_text(moment, None, BERLIN, today=TODAY) == "18 Jan 09:03"


def event(
    start: dt.datetime | None, end: dt.datetime | None = None, tz: str = "Europe/Berlin"
) -> EventFields:
    return EventFields(title="Board", starts_at=start, ends_at=end, timezone=tz)


def test_a_report_matches_the_event_days_and_the_small_hours_after() -> None:
    board = event(
        dt.datetime(2027, 1, 18, 21, 0, tzinfo=BERLIN), dt.datetime(2027, 1, 18, 23, 0, tzinfo=BERLIN)
    )
    assert check_report_day(dt.datetime(2027, 1, 18, 21, 5), board).matches
    assert check_report_day(dt.datetime(2027, 1, 19, 0, 20), board).matches  # past midnight
    morning = check_report_day(dt.datetime(2027, 1, 19, 9, 0), board)
    assert not morning.matches
    assert morning.message == "This report is from 19 Jan 2027; the event is on 18 Jan 2027."
    assert not check_report_day(dt.datetime(2027, 1, 17, 23, 50), board).matches
    two_days = event(
        dt.datetime(2027, 1, 18, 9, 0, tzinfo=BERLIN), dt.datetime(2027, 1, 19, 17, 0, tzinfo=BERLIN)
    )
    assert check_report_day(dt.datetime(2027, 1, 19, 10, 0), two_days).matches
    # The event's day is its own zone's: 18 Jan 02:00 in Tokyo is still 17 Jan in UTC.
    tokyo = event(dt.datetime(2027, 1, 17, 17, 0, tzinfo=dt.UTC), tz="Asia/Tokyo")
    assert check_report_day(dt.datetime(2027, 1, 18, 2, 30), tokyo).matches
    # Ending at midnight does not make the next day the event's (its small hours still count).
    to_midnight = event(
        dt.datetime(2027, 1, 18, 21, 0, tzinfo=BERLIN), dt.datetime(2027, 1, 19, 0, 0, tzinfo=BERLIN)
    )
    assert check_report_day(dt.datetime(2027, 1, 19, 1, 15), to_midnight).matches
    assert not check_report_day(dt.datetime(2027, 1, 19, 12, 0), to_midnight).matches


def test_nothing_to_compare_without_a_report_time_or_an_event_date() -> None:
    assert check_report_day(None, event(dt.datetime(2027, 1, 18, 9, 0, tzinfo=BERLIN))) is None
    assert check_report_day(dt.datetime(2022, 11, 14, 9, 29), event(None)) is None


def test_day_text_is_never_ambiguous() -> None:
    assert day_text(dt.date(2022, 11, 4)) == "4 Nov 2022"
