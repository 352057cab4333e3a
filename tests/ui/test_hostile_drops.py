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
