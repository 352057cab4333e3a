"""Before Qt starts: say in one plain sentence why the desktop window cannot open on this system.

Qt aborts the whole process (exit 134) with a long, misleading text when its Linux platform plugin
cannot load: no display to connect to, or X11 libraries that minimal systems lack. Both can be seen
before Qt is touched, so the user gets the fix instead of the abort."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

# The libraries Qt 6's xcb plugin loads beyond a base X11 system, with their Debian/Ubuntu packages.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def _loadable(library: str) -> bool:
    import ctypes  # here: offscreen and Wayland starts need no ctypes before the window shows

    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def desktop_problem(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    loadable: Callable[[str], bool] = _loadable,
) -> str | None:
    """Why the window cannot open here, in one sentence; None when nothing stands in the way."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen and not chosen.startswith("xcb"):
        return None  # offscreen, wayland, vnc...: Qt's own choice, not ours to second-guess
    if not environ.get("DISPLAY"):
        if environ.get("WAYLAND_DISPLAY") and not chosen:
            return None
        return (
            "msldesk cannot open its window because no display was found (DISPLAY is not set): start "
            "it from a desktop session, or use the command line (msldesk --help)."
        )
    missing = [package for library, package in XCB_LIBRARIES.items() if not loadable(library)]
    if missing:
        return (
            "msldesk cannot open its window because system libraries that Qt needs are missing; "
            f"install them (Debian/Ubuntu: sudo apt install {' '.join(missing)}) and start it again."
        )
    return None
