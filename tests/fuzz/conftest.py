"""Fuzz fixtures: how many examples to run, a runner per test on the test's own library, and the
report printed at the end of the run (inputs tried, crashes, hangs, slowest input)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import FuzzRunner

_REPORTS: list[str] = []


def fuzz_examples(default: int) -> int:
    """MSLDESK_FUZZ_EXAMPLES=5000 turns the small default run into the long one."""
    value = os.environ.get("MSLDESK_FUZZ_EXAMPLES", "").strip()
    return int(value) if value else default


LONG_RUN = bool(os.environ.get("MSLDESK_FUZZ_EXAMPLES", "").strip())


@pytest.fixture
def fuzz_runner(app, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[FuzzRunner]:  # type: ignore[no-untyped-def]
    """One runner for all examples of a test (hypothesis shares function fixtures across them)."""
    runner = FuzzRunner(app, tmp_path / "inputs", keep=tmp_path / "findings")
    yield runner
    for title, stats in (("decks", runner.decks), ("people", runner.people), ("exports", runner.exports)):
        if stats.tried:
            _REPORTS.append(stats.report(f"{request.node.name} [{title}]"))


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if _REPORTS:
        terminalreporter.section("fuzz report")
        for report in _REPORTS:
            terminalreporter.write_line(report)
