"""The core runs without Qt: nothing outside msldesk/ui may import PySide6."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys, tempfile

    import msldesk

    # Every module outside msldesk.ui (the migrations, the library's and the hub's, run inside Alembic,
    # not as imports).
    skipped = ("msldesk.ui", "msldesk.migrations", "msldesk.hub.migrations")
    names = ["msldesk.__main__"] + [
        m.name for m in pkgutil.walk_packages(msldesk.__path__, "msldesk.")
        if not m.name.startswith(skipped) and m.name != "msldesk.__main__"
    ]
    for name in names:
        importlib.import_module(name)
    after_import = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))

    # Use the core the way the CLI does (lazy imports happen here), through the real entry point.
    from msldesk.__main__ import main
    with tempfile.TemporaryDirectory() as folder:
        code = main(["--data-dir", folder, "decks"]) or main(["--data-dir", folder, "events"])
    after_use = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
    print(json.dumps({"modules": names, "after_import": after_import, "after_use": after_use,
                      "exit": code}))
    """
)


def test_core_imports_and_runs_without_qt(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"msldesk.decks.ooxml.package", "msldesk.decks.search", "msldesk.decks.thumbnails"} <= set(
        report["modules"]
    )
    assert report["after_import"] == []
    assert report["after_use"] == []
    assert report["exit"] == 0


def test_import_linter_contracts_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    command = str(linter) if linter.exists() else shutil.which("lint-imports")
    if command is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [command, "--no-cache"], capture_output=True, text=True, timeout=300, cwd=REPO_ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout
    assert " 0 broken" in result.stdout
