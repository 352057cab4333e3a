"""Ops (ui/ops.py): success, failure in plain words, progress, cancel, Changes announced once, and the
synchronous runner that tests use to run them inline."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError, LibraryNotOpenError
from msldesk.ui import errors as ui_errors
from msldesk.ui.context import AppContext
from msldesk.ui.ops import DbOp, Lane, Op, OpGroup, Work
from msldesk.ui.tasks import SyncTaskRunner, TaskRunner

LIBRARY: Any = SimpleNamespace(name="the open library")


def _context(runner: TaskRunner, open_library: bool = True) -> AppContext:
    context = AppContext(runner)
    context.app = LIBRARY if open_library else None
    return context


def _changes_seen(context: AppContext) -> list[Changes]:
    seen: list[Changes] = []
    context.changed.connect(seen.append)
    return seen


def test_a_db_op_gives_its_result_to_success_inline_on_the_sync_runner(qtbot) -> None:  # type: ignore[no-untyped-def]
    context = _context(SyncTaskRunner())
    got: list[Any] = []

    started = DbOp(context, lambda work: (work.app.name, 42)).success(got.append).run()

    assert started
    assert got == [("the open library", 42)]  # before run() returned: no waiting in tests
    assert context.runner.active == 0


def test_a_db_op_without_an_open_library_does_nothing(qtbot) -> None:  # type: ignore[no-untyped-def]
    context = _context(SyncTaskRunner(), open_library=False)
    calls: list[str] = []

    started = DbOp(context, lambda _work: calls.append("ran")).success(lambda _r: calls.append("done")).run()

    assert not started
    assert calls == []


def test_a_failure_is_shown_in_plain_words_unless_the_view_takes_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    context = _context(SyncTaskRunner())

    def refuse(_work: Work) -> None:
        raise InvalidInputError("The event needs a title.")

    ui_errors._open_boxes.clear()
    seen: list[str] = []

    def note(error: BaseException, _details: str) -> bool:
        seen.append(str(error))
        return False  # noted, and shown too

    DbOp(context, refuse).success(lambda _r: seen.append("success")).failure(note).run()
    assert seen == ["The event needs a title."]
    assert [box.text() for box in ui_errors._open_boxes] == ["The event needs a title."]
    box: QMessageBox = ui_errors._open_boxes[0]
    # A plain-words refusal is all the user sees: no Python traceback behind "Show Details".
    assert box.detailedText() == ""
    assert [b.text() for b in box.buttons()] == ["Close"]
    box.close()

    ui_errors._open_boxes.clear()
    DbOp(context, refuse).failure(lambda _error, _details: True).run()  # shown next to the field instead
    assert ui_errors._open_boxes == []


def test_an_unexpected_failure_keeps_its_details_to_copy(qtbot) -> None:  # type: ignore[no-untyped-def]
    context = _context(SyncTaskRunner())

    def crash(_work: Work) -> None:
        raise KeyError("slide_id")

    ui_errors._open_boxes.clear()
    DbOp(context, crash).run()
    box: QMessageBox = ui_errors._open_boxes[0]
    assert box.text().startswith("Something went wrong")
    assert "KeyError" in box.detailedText(), "the traceback is one click away for whoever helps"
    assert "Copy details" in [b.text() for b in box.buttons()]
    box.close()


def test_progress_reaches_the_view(qtbot) -> None:  # type: ignore[no-untyped-def]
    context = _context(SyncTaskRunner())
    steps: list[tuple[int, int, str]] = []

    def count(work: Work) -> int:
        for done in range(1, 4):
            work.progress(done, 3, f"Step {done}")
        return 3

    Op(context, count, Lane.EXPORT).with_progress(lambda *step: steps.append(step)).run()

    assert steps == [(1, 3, "Step 1"), (2, 3, "Step 2"), (3, 3, "Step 3")]


def test_cancel_calls_neither_success_nor_failure(qtbot) -> None:  # type: ignore[no-untyped-def]
    context = _context(TaskRunner())
    started = threading.Event()
    seen: list[str] = []

    def wait_for_cancel(work: Work) -> str:
        started.set()
        while not work.cancel.cancelled:
            threading.Event().wait(0.01)
        work.cancel.raise_if_cancelled()
        return "finished anyway"

    op = DbOp(context, wait_for_cancel).success(seen.append).failure(lambda _e, _d: seen.append("failed"))
    op.when_cancelled(lambda: seen.append("cancelled")).run()
    assert started.wait(5)
    op.cancel()
    qtbot.waitUntil(lambda: seen == ["cancelled"], timeout=5_000)
    assert context.runner.wait_all(5_000)

    # Cancelled before it started: the work never runs.
    ran: list[str] = []
    early = DbOp(_context(SyncTaskRunner()), lambda _w: ran.append("ran")).when_cancelled(
        lambda: ran.append("stopped")
    )
    early.cancel()
    early.run()
    assert ran == ["stopped"]


def test_changes_are_announced_once_after_success(qtbot) -> None:  # type: ignore[no-untyped-def]
    context = _context(SyncTaskRunner())
    seen = _changes_seen(context)
    order: list[str] = []
    context.changed.connect(lambda _c: order.append("changed"))

    DbOp(context, lambda _w: ("record", Changes(people=True))).success(
        lambda _r: order.append("success")
    ).run()
    assert seen == [Changes(people=True)]
    assert order == ["success", "changed"]

    DbOp(context, lambda _w: Changes(events=True)).run()  # a bare Changes, no callback
    DbOp(context, lambda _w: Changes()).run()  # nothing changed: nobody is told
    DbOp(context, lambda _w: ["a", "read"]).run()  # a read carries no Changes
    removal = SimpleNamespace(changes=Changes(decks=True))  # a record that says what it changed
    DbOp(context, lambda _w: removal).run()
    assert seen == [Changes(people=True), Changes(events=True), Changes(decks=True)]


def test_a_failed_write_announces_nothing(qtbot) -> None:  # type: ignore[no-untyped-def]
    context = _context(SyncTaskRunner())
    seen = _changes_seen(context)

    def fail(_work: Work) -> Changes:
        raise InvalidInputError("No.")

    DbOp(context, fail).failure(lambda _e, _d: True).run()
    assert seen == []


def test_a_deleted_owner_gets_no_callback_but_the_changes_still_go_out(qtbot) -> None:  # type: ignore[no-untyped-def]
    context = _context(TaskRunner())
    seen = _changes_seen(context)
    release = threading.Event()
    got: list[Any] = []

    class View(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.context = context

    view = View()

    def write(_work: Work) -> Changes:
        release.wait(5)
        return Changes(decks=True)

    DbOp(view, write).success(got.append).run()
    shiboken6.delete(view)
    release.set()
    qtbot.waitUntil(lambda: seen == [Changes(decks=True)], timeout=5_000)
    assert got == []


def test_a_group_counts_its_ops_and_says_when_one_failed(qtbot) -> None:  # type: ignore[no-untyped-def]
    context = _context(TaskRunner())
    group = OpGroup()
    idle: list[bool] = []
    failures: list[str] = []
    group.idle_changed.connect(idle.append)
    group.failed.connect(lambda: failures.append("failed"))
    release = threading.Event()

    def slow(_work: Work) -> int:
        release.wait(5)
        return 1

    def broken(_work: Work) -> int:
        release.wait(5)
        raise InvalidInputError("No.")

    DbOp(context, slow).in_group(group).run()
    DbOp(context, broken).in_group(group).failure(lambda _e, _d: True).run()
    assert group.pending == 2
    assert idle == [False]
    release.set()
    qtbot.waitUntil(lambda: group.pending == 0, timeout=5_000)
    assert idle == [False, True]
    assert failures == ["failed"]


def test_the_threaded_runner_works_off_the_gui_thread_and_the_sync_runner_on_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    gui = threading.get_ident()
    threads: list[int] = []

    threaded = _context(TaskRunner())
    DbOp(threaded, lambda _w: threading.get_ident()).success(threads.append).run()
    qtbot.waitUntil(lambda: len(threads) == 1, timeout=5_000)
    DbOp(_context(SyncTaskRunner()), lambda _w: threading.get_ident()).success(threads.append).run()

    assert threads[0] != gui
    assert threads[1] == gui


def test_the_context_names_its_services_and_says_in_plain_words_when_none_is_open(qtbot) -> None:  # type: ignore[no-untyped-def]
    context = _context(SyncTaskRunner(), open_library=False)
    assert not context.is_open
    with pytest.raises(LibraryNotOpenError, match="The library is not open yet"):
        _ = context.events
    context.app = SimpleNamespace(events="the events service")  # type: ignore[assignment]
    assert context.is_open
    assert context.events == "the events service"


def test_a_name_in_an_error_box_shows_its_control_characters_as_escapes(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A right-to-left override in a name echoed by an error reordered the box's words."""
    ui_errors._open_boxes.clear()
    box = ui_errors.report_error(InvalidInputError("There is no collection named “evil\u202egnp.exe”."))
    assert box.text() == "There is no collection named “evil\\u202egnp.exe”."
    box.close()
