"""Dropping a pipe, a device link or a folder named like a deck on the library: each is refused with
its reason in the failure box, the rest is imported, and nothing waits on the pipe."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from .helpers import drop_files, make_deck

pytestmark = pytest.mark.usefixtures("no_libreoffice")


def test_dropped_special_files_are_refused_with_a_reason(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window(seed_demo=False)
    pipe = tmp_path / "pipe.pptx"
    os.mkfifo(pipe)
    zero = tmp_path / "zero.pptx"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder.pptx"
    folder.mkdir()
    deck = make_deck(tmp_path / "good.pptx", ["Good slide"])
    try:
        with qtbot.waitSignal(window.jobs.job_finished, timeout=20_000) as finished:
            drop_files(window, [pipe, zero, folder, deck])
    finally:  # a regression that waits on the pipe: a writer comes and goes, so the worker ends
        with contextlib.suppress(OSError):  # ENXIO: nobody waits on it
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
    assert "1 imported" in finished.args[1]
    assert "3 failed" in finished.args[1]
    text = window.failure_box.text()
    assert "named pipe" in text
    assert "device" in text
    assert "no PowerPoint files" in text


def test_a_dropped_deck_and_a_chosen_backup_with_a_right_to_left_override_are_shown_escaped(
    make_window, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """U+202E in a name reorders what follows it on screen ('report\u202etxt.exe' reads 'reportexe.txt'):
    the failure box and the restore's progress window show the escape, never the character."""
    window, context = make_window(seed_demo=False)
    spoof = tmp_path / "slides\u202etxt.exe.pptx"
    spoof.write_bytes(b"not a deck")
    with qtbot.waitSignal(window.jobs.job_finished, timeout=20_000):
        drop_files(window, [spoof])
    assert "slides\\u202etxt.exe.pptx" in window.failure_box.text()
    assert "\u202e" not in window.failure_box.text()

    protect = window.protect
    backup = tmp_path / "backup\u202enoisses.msldesk-backup"
    plain = tmp_path / "plain.msldesk-backup"  # msldesk writes no such name: renamed by someone else
    context.app.backups.create(plain)
    plain.rename(backup)
    shown: list[str] = []
    show = protect._show_progress
    protect._show_progress = lambda title, message, *rest: (
        shown.append(message) or show(title, message, *rest)
    )  # type: ignore[method-assign]
    protect.ask_restore_path = lambda: backup  # type: ignore[method-assign]
    protect.ask_confirm_restore = lambda info: False  # type: ignore[method-assign]
    with qtbot.waitSignal(protect.restore_ended, timeout=20_000):
        window.actions_by_key["restore"].trigger()
    assert shown == ["Checking backup\\u202enoisses.msldesk-backup…"]
