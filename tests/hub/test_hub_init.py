"""`msldesk hub init` and `add-user` against a real PostgreSQL: created, idempotent, upgraded, and
every failure said in one sentence with exit code 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import psycopg
import pytest

from msldesk.cli.main import main
from msldesk.hub import schema
from msldesk.hub.schema import HEAD_REVISION, KNOWN_REVISIONS, init_hub
from tests.hub.cluster import Cluster


def _tables(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as connection:
        rows = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'msldesk'").fetchall()
    return {r[0] for r in rows}


def test_versions_folder_and_known_revisions_agree() -> None:
    files = sorted(p.stem for p in (schema.MIGRATIONS_DIR / "versions").glob("0*.py"))
    assert tuple(files) == KNOWN_REVISIONS
    assert KNOWN_REVISIONS[-1] == HEAD_REVISION


def test_init_creates_the_hub_then_finds_it_up_to_date(
    pg_cluster: Cluster, hub_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = pg_cluster.owner_dsn(hub_database)
    assert main(["hub", "init", dsn]) == 0
    assert f"Hub created (schema {HEAD_REVISION})" in capsys.readouterr().out
    assert {"decks", "deck_files", "file_chunks", "events", "entries", "payments", "amendments", "audit",
            "members"} <= _tables(dsn)  # fmt: skip
    assert main(["hub", "init", dsn, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "before": HEAD_REVISION,
        "after": HEAD_REVISION,
        "changed": False,
    }


def test_init_upgrades_an_older_hub_and_keeps_its_records(
    pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = pg_cluster.owner_dsn(pg_cluster.new_database())
    assert init_hub(dsn, "0001_hub").after == "0001_hub"
    assert "decks" not in _tables(dsn)
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    assert main(["hub", "add-user", dsn, "early_reviewer", "--role", "reviewer", "--password-stdin"]) == 2
    assert "hub init" in capsys.readouterr().err  # add-user needs the current schema
    with psycopg.connect(dsn) as connection:
        connection.execute("INSERT INTO msldesk.members (name, role) VALUES ('someone', 'msl')")
    assert main(["hub", "init", dsn]) == 0
    assert f"upgraded from schema 0001_hub to {HEAD_REVISION}" in capsys.readouterr().out
    assert {"decks", "entries"} <= _tables(dsn)
    with psycopg.connect(dsn) as connection:
        assert connection.execute("SELECT name FROM msldesk.members").fetchall() == [("someone",)]


def test_add_user_makes_a_scram_login_in_its_group(
    pg_cluster: Cluster,
    hub_database: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dsn = pg_cluster.owner_dsn(hub_database)
    init_hub(dsn)
    monkeypatch.setattr("sys.stdin", io.StringIO("first-password\n"))
    assert main(["hub", "add-user", dsn, "ana", "--role", "msl", "--password-stdin"]) == 0
    assert "Added ana to the hub as msl" in capsys.readouterr().out
    with psycopg.connect(pg_cluster.dsn("ana", "first-password", hub_database, tcp=True)) as connection:
        assert connection.execute("SELECT pg_has_role('msldesk_msl', 'USAGE')").fetchone() == (True,)
    with psycopg.connect(pg_cluster.superuser_dsn()) as connection:
        stored = connection.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'ana'").fetchone()
    assert stored is not None
    assert stored[0].startswith("SCRAM-SHA-256$")
    # Again with another role: the password changes and the role is changed (one group, never two).
    monkeypatch.setattr("sys.stdin", io.StringIO("second-password\n"))
    assert main(["hub", "add-user", dsn, "ana", "--role", "reviewer", "--password-stdin"]) == 0
    assert "ana is now reviewer on the hub (was msl); password set." in capsys.readouterr().out
    with psycopg.connect(pg_cluster.dsn("ana", "second-password", hub_database)) as connection:
        assert connection.execute("SELECT pg_has_role('msldesk_reviewer', 'USAGE')").fetchone() == (True,)
        assert connection.execute("SELECT pg_has_role('msldesk_msl', 'USAGE')").fetchone() == (False,)
        assert connection.execute("SELECT role FROM msldesk.members ORDER BY role").fetchall() == [
            ("reviewer",),
        ]


@pytest.mark.parametrize(
    ("args", "stdin", "said"),
    [
        (["Not A Name", "--role", "msl", "--password-stdin"], "pw\n", "cannot be a hub user name"),
        (["msldesk_msl", "--role", "msl", "--password-stdin"], "pw\n", "cannot be a hub user name"),
        (["bob", "--role", "msl", "--password-stdin"], "\n", "password is empty"),
        (["bob", "--role", "msl"], "", "No terminal to ask for the password"),
    ],
)
def test_add_user_refuses_bad_input_before_touching_the_hub(
    pg_cluster: Cluster,
    hub_database: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    stdin: str,
    said: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["hub", "add-user", pg_cluster.owner_dsn(hub_database), *args]) == 2
    err = capsys.readouterr().err
    assert said in err
    assert "Traceback" not in err


def test_connection_failures_are_one_plain_sentence(
    pg_cluster: Cluster, hub_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = pg_cluster.dsn("hub_owner", "not-the-password", hub_database, tcp=True)
    assert main(["hub", "init", wrong]) == 2
    assert "refused the name or password of hub_owner" in capsys.readouterr().err
    nobody_listens = f"host=127.0.0.1 port={_closed_port()} dbname=x user=y password=z connect_timeout=5"
    assert main(["hub", "init", nobody_listens]) == 2
    assert "Cannot reach the hub at 127.0.0.1" in capsys.readouterr().err
    no_socket = f"host={tmp_path} dbname=x user=y password=z"
    assert main(["hub", "verify", no_socket]) == 2
    assert "Cannot reach the hub" in capsys.readouterr().err
    remote = "host=hub.example.org dbname=x user=y sslmode=require"
    assert main(["hub", "init", remote]) == 2
    assert "sslmode=verify-full" in capsys.readouterr().err


def test_a_role_without_the_privilege_is_told_so(
    pg_cluster: Cluster,
    hub_database: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    owner = pg_cluster.owner_dsn(hub_database)
    init_hub(owner)
    monkeypatch.setattr("sys.stdin", io.StringIO("pw-of-carl\n"))
    assert main(["hub", "add-user", owner, "carl", "--role", "msl", "--password-stdin"]) == 0
    carl = pg_cluster.dsn("carl", "pw-of-carl", hub_database)
    monkeypatch.setattr("sys.stdin", io.StringIO("pw-of-dora\n"))
    assert main(["hub", "add-user", carl, "dora", "--role", "reviewer", "--password-stdin"]) == 2
    err = capsys.readouterr().err
    assert "does not allow this role to add the user dora" in err
    assert "Traceback" not in err
    stranger = pg_cluster.new_database()  # carl may not make schemas there
    assert main(["hub", "init", pg_cluster.dsn("carl", "pw-of-carl", stranger)]) == 2
    assert "does not allow this role to set up the hub's schema" in capsys.readouterr().err


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
