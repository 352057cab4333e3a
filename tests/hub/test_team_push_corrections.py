"""A pushed meeting corrected on the laptop: its event, agenda items and attendance changed go to a real
hub as amendments naming them (only what changed), agenda items and attendees added later as new rows,
ones removed as amendments saying so; never twice, whatever cut the push off. Read back as the team's
reviewer, with psycopg."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import update

from msldesk.app.services import App
from msldesk.boards.records import AgendaItemFields, AttendanceFields, PersonFields
from msldesk.hub.users import add_user
from msldesk.team import push as push_module
from msldesk.team.orm import TeamUidRow
from msldesk.team.push import PendingRecords, pending_records, push_pending
from tests.cli.test_cli import msldesk_in_process as msldesk
from tests.hub.team_meetings import START, Team, cli_json, connect, make_team, meeting

CHANGED, REMOVED = "Changed on the laptop after it was pushed", "Removed on the laptop after it was pushed"


@pytest.fixture(scope="module")
def team(pg_cluster: Any, hub_database: str) -> Team:
    return make_team(pg_cluster, hub_database)


MSLS = itertools.count()


@pytest.fixture
def library(team: Team, tmp_path: Path) -> tuple[Path, str]:
    """A library connected to the hub as an MSL of its own."""
    who = f"corrector{next(MSLS)}"
    add_user(team.cluster.owner_dsn(team.database), team.login(who), "msl", f"pw-{who}")
    folder = tmp_path / who
    connect(team, folder, who)
    return folder, who


def reviewer(team: Team, query: str, *params: Any) -> list[tuple[Any, ...]]:
    dsn = team.cluster.dsn(team.login("rita"), "pw-rita", team.database)
    with psycopg.connect(dsn) as connection:
        return connection.execute(query, params).fetchall()


def hub_uids(team: Team, who: str, title: str) -> dict[str, Any]:
    """The hub's uids of a pushed meeting's event, agenda items (by title) and attendance (by name)."""
    ((event,),) = reviewer(
        team, "SELECT uid FROM msldesk.events WHERE owner = %s AND title = %s", team.login(who), title
    )
    found = {"event": event}
    for table, name in (("agenda_items", "title"), ("attendance", "person_name")):
        for uid, value in reviewer(
            team, f"SELECT uid, {name} FROM msldesk.{table} WHERE event_uid = %s", event
        ):
            found[value] = uid
    return found


def amendments(team: Team, who: str) -> list[tuple[str, Any, dict[str, Any], str]]:
    return reviewer(
        team,
        "SELECT target_table, target_uid, changes, reason FROM msldesk.amendments WHERE owner = %s "
        "ORDER BY made_at, pushed_at, uid",
        team.login(who),
    )


def board(library: Path) -> int:
    """A finalized meeting with two agenda items (notes under the first, none under "Spare item") and
    one accepted, paid expert."""
    event_id = meeting(library, "Amend board", [("Heard about dosing", "dosing")], Decimal("500"), False)
    app = App(library)
    try:
        app.events.add_agenda_item(event_id, AgendaItemFields("Spare item", 15))
    finally:
        app.close()
    msldesk(library, "event", "finalize", str(event_id), "--yes", check_exit=0)
    return event_id


def correct(app: App, event_id: int) -> None:
    """Corrections after the push: the event's title, an agenda item's title and minutes, a check-in;
    an agenda item and an attendee added; the item without notes removed."""
    app.events.update(event_id, replace(app.events.get(event_id).fields, title="Amend board (corrected)"))
    renal, spare = app.events.agenda(event_id)
    app.events.update_agenda_item(
        renal.item_id, replace(renal.fields, title="Renal data, corrected", minutes=45)
    )
    (ada,) = app.events.attendees(event_id)
    app.events.check_in(ada.attendance_id, START + dt.timedelta(minutes=5))
    app.events.remove_agenda_item(spare.item_id)
    app.events.add_agenda_item(event_id, AgendaItemFields("Late item", 10))
    bea, _ = app.people.add(PersonFields(first_name="Bea", last_name="Late", credentials="PhD"))
    app.events.add_attendee(event_id, bea.person_id, AttendanceFields())


def test_corrections_after_the_push_go_as_amendments_and_new_rows(
    team: Team, library: tuple[Path, str]
) -> None:
    folder, who = library
    event_id = board(folder)
    assert cli_json(folder, "team", "push")["meetings"] == ["Amend board"]
    uids = hub_uids(team, who, "Amend board")
    (ada_name,) = (name for name in uids if name.startswith("Ada"))
    app = App(folder)
    try:
        correct(app, event_id)
        waiting = pending_records(app.team, app.meetings)
        assert (waiting.meetings, waiting.payments, waiting.amendments, waiting.additions) == (0, 0, 4, 2)
        status = cli_json(folder, "team", "status")
        assert (status["pending_amendments"], status["pending_additions"]) == (4, 2)
        assert (
            "4 amendments and 2 agenda items or attendees added to pushed meetings"
            in msldesk(folder, "team", "status").stdout
        )

        pushed = cli_json(folder, "team", "push")
        assert pushed == {"meetings": [], "payments": 0, "amendments": 4, "additions": 2, "problem": ""}
        found = amendments(team, who)
        by_target = {(table, uid): (changes, reason) for table, uid, changes, reason in found}
        assert len(found) == len(by_target) == 4
        assert by_target[("events", uids["event"])] == ({"title": "Amend board (corrected)"}, CHANGED)
        item_changes, reason = by_target[("agenda_items", uids["Renal data"])]
        assert (set(item_changes), item_changes["title"], reason) == (
            {"title", "details"},
            "Renal data, corrected",
            CHANGED,
        )
        assert item_changes["details"]["minutes"] == 45
        assert by_target[("attendance", uids[ada_name])] == ({"attended": True}, CHANGED)
        assert by_target[("agenda_items", uids["Spare item"])] == ({"removed": True}, REMOVED)
        # The pushed rows are as they were; the added ones are new rows of the same meeting.
        assert set(hub_uids(team, who, "Amend board")) == {
            "event",
            "Renal data",
            "Spare item",
            "Late item",
            ada_name,
            "Bea Late",
        }
        (push_record,) = [r for r in app.audit.history("event", event_id) if r.action == "team.push"][-1:]
        assert (push_record.after["amendments"], push_record.after["additions"]) == (4, 2)

        # Nothing waits, and a second push sends nothing.
        assert pending_records(app.team, app.meetings) == PendingRecords(0, 0, 0, 0)
        assert push_pending(app.team, app.meetings).nothing
        assert len(amendments(team, who)) == 4
    finally:
        app.close()


def test_a_push_killed_after_the_hub_committed_sends_no_correction_twice(
    team: Team, library: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, who = library
    event_id = board(folder)
    cli_json(folder, "team", "push")
    uids = hub_uids(team, who, "Amend board")
    real_mark = push_module.mark_pushed

    def killed(sessions: Any, record_set: Any) -> None:
        raise SystemExit("killed")  # as kill -9 would: the hub has committed, the library not noted it

    app = App(folder)
    try:
        correct(app, event_id)
        monkeypatch.setattr(push_module, "mark_pushed", killed)
        with pytest.raises(SystemExit):
            push_pending(app.team, app.meetings)
        assert len(amendments(team, who)) == 4
        assert pending_records(app.team, app.meetings) == PendingRecords(
            0, 0, 4, 2
        )  # the library does not know
        monkeypatch.setattr(push_module, "mark_pushed", real_mark)
        again = push_pending(app.team, app.meetings)
        assert (again.amendments, again.additions, again.problem) == (4, 2, "")
        assert len(amendments(team, who)) == 4  # the same uids: nothing inserted twice
        assert len(hub_uids(team, who, "Amend board")) == len(uids) + 2
        assert pending_records(app.team, app.meetings) == PendingRecords(0, 0, 0, 0)

        # Killed again after a second title change reached the hub; changed a third time before the
        # retry: that is a correction of its own (the hub has the second and gets the third).
        event = app.events.get(event_id)
        app.events.update(event_id, replace(event.fields, title="Amend board, second"))
        monkeypatch.setattr(push_module, "mark_pushed", killed)
        with pytest.raises(SystemExit):
            push_pending(app.team, app.meetings)
        monkeypatch.setattr(push_module, "mark_pushed", real_mark)
        app.events.update(event_id, replace(event.fields, title="Amend board, third"))
        assert push_pending(app.team, app.meetings).amendments == 1
        titles = [changes["title"] for table, _u, changes, _r in amendments(team, who) if table == "events"]
        assert titles == ["Amend board (corrected)", "Amend board, second", "Amend board, third"]
        assert push_pending(app.team, app.meetings).nothing
    finally:
        app.close()


def test_a_removed_attendee_goes_as_removed_and_the_next_one_as_new(
    team: Team, library: tuple[Path, str]
) -> None:
    """The next attendee gets the removed one's local id (SQLite): still a new row, not a correction."""
    folder, who = library
    event_id = meeting(folder, "Attendee board", [("Heard", "misc")])  # an expert paid nothing
    cli_json(folder, "team", "push")
    app = App(folder)
    try:
        (ada,) = app.events.attendees(event_id)
        app.events.remove_attendee(ada.attendance_id)
        cy, _ = app.people.add(PersonFields(first_name="Cy", last_name="Next", credentials="MD"))
        (cy_here, _changes) = app.events.add_attendee(event_id, cy.person_id, AttendanceFields())
        assert cy_here.attendance_id == ada.attendance_id
        assert push_pending(app.team, app.meetings).additions == 1
    finally:
        app.close()
    uids = hub_uids(team, who, "Attendee board")
    ada_name = next(name for name in uids if name.startswith("Ada"))
    assert "Cy Next" in uids
    assert [(t, u, c) for t, u, c, _r in amendments(team, who)] == [
        ("attendance", uids[ada_name], {"removed": True})
    ]


def test_records_pushed_by_an_older_msldesk_are_corrected_from_what_is_here_now(
    team: Team, library: tuple[Path, str]
) -> None:
    folder, who = library
    event_id = board(folder)
    cli_json(folder, "team", "push")
    app = App(folder)
    try:
        with app.team.sessions.begin() as session:  # as an older msldesk left its ledger
            session.execute(update(TeamUidRow).values(pushed_values=None))
        event = app.events.get(event_id)
        app.events.update(event_id, replace(event.fields, title="Amend board, before the upgrade"))
        # What the hub has is not known: nothing is sent for it, nothing fails.
        assert pending_records(app.team, app.meetings) == PendingRecords(0, 0, 0, 0)
        assert push_pending(app.team, app.meetings).nothing
        assert amendments(team, who) == []
        # From here on, corrections go.
        app.events.update(event_id, replace(event.fields, title="Amend board, after", venue="Room 2"))
        assert pending_records(app.team, app.meetings).amendments == 1
        said = msldesk(folder, "team", "push").stdout
        assert "Pushed 0 meetings, 0 transfers of value and 1 amendment to the team hub." in said
    finally:
        app.close()
    ((table, _uid, changes, _reason),) = amendments(team, who)
    assert (table, changes) == ("events", {"title": "Amend board, after", "location": "Room 2"})
