"""The desktop app names a missing display or missing X11 libraries in one sentence, not Qt's abort."""

from __future__ import annotations

import os
import subprocess
import sys

from msldesk.ui.desktop_check import XCB_LIBRARIES, desktop_problem


def test_missing_xcb_libraries_are_named_by_their_packages() -> None:
    problem = desktop_problem(
        {"DISPLAY": ":0"}, "linux", loadable=lambda library: library != "libxcb-cursor.so.0"
    )
    assert problem is not None
    assert "libxcb-cursor0" in problem
    assert "apt install" in problem
    assert "libxcb-icccm4" not in problem  # only what is really missing


def test_nothing_to_say_when_every_library_loads_or_qt_is_told_another_platform() -> None:
    assert desktop_problem({"DISPLAY": ":0"}, "linux", loadable=lambda _l: True) is None
    assert desktop_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", loadable=lambda _l: False) is None
    assert desktop_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", loadable=lambda _l: False) is None
    assert desktop_problem({}, "win32", loadable=lambda _l: False) is None


def test_no_display_is_said_plainly() -> None:
    problem = desktop_problem({}, "linux", loadable=lambda _l: True)
    assert problem is not None
    assert "no display" in problem


def test_every_library_is_checked() -> None:
    asked: list[str] = []
    desktop_problem({"DISPLAY": ":0"}, "linux", loadable=lambda lib: asked.append(lib) or True)
    assert asked == list(XCB_LIBRARIES)


def test_the_app_started_without_a_display_prints_one_sentence_and_exits_1(tmp_path) -> None:
    if not sys.platform.startswith("linux"):
        return
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["MSLDESK_DATA_DIR"] = str(tmp_path / "library")
    done = subprocess.run(
        [sys.executable, "-m", "msldesk"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0
    assert "no display was found" in done.stderr
    assert not (tmp_path / "library").exists()  # nothing was created for a window that never opened
