"""The desktop's Team side against a real throw-away hub (PostgreSQL, tests/hub/conftest.py): the Team
menu's sync brings a published deck into the library with its Team badge, the status bar says who you
are and when you synced, a reviewer finds a pushed entry in Team insights, a hub gone away during a
timer sync shows "offline" without a dialog, Team › Stop stops a sync in the middle of a file, and the
syncs keep one hub connection (through a server restart) until Disconnect or exit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.cli.test_cli import msldesk_in_process as msldesk
from tests.conftest import DeckFactory
from tests.hub.cluster import Cluster
from tests.hub.conftest import _running_cluster
from tests.hub.team_libraries import (
    DeckHub,
    approved_deck,
    build_deck_hub,
    hub_sessions,
    library,
    publish_in_chunks,
)
from tests.hub.team_meetings import connect, make_team, meeting
from tests.ui.helpers import status_messages

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[Cluster]:
    """The module's own throw-away cluster: the last test stops it (the shared one stays up)."""
    yield from _running_cluster()


@pytest.fixture(scope="module")
def deck_hub(own_cluster: Cluster) -> DeckHub:
    return build_deck_hub(own_cluster)


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Error boxes the ops would have opened (none may open for a sync nobody asked for)."""
    boxes: list[str] = []
    monkeypatch.setattr("msldesk.ui.errors.report_error", lambda e, d="", p=None: boxes.append(str(e)))
    return boxes


def _publish(hub: DeckHub, folder: Path, factory: DeckFactory, name: str) -> None:
    from msldesk.team.publish import DeckPublisher

    app = library(folder, hub, "publisher")
    try:
        DeckPublisher(app.team, app.decks).publish([approved_deck(app, factory, name)])
    finally:
        app.close()


def _msl_window(make_window: Any, qtbot: Any, hub: DeckHub, folder: Path) -> Any:
    library(folder, hub, "msl").close()  # `msldesk team connect` as the MSL
    window, _context = make_window(seed_demo=False, data_dir=folder)
    # The start's sync (after the first slides are on screen) says who we are once it is done.
    qtbot.waitUntil(lambda: " · synced " in window.team.label.text(), timeout=WAIT_MS)
    return window


def test_the_team_menu_syncs_a_published_deck_into_the_library(
    make_window, qtbot, tmp_path: Path, deck_hub: DeckHub, deck_factory: DeckFactory, shown: list[str]
) -> None:  # type: ignore[no-untyped-def]
    window = _msl_window(make_window, qtbot, deck_hub, tmp_path / "msl")
    user = deck_hub.users["msl"]
    assert window.team.label.isVisible()
    assert window.team.label.text().startswith(f"Team: {user} (msl) · synced ")
    assert window.library.deck_model.decks() == []  # nothing was published yet

    _publish(deck_hub, tmp_path / "publisher", deck_factory, "dosing")
    menu = [a.text() for a in window.menuBar().actions()]
    assert menu.index("&Team") == menu.index("&Help") - 1
    with qtbot.waitSignal(window.team.synced, timeout=WAIT_MS) as synced:
        window.team.actions["team_sync"].trigger()
    assert synced.args[0].pulled.count("imported") == 1
    qtbot.waitUntil(lambda: len(window.library.deck_model.decks()) == 1, timeout=WAIT_MS)
    (deck,) = window.library.deck_model.decks()
    assert (deck.title, deck.origin) == ("Dosing update", "team")
    assert "Team deck" in window.library.deck_model.data(window.library.deck_model.index(1), 3)
    assert window.team.result_box is not None
    assert window.team.result_box.text().startswith("Synced with the team hub: 1 deck imported.")
    assert window.team.label.text().startswith(f"Team: {user} (msl) · synced ")
    assert shown == []


def test_connect_refuses_a_wrong_password_in_the_dialog_then_connects_and_disconnect_forgets(
    make_window, qtbot, tmp_path: Path, deck_hub: DeckHub, monkeypatch: pytest.MonkeyPatch, shown: list[str]
) -> None:  # type: ignore[no-untyped-def]
    window, _context = make_window(seed_demo=False, data_dir=tmp_path / "new")
    qtbot.waitUntil(lambda: window.context.is_open, timeout=WAIT_MS)
    assert not window.team.label.isVisible()  # no hub yet: nothing in the status bar
    user = deck_hub.users["msl"]
    cluster = deck_hub.cluster
    where = f"host={cluster.socket_dir} port={cluster.port} dbname={deck_hub.database} user={user}"

    window.team.actions["team_connect"].trigger()
    dialog = window.team.dialogs["connect"]
    dialog.dsn.setText(where)
    dialog.password.setText("not-the-password")
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: dialog.problem.isVisible(), timeout=WAIT_MS)
    assert f"refused the name or password of {user}" in dialog.problem.text()
    assert dialog.isVisible()  # it stays open to correct the password
    assert window.context.team.link() is None  # nothing was kept

    dialog.password.setText(f"pw-{user}")
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: " · synced " in window.team.label.text(), timeout=WAIT_MS)
    assert window.team.label.text().startswith(f"Team: {user} (msl) · synced ")
    link = window.context.team.link()
    assert link is not None
    assert "pw-" not in link.dsn  # the password is never in the stored connection string

    monkeypatch.setattr("msldesk.ui.widgets.confirm.confirm_destructive", lambda *args, **kwargs: True)
    window.team.actions["team_disconnect"].trigger()
    qtbot.waitUntil(lambda: not window.team.label.isVisible(), timeout=WAIT_MS)
    assert window.context.team.link() is None
    assert shown == []


def test_a_publisher_publishes_and_withdraws_the_selected_deck_from_the_team_menu(
    make_window,
    qtbot,
    tmp_path: Path,
    deck_hub: DeckHub,
    deck_factory: DeckFactory,
    shown: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    from msldesk.team.sync import sync_team

    folder = tmp_path / "publisher"
    app = library(folder, deck_hub, "publisher")
    deck_id = approved_deck(app, deck_factory, "hepatic")
    app.close()
    window, _context = make_window(seed_demo=False, data_dir=folder)
    qtbot.waitUntil(lambda: "(publisher)" in window.team.label.text(), timeout=WAIT_MS)
    publish, withdraw = window.team.actions["team_publish"], window.team.actions["team_withdraw"]
    assert publish.isVisible()
    assert withdraw.isVisible()
    listed = window.library.deck_model.decks
    qtbot.waitUntil(lambda: deck_id in [d.deck_id for d in listed()], timeout=WAIT_MS)
    window.library.select_deck(deck_id)
    with qtbot.waitSignal(window.team.publishing.said, timeout=WAIT_MS) as said:
        publish.trigger()
    assert said.args == ["Published “Hepatic update” on the team hub."]
    assert shown == []

    msl = library(tmp_path / "msl", deck_hub, "msl2")  # another MSL's library takes it in, and uses it
    try:
        sync_team(msl.team, msl.decks, msl.meetings, tmp_path / "downloads")
        (team_deck,) = [d for d in msl.decks.list_decks() if d.title == "Hepatic update"]
        slides = [s.slide_id for s in msl.decks.list_slides(team_deck.deck_id)][:1]
        msl.assembly.save_collection("Liver talk", slides)
    finally:
        msl.close()

    monkeypatch.setattr(
        "msldesk.ui.team.publishing.QInputDialog.getText", lambda *_a, **_k: ("Superseded by v2", True)
    )
    with qtbot.waitSignal(window.team.publishing.said, timeout=WAIT_MS) as said:
        withdraw.trigger()
    assert said.args[0].startswith("Withdrew “Hepatic update” on the team hub")
    assert _context.decks.deck(deck_id).withdrawn
    # The op's Changes refresh the deck list: the deck is shown withdrawn, or hidden as withdrawn decks are.
    qtbot.waitUntil(lambda: all(d.withdrawn for d in listed() if d.deck_id == deck_id), timeout=WAIT_MS)
    assert shown == []

    msl_window, _ = make_window(seed_demo=False, data_dir=tmp_path / "msl")
    qtbot.waitUntil(lambda: msl_window.team.result_box is not None, timeout=WAIT_MS)  # the start's sync
    box = msl_window.team.result_box
    assert "1 deck withdrawn" in box.text()
    assert "Saved collection “Liver talk”" in box.informativeText()
    assert not msl_window.team.actions["team_publish"].isVisible()


def test_a_reviewer_finds_a_pushed_entry_in_team_insights(
    make_window,
    qtbot,
    tmp_path: Path,
    own_cluster: Cluster,
    shown: list[str],
) -> None:  # type: ignore[no-untyped-def]
    team = make_team(own_cluster, own_cluster.new_database())
    ana, rita = tmp_path / "ana", tmp_path / "rita"
    connect(team, ana, "ana")
    meeting(ana, "Renal advisory board", [("Nephrologists want eGFR cut-offs for dosing", "Dosing")])
    meeting(ana, "Hepatic board", [("Hepatologists ask about liver enzymes", "Safety")])
    msldesk(ana, "team", "push", check_exit=0)
    connect(team, rita, "rita")
    window, _context = make_window(seed_demo=False, data_dir=rita)
    qtbot.waitUntil(lambda: "(reviewer)" in window.team.label.text(), timeout=WAIT_MS)

    window.team.actions["team_insights"].trigger()
    dialog = window.team.dialogs["insights"]
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=WAIT_MS)  # opening shows the newest
    dialog.query.setText("eGFR dosing")
    dialog.find_button.click()
    qtbot.waitUntil(lambda: dialog.summary.text() == "1 entry found.", timeout=WAIT_MS)
    (found,) = dialog.model.rows
    assert (found.owner, found.event_title) == (team.login("ana"), "Renal advisory board")
    row = [dialog.model.data(dialog.model.index(0, column)) for column in range(6)]
    assert [row[1], row[2], row[4], row[5]] == [
        team.login("ana"),
        "Renal advisory board",
        "Dosing",
        "Nephrologists want eGFR cut-offs for dosing",
    ]
    dialog.theme.setCurrentText("Safety")
    dialog.query.clear()
    dialog.find_button.click()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1 and "enzymes" in dialog.model.rows[0].text)
    assert shown == []


def test_a_hub_gone_away_on_the_timer_shows_offline_without_a_dialog(
    make_window,
    qtbot,
    tmp_path: Path,
    deck_hub: DeckHub,
    own_cluster: Cluster,
    shown: list[str],
) -> None:  # type: ignore[no-untyped-def]
    window = _msl_window(make_window, qtbot, deck_hub, tmp_path / "msl")
    assert window.team.timer.isActive()
    assert window.team.timer.interval() == 15 * 60_000  # the setting's default
    own_cluster.stop()
    try:
        window.team.timer.timeout.emit()  # as if the 15 minutes were up
        qtbot.waitUntil(lambda: window.team.label.text() == "Team: offline", timeout=WAIT_MS)
        assert "hub" in window.team.label.toolTip().lower()
        assert window.team.label.toolTip().count(". ") == 0  # one sentence
        assert shown == []
        assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        window.team.actions["team_insights"].trigger()
        dialog = window.team.dialogs["insights"]
        qtbot.waitUntil(lambda: dialog.summary.property("role") == "error", timeout=WAIT_MS)
        assert "hub" in dialog.summary.text().lower()
        assert shown == []
    finally:
        own_cluster.start()


def _hold_the_first_chunk(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """The sync's fetch waits after its first chunk is on disk until the test lets it go: (reached,
    release). A sync in the middle of a file, without a race on timing."""
    from msldesk.team import pull

    reached, release = threading.Event(), threading.Event()
    fetch = pull.download_file

    def held(connection: Any, sha: str, part: Path, final: Path, on_chunk: Any) -> Any:
        def chunk(size: int) -> None:
            if not reached.is_set():
                reached.set()
                release.wait(WAIT_MS / 1000)
            on_chunk(size)  # the pull's own: where a Stop takes effect

        return fetch(connection, sha, part, final, chunk)

    monkeypatch.setattr(pull, "download_file", held)
    return reached, release


def test_stop_in_the_middle_of_a_file_leaves_nothing_half_and_the_next_sync_completes(
    make_window,
    qtbot,
    tmp_path: Path,
    own_cluster: Cluster,
    monkeypatch: pytest.MonkeyPatch,
    shown: list[str],
) -> None:  # type: ignore[no-untyped-def]
    hub = build_deck_hub(own_cluster)  # its own: the module's hub has other tests' decks
    window = _msl_window(make_window, qtbot, hub, tmp_path / "msl")
    team, context = window.team, window.context
    cursor = context.team.link().pull_cursor
    publish_in_chunks(hub, tmp_path / "publisher", ["alpha"])
    reached, release = _hold_the_first_chunk(monkeypatch)
    sync, stop = team.actions["team_sync"], team.actions["team_stop"]

    sync.trigger()
    qtbot.waitUntil(reached.is_set, timeout=WAIT_MS)
    assert stop.isEnabled()
    assert not sync.isEnabled()
    ticks: list[int] = []
    QTimer.singleShot(0, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: ticks == [1], timeout=1000)  # the window answers while the sync works
    status = status_messages(window)
    stop.trigger()
    assert status[-1:] == ["Stopping the team sync…"]
    assert not stop.isEnabled()
    release.set()
    qtbot.waitUntil(lambda: team.sync_op is None, timeout=WAIT_MS)
    assert "Team sync stopped; the next one resumes where it was." in status
    assert sync.isEnabled()
    assert not stop.isEnabled()
    assert team.result_box is None  # stopped is not failed: no box
    assert [d for d in context.decks.list_decks() if d.is_team] == []  # nothing half-imported
    assert context.team.link().pull_cursor == cursor  # the next sync reads the same decks again
    assert len(list((context.app.paths.cache / "team").glob("*.part"))) == 1  # the fetch so far, kept

    with qtbot.waitSignal(team.synced, timeout=WAIT_MS) as synced:
        sync.trigger()
    done = synced.args[0]
    assert done.complete
    assert done.pulled.count("imported") == 1
    (deck,) = [d for d in context.decks.list_decks() if d.is_team]  # once, not twice
    size = context.decks.store.path_for(deck.sha256, Path(deck.file_name).suffix).stat().st_size
    assert done.pulled.bytes_fetched == size - 4096  # the fetch resumed after the chunk it had
    assert team.result_box is not None
    assert team.result_box.text().startswith("Synced with the team hub: 1 deck imported.")
    assert context.team.link().pull_cursor != cursor
    assert shown == []
    assert len(hub_sessions(hub, "msl")) == 1  # kept for the next sync…
    window.close()
    assert hub_sessions(hub, "msl", settle=5) == []  # …until the app exits


def test_syncs_keep_one_hub_connection_through_a_restart_and_disconnect_logs_out(
    make_window,
    qtbot,
    tmp_path: Path,
    own_cluster: Cluster,
    monkeypatch: pytest.MonkeyPatch,
    shown: list[str],
) -> None:  # type: ignore[no-untyped-def]
    hub = build_deck_hub(own_cluster)  # its own: no other library logs in as this user
    window = _msl_window(make_window, qtbot, hub, tmp_path / "msl")  # the start's sync
    team, kept = window.team, window.context.team.kept
    qtbot.waitUntil(lambda: len(hub_sessions(hub, "msl")) == 1, timeout=WAIT_MS)  # connect's check left
    ((pid, state),) = hub_sessions(hub, "msl")
    assert state == "idle"  # kept between syncs, never inside a transaction
    with qtbot.waitSignal(team.synced, timeout=WAIT_MS):
        team.actions["team_sync"].trigger()
    assert hub_sessions(hub, "msl") == [(pid, "idle")]  # the same backend: no login for this sync
    assert kept.logins == 1

    own_cluster.restart()
    with qtbot.waitSignal(team.synced, timeout=WAIT_MS) as synced:
        team.actions["team_sync"].trigger()
    assert synced.args[0].complete  # a normal sync for the user: logged in again, once
    assert team.result_box is not None
    assert team.result_box.text().startswith("Synced with the team hub")
    assert team.label.text().startswith(f"Team: {hub.users['msl']} (msl) · synced ")
    assert kept.logins == 2
    ((new_pid, _state),) = hub_sessions(hub, "msl")
    assert new_pid != pid

    monkeypatch.setattr("msldesk.ui.widgets.confirm.confirm_destructive", lambda *args, **kwargs: True)
    team.actions["team_disconnect"].trigger()
    qtbot.waitUntil(lambda: not team.label.isVisible(), timeout=WAIT_MS)
    assert hub_sessions(hub, "msl", settle=5) == []  # logged out of the hub
    assert shown == []
