"""Start-up stays fast: the GUI modules load no database, XML or PDF library before the window shows."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "alembic", "lxml", "pptx", "pypdfium2", "PIL")


def test_gui_modules_do_not_import_heavy_libraries() -> None:
    code = (
        "import sys, msldesk.ui.app, msldesk.ui.main_window\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"loaded at start-up: {done.stdout.strip()}"


def test_entry_point_picks_gui_or_cli() -> None:
    from msldesk.__main__ import wants_cli

    assert not wants_cli([])
    assert not wants_cli(["--data-dir", "/tmp/x"])
    assert not wants_cli(["--data-dir", "/tmp/x", "--no-demo"])
    assert wants_cli(["--data-dir", "/tmp/x", "decks"])
    assert wants_cli(["search", "efficacy"])
    assert wants_cli(["--help"])
