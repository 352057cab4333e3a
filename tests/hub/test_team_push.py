"""Pushing meeting records to a real hub from real libraries, and reading them back: two MSLs' libraries
and a reviewer's, each connected with `msldesk team connect` to one throw-away PostgreSQL hub. What each
login sees is the database's row-level security; the counts are read as the server's superuser."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from msldesk.app.services import App
from msldesk.boards.outputs.open_payments import COLUMNS
from msldesk.boards.records import Invitation
from msldesk.hub.users import add_user
from tests.cli.test_cli import msldesk_in_process as msldesk
from tests.hub.cluster import Cluster
from tests.hub.team_meetings import Team, cli_json, connect, make_team, meeting, texts


@pytest.fixture(scope="module")
def team(pg_cluster: Cluster, hub_database: str) -> Team:
    return make_team(pg_cluster, hub_database)


@pytest.fixture
def app_of() -> Iterator[Any]:
    opened: list[App] = []

    def open_app(library: Path) -> App:
        opened.append(App(library))
        return opened[-1]

    yield open_app
    for app in opened:
        app.close()


def test_two_msls_push_and_the_reviewer_sees_both(team: Team, tmp_path: Path, app_of: Any) -> None:
    ana, ben, rita = tmp_path / "ana", tmp_path / "ben", tmp_path / "rita"
    for library, who in ((ana, "ana"), (ben, "ben"), (rita, "rita")):
        connect(team, library, who)
    renal = meeting(ana, "Renal board", [("Patients ask about renal dosing", "dosing")], Decimal("1500"))
    draft = meeting(ana, "Draft board", [("Unfinalized whisper about titration", "dosing")], finalize=False)
    meeting(ben, "Hepatic board", [("Hepatic dosing questions from nephrologists", "safety")], Decimal("400"))

    status = cli_json(ana, "team", "status")
    assert [p["event_id"] for p in status["pending"]] == [renal]  # the draft is not finalized: not pending
    pushed = cli_json(ana, "team", "push")
    assert (pushed["meetings"], pushed["payments"], pushed["amendments"]) == (["Renal board"], 1, 0)
    synced = cli_json(ben, "team", "sync")  # a sync pushes too
    assert synced["pushed"]["meetings"] == ["Hepatic board"]
    assert cli_json(ana, "team", "status")["pending"] == []

    # The reviewer sees both MSLs' entries; nothing of the unfinalized meeting ever left the laptop.
    seen = cli_json(rita, "team", "insights", "dosing")
    assert {(r["owner"], r["text"]) for r in seen} == {
        (team.login("ana"), "Patients ask about renal dosing"),
        (team.login("ben"), "Hepatic dosing questions from nephrologists"),
    }
    assert cli_json(rita, "team", "insights", "titration") == []
    assert team.count("events", "title = 'Draft board'") == 0
    assert texts(cli_json(rita, "team", "insights", "--theme", "SAFETY")) == {
        "Hepatic dosing questions from nephrologists"
    }
    # Each MSL sees their own, not the other's unshared meeting.
    assert texts(cli_json(ben, "team", "insights", "dosing")) == {
        "Hepatic dosing questions from nephrologists"
    }
    assert texts(cli_json(ana, "team", "insights")) == {"Patients ask about renal dosing"}

    # Pushing again adds nothing.
    counts = {t: team.count(t) for t in ("events", "agenda_items", "attendance", "entries", "payments")}
    assert cli_json(ana, "team", "push") == {
        "meetings": [],
        "payments": 0,
        "amendments": 0,
        "additions": 0,
        "problem": "",
    }
    assert {t: team.count(t) for t in counts} == counts
    assert counts == {"events": 2, "agenda_items": 2, "attendance": 2, "entries": 2, "payments": 2}

    # A correction after the push arrives as an amendment; the pushed entry is not changed.
    app = app_of(ana)
    (entry,) = app.meetings.entries(renal)
    app.meetings.amend_entry(entry.entry_id, "Patients ask about renal dosing in stage 4 CKD", "")
    assert cli_json(ana, "team", "status")["pending_amendments"] == 1
    assert cli_json(ana, "team", "push")["amendments"] == 1
    assert team.count("amendments", "target_table = 'entries'") == 1
    assert team.count("entries", "body = 'Patients ask about renal dosing'") == 1
    (found,) = cli_json(rita, "team", "insights", "CKD")
    assert (found["text"], found["amended"]) == ("Patients ask about renal dosing in stage 4 CKD", True)
    assert cli_json(ana, "team", "status")["pending_amendments"] == 0
    assert draft not in [p["event_id"] for p in cli_json(ana, "team", "status")["pending"]]


def test_a_shared_meeting_is_seen_by_the_other_msl(team: Team, tmp_path: Path) -> None:
    ana, ben = tmp_path / "ana", tmp_path / "ben"
    connect(team, ana, "ana")
    connect(team, ben, "ben")
    shared = meeting(ben, "Shared infusion board", [("Infusion chairs are scarce", "access")], finalize=False)
    assert cli_json(ben, "team", "share", str(shared)) == {"event_id": shared, "shared": True}
    msldesk(ben, "event", "finalize", str(shared), "--yes", check_exit=0)
    meeting(ben, "Private infusion board", [("Infusion pumps break", "access")])
    assert len(cli_json(ben, "team", "push")["meetings"]) == 2
    assert texts(cli_json(ana, "team", "insights", "infusion")) == {"Infusion chairs are scarce"}
    refused = msldesk(ben, "team", "share", str(shared), "--private", check_exit=2)
    assert "already on the team hub as shared" in refused.stderr


def test_payments_export_across_two_msls(team: Team, tmp_path: Path, app_of: Any) -> None:
    ana, ben, rita = tmp_path / "ana", tmp_path / "ben", tmp_path / "rita"
    for library, who in ((ana, "ana"), (ben, "ben"), (rita, "rita")):
        connect(team, library, who)
    meeting(ana, "Payments board A", [("Fine", "misc")], Decimal("1200"))
    meeting(ben, "Payments board Bee", [("Fine too", "misc")], Decimal("800.5"))
    cli_json(ana, "team", "push")
    cli_json(ben, "team", "push")
    out = tmp_path / "team-2027.csv"
    done = cli_json(rita, "team", "payments", "export", "--year", "2027", "--out", str(out))
    assert done["everyone"]
    assert set(done["msls"]) >= {team.login("ana"), team.login("ben")}
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == COLUMNS
    by_context = {row[COLUMNS.index("Contextual_Information")]: row for row in rows[1:]}
    assert by_context["Payments board A"][COLUMNS.index("Total_Amount_of_Payment_USDollars")] == "1200.00"
    assert by_context["Payments board Bee"][COLUMNS.index("Total_Amount_of_Payment_USDollars")] == "800.50"
    # The same row as the MSL's own Open Payments export writes, from the same writer.
    local = tmp_path / "ana-2027.csv"
    app_of(ana).outputs.payments(2027, local)
    with local.open(newline="", encoding="utf-8") as handle:
        (local_row,) = list(csv.reader(handle))[1:]
    assert by_context["Payments board A"] == local_row
    # An MSL's export holds their own only, and says so.
    mine = tmp_path / "ana-team.csv"
    assert cli_json(ana, "team", "payments", "export", "--year", "2027", "--out", str(mine))["msls"] == [
        team.login("ana")
    ]
    assert (
        "Only your own"
        in msldesk(
            ana, "team", "payments", "export", "--year", "2027", "--out", str(mine), "--overwrite"
        ).stdout
    )


def _amounts(library: Path, out: Path) -> dict[str, str]:
    # Asked again after a correction: the export replaces the earlier one only when told to.
    cli_json(library, "team", "payments", "export", "--year", "2027", "--out", str(out), "--overwrite")
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    context, amount = (
        COLUMNS.index("Contextual_Information"),
        COLUMNS.index("Total_Amount_of_Payment_USDollars"),
    )
    return {row[context]: row[amount] for row in rows}


def test_a_transfer_of_value_changed_after_its_push_goes_as_a_correction(
    team: Team, tmp_path: Path, app_of: Any
) -> None:
    cy = tmp_path / "cy"
    add_user(team.cluster.owner_dsn(team.database), team.login("cy"), "msl", "pw-cy")
    connect(team, cy, "cy")
    event_id = meeting(cy, "Correction board", [("Fine", "misc")], Decimal("900"))
    cli_json(cy, "team", "push")
    out = tmp_path / "cy.csv"
    assert _amounts(cy, out) == {"Correction board": "900.00"}
    app = app_of(cy)
    (attendance,) = app.events.attendees(event_id)
    app.events.update_attendance(
        attendance.attendance_id, replace(attendance.fields, honorarium_amount=Decimal("950"))
    )
    assert cli_json(cy, "team", "status")["pending_amendments"] == 1
    assert cli_json(cy, "team", "push")["amendments"] == 1
    assert team.count("payments", f"owner = '{team.login('cy')}' AND amount = 900") == 1  # never overwritten
    assert _amounts(cy, out) == {"Correction board": "950.00"}
    # Back to what it first was: a second correction (not the first one again, which the hub already has).
    app.events.update_attendance(
        attendance.attendance_id, replace(attendance.fields, honorarium_amount=Decimal("900"))
    )
    assert cli_json(cy, "team", "push")["amendments"] == 1
    assert _amounts(cy, out) == {"Correction board": "900.00"}
    # No longer accepted: no longer a transfer of value, corrected to nothing (and left out of the file).
    app.events.update_attendance(
        attendance.attendance_id, replace(attendance.fields, invitation=Invitation.DECLINED)
    )
    assert cli_json(cy, "team", "push")["amendments"] == 2  # the payment's, and the attendance's invitation
    assert _amounts(cy, out) == {}
    assert cli_json(cy, "team", "push")["amendments"] == 0
    assert team.count("amendments", f"owner = '{team.login('cy')}' AND target_table = 'payments'") == 3
