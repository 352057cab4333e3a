"""Team › Connect to a team hub…: the hub's connection string and the password, checked by the hub
(`TeamService.connect`, as `msldesk team connect` does) before anything is kept. A refusal is said
in one sentence under the fields; the dialog stays open to correct them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from msldesk.ui.errors import user_message
from msldesk.ui.ops import DbOp
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.dialog_jobs import DialogOps

if TYPE_CHECKING:
    from msldesk.team.records import HubIdentity, TeamLink
    from msldesk.ui.context import AppContext

DSN_HINT = "host=hub.example.org dbname=msldesk user=ana sslmode=verify-full"


class ConnectDialog(QDialog):
    connected = Signal(object, object)  # TeamLink, HubIdentity

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.ops = DialogOps(self)
        self.setWindowTitle("Connect to a team hub")
        self.dsn = QLineEdit()
        self.dsn.setPlaceholderText(DSN_HINT)
        self.dsn.setMinimumWidth(420)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("empty: from ~/.pgpass")
        hint = QLabel(
            "Your administrator gives you the hub's connection string. The password is kept in the "
            "system keyring (or in this encrypted library), never in the connection string."
        )
        hint.setWordWrap(True)
        set_role(hint, "hint")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        set_role(self.problem, "error")
        self.problem.hide()
        form = QFormLayout()
        form.addRow("Hub", self.dsn)
        form.addRow("Password", self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.addButton("Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        dsn, password = self.dsn.text().strip(), self.password.text()
        if not dsn:
            self._say("Type the hub's connection string first.")
            return
        self.problem.hide()
        self.connect_button.setEnabled(False)
        self.connect_button.setText("Connecting…")
        (
            DbOp(self, lambda work: work.app.team.connect(dsn, password or None))
            .success(self._on_connected)
            .failure(self._on_refused)
            .in_group(self.ops)
            .run()
        )

    def _on_connected(self, result: tuple[TeamLink, HubIdentity]) -> None:
        link, identity = result
        self.password.clear()
        self.connected.emit(link, identity)
        self.accept()

    def _on_refused(self, error: BaseException, _details: str) -> bool:
        self._say(user_message(error))
        return True

    def _say(self, sentence: str) -> None:
        self.connect_button.setEnabled(True)
        self.connect_button.setText("Connect")
        self.problem.setText(sentence)
        self.problem.show()
