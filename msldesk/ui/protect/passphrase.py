"""The library's passphrase: the dialog that asks for it (msldesk.ui.protect.prompter shows it when the
worker opening the library asks), and the field that checks a new one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import Signal
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

# Mirrors msldesk.db.crypto (not imported here: the dialog must show before the database layer loads).
MIN_PASSPHRASE = 8


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

    def __init__(self, request: PassphraseRequest, attempts_left: int, parent: QWidget | None = None):
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
