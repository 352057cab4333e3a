"""`msldesk hub verify DSN --anchor FILE`: the newest audit record seen by the last check must still be in
the chain, unchanged. An owner who cuts off the newest records (the triggers disabled, as an attacker
with the owner's or a superuser's rights would) leaves a chain that verifies; the anchor finds it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import psycopg
import pytest

from msldesk.cli.main import main
from msldesk.hub.users import add_user
from tests.hub.cluster import Cluster
from tests.hub.hub_data import Hub, build_hub


@pytest.fixture
def hub(pg_cluster: Cluster) -> Hub:
    return build_hub(pg_cluster)


def _verify(hub: Hub, anchor: Path, *more: str) -> int:
    reviewer = hub.users["reviewer"]
    dsn = hub.cluster.dsn(reviewer, f"pw-{reviewer}", hub.database)
    return main(["hub", "verify", dsn, "--anchor", str(anchor), *more])


def _head(hub: Hub) -> int:
    with hub.owner() as owner:
        return int(owner.execute("SELECT max(seq) FROM msldesk.audit").fetchone()[0])


def _cut_off(hub: Hub, newest: int) -> None:
    """Delete the newest records behind the triggers' back, as a superuser can."""
    with psycopg.connect(hub.cluster.superuser_dsn(hub.database)) as superuser:
        superuser.execute("ALTER TABLE msldesk.audit DISABLE TRIGGER history_kept")
        superuser.execute(
            "DELETE FROM msldesk.audit WHERE seq > (SELECT max(seq) FROM msldesk.audit) - %s", (newest,)
        )
        superuser.execute("ALTER TABLE msldesk.audit ENABLE TRIGGER history_kept")


def test_first_run_anchors_later_runs_confirm_and_follow_the_trail(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor = tmp_path / "anchors" / "hub-anchor.json"
    head = _head(hub)
    assert _verify(hub, anchor) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"OK: {head} hub audit records checked")
    assert f"First anchor: {anchor} now names record {head}" in out
    kept = json.loads(anchor.read_text())
    assert kept["id"] == head
    assert len(kept["hash"]) == 64
    assert kept["seen"].endswith("+00:00")

    assert _verify(hub, anchor) == 0
    assert f"confirmed: record {head} is still the newest" in capsys.readouterr().out

    add_user(hub.cluster.owner_dsn(hub.database), f"{hub.database}_new", "msl", "pw-new")
    assert _verify(hub, anchor, "--json") == 0
    assert json.loads(capsys.readouterr().out) == {
        "ok": True,
        "checked": head + 1,
        "problems": [],
        "anchor": {"state": "stale", "before": head, "head": head + 1, "written": True},
    }
    assert json.loads(anchor.read_text())["id"] == head + 1


def test_cutting_off_the_newest_records_is_found(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor = tmp_path / "hub-anchor.json"
    assert _verify(hub, anchor) == 0
    head = _head(hub)
    seen = json.loads(anchor.read_text())["seen"][:10]
    before = anchor.read_bytes()
    _cut_off(hub, 2)
    capsys.readouterr()
    reviewer = hub.users["reviewer"]
    assert main(["hub", "verify", hub.cluster.dsn(reviewer, f"pw-{reviewer}", hub.database)]) == 0  # unseen
    capsys.readouterr()
    assert _verify(hub, anchor) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"TAMPERED: {head - 2} hub audit records checked")
    assert f"the hub's audit trail ends at record {head - 2}, but record {head} was seen on {seen}" in out
    assert "the newest records were removed" in out
    assert f"left as it is: it still names record {head}" in out
    assert anchor.read_bytes() == before  # the evidence is kept: the next run says it again
    assert _verify(hub, anchor, "--json") == 1
    said = json.loads(capsys.readouterr().out)
    assert said["anchor"] == {"state": "removed", "before": head, "head": head - 2, "written": False}


def test_a_trail_cut_off_and_written_again_past_the_anchor_is_found(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor = tmp_path / "hub-anchor.json"
    assert _verify(hub, anchor) == 0
    head = _head(hub)
    _cut_off(hub, 1)
    for n in range(2):  # the chain grows again past the anchored number, with other records
        add_user(hub.cluster.owner_dsn(hub.database), f"{hub.database}_late{n}", "msl", f"pw-{n}")
    capsys.readouterr()
    assert _verify(hub, anchor) == 1
    out = capsys.readouterr().out
    assert f"record {head} of the hub's audit trail is not the one seen on" in out
    assert "rewritten" in out
    assert json.loads(anchor.read_text())["id"] == head


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("fifo", "cannot be used (it is a named pipe (FIFO), not a file)"),
        ("folder", "cannot be used (it is a folder, not a file)"),
        ("garbage", "does not hold an anchor msldesk wrote"),
        ("wrong fields", "does not hold an anchor msldesk wrote"),
        ("not utf-8", "cannot be used"),
    ],
)
def test_an_anchor_file_that_is_not_one_is_refused_and_left_alone(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, said: str
) -> None:
    anchor = tmp_path / "hub-anchor.json"
    if kind == "fifo":
        os.mkfifo(anchor)  # would block a plain open() for ever
    elif kind == "folder":
        anchor.mkdir()
    elif kind == "garbage":
        anchor.write_text("{not json")
    elif kind == "wrong fields":
        anchor.write_text('{"id": "seven", "hash": 7}')
    else:
        anchor.write_bytes(b"\xff\xfe{}")
    assert _verify(hub, anchor) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"msldesk: The anchor file {anchor} ")
    assert said in captured.err
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err
    if kind in ("garbage", "wrong fields"):
        assert anchor.read_text() in ("{not json", '{"id": "seven", "hash": 7}')


def test_an_anchor_that_cannot_be_written_is_said_and_the_old_one_kept(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    anchor = tmp_path / "hub-anchor.json"
    assert _verify(hub, anchor) == 0
    before = anchor.read_bytes()
    add_user(hub.cluster.owner_dsn(hub.database), f"{hub.database}_new", "msl", "pw-new")

    def refused(path: Path, data: bytes) -> None:  # what a share mounted read-only says (root passes chmod)
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("msldesk.hub.audit.atomic_write_bytes", refused)
    capsys.readouterr()
    assert _verify(hub, anchor) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"msldesk: The audit trail verified, but the anchor file {anchor} could not be written"
    )
    assert "(Permission denied)" in err
    assert err.count("\n") == 1
    assert anchor.read_bytes() == before
