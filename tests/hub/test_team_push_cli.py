"""`msldesk team push / share / insights / payments export` without a hub, or with wrong arguments: one
plain sentence and exit 2, nothing written (the hub's side: tests/hub/test_team_push*.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from msldesk.app.services import App
from msldesk.boards.records import EventFields
from tests.cli.test_cli import msldesk_in_process as msldesk


def _finalized_event(library: Path) -> int:
    app = App(library)
    try:
        start = dt.datetime(2027, 5, 4, 9, tzinfo=dt.UTC)
        event, _ = app.events.create(EventFields(title="Solo board", starts_at=start))
        app.meetings.add_entry(event.event_id, "Heard on my own")
        app.meetings.finalize(event.event_id)
        return event.event_id
    finally:
        app.close()


def test_without_a_hub_nothing_is_pushed_and_status_says_what_waits(tmp_path: Path) -> None:
    library = tmp_path / "solo"
    event_id = _finalized_event(library)
    for command in (("team", "push"), ("team", "insights", "dosing")):
        refused = msldesk(library, *command, check_exit=2)
        assert refused.stderr.strip() == (
            "msldesk: This library is not connected to a team hub: run msldesk team connect DSN."
        )
    out = tmp_path / "team.csv"
    refused = msldesk(
        library, "team", "payments", "export", "--year", "2027", "--out", str(out), check_exit=2
    )
    assert "not connected to a team hub" in refused.stderr
    assert not out.exists()
    status = msldesk(library, "team", "status", check_exit=0).stdout
    assert "Waiting to be pushed: 1 finalized meeting:" in status
    assert f"{event_id:5}  " in status


def test_share_and_its_refusals(tmp_path: Path) -> None:
    library = tmp_path / "solo"
    event_id = _finalized_event(library)
    assert (
        "pushed shared with the other MSLs"
        in msldesk(library, "team", "share", str(event_id), check_exit=0).stdout
    )
    done = msldesk(library, "team", "share", str(event_id), "--private", check_exit=0).stdout
    assert "for you and the reviewers only" in done
    missing = msldesk(library, "team", "share", "999", check_exit=2)
    assert "There is no event with id 999." in missing.stderr


def test_wrong_arguments_are_refused_before_the_hub_is_asked(tmp_path: Path) -> None:
    library = tmp_path / "solo"
    bad_day = msldesk(library, "team", "insights", "--since", "last week", check_exit=2)
    assert "not a date (YYYY-MM-DD)" in bad_day.stderr
    xlsx = str(tmp_path / "x.xlsx")
    bad_file = msldesk(library, "team", "payments", "export", "--year", "2027", "--out", xlsx, check_exit=2)
    assert "written as .csv" in bad_file.stderr
