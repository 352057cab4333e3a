"""Check-in times in the summary PDF follow the one rule: the date off the event's day, the year off
this year (see boards.event_days.checkin_text)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from msldesk.boards.records import Audience

from .test_summary_pdf import EXPERTS, START, flat, report_for, write


def test_summary_attendance_shows_the_day_and_year_of_a_check_in_off_the_event_day(tmp_path: Path) -> None:
    this_year = dt.datetime.now().year
    schmidt, kowalski, *_ = EXPERTS.values()
    earlier = replace(
        schmidt, fields=replace(schmidt.fields, checked_in_at=START.replace(year=2022, month=11, day=14))
    )
    other_day = (
        START.replace(year=this_year, month=1, day=2)
        if this_year != START.year
        else START - dt.timedelta(days=1)
    )
    later = replace(kowalski, fields=replace(kowalski.fields, checked_in_at=other_day))
    report = report_for(Audience.COMPLIANCE, attendees=(earlier, later))
    _, text = write(tmp_path, report)
    body = flat(text)
    assert "Anna Schmidt, MD Charité Berlin Chair Accepted 14 Nov 2022 09:00 Yes Yes" in body
    assert f"Advisor Accepted {other_day.day} {other_day:%b} 09:00 Yes No" in body
