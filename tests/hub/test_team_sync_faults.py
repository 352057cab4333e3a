"""Faults in a sync, against a real hub on a cluster of this module's own (stopped and started here): the
hub unreachable, a wrong password, a revoked role, a removed user, the server stopped mid-sync and
mid-download, the client killed (SIGKILL) at several points. Each time the library's own work is
untouched, the user is told in one sentence, and the next sync resumes with no duplicate and no gap."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from msldesk.cli.main import main
from msldesk.hub.errors import HubError, HubLoginError, HubPermissionError, HubUnreachableError
from msldesk.hub.users import add_user
from msldesk.team import files
from msldesk.team.publish import DeckPublisher
from msldesk.team.pull import DeckPull
from tests.conftest import DeckFactory
from tests.hub.cluster import Cluster
from tests.hub.team_libraries import DeckHub, approved_deck, build_deck_hub, library, publish_in_chunks

TITLES = ["Alpha update", "Beta update", "Gamma update"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hub(own_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> DeckHub:
    """Three published decks, each file in several chunks (so a transfer can be cut inside one)."""
    hub = build_deck_hub(own_cluster)
    publish_in_chunks(hub, tmp_path_factory.mktemp("publisher"), ["alpha", "beta", "gamma"])
    return hub


def _msl_library(hub: DeckHub, tmp_path: Path) -> Any:
    """An MSL's library with a deck of their own, connected to the hub."""
    app = library(tmp_path / "msl", hub, "msl")
    list(app.decks.import_paths([DeckFactory(tmp_path).pptx("own.pptx", [("Own", "x", "")])]))
    return app


@pytest.fixture
def msl(hub: DeckHub, tmp_path: Path) -> Iterator[Any]:
    app = _msl_library(hub, tmp_path)
    yield app
    app.close()


def _pull(app: Any, **kwargs: Any) -> DeckPull:
    return DeckPull(app.team, app.decks, app.paths.cache / "team", **kwargs)


def _team_decks(app: Any) -> list[tuple[str, str, str]]:
    return sorted((d.title, d.approval_code, d.status.value) for d in app.decks.list_decks() if d.is_team)


def _assert_whole(app: Any) -> None:
    """Every published deck once, with its metadata; the user's own deck theirs; nothing left to read."""
    assert _team_decks(app) == [(t, f"MA-{t.split()[0].upper()}-1", "approved") for t in TITLES]
    assert [d.title for d in app.decks.list_decks() if not d.is_team] == ["Own"]
    assert not _pull(app).sync().decks
    assert app.team.link().last_sync is not None


def _one_sentence(error: HubError) -> None:
    assert error.user_message.count(". ") == 0
    assert error.user_message.endswith(".")


def test_unreachable_wrong_password_revoked(
    hub: DeckHub, msl: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _pull(msl).sync().complete
    before = (_team_decks(msl), msl.team.link())
    cluster, name = hub.cluster, hub.users["msl"]
    cluster.stop()
    try:
        with pytest.raises(HubUnreachableError, match="Cannot reach the hub") as stopped:
            _pull(msl).sync()
        _one_sentence(stopped.value)
    finally:
        cluster.start()
    with psycopg.connect(cluster.superuser_dsn(), autocommit=True) as admin:
        admin.execute(f"ALTER ROLE \"{name}\" PASSWORD 'changed-by-admin'")
        with pytest.raises(HubLoginError, match=f"refused the name or password of {name}") as refused:
            _pull(msl).sync()
        _one_sentence(refused.value)
        admin.execute(f"ALTER ROLE \"{name}\" PASSWORD 'pw-{name}'")
        admin.execute(f'REVOKE msldesk_msl FROM "{name}"')
        try:
            with pytest.raises(HubPermissionError, match=f"{name} may not use the hub") as revoked:
                _pull(msl).sync()
            _one_sentence(revoked.value)
            _cli_sync_refused(msl, capsys, f"{name} may not use the hub")
        finally:
            admin.execute(f'GRANT msldesk_msl TO "{name}"')
    assert (_team_decks(msl), msl.team.link()) == before  # local work untouched
    _assert_whole(msl)


def _cli_sync_refused(msl: Any, capsys: pytest.CaptureFixture[str], sentence: str) -> None:
    """`msldesk team sync` exits 2 with that one sentence."""
    capsys.readouterr()
    assert main(["--data-dir", str(msl.paths.root), "team", "sync"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"msldesk: {sentence}")
    assert err.count("\n") == 1


def test_a_removed_msl_is_told_in_one_sentence_and_syncs_again_once_added_back(
    hub: DeckHub, msl: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _pull(msl).sync().complete
    before = (_team_decks(msl), msl.team.link())
    name = hub.users["msl"]
    assert main(["hub", "remove-user", hub.owner_dsn(), name]) == 0
    try:
        with pytest.raises(HubPermissionError, match=f"{name} may not use the hub") as removed:
            _pull(msl).sync()
        _one_sentence(removed.value)
        _cli_sync_refused(msl, capsys, f"{name} may not use the hub")
    finally:
        add_user(hub.owner_dsn(), name, "msl", f"pw-{name}")
    assert (_team_decks(msl), msl.team.link()) == before  # local work untouched
    _assert_whole(msl)


def test_server_stopped_mid_sync(hub: DeckHub, msl: Any) -> None:
    def stop_after_first(done: int, total: int, message: str) -> None:
        if done == 1 and total == 3:
            hub.cluster.stop()

    try:
        with pytest.raises(HubUnreachableError, match="connection to the hub was lost") as lost:
            _pull(msl).sync(stop_after_first)
        _one_sentence(lost.value)
    finally:
        hub.cluster.start()
    assert [t for t, _c, _s in _team_decks(msl)] == TITLES[:1]
    assert msl.team.link().pull_cursor is None
    assert msl.team.link().last_sync is None
    report = _pull(msl).sync()
    assert [d.outcome for d in report.decks] == ["unchanged", "imported", "imported"]
    _assert_whole(msl)


def test_server_stopped_mid_download_resumes(hub: DeckHub, msl: Any) -> None:
    chunks = [0]

    def stop_inside_a_file(size: int) -> None:
        chunks[0] += 1
        if chunks[0] == 10:  # inside the second file: the first is in, the second half-way
            hub.cluster.stop()

    try:
        with pytest.raises(HubUnreachableError):
            _pull(msl, on_chunk=stop_inside_a_file).sync()
    finally:
        hub.cluster.start()
    parts = list((msl.paths.cache / "team").glob("*.part"))
    assert len(parts) == 1
    assert parts[0].stat().st_size > 0
    already = parts[0].stat().st_size
    whole = _pull(msl).sync()
    assert [d.outcome for d in whole.decks] == ["unchanged", "imported", "imported"]
    assert whole.files_fetched == 2  # the half-fetched file resumed where it stopped:
    assert sum(_size(msl, d.deck_id) for d in whole.decks[1:]) - whole.bytes_fetched == already
    assert not list((msl.paths.cache / "team").glob("*.part"))
    _assert_whole(msl)


def _size(app: Any, deck_id: int | None) -> int:
    deck = app.decks.deck(deck_id)
    return app.decks.store.path_for(deck.sha256, Path(deck.file_name).suffix).stat().st_size


@pytest.mark.parametrize(
    ("point", "n"),
    [("chunk", 3), ("chunk", 12), ("imported", 1), ("imported", 3), ("applied", 2), ("applied", 3)],
)
def test_client_killed_mid_sync(hub: DeckHub, tmp_path: Path, point: str, n: int) -> None:
    made = _msl_library(hub, tmp_path)
    folder = made.paths.root
    made.close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "tests.hub.kill_sync", str(folder), point, str(n)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == -9, done.stderr[-2000:]
    after = library(folder)
    try:
        assert after.team.link().pull_cursor is None  # the cursor moves only once every deck is in
        report = _pull(after).sync()
        assert report.complete
        _assert_whole(after)
    finally:
        after.close()


def test_killed_after_an_import_then_withdrawn_before_the_next_sync(hub: DeckHub, tmp_path: Path) -> None:
    """The deck imported before the kill, not yet remembered, is still the one the withdrawal marks (found
    by the file it came from), not left looking approved."""
    made = _msl_library(hub, tmp_path)
    folder = made.paths.root
    made.close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "tests.hub.kill_sync", str(folder), "imported", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == -9, done.stderr[-2000:]
    withdraw = "UPDATE msldesk.decks SET withdrawn = %s, withdrawn_reason = %s WHERE title = 'Alpha update'"
    with psycopg.connect(hub.dsn("publisher"), autocommit=True) as publisher:
        publisher.execute(withdraw, (True, "relabelled"))
        after = library(folder)
        try:
            report = _pull(after).sync()
            assert [(d.title, d.outcome) for d in report.decks][-1] == ("Alpha update", "withdrawn")
            assert ("Alpha update", "withdrawn") in [(t, s) for t, _c, s in _team_decks(after)]
        finally:
            after.close()
            publisher.execute(withdraw, (False, ""))


def _hub_chunks(hub: DeckHub) -> int:
    """File chunks stored on the hub, every file's (read as the server's superuser)."""
    with psycopg.connect(hub.cluster.superuser_dsn(hub.database)) as connection:
        row = connection.execute("SELECT count(*) FROM msldesk.file_chunks").fetchone()
        return int(row[0]) if row else 0


def test_an_upload_cut_off_resumes_at_the_first_missing_chunk(hub: DeckHub, tmp_path: Path) -> None:
    publisher = library(tmp_path / "publisher", hub, "publisher")
    chunk_size, files.CHUNK_SIZE = files.CHUNK_SIZE, 4096
    try:
        deck_id = approved_deck(publisher, DeckFactory(tmp_path / "decks"), "delta")
        before = _hub_chunks(hub)
        sent = [0]

        def cut_after_three(size: int) -> None:
            sent[0] += 1
            if sent[0] == 3:
                hub.cluster.stop()

        try:
            with pytest.raises(HubUnreachableError, match="connection to the hub was lost"):
                DeckPublisher(publisher.team, publisher.decks, on_chunk=cut_after_three).publish([deck_id])
        finally:
            hub.cluster.start()
        # The test cluster commits asynchronously (synchronous_commit=off), so an immediate stop may lose
        # chunks it acknowledged: those are sent again, never the ones the hub kept.
        kept = _hub_chunks(hub) - before
        assert kept <= 3
        (done,) = DeckPublisher(publisher.team, publisher.decks).publish([deck_id])
        total = -(-_size(publisher, deck_id) // 4096)
        assert done.outcome == "published"
        assert done.chunks_sent == total - kept
    finally:
        files.CHUNK_SIZE = chunk_size
        publisher.close()
    with psycopg.connect(hub.dsn("publisher"), autocommit=True) as connection:
        connection.execute("UPDATE msldesk.decks SET withdrawn = true, withdrawn_reason = 'test over' "
                           "WHERE uid = %s", (done.hub_uid,))  # fmt: skip
