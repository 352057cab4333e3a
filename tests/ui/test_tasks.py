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


def test_a_job_running_when_its_window_goes_delivers_to_a_bridge_still_there(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Closing the window during a backup deletes the runner while the job runs. The job must end
    before the object it delivers to is deleted: deleted first, a job emitting at that moment
    crashed the app (a segmentation fault seen in the suite)."""
    import threading

    from msldesk.ui import tasks

    deliver = tasks._Runnable._deliver
    bridge_alive: list[bool] = []

    def watched(self: tasks._Runnable, signal: str, *args: object) -> None:
        bridge_alive.append(shiboken6.isValid(self.bridge))
        deliver(self, signal, *args)

    monkeypatch.setattr(tasks._Runnable, "_deliver", watched)
    owner = QObject()
    runner = TaskRunner(owner)
    started, release = threading.Event(), threading.Event()
    runner.submit("backup", lambda progress, cancel: started.set() or release.wait(10))
    assert started.wait(5)
    threading.Timer(0.3, release.set).start()  # the job ends while its runner is being deleted
    shiboken6.delete(owner)  # as closing the window does; waits for the running job
    assert bridge_alive == [True]


def test_no_job_starts_once_its_window_has_closed(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A signal still queued when the window closed (the start's daily backup) starts no work on
    the closed library: the job never runs and nothing is reported."""
    import threading

    runner = TaskRunner()
    ran: list[str] = []
    started, release = threading.Event(), threading.Event()

    def running(progress: object, cancel: object) -> None:
        started.set()
        release.wait(10)
        ran.append("before")

    runner.submit("db", running)
    assert started.wait(5)
    threading.Timer(0.2, release.set).start()
    runner.close()  # what the window's context does when the window closes: waits, then no more
    assert ran == ["before"]  # the running job was waited for
    called: list[object] = []
    handle = runner.submit(
        "backup", lambda progress, cancel: ran.append("after"), on_done=called.append, on_error=called.append
    )
    qtbot.wait(200)
    assert ran == ["before"]
    assert called == []
    assert handle.cancel_token.cancelled
    assert runner.active == 0
