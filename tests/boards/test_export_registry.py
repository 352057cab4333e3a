"""The export registry is the one list of exports: every kind is a command line verb under its name
(the desktop app's menus show every kind under its label: tests/ui/test_export_menus.py), and each
kind's render writes its file from the snapshot alone, without the database."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from msldesk.boards.kinds import Audience, EventKind
from msldesk.boards.outputs.registry import KINDS, EventTarget, ExportKind, kinds_of_command
from msldesk.cli.exports import requested
from msldesk.cli.main import build_parser
from msldesk.core.errors import InvalidInputError
from msldesk.core.progress import CancelToken, no_progress

VALUES = {"EVENT_ID": "7", "YEAR": "2027", "SLIDE_ID": "3", "AUDIENCE": "commercial"}


def _argv(kind: ExportKind[Any, Any, Any], folder: Path) -> list[str]:
    """The kind's command with values: "export summary 7 --audience commercial --out /tmp/FILE.pdf"."""
    return [str(folder / w) if "." in w else VALUES.get(w, w) for w in kind.command.split()]


def test_the_registry_has_every_export_once() -> None:
    assert list(KINDS) == [
        "calendar", "attendees-csv", "attendees-xlsx", "sign-in-sheet", "open-payments",
        "summary-pdf", "briefing", "readout", "insights", "deck",
    ]  # fmt: skip
    assert len({k.command for k in KINDS.values()}) == len(KINDS)
    assert len({k.label for k in KINDS.values()}) == len(KINDS)


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_is_reached_from_the_command_line_under_its_name(name: str, tmp_path: Path) -> None:
    kind = KINDS[name]
    args = build_parser().parse_args(_argv(kind, tmp_path))
    found, out = requested(args)
    assert found is kind
    assert out.parent == tmp_path
    assert kind.accepts(out)
    if kind.by_audience:
        assert args.audience == "commercial"


def test_the_command_line_verbs_are_the_ones_users_know() -> None:
    assert [k.cli_words[:3] for k in kinds_of_command("event", "export")] == [
        ("event", "export", "--ics"), ("event", "export", "--attendees"),
        ("event", "export", "--attendees"), ("event", "export", "--sign-in"),
    ]  # fmt: skip
    assert [k.cli_words[1] for k in kinds_of_command("export")] == [
        "summary",
        "briefing",
        "readout",
        "insights",
    ]
    assert [k.name for k in kinds_of_command("payments", "export")] == ["open-payments"]
    assert [k.name for k in kinds_of_command("compose")] == ["deck"]


def test_a_flag_of_several_kinds_picks_by_the_file_ending_or_names_the_endings(tmp_path: Path) -> None:
    parse = build_parser().parse_args
    for ending, name in ((".csv", "attendees-csv"), (".XLSX", "attendees-xlsx")):
        args = parse(["event", "export", "7", "--attendees", str(tmp_path / f"list{ending}")])
        assert requested(args)[0] is KINDS[name]
    with pytest.raises(InvalidInputError, match=r"\.csv or \.xlsx"):
        requested(parse(["event", "export", "7", "--attendees", str(tmp_path / "list.txt")]))
    with pytest.raises(InvalidInputError, match=r"\.pdf"):
        requested(parse(["export", "summary", "7", "--out", str(tmp_path / "s.docx")]))


def _targets(app: Any) -> dict[str, object]:
    events = app.events.list_events("all")
    board = next(e for e in events if e.fields.kind is EventKind.ADVISORY_BOARD)
    workshop = next(e for e in events if e.fields.kind is EventKind.WORKSHOP)  # the one with notes
    slides = [s.slide_id for d in app.decks.list_decks() for s in app.decks.list_slides(d.deck_id)]
    assert app.meetings.entries(workshop.event_id)
    assert app.events.agenda(board.event_id)
    from msldesk.decks.assembly import DeckRequest

    targets: dict[str, object] = {}
    for name, kind in KINDS.items():
        if kind.subject == "year":
            targets[name] = board.fields.starts_at.year
        elif kind.subject == "slides":
            targets[name] = DeckRequest(tuple(slides[:2]), "Two demo slides")
        else:
            targets[name] = EventTarget(
                workshop.event_id if kind.review_first else board.event_id, Audience.COMPLIANCE
            )
    return targets


def test_render_writes_from_the_snapshot_alone_without_the_database(app, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app.seed_demo_content()
    targets = _targets(app)
    snapshots = {name: kind.snapshot(app.outputs, targets[name]) for name, kind in KINDS.items()}
    for data in snapshots.values():
        pickle.dumps(data)  # plain records: no service, session or engine inside

    def no_database(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the database was used")

    monkeypatch.setattr(Engine, "connect", no_database)
    monkeypatch.setattr(Engine, "raw_connection", no_database)
    with pytest.raises(AssertionError, match="the database was used"):
        app.events.list_events()  # the guard holds: any read would fail
    written = {
        name: kind.render(snapshots[name], tmp_path / f"{name}{kind.suffixes[0]}", no_progress, CancelToken())
        for name, kind in KINDS.items()
    }
    monkeypatch.undo()

    for name, result in written.items():
        assert result.path == tmp_path / f"{name}{KINDS[name].suffixes[0]}"
        assert result.path.stat().st_size > 0, name
    assert written["briefing"].bill_of_materials.exists()  # the demo board links library slides
    assert written["deck"].slides == 3  # two slides and the bill of materials
    # Nothing is recorded until the record step, which the database's lane runs.
    assert not [r for r in app.audit.recent(500) if r.action.startswith("export.")]
    for name, kind in KINDS.items():
        kind.record(app.outputs, snapshots[name], written[name])
    exported = sorted(r.action for r in app.audit.recent(500) if r.action.startswith("export."))
    assert exported == sorted(
        f"export.{a}"
        for a in (
            "calendar",
            "attendees",
            "attendees",
            "sign_in_sheet",
            "payments",
            "summary",
            "briefing",
            "readout",
            "insights",
        )
    )


def test_the_whole_pipeline_in_one_call_refuses_a_wrong_ending_before_reading(
    app, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    read: list[object] = []
    monkeypatch.setattr(app.events, "get", lambda event_id: read.append(event_id))
    with pytest.raises(InvalidInputError, match=r"Calendar invitation files are written as \.ics"):
        app.outputs.export(KINDS["calendar"], EventTarget(1), tmp_path / "invite.pdf")
    assert read == []
    assert not (tmp_path / "invite.pdf").exists()
