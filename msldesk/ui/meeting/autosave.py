"""DraftAutosaver: keeps the note field's unfinished text in the database, never blocking typing.

Every keystroke restarts a short debounce; a max-wait timer, started by the first unsaved keystroke,
makes sure continuous typing is saved too. Saves go to the db lane one at a time: a save asked for
while one is in flight waits for it and then stores the newest text (coalescing), so the worker never
queues up a backlog of stale drafts and the GUI thread never waits for SQLite.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from msldesk.ui.ops import Op

if TYPE_CHECKING:
    from msldesk.ui.context import AppContext

DEBOUNCE_MS = 300
# The save is *submitted* this long after the first unsaved keystroke, so that it has landed well
# within the promised second even when it must first wait for a save already in flight.
MAX_WAIT_MS = 700
RETRY_MS = 2000

SaveFn = Callable[[str, int | None], object]  # runs in the worker: (text, agenda item id)


class DraftAutosaver(QObject):
    saved = Signal(str)  # this text is now stored
    failed = Signal(str)  # a save failed (plain words); it is retried
    settled = Signal()  # nothing in flight and nothing unsaved

    def __init__(
        self,
        context: AppContext,
        save: SaveFn,
        parent: QObject | None = None,
        debounce_ms: int = DEBOUNCE_MS,
        max_wait_ms: int = MAX_WAIT_MS,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._save = save
        self._latest: tuple[str, int | None] = ("", None)
        self._stored = ""  # what the database is believed to hold
        self._stored_seq = 0
        self._seq = itertools.count(1)
        self._in_flight = False
        self._again = False
        self.saves_submitted = 0
        self.saves_done = 0
        self._debounce = self._timer(debounce_ms)
        self._max_wait = self._timer(max_wait_ms)
        self._retry = self._timer(RETRY_MS)

    def _timer(self, ms: int) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(self.flush)
        return timer

    # ---- what the window tells it ---------------------------------------------------------------

    def text_changed(self, text: str, agenda_item_id: int | None) -> None:
        self._latest = (text, agenda_item_id)
        if text == self._stored and not self._in_flight:
            self._debounce.stop()
            self._max_wait.stop()
            return
        self._debounce.start()
        if not self._max_wait.isActive():
            self._max_wait.start()

    def mark_stored(self, text: str) -> None:
        """The database holds `text` as the draft (restored from it, or cleared by add_entry in the
        same transaction as the entry): no save is needed for it."""
        self._stored, self._stored_seq = text, next(self._seq)
        self._latest = (text, self._latest[1])
        self._debounce.stop()
        self._max_wait.stop()

    @property
    def pending(self) -> bool:
        """True while some typed text may not be in the database yet."""
        return self._in_flight or self._latest[0] != self._stored

    @property
    def stored_text(self) -> str:
        return self._stored

    # ---- saving ---------------------------------------------------------------------------------

    def flush(self) -> None:
        """Save the newest text now (or as soon as the save in flight returns)."""
        self._debounce.stop()
        self._max_wait.stop()
        self._retry.stop()
        if self._in_flight:
            self._again = True
            return
        if self._latest[0] == self._stored:
            self.settled.emit()
            return
        self._submit()

    def _submit(self) -> None:
        (text, item_id), seq, save = self._latest, next(self._seq), self._save
        self._in_flight, self._again = True, False
        self.saves_submitted += 1
        # The db lane (`save` holds its service). It returns nothing, so nothing is announced: a
        # draft is no news to the other views.
        draft = Op(self, lambda _work: save(text, item_id)).success(lambda _result: self._on_saved(seq, text))
        draft.failure(self._on_failed).run()

    def _on_saved(self, seq: int, text: str) -> None:
        self._in_flight = False
        self.saves_done += 1
        if seq > self._stored_seq:  # an entry filed after this save was asked for has cleared it
            self._stored, self._stored_seq = text, seq
            self.saved.emit(text)
        self._after_save()

    def _on_failed(self, error: BaseException, _details: str) -> bool:
        """Said by the window (`failed`), never in an error box."""
        from msldesk.ui.errors import user_message

        self._in_flight = False
        self.failed.emit(user_message(error))
        if not self._again and self.pending:
            self._retry.start()  # keep trying quietly; the window shows the message
            return True
        self._after_save()
        return True

    def _after_save(self) -> None:
        idle = not (self._debounce.isActive() or self._max_wait.isActive())
        if self._again or (idle and self._latest[0] != self._stored):
            self._submit()
        elif not self.pending:
            self.settled.emit()
