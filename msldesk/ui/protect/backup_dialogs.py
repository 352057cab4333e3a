"""The dialogs of backing up and restoring: how to lock a backup, its passphrase, what a backup holds,
and a progress window with Cancel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from msldesk.protect.history_words import local_time
from msldesk.ui.protect.passphrase import PassphraseField
from msldesk.ui.theme import set_role

if TYPE_CHECKING:
    from msldesk.protect.backup_check import BackupInfo

# Tables a person recognises, in the order they think of them (one, many).
_COUNTED = (
    ("decks", "deck", "decks"),
    ("slides", "slide", "slides"),
    ("people", "person", "people"),
    ("events", "event", "events"),
    ("attendances", "attendee place", "attendee places"),
    ("note_entries", "meeting note", "meeting notes"),
    ("audit_log", "audit record", "audit records"),
)


@dataclass(frozen=True)
class BackupLock:
    """How to lock a new backup. passphrase None: with this library's own key (or its passphrase)."""

    passphrase: str | None


class BackupLockDialog(QDialog):
    """Lock a backup with a passphrase of its own (restores anywhere) or with this library's key."""

    def __init__(self, library_source: str = "keyring", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Lock the backup")
        self.setMinimumWidth(540)
        intro = QLabel(
            "The backup is encrypted like the library. Choose what will open it when it is restored."
        )
        intro.setWordWrap(True)
        self.with_passphrase = QRadioButton("With a backup passphrase (recommended)")
        passphrase_note = QLabel(
            "You need this passphrase to restore the backup, on this laptop or on another one, for "
            "example after this one is lost or replaced. It cannot be recovered: keep it safe, apart "
            "from the laptop."
        )
        self.field = PassphraseField(confirm=True)
        if library_source == "passphrase":
            self.with_library_key = QRadioButton("With this library's passphrase")
            library_note = QLabel(
                "The backup opens with the passphrase you type to open this library, on any computer."
            )
        else:
            self.with_library_key = QRadioButton("With this library's key")
            library_note = QLabel(
                "The key is in this computer's keyring: the backup restores only here. If this laptop "
                "is lost, so is the way to open the backup."
            )
        for note in (passphrase_note, library_note):
            note.setWordWrap(True)
            set_role(note, "small")
            note.setContentsMargins(22, 0, 0, 0)  # under its radio button (a style margin breaks wrapping)
        group = QButtonGroup(self)
        group.addButton(self.with_passphrase)
        group.addButton(self.with_library_key)
        self.with_passphrase.setChecked(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Back up")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.with_passphrase)
        layout.addWidget(passphrase_note)
        layout.addWidget(self.field)
        layout.addSpacing(6)
        layout.addWidget(self.with_library_key)
        layout.addWidget(library_note)
        layout.addStretch(1)  # spare height goes here, not into a wrapped label's top
        layout.addWidget(self.buttons)
        self.field.changed.connect(self._update)
        self.with_passphrase.toggled.connect(self._update)
        self._update()

    def _update(self, *_args: object) -> None:
        wants_passphrase = self.with_passphrase.isChecked()
        self.field.setEnabled(wants_passphrase)
        self.ok_button.setEnabled(not wants_passphrase or not self.field.problem())

    def accept(self) -> None:
        if self.ok_button.isEnabled():
            super().accept()

    def choice(self) -> BackupLock | None:
        if self.result() != QDialog.DialogCode.Accepted:
            return None
        return BackupLock(self.field.text() if self.with_passphrase.isChecked() else None)


class BackupPassphraseDialog(QDialog):
    """The passphrase a backup was locked with (to check and restore it)."""

    def __init__(self, name: str, retry: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Backup passphrase")
        self.setMinimumWidth(460)
        text = QLabel(
            f"“{name}” is locked with a passphrase (or with another library's key). Type the passphrase "
            "chosen when the backup was made."
        )
        text.setWordWrap(True)
        self.retry_label = QLabel("That passphrase does not open this backup. Try again.")
        set_role(self.retry_label, "notice-error")
        self.retry_label.setVisible(retry)
        self.field = PassphraseField(confirm=False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Open the backup")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.retry_label)
        layout.addWidget(self.field)
        layout.addWidget(self.buttons)
        self.field.first.setFocus()

    def passphrase(self) -> str | None:
        if self.result() != QDialog.DialogCode.Accepted or not self.field.text():
            return None
        return self.field.text()


_LOCKED_WITH = {
    "passphrase": "a passphrase",
    "library key": "this library's key",
    "nothing": "nothing (not encrypted)",
}


def _holds(info: BackupInfo) -> str:
    counts = dict(info.tables)
    parts = [f"{counts[t]:,} {one if counts[t] == 1 else many}" for t, one, many in _COUNTED if t in counts]
    return "Holds " + ", ".join(parts)


def _locked_with(info: BackupInfo) -> str:
    return "Locked with " + _LOCKED_WITH.get(info.locked_with, info.locked_with)


def describe_backup(info: BackupInfo, checked: bool = True) -> str:
    """What a backup holds (plain text, one fact per line); `checked`: every file was verified."""
    megabytes = info.file_bytes / 1_000_000
    return "\n".join(
        [
            f"Made on {local_time(info.created_at)} by msldesk {info.app_version or '(unknown version)'}",
            _holds(info),
            f"Deck files: {info.files:,} ({megabytes:,.1f} MB)" + (", all checked" if checked else ""),
            f"Database schema: revision {info.schema_revision}",
            _locked_with(info),
        ]
    )


def backup_summary(info: BackupInfo) -> str:
    """The two facts to see at a glance once a backup is made: what it holds and what opens it."""
    return f"{_holds(info)}. {_locked_with(info)}."


class TaskProgressDialog(QDialog):
    """Progress of one long job with Cancel; when it ends, the outcome stays readable until Close."""

    cancel_requested = Signal()

    def __init__(self, title: str, message: str, parent: QWidget | None = None, modal: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.setWindowModality(Qt.WindowModality.ApplicationModal if modal else Qt.WindowModality.NonModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.running = True
        self.label = QLabel(message)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.button = QPushButton("Cancel")
        self.button.clicked.connect(self._on_button_clicked)
        row = QDialogButtonBox()
        row.addButton(self.button, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(row)

    def progressed(self, done: int, total: int, message: str) -> None:
        if not self.running:
            return
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))
        if message:
            self.label.setText(message + "…" if not message.endswith(("…", ".")) else message)

    def finish(self, message: str, ok: bool = True) -> None:
        """Show the outcome; the dialog stays until closed (a quiet status line says it too)."""
        self.running = False
        self.bar.setRange(0, 1)
        self.bar.setValue(1 if ok else 0)
        self.label.setText(message)
        self.button.setText("Close")
        self.button.setEnabled(True)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.adjustSize()  # the outcome may take more lines than the progress message did

    def _on_button_clicked(self) -> None:
        if self.running:
            self.button.setEnabled(False)
            self.label.setText("Stopping…")
            self.cancel_requested.emit()
        else:
            self.accept()

    def reject(self) -> None:  # Esc or the window's close button
        if self.running:
            self._on_button_clicked()
            return
        super().reject()
