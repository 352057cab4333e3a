"""Meeting notes and outputs from the command line, through its entry point in this process (as a
script would call it; test_cli.py runs commands in their own process)."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .test_cli import msldesk_in_process as msldesk


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    """A library with the demo content (the past workshop has notes), as the app seeds it."""
    from msldesk.app.services import App

    root = tmp_path / "cli-meeting"
    app = App(root)
    try:
        app.seed_demo_content()
    finally:
        app.close()
    return root


def _event_id(data_dir: Path, title_part: str) -> str:
    events = json.loads(msldesk(data_dir, "events", "--json", check_exit=0).stdout)
    return str(next(e["id"] for e in events if title_part in e["title"]))


def test_note_add_reads_markers_and_warns_about_restricted_words(demo_dir: Path) -> None:
    board = _event_id(demo_dir, "advisory board")
    result = msldesk(demo_dir, "note", "add", board, "! a miracle in the elderly @Demo-Weber #Unmet need",
                     "--json", check_exit=0)  # fmt: skip
    entry = json.loads(result.stdout)
    assert (entry["kind"], entry["speaker_name"], entry["themes"]) == (
        "insight",
        "Jonas Demo-Weber",
        ["Unmet need"],
    )
    assert entry["flagged"]
    assert entry["flag_terms"] == ["miracle"]
    assert "flagged for review" in result.stderr
    explicit = json.loads(msldesk(
        demo_dir, "note", "add", board, "send slides", "--kind", "action", "--owner", "Sam",
        "--due", "2027-01-31", "--theme", "Education", "--json", check_exit=0,
    ).stdout)  # fmt: skip
    assert (explicit["kind"], explicit["owner"], explicit["due"], explicit["themes"]) == (
        "action", "Sam", "2027-01-31", ["Education"],
    )  # fmt: skip
    listed = json.loads(msldesk(demo_dir, "note", "list", board, "--json", check_exit=0).stdout)
    assert [e["id"] for e in listed] == [entry["id"], explicit["id"]]


def test_note_add_refuses_what_it_cannot_file(demo_dir: Path) -> None:
    board = _event_id(demo_dir, "advisory board")
    assert "no event" in msldesk(demo_dir, "note", "add", "999", "hello", check_exit=2).stderr
    assert "needs some text" in msldesk(demo_dir, "note", "add", board, "   ", check_exit=2).stderr
    assert (
        "agenda item"
        in msldesk(demo_dir, "note", "add", board, "x", "--agenda-item", "999", check_exit=2).stderr
    )


def test_export_insights_as_csv_and_xlsx(demo_dir: Path, tmp_path: Path) -> None:
    workshop = _event_id(demo_dir, "workshop")
    msldesk(demo_dir, "note", "add", workshop, '=HYPERLINK("http://x") was typed', check_exit=0)
    out = tmp_path / "insights.csv"
    result = msldesk(demo_dir, "export", "insights", workshop, "--out", str(out), check_exit=0)
    assert "flagged entries have not been reviewed" not in result.stderr  # the demo's flag is reviewed
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 11
    assert {r["Kind"] for r in rows} == {"Note", "Insight", "Quote", "Question", "Action"}
    assert rows[-1]["Text"].startswith("'=HYPERLINK")  # never a live formula
    assert any(r["Speaker"] == "Ravi Demo-Natarajan" for r in rows)

    from openpyxl import load_workbook

    xlsx = tmp_path / "insights.xlsx"
    msldesk(
        demo_dir, "export", "insights", workshop, "--audience", "commercial", "--out", str(xlsx), check_exit=0
    )
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Entries", "Actions"]
    texts = [c.value or "" for row in book["Entries"].iter_rows() for c in row]
    assert not any("Demo-Natarajan" in t or "Demo-Kowalczyk" in t for t in texts)
    assert not any("cure" in t for t in texts)  # the kept flag leaves the commercial export
    assert book["Actions"].max_row == 3  # header + two actions
    assert msldesk(demo_dir, "export", "insights", workshop, "--out", str(tmp_path / "x.txt"), check_exit=2)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
def test_export_summary_briefing_and_readout(demo_dir: Path, tmp_path: Path) -> None:
    workshop, board = _event_id(demo_dir, "workshop"), _event_id(demo_dir, "advisory board")
    pdf = tmp_path / "summary.pdf"
    msldesk(
        demo_dir, "export", "summary", workshop, "--audience", "commercial", "--out", str(pdf), check_exit=0
    )
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Reflex testing" in text
    assert "Demo-Natarajan" not in text
    for command, event in (("briefing", board), ("readout", workshop)):
        deck = tmp_path / f"{command}.pptx"
        msldesk(demo_dir, "export", command, event, "--out", str(deck), check_exit=0)
        from msldesk.decks.ooxml.validate import validate_package

        assert validate_package(deck).ok
    wrong = msldesk(demo_dir, "export", "summary", workshop, "--out", str(tmp_path / "s.docx"), check_exit=2)
    assert ".pdf" in wrong.stderr
    assert not (tmp_path / "s.docx").exists()


def test_note_merge_of_different_speakers_needs_yes_and_keeps_both(demo_dir: Path) -> None:
    board = _event_id(demo_dir, "advisory board")
    first = json.loads(msldesk(demo_dir, "note", "add", board, "! dosing unclear @Demo-Weber",
                               "--json", check_exit=0).stdout)  # fmt: skip
    second = json.loads(msldesk(demo_dir, "note", "add", board, "? dosing in the elderly",
                                "--json", check_exit=0).stdout)  # fmt: skip
    ids = [str(first["id"]), str(second["id"])]
    refused = msldesk(demo_dir, "note", "merge", *ids, check_exit=2)
    assert "different speakers" in refused.stderr
    assert "different kinds" in refused.stderr
    listed = json.loads(msldesk(demo_dir, "note", "list", board, "--json", check_exit=0).stdout)
    assert second["id"] in [e["id"] for e in listed], "refused: nothing merged"
    merged = json.loads(msldesk(demo_dir, "note", "merge", *ids, "--yes", "--json", check_exit=0).stdout)
    assert [s["name"] for s in merged["speakers"]] == ["Jonas Demo-Weber"]
    assert [(p["kind"], p["text"]) for p in merged["merged"]] == [("question", "dosing in the elderly")]


def test_rehearsal_entries_are_listed_apart_and_deleted_in_one_go(demo_dir: Path) -> None:
    import datetime as dt

    from msldesk.app.services import App

    board = _event_id(demo_dir, "advisory board")
    app = App(demo_dir)
    try:
        start = app.events.get(int(board)).fields.starts_at
        app.meetings.clock = lambda: start.astimezone(dt.UTC) - dt.timedelta(days=3)
        app.meetings.start_rehearsal(int(board))
        app.meetings.add_entry(int(board), "rehearsed line")
    finally:
        app.close()
    listed = json.loads(msldesk(demo_dir, "note", "list", board, "--json", check_exit=0).stdout)
    assert "rehearsed line" not in [e["text"] for e in listed]
    rehearsed = json.loads(
        msldesk(demo_dir, "note", "list", board, "--rehearsal", "--json", check_exit=0).stdout
    )
    assert [e["text"] for e in rehearsed] == ["rehearsed line"]
    assert (
        "Deleted 1 rehearsal entry"
        in msldesk(demo_dir, "note", "delete-rehearsal", board, check_exit=0).stdout
    )
    assert (
        json.loads(msldesk(demo_dir, "note", "list", board, "--rehearsal", "--json", check_exit=0).stdout)
        == []
    )
