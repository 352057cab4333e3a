"""TeamController: the Team menu, the status bar's "Team: …" label, and the syncs (on start, every few
minutes, on demand). A sync runs `msldesk.team.sync.sync_team` as a DbOp (it imports decks); its
Changes refresh the library. A sync nobody asked for never opens an error box: the label says offline,
its tooltip says why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMessageBox

from msldesk.ui.actions import ActionSpec, build_actions
from msldesk.ui.errors import user_message
from msldesk.ui.ops import DbOp, Op, Work
from msldesk.ui.tasks import Lane
from msldesk.ui.team.publishing import Publishing
from msldesk.ui.theme import set_role

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from msldesk.core.changes import Changes
    from msldesk.team.records import HubIdentity, TeamLink, TeamStatus
    from msldesk.team.sync import TeamSync
    from msldesk.ui.context import AppContext

MENU = "&Team"
MINUTE_MS = 60_000
NOT_CONNECTED = "This library is not connected to a team hub: Team › Connect to a team hub… first."


@dataclass(frozen=True)
class Synced:
    """A sync's result and the team status just after it (the label's last sync and role)."""

    done: TeamSync
    status: TeamStatus

    @property
    def changes(self) -> Changes:
        return self.done.changes  # the op announces it: the library shows the decks that came in


class TeamController(QObject):
    synced = Signal(object)  # TeamSync: a sync finished (tests, the insights view)
    label_changed = Signal(str)

    def __init__(self, context: AppContext, window: QMainWindow) -> None:
        super().__init__(window)
        self.context, self.window = context, window
        self.label = QLabel()
        self.label.setProperty("role", "small")  # not set_role: restyling now would build Qt's enums
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self.sync_op: DbOp[Synced | None] | None = None
        self.identity: HubIdentity | None = None
        self.link: TeamLink | None = None
        self.publishing = Publishing(context, window)
        self.actions = self._build_menu()
        self._show_publishing()
        self.timer = QTimer(self)
        self.timer.timeout.connect(lambda: self.sync(asked=False))
        self.result_box: QMessageBox | None = None
        self.dialogs: dict[str, object] = {}
        context.ready.connect(self._on_ready)
        context.settled.connect(lambda: self.sync(asked=False))
        if context.app is not None:  # made once the window is painted: the library may be open
            self._on_ready()

    def _build_menu(self) -> dict[str, QAction]:
        publishing = self.publishing
        specs = [
            ActionSpec("team_sync", MENU, "&Sync now", lambda: self.sync(asked=True), "F9",
                       "Bring the team's published decks in and push finalized meetings"),
            ActionSpec("team_stop", MENU, "S&top the sync", self.stop),
            ActionSpec("-t1", MENU, "", lambda: None),
            ActionSpec("team_insights", MENU, "Team &insights…", self.open_insights, None,
                       "Search the meeting notes the team pushed"),
            ActionSpec("team_status", MENU, "Team s&tatus…", self.show_status),
            ActionSpec("-t2", MENU, "", lambda: None),
            ActionSpec("team_publish", MENU, "&Publish the selected deck", publishing.publish_selected,
                       None, "Publishers: put the deck selected in the deck list on the team hub"),
            ActionSpec("team_withdraw", MENU, "&Withdraw the selected deck…", publishing.withdraw_selected,
                       None, "Publishers: withdraw it from every library at its next sync"),
            ActionSpec("-t3", MENU, "", lambda: None),
            ActionSpec("team_connect", MENU, "&Connect to a team hub…", self.open_connect),
            ActionSpec("team_disconnect", MENU, "&Disconnect…", self.ask_disconnect),
        ]  # fmt: skip
        actions = build_actions(self.window, self.window.menuBar(), specs)
        actions["team_stop"].setEnabled(False)
        actions["team_disconnect"].setEnabled(False)  # until a hub is remembered (show_link)
        _before_help(self.window, actions["team_sync"])
        return actions

    # ---- the label --------------------------------------------------------------------------------

    def _on_ready(self) -> None:
        """A library opened: its remembered hub (read from the library, not asked) and the timer."""
        self.identity = None
        app = self.context.app
        minutes = app.settings.team_sync_minutes if app is not None else 0
        if minutes > 0 and app is not None and not app.read_only:
            self.timer.start(minutes * MINUTE_MS)
        else:
            self.timer.stop()
        Op(self, lambda work: work.app.team.link(), Lane.IO).success(self.show_link).run()

    def show_link(self, link: TeamLink | None, problem: str = "") -> None:
        """The label: nothing without a hub; "Team: ana (msl) · synced 14:05"; or offline and why."""
        self.link = link
        self.actions["team_disconnect"].setEnabled(link is not None)  # nothing to disconnect from
        if link is None:
            self.identity = None
            self.label.hide()
            self.label.setText("")
            self.label_changed.emit("")
            self._show_publishing()
            return
        if problem:
            text, tip = "Team: offline", problem
        else:
            role = f" ({self.identity.role})" if self.identity is not None else ""
            synced = (
                f" · synced {link.last_sync.astimezone():%H:%M}" if link.last_sync else " · not synced yet"
            )
            text, tip = f"Team: {link.user_name}{role}{synced}", f"Team hub: {link.dsn}"
        set_role(self.label, "caution" if problem else "small")
        self.label.setText(text)
        self.label.setToolTip(tip)
        self.label.show()
        self.label_changed.emit(text)
        self._show_publishing()

    def _show_publishing(self) -> None:
        """Publish and Withdraw are shown to the hub's publishers only (the hub refuses anyone else)."""
        publisher = self.identity is not None and "publisher" in self.identity.roles
        for key in ("team_publish", "team_withdraw"):
            self.actions[key].setVisible(publisher)

    # ---- sync ---------------------------------------------------------------------------------------

    def sync(self, asked: bool) -> bool:
        """Pull and push on the db lane. `asked`: from the menu (the result and any failure in a box);
        otherwise (start, timer) only the label and the status bar say how it went. False: not started."""
        app = self.context.app
        if self.sync_op is not None or app is None or (app.read_only and not asked):
            return False
        op: DbOp[Synced | None] = DbOp(self, _sync_job(asked))
        op.success(lambda done: self._on_synced(done, asked))
        op.failure(lambda error, _details: self._on_sync_failed(error, asked))
        op.when_cancelled(lambda: self._finished("Team sync stopped; the next one resumes where it was."))
        op.with_progress(self._on_progress)
        if not op.run():
            return False
        self.sync_op = op
        self.actions["team_stop"].setEnabled(True)
        self.actions["team_sync"].setEnabled(False)
        return True

    def stop(self) -> None:
        """Team › Stop: the sync stops after the chunk of a file or the deck it is on (nothing is left
        half-imported; the next sync resumes there). Said at once: the stop itself may take a moment."""
        if self.sync_op is not None and not self.sync_op.cancelled:
            self.sync_op.cancel()
            self.actions["team_stop"].setEnabled(False)
            self.window.statusBar().showMessage("Stopping the team sync…")

    def _on_progress(self, _done: int, _total: int, message: str) -> None:
        if self.sync_op is None or not self.sync_op.cancelled:  # "Stopping…" stays until it has
            self.window.statusBar().showMessage(message, 4000)

    def _finished(self, message: str) -> None:
        self.sync_op = None
        self.actions["team_stop"].setEnabled(False)
        self.actions["team_sync"].setEnabled(True)
        if message:
            self.window.statusBar().showMessage(message, 8000)

    def _on_synced(self, synced: Synced | None, asked: bool) -> None:
        from msldesk.team.words import pulled_words

        if synced is None:  # not connected: a start or timer sync had nothing to do
            self._finished("")
            self.show_link(None)
            return
        done, status = synced.done, synced.status
        self._finished(pulled_words(done.pulled))
        self.identity = status.identity or self.identity
        self.show_link(status.link, done.pushed.problem or status.problem)
        if asked or done.pulled.uses or not done.complete:
            self._show_result(done)
        self.synced.emit(done)

    def _on_sync_failed(self, error: BaseException, asked: bool) -> bool:
        """Offline in the label (the reason in its tooltip); a box only when the user asked."""
        self._finished("")
        if self.link is not None or not asked:
            self.show_link(self.link, user_message(error))
        return not asked

    def _show_result(self, done: TeamSync) -> None:
        """What the sync did in words; a warning box when a withdrawn deck was in use or some failed."""
        from msldesk.team.words import INCOMPLETE, pulled_words, pushed_words, use_words

        pushed = done.pushed
        lines = [pulled_words(done.pulled)]
        lines += [f"{d.title}: {d.message}" for d in done.pulled.decks if d.outcome == "failed"]
        lines += [] if done.pulled.complete else [INCOMPLETE]
        lines += [] if pushed.nothing else [pushed_words(pushed)]
        lines += [f"{pushed.problem} The next sync sends the rest."] if pushed.problem else []
        warnings = [use_words(use) for use in done.pulled.uses]
        icon = QMessageBox.Icon.Warning if warnings or not done.complete else QMessageBox.Icon.Information
        box = QMessageBox(icon, "Team sync", "\n".join(lines), parent=self.window)
        if warnings:
            box.setInformativeText("\n".join(warnings))
        box.setModal(False)
        self.result_box = box
        box.show()

    # ---- the other commands -----------------------------------------------------------------------

    def show_status(self) -> None:
        """Who you are, your role, the last sync and what waits, as `msldesk team status` says it."""
        if not self.context.is_open:
            self.window.statusBar().showMessage("The library is still opening.", 4000)
            return

        def job(work: Work) -> tuple[TeamStatus, list[str]]:
            from msldesk.team.push import pending_records
            from msldesk.team.words import status_lines

            status = work.app.team.status()
            return status, status_lines(status, pending_records(work.app.team, work.app.meetings))

        Op(self, job, Lane.IO).success(self._on_status).run()

    def _on_status(self, found: tuple[TeamStatus, list[str]]) -> None:
        status, lines = found
        if status.identity is not None:
            self.identity = status.identity
        self.show_link(status.link, status.problem)
        box = QMessageBox(QMessageBox.Icon.Information, "Team status", "\n".join(lines), parent=self.window)
        box.setModal(False)
        self.result_box = box
        box.show()

    def open_connect(self) -> None:
        from msldesk.ui.team.connect_dialog import ConnectDialog

        dialog = ConnectDialog(self.context, self.window)
        dialog.connected.connect(self._on_connected)
        self.dialogs["connect"] = dialog
        dialog.show()

    def _on_connected(self, link: TeamLink, identity: HubIdentity) -> None:
        self.identity = identity
        self.show_link(link)
        self._on_ready()  # the timer, now that there is a hub
        self.sync(asked=False)

    def ask_disconnect(self) -> None:
        from msldesk.ui.widgets.confirm import confirm_destructive

        if not self.context.is_open or not confirm_destructive(
            self.window, "Disconnect from the team hub", "Disconnect this library from its team hub?",
            "Team decks stay in the library and what was pushed stays on the hub; the hub's password is "
            "forgotten. Connect again to sync.", "Disconnect",
        ):  # fmt: skip
            return
        DbOp(self, lambda work: work.app.team.disconnect()).success(self._on_disconnected).run()

    def _on_disconnected(self, result: tuple[bool, str]) -> None:
        _was, warning = result
        self.identity = None
        self.show_link(None)
        self.window.statusBar().showMessage(warning or "Disconnected from the team hub.", 8000)

    def open_insights(self) -> None:
        from msldesk.ui.team.insights_view import InsightsDialog

        dialog = self.dialogs.get("insights")
        if not isinstance(dialog, InsightsDialog):
            dialog = self.dialogs["insights"] = InsightsDialog(self.context, self.window)
        dialog.show()
        dialog.raise_()
        dialog.search()


def _sync_job(asked: bool) -> Callable[[Work], Synced | None]:
    """The worker's part: None when there is no hub (a start or timer sync then does nothing)."""

    def job(work: Work) -> Synced | None:
        from msldesk.team.hub_link import who_am_i
        from msldesk.team.service import NoHubError
        from msldesk.team.sync import sync_team

        app = work.app
        if app.team.link() is None:
            if asked:
                raise NoHubError(NOT_CONNECTED)
            return None
        # The connection kept between syncs (the sync lane runs one at a time): no login per sync.
        opener = app.team.kept.open
        team, folder = app.team, app.paths.cache / "team"
        done = sync_team(team, app.decks, app.meetings, folder, work.progress, work.cancel, opener)
        return Synced(done, team.status(check=lambda dsn, password: who_am_i(dsn, password, opener)))

    return job


def _before_help(window: QMainWindow, action: QAction) -> None:
    """Put the Team menu (the one holding `action`) before Help, where menus that come last belong."""
    bar = window.menuBar()
    entries = bar.actions()
    team = next((a for a in entries if isinstance(m := a.menu(), QMenu) and action in m.actions()), None)
    helper = next((a for a in entries if a.text().replace("&", "") == "Help"), None)
    if team is not None and helper is not None:
        bar.removeAction(team)
        bar.insertAction(helper, team)
