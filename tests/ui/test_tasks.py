"""The background runner: waiting for work after its owner (the window) was deleted does not crash."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject

from msldesk.ui.tasks import TaskRunner


def test_wait_all_after_the_owner_was_deleted(qtbot) -> None:  # type: ignore[no-untyped-def]
    owner = QObject()
    runner = TaskRunner(owner)
    done: list[int] = []
    runner.submit("db", lambda progress, cancel: 1, on_done=done.append)
    qtbot.waitUntil(lambda: done == [1], timeout=5_000)
    shiboken6.delete(owner)  # deletes the runner and its pools, as closing the window does
    assert runner.wait_all(1_000)
