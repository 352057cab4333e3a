"""The desktop's hub connection kept between syncs (msldesk.team.hub_link.KeptHub), against a real hub on
a cluster of this module's own (restarted here): two syncs share one backend and leave no session state
behind, a server restart between them costs one login more and nothing else, Disconnect and closing the
library log out, and a Stop during a file's fetch leaves nothing half-imported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from msldesk.core.errors import CancelledError
from msldesk.core.progress import CancelToken
from msldesk.hub.errors import HubError
from msldesk.team.hub_link import who_am_i
from msldesk.team.pull import DeckPull
from msldesk.team.sync import sync_team
from tests.hub.cluster import Cluster
from tests.hub.team_libraries import DeckHub, build_deck_hub, hub_sessions, library, publish_in_chunks

TITLES = ["Alpha update", "Beta update"]


@pytest.fixture(scope="module")
def hub(own_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> DeckHub:
    hub = build_deck_hub(own_cluster)
    publish_in_chunks(hub, tmp_path_factory.mktemp("publisher"), ["alpha", "beta"])
    return hub


@pytest.fixture
def msl(hub: DeckHub, tmp_path: Path) -> Iterator[Any]:
    app = library(tmp_path / "msl", hub, "msl")
    yield app
    app.close()


def _sync(app: Any) -> Any:
    """A sync as the desktop runs it: pull and push on the kept connection."""
    return sync_team(app.team, app.decks, app.meetings, app.paths.cache / "team", opener=app.team.kept.open)


def _team_titles(app: Any) -> list[str]:
    return sorted(d.title for d in app.decks.list_decks() if d.is_team)


def test_two_syncs_share_one_backend_and_keep_no_session_state(hub: DeckHub, msl: Any) -> None:
    assert hub_sessions(hub, "msl", settle=5) == []
    first = _sync(msl)
    assert [d.outcome for d in first.pulled.decks] == ["imported", "imported"]
    ((pid, state),) = hub_sessions(hub, "msl")
    assert state == "idle"  # not "idle in transaction": nothing is held between syncs
    second = _sync(msl)
    assert second.pulled.complete
    assert [d.outcome for d in second.pulled.decks] == []
    assert hub_sessions(hub, "msl") == [(pid, "idle")]
    assert who_am_i(msl.team.link().dsn, msl.team.password(), msl.team.kept.open).roles == ("msl",)
    assert msl.team.kept.logins == 1
    lent = msl.team.kept.open(msl.team.link().dsn, msl.team.password())
    try:
        assert lent.prepare_threshold is None  # a pooler in transaction mode: nothing prepared, ever
        assert lent.info.get_parameters()["tcp_user_timeout"] == "30000"  # a silent cut fails in 30 s
        with lent.transaction():
            prepared = lent.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()
            changed = lent.execute(  # (transaction_* describe the transaction this query runs in)
                "SELECT string_agg(name, ',') FROM pg_settings WHERE source = 'session' "
                "AND name NOT LIKE 'transaction\\_%'"
            ).fetchone()
        assert (prepared[0], changed[0]) == (0, None)  # nothing prepared, nothing SET for the session
        with pytest.raises(HubError, match="Another team sync is using the hub's connection"):
            msl.team.kept.open(msl.team.link().dsn, msl.team.password())
    finally:
        lent.close()
    assert msl.team.kept.logins == 1
    lent = msl.team.kept.open(msl.team.link().dsn, msl.team.password())
    lent.execute("SELECT 1")  # (psycopg opens a transaction for it, left open)
    lent.close()  # given back inside a transaction: closed, not kept
    assert hub_sessions(hub, "msl", settle=5) == []
    assert _sync(msl).complete
    assert msl.team.kept.logins == 2
    assert _team_titles(msl) == TITLES


def test_a_server_restart_between_syncs_costs_one_login(hub: DeckHub, msl: Any) -> None:
    _sync(msl)
    ((pid, _state),) = hub_sessions(hub, "msl")
    hub.cluster.restart()
    again = _sync(msl)  # the kept connection died with the server: logged in again, once
    assert again.complete
    assert msl.team.kept.logins == 2
    ((new_pid, _state),) = hub_sessions(hub, "msl")
    assert new_pid != pid
    assert _team_titles(msl) == TITLES


def test_a_server_still_down_says_so_and_the_next_sync_logs_in(hub: DeckHub, msl: Any) -> None:
    from msldesk.hub.errors import HubUnreachableError

    _sync(msl)
    hub.cluster.stop()
    try:
        with pytest.raises(HubUnreachableError, match="Cannot reach the hub"):
            _sync(msl)  # the reconnection is tried once, and said in plain words
    finally:
        hub.cluster.start()
    assert _sync(msl).complete  # the keeper was given back: the next sync is not refused
    assert msl.team.kept.logins == 2


def test_disconnect_and_closing_the_library_log_out(hub: DeckHub, msl: Any, tmp_path: Path) -> None:
    _sync(msl)
    assert len(hub_sessions(hub, "msl")) == 1
    msl.team.disconnect()
    assert hub_sessions(hub, "msl", settle=5) == []

    other = library(tmp_path / "other", hub, "msl2")
    _sync(other)
    assert len(hub_sessions(hub, "msl2")) == 1
    other.close()  # another library opened, or the app exits
    assert hub_sessions(hub, "msl2", settle=5) == []


def test_the_cli_sync_logs_in_once_for_its_pull_and_push_and_logs_out(
    hub: DeckHub, msl: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msldesk.boards.records import EventFields
    from msldesk.cli.main import main
    from msldesk.team.hub_link import KeptHub
    from msldesk.team.push import pending_records

    start = dt.datetime(2027, 5, 4, 9, tzinfo=dt.UTC)
    event, _ = msl.events.create(EventFields(title="Board to push", starts_at=start))
    msl.meetings.add_entry(event.event_id, "Heard at the board")
    msl.meetings.finalize(event.event_id)
    logins: list[str] = []
    real_login = KeptHub.login

    def counted(keeper: KeptHub, dsn: str, password: str | None) -> Any:
        logins.append(dsn)
        return real_login(keeper, dsn, password)

    monkeypatch.setattr(KeptHub, "login", counted)
    assert main(["--data-dir", str(msl.paths.root), "team", "sync"]) == 0
    assert len(logins) == 1  # pull and push on one connection of the command's own…
    assert hub_sessions(hub, "msl", settle=5) == []  # …closed when it ends
    assert _team_titles(msl) == TITLES
    assert pending_records(msl.team, msl.meetings).meetings == 0  # the meeting went up


def test_a_stop_during_a_fetch_leaves_nothing_half_imported(hub: DeckHub, msl: Any) -> None:
    cancel = CancelToken()
    pull = DeckPull(msl.team, msl.decks, msl.paths.cache / "team", on_chunk=lambda _size: cancel.cancel())
    with pytest.raises(CancelledError):
        pull.sync(cancel=cancel)  # stopped after the first chunk of the first file
    assert _team_titles(msl) == []
    assert msl.team.link().pull_cursor is None
    (part,) = (msl.paths.cache / "team").glob("*.part")
    assert part.stat().st_size == 4096  # kept: the next sync resumes the fetch there
    report = DeckPull(msl.team, msl.decks, msl.paths.cache / "team").sync()
    assert [d.outcome for d in report.decks] == ["imported", "imported"]
    assert _team_titles(msl) == TITLES
