"""The Boards section's writes: database-lane ops counted together, so an editor shows "Saving…"
while any is pending and drops its optimistic edits when one fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from msldesk.ui.context import AppContext
from msldesk.ui.ops import DbOp, OpGroup


class BoardsWriter(OpGroup):
    """`write(job)` is `DbOp(...).in_group(self)`: the result's Changes go out on `context.changed`
    (from the op), failures are reported and `failed` lets views drop optimistic edits."""

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context

    def write(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], object] | None = None,
        on_error: Callable[[BaseException, str], bool] | None = None,
    ) -> None:
        """`on_error` may handle an error itself (return True), e.g. to show it next to a field."""
        op = DbOp(self, lambda _work: job()).in_group(self)
        if on_done is not None:
            op.success(on_done)
        if on_error is not None:
            op.failure(on_error)
        op.run()
