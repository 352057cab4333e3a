"""Agenda timing: consecutive slots from the event start, overruns, DST changes, reordering."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.events.timing import Slot, agenda_overrun_minutes, move, schedule
from msldesk.core.errors import InvalidInputError

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)


def berlin(*args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN, fold=fold)


def test_slots_follow_each_other_from_the_event_start() -> None:
    start, end = berlin(2026, 6, 10, 9, 0), berlin(2026, 6, 10, 12, 0)
    slots = schedule(start, end, [30, 45, 0, 15])
    assert [(s.starts_at.time(), s.ends_at.time()) for s in slots] == [
        (dt.time(9, 0), dt.time(9, 30)),
        (dt.time(9, 30), dt.time(10, 15)),
        (dt.time(10, 15), dt.time(10, 15)),  # a zero-length item takes no time
        (dt.time(10, 15), dt.time(10, 30)),
    ]
    assert all(s.starts_at.tzinfo is BERLIN for s in slots)
    assert not any(s.overruns for s in slots)


def test_item_ending_after_the_event_end_overruns_and_one_ending_exactly_on_it_does_not() -> None:
    start, end = berlin(2026, 6, 10, 9, 0), berlin(2026, 6, 10, 10, 0)
    slots = schedule(start, end, [30, 30, 1, 20])
    assert [s.overruns for s in slots] == [False, False, True, True]
    assert agenda_overrun_minutes(start, end, [30, 30, 1, 20]) == 21
    assert agenda_overrun_minutes(start, end, [30, 30]) == 0
    assert agenda_overrun_minutes(start, end, [10]) == 0


def test_without_a_start_every_slot_is_unknown_and_without_an_end_nothing_overruns() -> None:
    assert schedule(None, berlin(2026, 6, 10, 10, 0), [10, 20, 30]) == [None, None, None]
    assert schedule(None, None, []) == []
    slots = schedule(berlin(2026, 6, 10, 9, 0), None, [600, 300])
    assert [s.overruns for s in slots] == [False, False]
    assert slots[-1].ends_at == berlin(2026, 6, 11, 0, 0)  # runs past midnight into the next day
    assert agenda_overrun_minutes(None, berlin(2026, 6, 10, 10, 0), [600]) == 0
    assert agenda_overrun_minutes(berlin(2026, 6, 10, 9, 0), None, [600]) == 0


def test_spring_forward_in_berlin_keeps_real_durations() -> None:
    # 29 March 2026: clocks jump from 02:00 CET to 03:00 CEST.
    start = berlin(2026, 3, 29, 1, 0)
    slots = schedule(start, berlin(2026, 3, 29, 5, 0), [60, 60, 60])
    assert [s.ends_at for s in slots] == [
        berlin(2026, 3, 29, 3, 0),
        berlin(2026, 3, 29, 4, 0),
        berlin(2026, 3, 29, 5, 0),
    ]
    # Naive wall-clock arithmetic would give 02:00, an hour that does not exist that night.
    assert slots[0].ends_at.hour == 3
    assert slots[0].starts_at.utcoffset() == dt.timedelta(hours=1)
    assert slots[0].ends_at.utcoffset() == dt.timedelta(hours=2)
    for slot in slots:
        assert slot.ends_at.astimezone(UTC) - slot.starts_at.astimezone(UTC) == 60 * MINUTE
    assert not any(s.overruns for s in slots)
    # 01:00 to 05:00 that morning is only three real hours: a fourth hour of agenda overruns.
    assert agenda_overrun_minutes(start, berlin(2026, 3, 29, 5, 0), [60, 60, 60, 60]) == 60
    assert schedule(start, berlin(2026, 3, 29, 5, 0), [60, 60, 60, 60])[-1].overruns


def test_fall_back_in_berlin_gives_the_repeated_hour_its_own_offset() -> None:
    # 25 October 2026: clocks go back from 03:00 CEST to 02:00 CET, so 02:30 happens twice.
    start = berlin(2026, 10, 25, 1, 30)
    slots = schedule(start, None, [60, 60, 60])
    first, second, third = slots
    assert (first.ends_at.hour, first.ends_at.minute) == (2, 30)
    assert (second.ends_at.hour, second.ends_at.minute) == (2, 30)
    assert first.ends_at.utcoffset() == dt.timedelta(hours=2)  # the first 02:30 is still summer time
    assert second.ends_at.utcoffset() == dt.timedelta(hours=1)
    assert (third.ends_at.hour, third.ends_at.minute) == (3, 30)
    assert [s.ends_at.astimezone(UTC) for s in slots] == [
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        dt.datetime(2026, 10, 25, 2, 30, tzinfo=UTC),
    ]
    # Overruns are judged in real time, not by the wall clock: an end at the second 02:45 (fold=1)
    # leaves room for two hours, an end at the first 02:45 only for one.
    assert [s.overruns for s in schedule(start, berlin(2026, 10, 25, 2, 45, fold=1), [60, 60])] == [
        False,
        False,
    ]
    assert [s.overruns for s in schedule(start, berlin(2026, 10, 25, 2, 45, fold=0), [60, 60])] == [
        False,
        True,
    ]
    # 01:30 to 03:30 on that night is three real hours.
    assert agenda_overrun_minutes(start, berlin(2026, 10, 25, 3, 30), [60, 60, 60]) == 0
    assert agenda_overrun_minutes(start, berlin(2026, 10, 25, 3, 30), [60, 60, 61]) == 1


def test_times_come_back_in_the_requested_zone() -> None:
    start = dt.datetime(2026, 3, 8, 6, 0, tzinfo=UTC)  # 01:00 in New York, an hour before its switch
    slots = schedule(start, None, [60, 60], timezone="America/New_York")
    assert [s.starts_at for s in slots] == [
        dt.datetime(2026, 3, 8, 1, 0, tzinfo=NEW_YORK),
        dt.datetime(2026, 3, 8, 3, 0, tzinfo=NEW_YORK),
    ]
    assert all(s.starts_at.tzinfo == NEW_YORK for s in slots)
    with pytest.raises(InvalidInputError, match="time zone"):
        schedule(start, None, [10], timezone="Mars/Olympus_Mons")


def test_overrun_rounds_a_part_minute_up() -> None:
    start = dt.datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
    end = dt.datetime(2026, 6, 10, 10, 0, 30, tzinfo=UTC)
    assert agenda_overrun_minutes(start, end, [60]) == 0
    assert agenda_overrun_minutes(start, end, [61]) == 1
    assert schedule(start, end, [61])[0].overruns


def test_an_end_before_the_start_makes_everything_overrun() -> None:
    start, end = berlin(2026, 6, 10, 9, 0), berlin(2026, 6, 10, 8, 0)
    assert [s.overruns for s in schedule(start, end, [0, 10])] == [True, True]
    assert agenda_overrun_minutes(start, end, [10]) == 70


@pytest.mark.parametrize("bad", [-1, 1441, 10_000, 1.5, 30.0, "30", None, True])
def test_minutes_outside_0_to_1440_or_not_whole_are_refused(bad: object) -> None:
    start = berlin(2026, 6, 10, 9, 0)
    with pytest.raises(InvalidInputError) as caught:
        schedule(start, None, [30, bad])  # type: ignore[list-item]
    assert "Agenda item 2" in caught.value.user_message
    with pytest.raises(InvalidInputError):
        schedule(None, None, [bad])  # type: ignore[list-item]  # checked even without a start
    with pytest.raises(InvalidInputError):
        agenda_overrun_minutes(start, start, [bad])  # type: ignore[list-item]


def test_the_limits_themselves_are_allowed() -> None:
    slots = schedule(berlin(2026, 6, 10, 0, 0), None, [0, 1440])
    assert slots[1] == Slot(berlin(2026, 6, 10, 0, 0), berlin(2026, 6, 11, 0, 0), False)


def test_naive_times_are_refused() -> None:
    naive = dt.datetime(2026, 6, 10, 9, 0)
    with pytest.raises(InvalidInputError, match="time zone"):
        schedule(naive, None, [10])
    with pytest.raises(InvalidInputError, match="time zone"):
        schedule(berlin(2026, 6, 10, 9, 0), naive, [10])
    with pytest.raises(InvalidInputError):
        agenda_overrun_minutes(naive, berlin(2026, 6, 10, 9, 0), [10])


@pytest.mark.parametrize(
    ("start", "to", "expected"),
    [
        (0, 3, [20, 30, 40, 10]),
        (3, 0, [40, 10, 20, 30]),
        (1, 2, [10, 30, 20, 40]),
        (2, 1, [10, 30, 20, 40]),
        (2, 2, [10, 20, 30, 40]),
    ],
)
def test_move(start: int, to: int, expected: list[int]) -> None:
    order = (10, 20, 30, 40)
    assert move(order, start, to) == expected
    assert order == (10, 20, 30, 40)  # the input is not changed


def test_move_does_not_change_a_list_it_was_given() -> None:
    order = [1, 2, 3]
    assert move(order, 0, 2) == [2, 3, 1]
    assert order == [1, 2, 3]


@pytest.mark.parametrize(
    ("order", "start", "to"),
    [
        ([1, 2, 3], 3, 0),
        ([1, 2, 3], 0, 3),
        ([1, 2, 3], -1, 0),
        ([1, 2, 3], 0, -1),
        ([], 0, 0),
        ([1, 2], True, 0),
        ([1, 2], 0, 1.0),
    ],
)
def test_move_out_of_bounds_is_refused(order: list[int], start: int, to: int) -> None:
    with pytest.raises(InvalidInputError):
        move(order, start, to)
