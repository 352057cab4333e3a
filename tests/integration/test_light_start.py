"""Light starts: `--help` and `--version` load no SQLAlchemy at all, and `decks` on an
existing library none of SQLAlchemy's ORM; none of them loads reportlab, python-pptx or Qt (the desktop
app's modules: tests/ui/test_startup.py). Each runs in a fresh interpreter that reports the modules it
loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HEAVY = ("sqlalchemy.orm", "reportlab", "pptx", "PySide6", "alembic")

# Runs msldesk's entry point as `python -m msldesk` would, then prints the top modules it loaded.
_RUN_AND_REPORT = """
import json, runpy, sys
sys.argv = ["msldesk", *json.loads(sys.argv[1])]
code = 0
try:
    runpy.run_module("msldesk", run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
print("LOADED " + json.dumps({"exit": code, "modules": sorted(sys.modules)}))
"""


def _loaded(*args: str) -> tuple[int, set[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", _RUN_AND_REPORT, json.dumps(list(args))],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("LOADED "))
    report = json.loads(line[len("LOADED ") :])
    return report["exit"], set(report["modules"]), done.stdout


def _heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("decks", "--help")])
def test_help_and_version_load_no_sqlalchemy(args: tuple[str, ...]) -> None:
    code, modules, out = _loaded(*args)
    assert code == 0
    assert _heavy(modules, ("sqlalchemy", *HEAVY)) == []
    assert "msldesk" in out


def test_version_says_which_msldesk() -> None:
    from msldesk import __version__

    code, _, out = _loaded("--version")
    assert code == 0 and f"msldesk {__version__}" in out


def test_decks_on_an_existing_library_loads_no_orm(tmp_path: Path, deck_factory: Any) -> None:
    from msldesk.app.services import App

    root = tmp_path / "lib"
    app = App(root)
    try:
        list(app.decks.import_paths([deck_factory.pptx("kept.pptx", [("Zymoquinase", "body", "")])]))
        expected = [d.deck_id for d in app.decks.list_decks()]
    finally:
        app.close()
    code, modules, out = _loaded("--data-dir", str(root), "decks", "--json")
    assert code == 0
    assert _heavy(modules, HEAVY) == []
    listed = json.loads(next(x for x in out.splitlines() if x.startswith("[")))
    assert [d["deck_id"] for d in listed] == expected and listed[0]["title"] == "Zymoquinase"
