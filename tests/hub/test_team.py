"""The library's link to the team hub: msldesk team connect / status / disconnect and TeamService.

The hub is asked through one seam (msldesk.team.hub_link.who_am_i over open_hub). These tests replace
who_am_i where a hub must answer; they use the real one, and real psycopg, where it must not be reached
(a closed port, an unparsable or unencrypted address). A real PostgreSQL hub waits for msldesk.hub's
throw-away cluster fixture (branch h-hub) to reach main."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from msldesk.core.secrets import KeyringUnavailableError, MemoryKeyring, SecretStore
from msldesk.team.records import HubIdentity
from tests.cli.test_cli import msldesk_in_process as msldesk

PASSWORD = "Sesame-7f3e9-Pw"  # looked for everywhere it must not be


class FakeHub:
    """Stands in for who_am_i: records what it was asked, answers like the hub or fails like it."""

    def __init__(self, roles: tuple[str, ...] = ("msl",), user: str = "alice") -> None:
        self.calls: list[tuple[str, str | None]] = []
        self.roles, self.user = roles, user
        self.failure: Exception | None = None

    def __call__(self, dsn: str, password: str | None) -> HubIdentity:
        self.calls.append((dsn, password))
        if self.failure is not None:
            raise self.failure
        return HubIdentity(self.user, self.roles)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    fake = FakeHub()
    monkeypatch.setattr("msldesk.team.hub_link.who_am_i", fake)
    return fake


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return tmp_path / "lib"


TEAM_AT_5544 = {"host": "127.0.0.1", "port": "5544", "dbname": "team", "user": "alice"}


def _params(dsn: str) -> dict[str, str]:
    from psycopg.conninfo import conninfo_to_dict

    return {k: str(v) for k, v in conninfo_to_dict(dsn).items()}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends: nothing listens there


def _connect(library: Path, dsn: str, *extra: str, check_exit: int | None = 0, stdin: str = PASSWORD) -> Any:
    import io
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(stdin + "\n")
    try:
        return msldesk(library, "team", "connect", dsn, *extra, check_exit=check_exit)
    finally:
        sys.stdin = saved


def _team_tables(library: Path) -> list[tuple[Any, ...]]:
    """Every row of the team table and the audit trail, read through the App (the file is encrypted)."""
    from sqlalchemy import text

    from msldesk.app.services import App

    app = App(library)
    try:
        with app.engine.connect() as connection:
            rows = list(connection.execute(text("SELECT * FROM team_hub")))
            rows += list(connection.execute(text("SELECT * FROM audit_log")))
            return [tuple(r) for r in rows]
    finally:
        app.close()


# -- connect ---------------------------------------------------------------------------------------


def test_connect_checks_the_hub_then_remembers_it_without_the_password(library: Path, hub: FakeHub) -> None:
    out = _connect(library, "host=127.0.0.1 port=5544 dbname=team user=alice", "--password-stdin").stdout
    assert "Connected this library to the team hub" in out
    assert "role: msl" in out
    assert "system keyring" in out
    assert [(_params(dsn), pw) for dsn, pw in hub.calls] == [(TEAM_AT_5544, PASSWORD)]
    status = json.loads(msldesk(library, "team", "status", "--json", check_exit=0).stdout)
    assert status["connected"]
    assert status["user"] == "alice"
    assert status["role"] == "msl"
    assert status["reachable"] is True
    assert status["last_sync"] is None
    assert (_params(hub.calls[-1][0]), hub.calls[-1][1]) == (TEAM_AT_5544, PASSWORD)  # from the keyring
    stored = repr(_team_tables(library))
    assert "dbname=team" in stored
    assert PASSWORD not in stored


def test_a_password_in_the_dsn_is_taken_out_of_it(library: Path, hub: FakeHub) -> None:
    result = _connect(library, f"postgresql://alice:{PASSWORD}@localhost:5544/team", "--json")
    data = json.loads(result.stdout)
    assert PASSWORD not in result.stdout + result.stderr
    assert _params(data["hub"]) == {**TEAM_AT_5544, "host": "localhost"}
    assert data["password_in"] == "keyring"
    assert hub.calls == [(data["hub"], PASSWORD)]
    assert PASSWORD not in repr(_team_tables(library))


def test_the_password_never_shows_in_output_or_logs(
    library: Path, hub: FakeHub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    seen = _connect(library, "host=localhost dbname=team user=alice", "--password-stdin").stdout
    for args in (("team", "status"), ("team", "status", "--json"), ("audit", "log", "--json")):
        seen += msldesk(library, *args, check_exit=0).stdout
    hub.failure = _login_refused()
    seen += msldesk(library, "team", "status", check_exit=1).stdout
    assert "team.connect" in seen  # the audit trail was read too
    assert PASSWORD not in seen + caplog.text


def _login_refused() -> Exception:
    from msldesk.hub.errors import HubLoginError

    return HubLoginError("The hub at localhost refused the name or password of alice.", "FATAL: ...")


def test_the_hub_refusing_the_login_keeps_nothing(library: Path, hub: FakeHub) -> None:
    hub.failure = _login_refused()
    result = _connect(library, "host=localhost dbname=team user=alice", "--password-stdin", check_exit=2)
    assert result.stderr == "msldesk: The hub at localhost refused the name or password of alice.\n"
    assert "not connected" in msldesk(library, "team", "status", check_exit=0).stdout


def test_an_unreachable_hub_is_one_sentence_and_keeps_nothing(library: Path) -> None:
    port = _closed_port()
    result = _connect(library, f"host=127.0.0.1 port={port} dbname=team user=alice", "--password-stdin",
                      check_exit=2)  # fmt: skip
    assert result.stderr == (
        f"msldesk: Cannot reach the hub at 127.0.0.1:{port}: check the address and that the server is "
        "running.\n"
    )
    assert PASSWORD not in result.stdout + result.stderr
    assert json.loads(msldesk(library, "team", "status", "--json", check_exit=0).stdout)["connected"] is False


def test_a_wrong_dsn_is_refused_without_repeating_it(library: Path) -> None:
    result = _connect(library, f"host=localhost password={PASSWORD} dbname", check_exit=2)
    assert "not a PostgreSQL connection string" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_a_remote_hub_without_a_checked_tls_connection_is_refused_before_connecting(library: Path) -> None:
    result = _connect(library, "host=hub.example.org dbname=team user=alice sslmode=require",
                      "--password-stdin", check_exit=2)  # fmt: skip
    assert "sslmode=verify-full" in result.stderr
    assert result.stderr.count("\n") == 1


def test_an_empty_password_on_stdin_is_refused(library: Path, hub: FakeHub) -> None:
    result = _connect(library, "host=localhost dbname=team", "--password-stdin", stdin="", check_exit=2)
    assert "No password on standard input" in result.stderr
    assert hub.calls == []


# -- status and disconnect -------------------------------------------------------------------------


def test_status_without_a_hub_lists_what_waits(library: Path) -> None:
    result = msldesk(library, "team", "status", check_exit=0)
    assert "not connected to a team hub" in result.stdout
    assert "Waiting to be pushed: 0 finalized meetings" in result.stdout
    data = json.loads(msldesk(library, "team", "status", "--json", check_exit=0).stdout)
    assert data["connected"] is False
    assert data["reachable"] is None
    assert data["pending"] == []


def test_status_offline_says_so_in_one_sentence_and_lists_pending_meetings(library: Path) -> None:
    from msldesk.app.services import App

    port = _closed_port()
    app = App(library)
    try:
        app.seed_demo_content()
        workshop = next(e for e in app.events.list_events("all") if "workshop" in e.title)
        app.meetings.finalize(workshop.event_id)
        # Connected while the hub answered; now it does not.
        app.team.check = FakeHub()
        app.team.connect(f"host=127.0.0.1 port={port} dbname=team user=alice", PASSWORD)
    finally:
        app.close()
    result = msldesk(library, "team", "status", check_exit=1)
    lines = result.stdout.splitlines()
    assert f"You: alice; hub unreachable: Cannot reach the hub at 127.0.0.1:{port}" in lines[1]
    assert lines[2] == "Last sync: never"
    assert lines[3] == "Waiting to be pushed: 1 finalized meeting:"
    assert lines[4].split()[0] == str(workshop.event_id)
    assert lines[4].endswith(workshop.title)
    data = json.loads(msldesk(library, "team", "status", "--json", check_exit=1).stdout)
    assert data["reachable"] is False
    assert data["problem"].startswith("Cannot reach the hub")
    assert [p["event_id"] for p in data["pending"]] == [workshop.event_id]
    assert result.stderr == ""


def test_disconnect_forgets_the_hub_and_its_password(library: Path, hub: FakeHub) -> None:
    from msldesk_test_keyring import FileKeyring

    _connect(library, "host=localhost dbname=team user=alice", "--password-stdin")
    keyring_text = json.dumps(_all_secrets(FileKeyring()))
    assert PASSWORD in keyring_text  # where it belongs while connected
    assert "Disconnected" in msldesk(library, "team", "disconnect", check_exit=0).stdout
    assert PASSWORD not in json.dumps(_all_secrets(FileKeyring()))
    assert "not connected" in msldesk(library, "team", "status", check_exit=0).stdout
    again = json.loads(msldesk(library, "team", "disconnect", "--json", check_exit=0).stdout)
    assert again == {"disconnected": False, "warning": ""}


def _all_secrets(backend: Any) -> dict[str, str]:
    data: dict[str, str] = {}
    for path in backend._paths():
        data.update(backend._read(path))
    return data


def test_connecting_to_another_hub_starts_its_cursor_afresh_and_drops_the_old_password(app: Any) -> None:
    from sqlalchemy import update

    from msldesk.team.orm import TeamHubRow

    keyring = MemoryKeyring()
    team = _service(app, SecretStore(keyring), encrypted=True)
    team.connect("host=localhost dbname=one user=alice", "first-pw")
    with app.sessions.begin() as session:
        session.execute(update(TeamHubRow).values(pull_cursor="100:100:", last_sync_utc=_now()))
    link, _ = team.connect("host=localhost dbname=one user=alice", "second-pw")  # same hub, new password
    assert link.pull_cursor == "100:100:"
    assert list(keyring.secrets.values()) == ["second-pw"]
    link, _ = team.connect("host=localhost dbname=two user=alice", "third-pw")
    assert (link.pull_cursor, link.last_sync) == (None, None)
    assert list(keyring.secrets.values()) == ["third-pw"]
    assert team.password() == "third-pw"


# -- where the password is kept without a keyring ---------------------------------------------------


class _NoKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("no keyring here")


def _service(app: Any, secrets: SecretStore, encrypted: bool) -> Any:
    from msldesk.team.service import TeamService

    return TeamService(app.sessions, secrets, encrypted=encrypted, check=FakeHub())


def _now() -> Any:
    from msldesk.core import clock

    return clock.utc_now()


def test_without_a_keyring_an_encrypted_library_keeps_the_password_and_not_in_clear(app: Any) -> None:
    assert app.library_key.encrypted
    team = _service(app, SecretStore(_NoKeyring()), encrypted=True)
    link, _ = team.connect("host=localhost dbname=team user=alice", PASSWORD)
    assert link.password_in == "library"
    assert team.password() == PASSWORD
    app.engine.dispose()
    raw = b"".join(p.read_bytes() for p in app.paths.database.parent.glob(app.paths.database.name + "*"))
    assert PASSWORD.encode() not in raw  # the database file (and its WAL) is encrypted
    assert team.status().identity == HubIdentity("alice", ("msl",))
    assert team.disconnect() == (True, "")
    assert team.link() is None


def test_without_a_keyring_a_plain_library_refuses_to_keep_a_password(app: Any) -> None:
    team = _service(app, SecretStore(_NoKeyring()), encrypted=False)
    with pytest.raises(KeyringUnavailableError) as caught:
        team.connect("host=localhost dbname=team user=alice", PASSWORD)
    assert "~/.pgpass" in caught.value.user_message
    assert team.link() is None
    link, _ = team.connect("host=localhost dbname=team user=alice", None)  # libpq's own ways: fine
    assert link.password_in == "none"
    assert team.password() is None


def test_a_keyring_gone_since_connecting_is_the_status_problem(app: Any) -> None:
    keyring = MemoryKeyring()
    team = _service(app, SecretStore(keyring), encrypted=True)
    team.connect("host=localhost dbname=team user=alice", PASSWORD)
    keyring.get_password = _raise  # type: ignore[method-assign]
    status = team.status()
    assert status.identity is None
    assert "keyring" in status.problem
    assert status.link is not None


def _raise(*_args: Any) -> None:
    raise RuntimeError("locked")


def test_pushed_events_leave_the_pending_list(app: Any) -> None:
    from msldesk.team.orm import TeamUidRow

    app.seed_demo_content()
    workshop = next(e for e in app.events.list_events("all") if "workshop" in e.title)
    assert app.team.pending_events() == ((), 0)
    app.meetings.finalize(workshop.event_id)
    pending, pushed = app.team.pending_events()
    assert [p.event_id for p in pending] == [workshop.event_id]
    assert pushed == 0
    with app.sessions.begin() as session:  # queued, not yet committed on the hub: still pending
        session.add(TeamUidRow(kind="event", local_id=workshop.event_id, uid="0" * 36))
    assert len(app.team.pending_events()[0]) == 1
    with app.sessions.begin() as session:
        session.get(TeamUidRow, 1).pushed_at_utc = _now()
    assert app.team.pending_events() == ((), 1)


def test_a_team_deck_is_read_only_in_the_deck_service(app: Any, deck_factory: Any) -> None:
    from msldesk.core.errors import InvalidInputError
    from msldesk.decks.orm import TEAM, DeckRow
    from msldesk.decks.records import DeckUpdate

    path = deck_factory.pptx("team.pptx", [("Efficacy", "ORR 40%", "")], title="Team deck")
    outcome = next(iter(app.decks.import_paths([path])))
    app.decks.update_deck(outcome.deck_id, DeckUpdate(title="Still local"))  # a local deck: editable
    with app.sessions.begin() as session:
        session.get(DeckRow, outcome.deck_id).origin = TEAM
    with pytest.raises(InvalidInputError, match="Team deck"):
        app.decks.update_deck(outcome.deck_id, DeckUpdate(title="Changed here"))
    slide = app.decks.list_slides(outcome.deck_id)[0]
    with pytest.raises(InvalidInputError, match="read-only here"):
        app.decks.set_slide_tags(slide.slide_id, ["mine"])
    assert app.decks.deck(outcome.deck_id).title == "Still local"


@pytest.mark.parametrize(
    ("uid", "sha"),
    [
        ("../../outside", "a" * 64),
        ("0e6c5d0e-7c1b-4a38-9a53-6f8b2f2e7a11", "../../outside"),
        ("0e6c5d0e-7c1b-4a38-9a53-6f8b2f2e7a11", "A" * 64),
        ("0e6c5d0e-7c1b-4a38-9a53-6f8b2f2e7a11\n", "a" * 64 + "/x"),
    ],
    ids=["uid-path", "sha-path", "sha-upper", "control-characters"],
)
def test_a_deck_whose_id_or_file_could_name_another_file_is_refused(app: Any, uid: str, sha: str) -> None:
    """A server that is not msldesk's hub could send any text as a deck's uid or file hash; both become
    file names on the laptop, so anything but a UUID and a hex SHA-256 is refused for that deck alone."""
    from msldesk.team.pull import DeckPull

    downloads = app.paths.cache / "team"
    published = {"uid": uid, "title": "Forged", "revision": 1, "file_sha256": sha, "withdrawn": False}
    pulled = DeckPull(app.team, app.decks, downloads)._pull_one(None, published)
    assert pulled.outcome == "failed"
    assert pulled.message == "The hub sent this deck with a malformed id or file name."
    assert not downloads.exists()
    assert app.decks.list_decks() == []
