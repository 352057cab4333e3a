"""A push cut off anywhere — the connection killed by the server mid-transaction, the server restarted
mid-push, the client killed after the hub committed but before the library noted it — leaves the hub
with whole meetings only, and the next push completes with nothing twice and nothing missing."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from msldesk.app.services import App
from msldesk.hub.audit import verify_chain
from msldesk.hub.users import add_user
from msldesk.team import push as push_module
from msldesk.team.hub_link import open_hub
from msldesk.team.push import push_pending
from tests.hub.cluster import Cluster, _as_server_user, pg_bin_dir
from tests.hub.team_meetings import Team, connect, make_team, meeting


@pytest.fixture(scope="module")
def team(pg_cluster: Cluster, hub_database: str) -> Team:
    return make_team(pg_cluster, hub_database)


# A meeting of `meeting()` is six statements: synchronous_commit, its event, agenda item, attendee, entry
# and payment.
PER_MEETING = 6


class CutConnection:
    """The hub connection, with `cut` run just before statement number `at` (counted over the push)."""

    def __init__(self, connection: Any, at: int, cut: Callable[[Any], None]) -> None:
        self.connection, self.at, self.cut, self.done = connection, at, cut, 0

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        self.done += 1
        if self.done == self.at:
            self.cut(self.connection)
        return self.connection.execute(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)


def kill_backend(team: Team) -> Callable[[Any], None]:
    def cut(connection: Any) -> None:
        with psycopg.connect(team.cluster.superuser_dsn(team.database), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (connection.info.backend_pid,))

    return cut


def restart_server(cluster: Cluster) -> Callable[[Any], None]:
    """pg_ctl restart -m immediate: every connection dropped, nothing uncommitted kept."""

    def cut(_connection: Any) -> None:
        bin_dir = pg_bin_dir()
        assert bin_dir is not None
        folder = Path(cluster.socket_dir).parent
        run_as = _as_server_user(folder)
        # The server's output goes to its log: a pipe it inherited would keep this call waiting.
        pg_ctl = [
            *run_as,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(folder / "data"),
            "-l",
            str(folder / "server.log"),
        ]
        quiet = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run([*pg_ctl, "-m", "immediate", "-w", "restart"], check=True, timeout=120, **quiet)

    return cut


def hub_state(team: Team, who: str) -> dict[str, int]:
    owner = f"owner = '{team.login(who)}'"
    return {t: team.count(t, owner) for t in ("events", "agenda_items", "attendance", "entries", "payments")}


def whole(meetings: int) -> dict[str, int]:
    return {t: meetings for t in ("events", "agenda_items", "attendance", "entries", "payments")}


def three_meetings(library: Path, who: str) -> None:
    for n in range(3):
        meeting(
            library, f"{who} fault board {n}{'x' * n}", [(f"{who} heard thing {n}", "misc")], Decimal("100")
        )


@pytest.mark.parametrize("how", ["backend killed", "server restarted"])
def test_a_push_cut_mid_transaction_is_completed_by_the_next(
    team: Team,
    tmp_path: Path,
    how: str,
) -> None:
    who = "kim" if how == "backend killed" else "lou"
    add_user(team.cluster.owner_dsn(team.database), team.login(who), "msl", f"pw-{who}")
    library = tmp_path / who
    connect(team, library, who)
    three_meetings(library, who)
    cut = kill_backend(team) if how == "backend killed" else restart_server(team.cluster)
    app = App(library)
    try:
        # The second meeting's third statement: the first meeting is committed, the second is not.
        at = PER_MEETING + 3
        report = push_pending(
            app.team, app.meetings, lambda dsn, pw: CutConnection(open_hub(dsn, pw), at, cut)
        )
        assert report.problem.startswith("The connection to the hub was lost")
        assert len(report.meetings) == 1
        assert hub_state(team, who) == whole(1)  # nothing of the half-sent meeting
        assert len(app.team.status(ask_hub=False).pending) == 2
        again = push_pending(app.team, app.meetings)
        assert (len(again.meetings), again.payments, again.problem) == (2, 2, "")
        assert hub_state(team, who) == whole(3)
        assert push_pending(app.team, app.meetings).nothing
    finally:
        app.close()
    with psycopg.connect(team.cluster.superuser_dsn(team.database)) as admin:
        assert verify_chain(admin).ok


def test_a_client_killed_after_the_hub_committed_sends_nothing_twice(
    team: Team,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    who = "max"
    add_user(team.cluster.owner_dsn(team.database), team.login(who), "msl", f"pw-{who}")
    library = tmp_path / who
    connect(team, library, who)
    three_meetings(library, who)
    real_mark = push_module.mark_pushed
    marks: list[int] = []

    def killed_on_the_second(sessions: Any, record_set: Any) -> None:
        marks.append(record_set.event_id)
        if len(marks) == 2:
            raise SystemExit("killed")  # as kill -9 would: the hub has committed, the library not noted it
        real_mark(sessions, record_set)

    monkeypatch.setattr(push_module, "mark_pushed", killed_on_the_second)
    app = App(library)
    try:
        with pytest.raises(SystemExit):
            push_pending(app.team, app.meetings)
        assert hub_state(team, who) == whole(2)
        assert len(app.team.status(ask_hub=False).pending) == 2  # the library does not know of the second
        monkeypatch.setattr(push_module, "mark_pushed", real_mark)
        again = push_pending(app.team, app.meetings)
        assert (len(again.meetings), again.problem) == (2, "")
        assert hub_state(team, who) == whole(3)  # the second meeting's rows were not inserted twice
        assert app.team.status(ask_hub=False).pending == ()
    finally:
        app.close()
    events_pushed = team.count(
        "audit", f"action = 'pushed' AND subject = 'event' AND actor = '{team.login(who)}'"
    )
    assert events_pushed == 3
