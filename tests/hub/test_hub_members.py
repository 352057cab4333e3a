"""`msldesk hub remove-user` and `add-user` for a member who changes: a removed user cannot log in but
what they pushed stays theirs for the reviewers; each refusal is one sentence; a member comes back, or
changes role, with exactly one group. Every change is in the hub's audit trail, which still verifies."""

from __future__ import annotations

import io
import json
from typing import Any

import psycopg
import pytest

from msldesk.cli.main import main
from msldesk.hub.audit import verify_chain
from msldesk.hub.connect import connect
from msldesk.hub.errors import HubPermissionError
from tests.hub.cluster import OWNER, SUPERUSER, Cluster
from tests.hub.hub_data import Hub, build_hub


@pytest.fixture
def hub(pg_cluster: Cluster) -> Hub:
    return build_hub(pg_cluster)


def _audit(hub: Hub, name: str) -> list[tuple[str, dict[str, Any]]]:
    with hub.owner() as owner:
        rows = owner.execute(
            "SELECT action, details FROM msldesk.audit WHERE subject = 'member' AND subject_id = %s "
            "ORDER BY seq",
            (name,),
        ).fetchall()
    return [(action, details) for action, details in rows]


def _groups(hub: Hub, name: str) -> tuple[bool, list[str]]:
    """(may log in, the hub groups `name` is in)."""
    with hub.owner() as owner:
        login = owner.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        groups = owner.execute(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s ORDER BY 1",
            (name,),
        ).fetchall()
    assert login is not None
    return bool(login[0]), [g[0] for g in groups]


def _add(hub: Hub, name: str, role: str, monkeypatch: pytest.MonkeyPatch, *more: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"pw-{name}\n"))
    owner = hub.cluster.owner_dsn(hub.database)
    return main(["hub", "add-user", owner, name, "--role", role, "--password-stdin", *more])


def test_a_removed_user_cannot_log_in_their_records_stay_and_it_is_audited(
    hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    name, owner_dsn = hub.users["msl_a"], hub.cluster.owner_dsn(hub.database)
    still_open = hub.as_("msl_a")
    assert main(["hub", "remove-user", owner_dsn, name]) == 0
    with (
        still_open,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):  # a session left open loses the rights
        still_open.execute("SELECT count(*) FROM msldesk.events")
    assert capsys.readouterr().out == (
        f"Removed {name} from the hub (was msl): they can no longer log in; what they pushed stays, under "
        "their name.\n"
    )
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        hub.as_("msl_a")
    with pytest.raises(HubPermissionError, match=f"^{name} may not use the hub at .*hub add-user"):
        connect(hub.cluster.dsn(name, f"pw-{name}", hub.database))
    assert _groups(hub, name) == (False, [])
    with hub.as_("reviewer") as reviewer:
        for table in ("events", "entries", "payments", "amendments"):
            uid = hub.ids[f"a_{table[:-1] if table != 'entries' else 'entry'}"]
            assert reviewer.execute(
                f"SELECT owner FROM msldesk.{table} WHERE uid = %s", (uid,)
            ).fetchone() == (name,)
        removed = reviewer.execute(
            "SELECT role, removed_at IS NOT NULL, removed_by FROM msldesk.members WHERE name = %s", (name,)
        ).fetchall()
    assert removed == [("msl", True, OWNER)]
    assert _audit(hub, name) == [("role-granted", {"role": "msl"}), ("member-removed", {"role": "msl"})]
    with hub.owner() as owner:
        actor = owner.execute(
            "SELECT actor FROM msldesk.audit WHERE action = 'member-removed' AND subject_id = %s", (name,)
        ).fetchone()
    assert actor == (OWNER,)
    reviewer_name = hub.users["reviewer"]
    reviewer_dsn = hub.cluster.dsn(reviewer_name, f"pw-{reviewer_name}", hub.database)
    assert main(["hub", "verify", reviewer_dsn]) == 0
    assert capsys.readouterr().out.startswith("OK: ")


def test_removing_twice_says_so_and_add_user_brings_them_back(
    hub: Hub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name, owner_dsn = hub.users["msl_b"], hub.cluster.owner_dsn(hub.database)
    assert main(["hub", "remove-user", owner_dsn, name, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["name"], first["roles"], first["already"]) == (name, ["msl"], False)
    audited = _audit(hub, name)
    assert main(["hub", "remove-user", owner_dsn, name]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{name} was already removed from the hub (on 20")
    assert out.endswith("nothing changed.\n")
    assert _audit(hub, name) == audited  # nothing recorded twice

    assert _add(hub, name, "msl", monkeypatch) == 0
    assert capsys.readouterr().out.startswith(f"{name} is back on the hub as msl (removed on 20")
    assert _groups(hub, name) == (True, ["msldesk_msl"])
    with hub.as_("msl_b") as back:  # they log in again and see their own records
        assert back.execute("SELECT count(*) FROM msldesk.events WHERE owner = current_user").fetchone() == (
            1,
        )
        assert back.execute("SELECT removed_at FROM msldesk.members").fetchall() == [(None,)]
    assert [a for a, _d in _audit(hub, name)] == ["role-granted", "member-removed", "member-restored"]
    with hub.owner() as owner:
        assert verify_chain(owner).ok


def test_a_role_change_leaves_exactly_one_group_and_is_audited(
    hub: Hub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = hub.users["publisher"]
    assert _add(hub, name, "msl", monkeypatch) == 0
    assert capsys.readouterr().out == f"{name} is now msl on the hub (was publisher); password set.\n"
    assert _groups(hub, name) == (True, ["msldesk_msl"])
    with hub.as_("publisher") as former:  # no longer a publisher: the database says no
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            former.execute("UPDATE msldesk.decks SET title = 'mine' WHERE uid = %s", (hub.ids["deck"],))
        assert former.execute("SELECT role FROM msldesk.members").fetchall() == [("msl",)]
    assert _audit(hub, name)[-1] == ("role-changed", {"role": "msl", "previous_role": "publisher"})
    assert _add(hub, name, "msl", monkeypatch, "--json") == 0
    said = json.loads(capsys.readouterr().out)
    assert (said["change"], said["created"]) == ("password", False)
    assert len(_audit(hub, name)) == 2  # a password change is not a membership change
    # Removed as an MSL, back as a reviewer: one record says both.
    assert main(["hub", "remove-user", hub.cluster.owner_dsn(hub.database), name]) == 0
    assert _add(hub, name, "reviewer", monkeypatch) == 0
    assert _groups(hub, name) == (True, ["msldesk_reviewer"])
    assert _audit(hub, name)[-1] == (
        "member-restored",
        {"role": "reviewer", "previous_role": "msl", "removed_at": _audit(hub, name)[-1][1]["removed_at"]},
    )
    with hub.owner() as owner:
        assert verify_chain(owner).ok


def test_a_member_granted_by_hand_is_removed_and_recorded(
    hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    stray = f"{hub.database}_by_hand"
    with psycopg.connect(hub.cluster.superuser_dsn(), autocommit=True) as superuser:
        superuser.execute(f"CREATE ROLE {stray} LOGIN PASSWORD 'pw'")
        superuser.execute(f"GRANT msldesk_reviewer TO {stray}")
    assert main(["hub", "remove-user", hub.cluster.owner_dsn(hub.database), stray]) == 0
    assert "Removed" in capsys.readouterr().out
    assert _groups(hub, stray) == (False, [])
    assert _audit(hub, stray) == [("member-removed", {"role": "reviewer", "granted_outside_msldesk": True})]


@pytest.mark.parametrize(
    ("who", "said"),
    [
        ("nobody_here", "There is no user nobody_here on this hub's server."),
        ("outsider", "is not a hub member: `msldesk hub add-user` never added it."),
        (SUPERUSER, f"{SUPERUSER} is a superuser of this server, not a hub member."),
        (OWNER, f"{OWNER} is the user running this command; another administrator removes it."),
        ("Not A Name", "cannot be a hub user name"),
        ("msldesk_msl", "cannot be a hub user name"),
    ],
)
def test_remove_user_refuses_in_one_sentence_and_changes_nothing(
    hub: Hub, capsys: pytest.CaptureFixture[str], who: str, said: str
) -> None:
    if who == "outsider":
        who = f"{hub.database}_outsider"
        with psycopg.connect(hub.cluster.superuser_dsn(), autocommit=True) as superuser:
            superuser.execute(f"CREATE ROLE {who} LOGIN PASSWORD 'pw'")
    with hub.owner() as owner:
        before = owner.execute("SELECT count(*), max(hash) FROM msldesk.audit").fetchone()
        logins = owner.execute("SELECT rolname, rolcanlogin FROM pg_roles ORDER BY 1").fetchall()
    assert main(["hub", "remove-user", hub.cluster.owner_dsn(hub.database), who]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("msldesk: ")
    assert said in captured.err
    assert captured.err.count("\n") == 1
    with hub.owner() as owner:
        assert owner.execute("SELECT count(*), max(hash) FROM msldesk.audit").fetchone() == before
        assert owner.execute("SELECT rolname, rolcanlogin FROM pg_roles ORDER BY 1").fetchall() == logins


def test_only_the_administrator_may_remove_users(hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    reviewer = hub.users["reviewer"]
    as_reviewer = hub.cluster.dsn(reviewer, f"pw-{reviewer}", hub.database)
    assert main(["hub", "remove-user", as_reviewer, hub.users["msl_a"]]) == 2
    assert f"does not allow this role to remove the user {hub.users['msl_a']}" in capsys.readouterr().err
    assert _groups(hub, hub.users["msl_a"]) == (True, ["msldesk_msl"])
