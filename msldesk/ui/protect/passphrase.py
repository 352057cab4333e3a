"""The library's passphrase: the dialog that asks for it, and the prompter that lets the worker opening
the library wait for the answer while the GUI thread shows the dialog."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from msldesk.ui.theme import set_role

if TYPE_CHECKING:
    from msldesk.db.crypto import PassphraseRequest

# Qt's enums are reached as QtCore.Qt where used: importing the name Qt builds ~90 enums (~17 ms),
# and this module is on the start path (before the window shows).

# Mirrors msldesk.db.crypto (not imported here: the window must show before the database layer loads).
MIN_PASSPHRASE = 8
ATTEMPTS = 5


def passphrase_problem(first: str, second: str | None = None) -> str:
    """Why a new passphrase cannot be used yet ("" when it can)."""
    if len(first) < MIN_PASSPHRASE:
        return f"At least {MIN_PASSPHRASE} characters ({len(first)} so far)."
    if second is not None and not second:
        return "Type it again to confirm it."
    if second is not None and first != second:
        return "The two passphrases are not the same yet."
    return ""


class PassphraseField(QWidget):
    """A passphrase typed once, or twice when it is being chosen, with a Show box and a live hint."""

    changed = Signal()

    def __init__(self, confirm: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.second = QLineEdit() if confirm else None
        self.show_box = QCheckBox("Show what I type")
        self.hint = QLabel()
        set_role(self.hint, "small")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Passphrase", self.first)
        if self.second is not None:
            self.second.setEchoMode(QLineEdit.EchoMode.Password)
            form.addRow("Type it again", self.second)
            self.second.textChanged.connect(self._on_text_changed)
            form.addRow("", self.hint)
        form.addRow("", self.show_box)
        self.first.textChanged.connect(self._on_text_changed)
        self.show_box.toggled.connect(self._on_show_box_toggled)
        self._on_text_changed()

    def text(self) -> str:
        return self.first.text()

    def problem(self) -> str:
        if self.second is None:
            return "" if self.first.text() else "Type the passphrase."
        return passphrase_problem(self.first.text(), self.second.text())

    def _on_text_changed(self, _text: str = "") -> None:
        problem = self.problem()
        self.hint.setText(problem or "The two passphrases match.")
        self.changed.emit()

    def _on_show_box_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for edit in (self.first, self.second):
            if edit is not None:
                edit.setEchoMode(mode)


class PassphraseDialog(QDialog):
    """Choose the library's passphrase (request.new) or type it to unlock the library."""

    def __init__(
        self, request: PassphraseRequest, attempts_left: int = ATTEMPTS, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.request = request
        new = request.new
        self.setWindowTitle("Choose a passphrase" if new else "Unlock the library")
        self.setMinimumWidth(520)
        title = QLabel("Choose a passphrase for your library" if new else "Unlock your library")
        set_role(title, "title")
        if new:
            intro = (
                "msldesk keeps your library encrypted on this computer. Usually its key is kept in the "
                "system keyring, but no keyring can be used here, so the library is locked with a "
                "passphrase you choose instead. You will type it each time msldesk starts."
            )
        else:
            intro = "This library is encrypted with a passphrase. Type it to open the library."
        text = QLabel(intro)
        text.setWordWrap(True)
        self.retry_label = QLabel()
        self.retry_label.setWordWrap(True)
        set_role(self.retry_label, "notice-error")
        if request.retry:
            left = f"{attempts_left} attempt{'s' if attempts_left != 1 else ''} left"
            self.retry_label.setText(f"That passphrase does not unlock this library. Try again ({left}).")
        self.retry_label.setVisible(request.retry)
        self.field = PassphraseField(confirm=new)
        self.warning = QLabel(
            "<b>It cannot be recovered.</b> Nobody, msldesk included, can open this library without "
            "it: keep it somewhere safe, such as a password manager. Backups can be locked with a "
            "passphrase of their own."
        )
        self.warning.setWordWrap(True)
        set_role(self.warning, "notice-warning")
        self.warning.setVisible(new)
        small = [f"Library: {request.library}"]
        if request.reason:
            small.append(f"Why no keyring: {request.reason}")
        self.small_print = QLabel("\n".join(small))
        self.small_print.setWordWrap(True)
        set_role(self.small_print, "small")
        self.small_print.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create the library" if new else "Unlock")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            "Leave the library locked; you can try again from the window"
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addWidget(self.retry_label)
        layout.addWidget(self.field)
        layout.addWidget(self.warning)
        layout.addWidget(self.small_print)
        layout.addWidget(self.buttons)
        self.field.changed.connect(self._on_field_changed)
        self._on_field_changed()
        self.field.first.setFocus()

    def _on_field_changed(self) -> None:
        self.ok_button.setEnabled(not self.field.problem())

    def accept(self) -> None:
        if self.field.problem():
            return
        super().accept()

    def passphrase(self) -> str | None:
        return self.field.text() if self.result() == QDialog.DialogCode.Accepted else None


@dataclass(eq=False)  # compared by identity: each request waits on its own event
class _Pending:
    request: PassphraseRequest
    answer: str | None = None
    done: threading.Event = field(default_factory=threading.Event)


class PassphrasePrompter(QObject):
    """`provider` is the App's passphrase_provider: called on the worker opening the library, it hands
    the request to this object on the GUI thread (a queued signal) and waits there for the answer. The
    GUI thread never waits; the worker waits for nothing else."""

    _requested = Signal(object)  # _Pending

    def __init__(self, parent_widget: QWidget | None = None) -> None:
        super().__init__(parent_widget)
        self.parent_widget = parent_widget
        self.dialog: PassphraseDialog | None = None
        self._lock = threading.Lock()
        self._waiting: list[_Pending] = []
        self._wrong = 0  # wrong answers in a row, for "n attempts left"
        self._requested.connect(self._on_requested)

    @property
    def attempts_left(self) -> int:
        return max(ATTEMPTS - self._wrong, 1)

    def provider(self, request: PassphraseRequest) -> str | None:
        """Called on a worker thread; blocks it (only it) until the user answers or abort()."""
        pending = _Pending(request)
        with self._lock:
            self._waiting.append(pending)
        self._requested.emit(pending)
        pending.done.wait()
        with self._lock:
            if pending in self._waiting:
                self._waiting.remove(pending)
        return pending.answer

    def _on_requested(self, pending: _Pending) -> None:
        if pending.done.is_set():
            return  # aborted while the request was on its way
        self._wrong = self._wrong + 1 if pending.request.retry else 0
        answer: str | None = None
        try:
            answer = self.ask(pending.request)
        finally:
            if not pending.done.is_set():
                pending.answer = answer
                pending.done.set()

    def ask(self, request: PassphraseRequest) -> str | None:
        """Show the dialog; the passphrase, or None when the user cancels. Tests replace this."""
        dialog = PassphraseDialog(request, self.attempts_left, self.parent_widget)
        self.dialog = dialog
        try:
            dialog.exec()
            return dialog.passphrase()
        finally:
            self.dialog = None
            dialog.deleteLater()

    def abort(self) -> None:
        """The window is closing: every waiting worker gets None (the library stays locked)."""
        with self._lock:
            waiting = list(self._waiting)
        for pending in waiting:
            pending.answer = None
            pending.done.set()
        if self.dialog is not None:
            self.dialog.reject()
