"""`msldesk event finalize`: the review tab's Finalize from the command line, in this process (as a script
would call it), with the tab's refusals and its audit record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_cli import msldesk_in_process as msldesk
from .test_cli_meeting import _event_id
from .test_cli_meeting import (
    demo_dir as demo_dir,  # the demo library: the board has no notes, the workshop ten
)


def _finalize_audits(data_dir: Path, event_id: str) -> list[dict]:
    from msldesk.app.services import App

    app = App(data_dir)
    try:
        return [r.__dict__ for r in app.audit.history("event", int(event_id)) if r.action == "notes.finalize"]
    finally:
        app.close()


def test_finalize_makes_the_notes_read_only_and_audits_it(demo_dir: Path) -> None:
    workshop = _event_id(demo_dir, "workshop")
    result = msldesk(demo_dir, "event", "finalize", workshop, "--yes", "--json", check_exit=0)
    done = json.loads(result.stdout)
    assert (str(done["event_id"]), done["entries"], done["needing_review"]) == (workshop, 10, 0)
    assert done["finalized_at"]
    refused = msldesk(demo_dir, "note", "add", workshop, "one more thing", check_exit=2)
    assert "finalized and read-only" in refused.stderr
    audits = _finalize_audits(demo_dir, workshop)
    assert len(audits) == 1
    assert audits[0]["after"]["entries"] == 10


def test_finalize_says_so_in_words(demo_dir: Path) -> None:
    workshop = _event_id(demo_dir, "workshop")
    out = msldesk(demo_dir, "event", "finalize", workshop, "--yes", check_exit=0).stdout
    assert out.startswith(f"Finalized the notes of event {workshop} “Demo: Biomarker testing workshop”")
    assert "10 entries" in out


def test_finalize_twice_is_refused_and_audited_once(demo_dir: Path) -> None:
    workshop = _event_id(demo_dir, "workshop")
    msldesk(demo_dir, "event", "finalize", workshop, "--yes", check_exit=0)
    again = msldesk(demo_dir, "event", "finalize", workshop, "--yes", check_exit=2)
    assert "were already finalized on" in again.stderr
    assert again.stdout == ""
    assert len(_finalize_audits(demo_dir, workshop)) == 1


def test_finalize_refuses_a_meeting_without_notes(demo_dir: Path) -> None:
    board = _event_id(demo_dir, "advisory board")
    refused = msldesk(demo_dir, "event", "finalize", board, "--yes", check_exit=2)
    assert "no meeting notes to finalize" in refused.stderr
    assert _finalize_audits(demo_dir, board) == []


def test_finalize_refuses_an_unknown_event(demo_dir: Path) -> None:
    assert "no event" in msldesk(demo_dir, "event", "finalize", "999", "--yes", check_exit=2).stderr


def test_finalize_in_a_script_needs_yes_and_names_flagged_entries(demo_dir: Path) -> None:
    workshop = _event_id(demo_dir, "workshop")
    msldesk(demo_dir, "note", "add", workshop, "a miracle cure, said the advisor", check_exit=0)
    refused = msldesk(demo_dir, "event", "finalize", workshop, check_exit=2)  # stdin is not a terminal
    assert "needs --yes" in refused.stderr
    assert "1 flagged entry still needs review" in refused.stderr
    assert _finalize_audits(demo_dir, workshop) == []
    done = msldesk(demo_dir, "event", "finalize", workshop, "--yes", "--json", check_exit=0)
    done = json.loads(done.stdout)
    assert (done["entries"], done["needing_review"]) == (11, 1)


def test_finalize_on_a_terminal_asks_first(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    workshop = _event_id(demo_dir, "workshop")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda: "n")
    kept = msldesk(demo_dir, "event", "finalize", workshop, check_exit=0)
    assert "Finalize the notes of" in kept.stdout
    assert "Nothing was finalized." in kept.stdout
    assert _finalize_audits(demo_dir, workshop) == []
    monkeypatch.setattr("builtins.input", lambda: "y")
    assert "Finalized the notes" in msldesk(demo_dir, "event", "finalize", workshop, check_exit=0).stdout


def test_finalize_refuses_while_a_rehearsal_runs(demo_dir: Path) -> None:
    from msldesk.app.services import App

    board = _event_id(demo_dir, "advisory board")
    app = App(demo_dir)
    try:
        app.meetings.add_entry(int(board), "typed before the rehearsal")
        app.meetings.start_rehearsal(int(board))
    finally:
        app.close()
    refused = msldesk(demo_dir, "event", "finalize", board, "--yes", check_exit=2)
    assert "rehearsal of this meeting is running" in refused.stderr
    assert _finalize_audits(demo_dir, board) == []
