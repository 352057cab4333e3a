"""Meeting mode knows what day it is (issue 12 §5): the day check in the event's zone, rehearsals
kept out of every output and deleted in one go, and a meeting moved to today."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import zipfile
from pathlib import Path

import pytest

from msldesk.boards.records import Audience, EventFields
from msldesk.core.errors import InvalidInputError

from .test_meeting_service import BERLIN, T0, make_meeting


@pytest.fixture
def meeting(app):  # type: ignore[no-untyped-def]
    return make_meeting(app)


DAY_BEFORE = T0 - dt.timedelta(days=1, hours=-2)  # 1 Mar 2027, 11:00 in Berlin


def _pdf_text(path: Path) -> str:
    return " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode().split()
    )


def test_the_day_check_uses_the_events_zone_and_allows_past_midnight(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = meeting
    day = app.meetings.meeting_day(event.event_id)
    assert (day.on_the_day, day.event_day, day.today) == (True, dt.date(2027, 3, 2), dt.date(2027, 3, 2))
    before = app.meetings.meeting_day(event.event_id, DAY_BEFORE)
    assert (before.on_the_day, before.today) == (False, dt.date(2027, 3, 1))
    # 23:30 UTC on 1 March is already 2 March in Berlin.
    assert app.meetings.meeting_day(event.event_id, dt.datetime(2027, 3, 1, 23, 30, tzinfo=dt.UTC)).on_the_day

    late_start = dt.datetime(2027, 3, 2, 21, 0, tzinfo=BERLIN)
    late = app.events.create(
        EventFields(
            title="Late dinner board",
            starts_at=late_start,
            ends_at=late_start + dt.timedelta(hours=3),
            timezone="Europe/Berlin",
        )
    )[0]
    past_midnight = dt.datetime(2027, 3, 3, 1, 15, tzinfo=BERLIN)
    assert app.meetings.meeting_day(late.event_id, past_midnight).on_the_day
    assert not app.meetings.meeting_day(
        late.event_id, dt.datetime(2027, 3, 3, 12, 0, tzinfo=BERLIN)
    ).on_the_day


def test_a_rehearsal_is_left_out_of_every_output_and_deleted_in_one_go(meeting, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app, event, _items, clock, _ = meeting
    eid = event.event_id
    real, _ = app.meetings.add_entry(eid, "! a note typed on the day before, not in a rehearsal",
                                     when=DAY_BEFORE - dt.timedelta(hours=1))  # fmt: skip
    clock.now = DAY_BEFORE
    app.meetings.start_rehearsal(eid)
    app.meetings.next_item(eid)
    clock.advance(12)
    rehearsed, _ = app.meetings.add_entry(eid, "! REHEARSED insight #Dosing")
    app.meetings.next_item(eid)

    # Planned versus actual in the rehearsal counts from the rehearsal's start: small numbers.
    agenda = app.meetings.agenda(eid)
    assert agenda[0].starts_at == DAY_BEFORE
    assert agenda[1].starts_at == DAY_BEFORE + dt.timedelta(minutes=10)
    assert agenda[0].actual_minutes == 12
    assert agenda[0].actual_minutes - agenda[0].fields.minutes == 2

    assert [e.entry_id for e in app.meetings.entries(eid)] == [real.entry_id]
    assert [e.entry_id for e in app.meetings.entries(eid, rehearsal=True)] == [rehearsed.entry_id]
    for audience in Audience:
        report = app.meetings.report(eid, audience)
        assert [e.entry_id for e in report.entries] == [real.entry_id]
        assert all(i.actual_start is None for i in report.agenda), "rehearsal times are not the meeting's"
    app.outputs.summary(eid, Audience.MEDICAL, tmp_path / "summary.pdf")
    summary = _pdf_text(tmp_path / "summary.pdf")
    assert "not in a rehearsal" in summary
    assert "REHEARSED" not in summary
    app.outputs.insights(eid, Audience.COMPLIANCE, tmp_path / "insights.csv")
    with (tmp_path / "insights.csv").open(encoding="utf-8-sig", newline="") as handle:
        texts = [row["Text"] for row in csv.DictReader(handle)]
    assert texts == [real.text]
    from openpyxl import load_workbook

    app.outputs.insights(eid, Audience.MEDICAL, tmp_path / "insights.xlsx")
    cells = [
        str(c.value)
        for ws in load_workbook(tmp_path / "insights.xlsx")
        for row in ws.iter_rows()
        for c in row
    ]
    assert any("not in a rehearsal" in c for c in cells)
    assert not any("REHEARSED" in c for c in cells)
    app.outputs.readout(eid, Audience.MEDICAL, tmp_path / "readout.pptx")
    with zipfile.ZipFile(tmp_path / "readout.pptx") as package:  # every slide, table and chart
        deck = " ".join(package.read(n).decode("utf-8") for n in package.namelist() if n.endswith(".xml"))
    assert "not in a rehearsal" in deck
    assert "REHEARSED" not in deck

    deleted, _ = app.meetings.delete_rehearsal(eid)
    assert deleted == 1
    assert app.meetings.entries(eid, rehearsal=True) == []
    assert [e.entry_id for e in app.meetings.entries(eid)] == [real.entry_id]
    day = app.meetings.meeting_day(eid)
    assert not day.rehearsing
    assert day.rehearsal_entries == 0
    assert all(i.actual_start is None for i in app.events.agenda(eid)), "the rehearsal's times went too"


def test_the_real_meeting_starts_without_the_rehearsals_times(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, _items, clock, _ = meeting
    eid = event.event_id
    clock.now = DAY_BEFORE
    app.meetings.start_rehearsal(eid)
    app.meetings.next_item(eid)
    clock.advance(3)
    app.meetings.add_entry(eid, "trying the field out")
    clock.now = T0  # the day: the first thing recorded starts the real meeting
    agenda, _ = app.meetings.next_item(eid)
    assert agenda[0].actual_start == T0.astimezone(BERLIN), "the first item starts now, not the day before"
    _entry, _ = app.meetings.add_entry(eid, "the real thing")
    assert [e.text for e in app.meetings.entries(eid)] == ["the real thing"]
    day = app.meetings.meeting_day(eid)
    assert not day.rehearsing
    assert day.rehearsal_entries == 1  # kept out until deleted
    with pytest.raises(InvalidInputError, match="already has times recorded"):
        app.meetings.start_rehearsal(eid)


def test_the_meeting_moved_to_today_keeps_its_clock_times_and_is_audited(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, _, clock, _ = meeting
    clock.now = dt.datetime(2027, 3, 5, 7, 30, tzinfo=dt.UTC)
    assert not app.meetings.meeting_day(event.event_id).on_the_day
    moved, _ = app.meetings.move_to_today(event.event_id)
    assert moved.fields.starts_at == dt.datetime(2027, 3, 5, 9, 0, tzinfo=BERLIN)
    assert moved.fields.ends_at == dt.datetime(2027, 3, 5, 11, 0, tzinfo=BERLIN)
    assert app.meetings.meeting_day(event.event_id).on_the_day
    assert app.audit.history("event", event.event_id)[-1].action == "event.update"
    entry, _ = app.meetings.add_entry(event.event_id, "recorded as usual")
    assert [e.entry_id for e in app.meetings.report(event.event_id).entries] == [entry.entry_id]


def test_finalizing_during_a_rehearsal_is_refused(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, _, clock, _ = meeting
    clock.now = DAY_BEFORE
    app.meetings.start_rehearsal(event.event_id)
    with pytest.raises(InvalidInputError, match="rehearsal"):
        app.meetings.finalize(event.event_id)
    deleted, _ = app.meetings.delete_rehearsal(event.event_id)
    app.meetings.finalize(event.event_id)
    assert deleted == 0
    assert app.meetings.finalized_at(event.event_id) is not None
