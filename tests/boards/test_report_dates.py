"""Teams and Zoom attendance reports only record attendance on the event whose day they describe."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from msldesk.boards.intake.sources import read_source_bytes
from msldesk.core.paths import LibraryPaths
from tests import library_db
from tests.cli.test_cli import msldesk_in_process as msldesk
from tests.conftest import CORPUS_DIR

TEAMS = CORPUS_DIR / "people" / "dvaneynde__IDL-14-11-22.csv"  # Teams, 14 Nov 2022 09:29 (day first)
ZOOM = CORPUS_DIR / "people" / "zoomclass__participants_heroes.csv"  # Zoom, 19 Nov 2021 09:54 AM (US order)
COUNTED = ("people", "events", "attendances", "audit_log")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    if not TEAMS.is_file() or not ZOOM.is_file():
        pytest.skip("the people corpus is not available")
    return tmp_path / "reports"


def one_json(result: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(result.stdout)


def counts(data_dir: Path) -> dict[str, int]:
    with library_db.connect(LibraryPaths(data_dir).database) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}


def event(data_dir: Path, start: str, end: str, tz: str = "Europe/Brussels") -> str:
    created = one_json(msldesk(
        data_dir, "event", "create", "--title", "Board", "--start", start, "--end", end, "--tz", tz, "--json",
        check_exit=0,
    ))  # fmt: skip
    return str(created["id"])


def attendees(data_dir: Path, event_id: str) -> list[dict]:
    return one_json(msldesk(data_dir, "event", "show", event_id, "--json", check_exit=0))["attendees"]


@pytest.mark.parametrize(
    ("report", "said"),
    [(TEAMS, "This report is from 14 Nov 2022; the event is on 18 Jan 2027."),
     (ZOOM, "This report is from 19 Nov 2021; the event is on 18 Jan 2027.")],
)  # fmt: skip
def test_a_report_of_another_day_writes_nothing_unless_any_date_then_people_only(
    data_dir: Path, report: Path, said: str
) -> None:
    event_id = event(data_dir, "2027-01-18T09:00", "2027-01-18T12:00")
    before = counts(data_dir)
    for extra in ((), ("--dry-run",)):
        refused = one_json(msldesk(
            data_dir, "people", "import", str(report), "--event", event_id, *extra, "--json", check_exit=2
        ))  # fmt: skip
        assert refused["error_kind"] == "date-mismatch"
        assert refused["error"].startswith(said)
        assert "--any-date" in refused["error"]
    plain = msldesk(data_dir, "people", "import", str(report), "--event", event_id, check_exit=2)
    assert said in plain.stderr
    assert "Traceback" not in plain.stderr
    assert counts(data_dir) == before, "nothing written"

    result = one_json(msldesk(
        data_dir, "people", "import", str(report), "--event", event_id, "--any-date", "--json", check_exit=0
    ))  # fmt: skip
    assert result["people_only"] is True
    assert result["imported"] > 0
    assert (result["attendees_added"], result["attendance_marked"]) == (0, 0)
    after = counts(data_dir)
    assert after["people"] == before["people"] + result["imported"]
    assert after["attendances"] == before["attendances"] == 0
    assert attendees(data_dir, event_id) == []


def test_a_report_of_the_event_day_records_attendance_and_maps_roles(data_dir: Path) -> None:
    event_id = event(data_dir, "2022-11-14T09:30", "2022-11-14T10:00")
    result = one_json(msldesk(
        data_dir, "people", "import", str(TEAMS), "--event", event_id, "--json", check_exit=0
    ))  # fmt: skip
    assert (result["imported"], result["attendees_added"], result["attendance_marked"]) == (7, 7, 7)
    assert result["people_only"] is False
    listed = {a["person"]["email"]: a for a in attendees(data_dir, event_id)}
    organizer = listed["jan.janssens.ext@un.int"]
    assert organizer["role"] == "internal"  # Organizer
    assert (organizer["person"]["first_name"], organizer["person"]["last_name"]) == ("Janssens", "Jan")
    assert organizer["checked_in_at"].startswith("2022-11-14T08:30:46")  # 09:30:46 in Brussels, UTC
    assert {a["role"] for e, a in listed.items() if e != "jan.janssens.ext@un.int"} == {
        "faculty"
    }  # Presenter


def teams_report(start: str, join: str, leave: str) -> bytes:
    text = (
        f"1. Summary\nMeeting title\tLate board\nStart time\t{start}\n\n2. Participants\n"
        "Name\tFirst join\tLast leave\tIn-meeting duration\tEmail\tRole\n"
        f"Ann Lee\t{join}\t{leave}\t50m\tann@x.org\tAttendee\n"
    )
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def test_a_meeting_past_midnight_is_the_event_day_but_the_next_morning_is_not(
    data_dir: Path, tmp_path: Path
) -> None:
    event_id = event(data_dir, "2027-01-18T22:00", "2027-01-18T23:30", tz="America/New_York")
    late = tmp_path / "late.csv"
    late.write_bytes(
        teams_report("1/19/2027, 12:10:00 AM", "1/19/2027, 12:10:00 AM", "1/19/2027, 1:00:00 AM")
    )
    result = one_json(
        msldesk(data_dir, "people", "import", str(late), "--event", event_id, "--json", check_exit=0)
    )
    assert (result["attendance_marked"], result["people_only"]) == (1, False)
    assert attendees(data_dir, event_id)[0]["role"] == "advisor"  # Attendee

    next_day = tmp_path / "next-day.csv"
    next_day.write_bytes(
        teams_report("1/19/2027, 9:00:00 AM", "1/19/2027, 9:00:00 AM", "1/19/2027, 9:50:00 AM")
    )
    refused = one_json(
        msldesk(data_dir, "people", "import", str(next_day), "--event", event_id, "--json", check_exit=2)
    )
    assert refused["error_kind"] == "date-mismatch"
    assert refused["error"].startswith("This report is from 19 Jan 2027; the event is on 18 Jan 2027.")


@pytest.mark.parametrize(
    ("text", "start"),
    [
        # Teams: the summary's start time, day first as its participant lines show.
        ("1. Summary\nMeeting title\tBoard\nStart time\t03/04/23, 08:58:00\n\n2. Participants\n"
         "Name\tFirst join\tLast leave\tIn-meeting duration\tEmail\tRole\n"
         "Ann Lee\t03/04/23, 09:01:00\t03/04/23, 09:50:00\t49m\tann@x.org\tOrganizer\n"
         "Bo Chen\t13/04/23, 09:02:00\t13/04/23, 09:40:00\t38m\tbo@x.org\tAttendee\n",
         dt.datetime(2023, 4, 3, 8, 58)),
        # Zoom: the meeting block above the participants.
        ("Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
         "123,Board,01/18/2027 08:55:00 PM,01/18/2027 11:00:00 PM,me@x.org,125,2\n\n"
         "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
         "Ann Lee,ann@x.org,01/18/2027 09:00:00 PM,01/18/2027 11:00:00 PM,120,No\n",
         dt.datetime(2027, 1, 18, 20, 55)),
        # Zoom participants only: the first join.
        ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
         "Bo Chen,bo@x.org,01/18/2027 09:10:00 PM,01/18/2027 11:00:00 PM,110,No\n"
         "Ann Lee,ann@x.org,01/18/2027 09:00:00 PM,01/18/2027 11:00:00 PM,120,No\n",
         dt.datetime(2027, 1, 18, 21, 0)),
    ],
    ids=["teams-summary", "zoom-meeting-block", "zoom-first-join"],
)  # fmt: skip
def test_the_meeting_day_is_read_from_the_report(text: str, start: dt.datetime) -> None:
    table = read_source_bytes(text.encode("utf-8"), "report.csv")
    assert table.kind in ("teams-report", "zoom-report")
    assert table.meeting_start == start
