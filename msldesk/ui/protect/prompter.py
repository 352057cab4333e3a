"""The prompter that lets the worker opening the library wait for the passphrase while the GUI thread
asks for it. On the start path (made with the window): the dialog's module loads when first asked."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from msldesk.db.crypto import PassphraseRequest
    from msldesk.ui.protect.passphrase import PassphraseDialog

# Wrong passphrases before the library stays locked (the dialog counts them down); mirrors
# msldesk.db.crypto.PASSPHRASE_ATTEMPTS (not imported: the window shows before the database layer loads).
ATTEMPTS = 5


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
        from msldesk.ui.protect.passphrase import PassphraseDialog

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
