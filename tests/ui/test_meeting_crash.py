"""Nothing typed is lost: the real app is killed with SIGKILL while an entry is being typed in meeting
mode; the library then holds every filed entry and the draft up to a second before the kill, and the
restarted app puts that draft back into the note field."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .meeting_typist import ENTRIES, PARTIAL, RESUME_TEXT

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
SAVED_WITHIN_S = 1.0  # the promise: entries and the draft reach the database within a second


def _read(progress: Path) -> list[dict]:  # type: ignore[type-arg]
    if not progress.exists():
        return []
    lines = progress.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.endswith("}")]


def _run_until_killed(
    tmp_path: Path,
    mode: str,
    ready_to_kill: Callable[[list[dict]], bool],  # type: ignore[type-arg]
) -> tuple[list[dict], float]:  # type: ignore[type-arg]
    """Start the typist on the library in tmp_path; SIGKILL it once `ready_to_kill(progress)`."""
    progress = tmp_path / f"progress-{mode}.jsonl"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "MSLDESK_DATA_DIR": str(tmp_path / "library"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # window settings stay out of the user's folder
    }
    command = [sys.executable, "-m", "tests.ui.meeting_typist", "--data-dir", str(tmp_path / "library"),
               "--progress", str(progress), "--mode", mode]  # fmt: skip
    with (tmp_path / f"typist-{mode}.log").open("w") as output:
        child = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                lines = _read(progress)
                if ready_to_kill(lines):
                    killed_at = time.time()
                    os.kill(child.pid, signal.SIGKILL)
                    break
                if child.poll() is not None or time.monotonic() > deadline:
                    log = (tmp_path / f"typist-{mode}.log").read_text()
                    raise AssertionError(f"the typist stopped or stalled before the kill:\n{log[-3000:]}")
                time.sleep(0.02)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait(10)
    assert child.returncode == -signal.SIGKILL
    return lines, killed_at


def _typed_by(lines: list[dict], moment: float, phase: str) -> str:  # type: ignore[type-arg]
    """The field's text after the last keystroke of `phase` made at or before `moment`."""
    typed = [
        line["text"]
        for line in lines
        if line["event"] == "key" and line["phase"] == phase and line["t"] <= moment
    ]
    return typed[-1] if typed else ""


def test_sigkill_while_typing_loses_nothing_and_the_restart_restores_the_draft(tmp_path: Path) -> None:
    from msldesk.app.services import App
    from msldesk.boards.records import EntryKind

    # 1. Type three entries, then an unfinished one without a pause; kill once more than ten of its
    # keys are over 1.5 s old (counted in keys, not seconds: a loaded machine types more slowly).
    def typing_partial_for_a_while(lines: list[dict]) -> bool:  # type: ignore[type-arg]
        partial = [line for line in lines if line["event"] == "key" and line["phase"] == "partial"]
        return len(partial) > 11 and partial[-1]["t"] - partial[10]["t"] >= SAVED_WITHIN_S + 0.5

    lines, killed_at = _run_until_killed(tmp_path, "type", typing_partial_for_a_while)
    opened = next(line for line in lines if line["event"] == "opened")
    event_id = opened["event_id"]
    last_key = max(line["t"] for line in lines if line["event"] == "key")
    assert killed_at - last_key < 0.5, "killed while typing, not after"
    assert [line["text"] for line in lines if line["event"] == "entered"] == [
        typed for typed, _k, _s in ENTRIES
    ]

    app = App(tmp_path / "library")
    try:
        entries = app.meetings.entries(event_id)
        assert [(e.kind, e.text) for e in entries] == [
            (EntryKind(kind), stored) for _t, kind, stored in ENTRIES
        ]
        first_item = app.events.agenda(event_id)[0]
        assert first_item.actual_start is not None, "F8 started the first item"
        assert {e.fields.agenda_item_id for e in entries} == {first_item.item_id}
        draft = app.meetings.draft(event_id)
        assert draft is not None
        typed_a_second_before = _typed_by(lines, killed_at - SAVED_WITHIN_S, "partial")
        typed_at_kill = _typed_by(lines, killed_at, "partial")
        assert len(typed_a_second_before) > 10
        assert draft.text.startswith(typed_a_second_before), (
            f"stored {len(draft.text)} characters; {len(typed_a_second_before)} were typed a second "
            "before the kill"
        )
        assert typed_at_kill.startswith(draft.text)
        assert PARTIAL.startswith(draft.text)
        assert draft.agenda_item_id == first_item.item_id
        stored_draft = draft.text
    finally:
        app.close()

    # 2. Restart the app: meeting mode shows the draft in the field. Type on, pause, kill again.
    def idle_long_enough(lines: list[dict]) -> bool:  # type: ignore[type-arg]
        idle = [line for line in lines if line["event"] == "idle"]
        return bool(idle) and time.time() - idle[0]["t"] >= 1.2

    lines, _killed_at = _run_until_killed(tmp_path, "resume", idle_long_enough)
    opened = next(line for line in lines if line["event"] == "opened")
    assert opened["event_id"] == event_id
    assert opened["field"] == stored_draft, "the restarted app restores the unfinished entry"
    app = App(tmp_path / "library")
    try:
        draft = app.meetings.draft(event_id)
        assert draft is not None
        assert draft.text == stored_draft + RESUME_TEXT
        assert len(app.meetings.entries(event_id)) == len(ENTRIES)
    finally:
        app.close()
