"""The code checks the docs promise, run as tests so the build fails when one stops holding: mypy
(settings in pyproject.toml), ruff's lint rules and its formatting. The import-linter contracts are
checked in test_headless.py."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# Files still waiting for `ruff format` (being split, which reformats them): the list only shrinks.
NOT_YET_FORMATTED: tuple[str, ...] = ()


def _run(tool: str, *args: str, timeout: int) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(tool) is None:
        pytest.skip(f"{tool} is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [sys.executable, "-m", tool, *args], capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT
    )


@pytest.mark.slow
def test_mypy_finds_no_errors() -> None:
    # The cache (.mypy_cache in the repository, ignored by git) makes a run after small changes
    # take a second or two; a cold run takes about half a minute.
    result = _run("mypy", timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_no_lint_errors() -> None:
    result = _run("ruff", "check", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_file_is_formatted() -> None:
    skipped = [f"--extend-exclude={name}" for name in NOT_YET_FORMATTED]
    result = _run("ruff", "format", "--check", *skipped, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
