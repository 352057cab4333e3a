"""Deleting a saved collection that event agendas link: the plan names the events, the deletion leaves
a note on each agenda item that loses it, with audit records; service and command line."""

from __future__ import annotations

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.records import AgendaItem, AgendaItemFields, EventFields, EventKind
from msldesk.core.errors import NotFoundError
from tests.cli.test_cli import msldesk_in_process

BERLIN = ZoneInfo("Europe/Berlin")
MARCH_BOARD_DAY = dt.date(2027, 3, 4)


@pytest.fixture
def agendas(app, deck_factory):  # type: ignore[no-untyped-def]
    """Collection "Board" holds slides a1 and a2; "Backup" holds a2; "Spare" (b1) is linked nowhere.
    Event "March board" (4 March 2027, Berlin) links "Board" alone ("Safety"), with a1 directly
    ("Mixed"), with "Backup" ("Both"), and nothing ("Close"). The undated "Workshop" links "Board"
    and both its slides directly ("Recap")."""
    deck_a = deck_factory.pptx("alpha.pptx", [("Alpha one", "", ""), ("Alpha two", "", "")])
    deck_b = deck_factory.pptx("beta.pptx", [("Beta one", "", "")])
    a1, a2 = (s.slide_id for s in app.decks.list_slides(next(iter(app.decks.import_paths([deck_a]))).deck_id))
    (b1,) = (s.slide_id for s in app.decks.list_slides(next(iter(app.decks.import_paths([deck_b]))).deck_id))
    for name, ids in (("Board", [a1, a2]), ("Backup", [a2]), ("Spare", [b1])):
        app.assembly.save_collection(name, ids)
    board, backup = (app.assembly.collection(n).collection_id for n in ("Board", "Backup"))
    start = dt.datetime.combine(MARCH_BOARD_DAY, dt.time(9), BERLIN)
    march, _ = app.events.create(
        EventFields(title="March board", starts_at=start, ends_at=start + dt.timedelta(hours=4),
                    timezone="Europe/Berlin")
    )  # fmt: skip
    workshop, _ = app.events.create(EventFields(kind=EventKind.WORKSHOP, title="Workshop"))
    for event, fields in (
        (march, AgendaItemFields("Safety", 20, collection_ids=(board,))),
        (march, AgendaItemFields("Mixed", 10, slide_ids=(a1,), collection_ids=(board,))),
        (march, AgendaItemFields("Both", 10, collection_ids=(board, backup))),
        (march, AgendaItemFields("Close", 10)),
        (workshop, AgendaItemFields("Recap", 15, slide_ids=(a1, a2), collection_ids=(board,))),
    ):
        app.events.add_agenda_item(event.event_id, fields)
    return {"march": march.event_id, "workshop": workshop.event_id, "board": board, "backup": backup,
            "a1": a1, "a2": a2}  # fmt: skip


def _agenda(app, event_id: int) -> dict[str, AgendaItem]:  # type: ignore[no-untyped-def]
    return {i.fields.title: i for i in app.events.agenda(event_id)}


def test_the_plan_names_the_events_that_link_the_collection_and_changes_nothing(app, agendas) -> None:  # type: ignore[no-untyped-def]
    records_before = len(app.audit.recent(10_000))

    plan = app.assembly.deletion_plan("Board")

    assert (plan.collection_id, plan.name, plan.slides) == (agendas["board"], "Board", 2)
    march, workshop = plan.in_use  # the dated event first, the undated one last
    assert (march.kind, march.ref_id, march.date, march.parts) == (
        "event",
        agendas["march"],
        MARCH_BOARD_DAY,
        ("Safety", "Mixed", "Both"),
    )
    assert march.slides == 2, "a1 and a2: “Safety” links both only through the collection"
    assert march.describe() == "“March board” (2027-03-04): 2 slides in “Safety”, “Mixed”, “Both”"
    assert (workshop.title, workshop.slides) == ("Workshop", 0), "“Recap” links both slides directly"
    assert workshop.describe() == "“Workshop”: linked in “Recap”, no slides lost"
    # Asking changed nothing.
    assert _agenda(app, agendas["march"])["Safety"].fields.collection_ids == (agendas["board"],)
    assert all(not i.note for i in app.events.agenda(agendas["march"]))
    assert len(app.audit.recent(10_000)) == records_before
    assert app.assembly.deletion_plan("Spare").in_use == ()
    with pytest.raises(NotFoundError, match="no collection named “Nope”"):
        app.assembly.deletion_plan("Nope")


def test_deletion_leaves_a_note_on_each_agenda_item_that_linked_the_collection(app, agendas) -> None:  # type: ignore[no-untyped-def]
    deletion = app.assembly.delete_collection("Board")

    day = app.audit.history("collection", agendas["board"])[-1].at.astimezone().date()
    assert (deletion.name, deletion.slides) == ("Board", 2)
    assert [(u.title, u.slides) for u in deletion.in_use] == [("March board", 2), ("Workshop", 0)]
    with pytest.raises(NotFoundError):
        app.assembly.collection("Board")
    march = _agenda(app, agendas["march"])
    gone = f"The collection “Board” was deleted on {day:%Y-%m-%d}; "
    assert march["Safety"].note == gone + "its 2 slides are no longer linked."
    assert march["Safety"].fields.collection_ids == ()
    assert march["Mixed"].note == (
        gone + "1 of its 2 slides is no longer linked; the rest stay linked directly or through another "
        "collection."
    )
    assert march["Mixed"].fields.slide_ids == (agendas["a1"],), "the slide linked directly stays"
    assert march["Both"].note == (
        gone + "1 of its 2 slides is no longer linked; the rest stay linked directly or through another "
        "collection."
    )
    assert march["Both"].fields.collection_ids == (agendas["backup"],), "the other collection stays"
    assert march["Close"].note == ""
    (recap,) = app.events.agenda(agendas["workshop"])
    assert recap.note == gone + "its 2 slides stay linked directly or through another collection."
    # Its slides stay in the library and in the other collection.
    assert app.assembly.collection("Backup").slide_ids == (agendas["a2"],)
    assert len(app.decks.slides_by_id([agendas["a1"], agendas["a2"]])) == 2
    # The audit trail: the collection's deletion names the events, each event records what it lost.
    record = app.audit.history("collection", agendas["board"])[-1]
    assert record.action == "collection.delete"
    assert record.after is None
    assert (record.before["name"], record.before["slides"]) == ("Board", 2)
    assert [(x["title"], x["slides"]) for x in record.before["linked_from"]] == [
        ("March board", 2),
        ("Workshop", 0),
    ]
    event_record = app.audit.history("event", agendas["march"])[-1]
    assert event_record.action == "agenda.collection_deleted"
    assert event_record.before == {"collection": "Board", "collection_slides": 2}
    assert event_record.after["agenda_items"] == ["Safety", "Mixed", "Both"]
    assert app.audit.history("event", agendas["workshop"])[-1].action == "agenda.collection_deleted"
    assert app.audit.verify().ok


def test_an_unlinked_collection_goes_with_an_audit_record_and_no_agenda_change(app, agendas) -> None:  # type: ignore[no-untyped-def]
    spare = app.assembly.collection("Spare").collection_id
    records = {e: len(app.audit.history("event", agendas[e])) for e in ("march", "workshop")}

    deletion = app.assembly.delete_collection("Spare")

    assert (deletion.collection_id, deletion.slides, deletion.in_use) == (spare, 1, ())
    assert app.audit.history("collection", spare)[-1].before["linked_from"] == []
    assert {e: len(app.audit.history("event", agendas[e])) for e in records} == records
    assert all(not i.note for e in ("march", "workshop") for i in app.events.agenda(agendas[e]))


def test_an_empty_collection_says_it_held_no_slides(app, agendas) -> None:  # type: ignore[no-untyped-def]
    app.assembly.save_collection("Nothing yet", [])
    empty = app.assembly.collection("Nothing yet").collection_id
    app.events.add_agenda_item(agendas["march"], AgendaItemFields("Later", 5, collection_ids=(empty,)))

    (use,) = app.assembly.delete_collection("Nothing yet").in_use

    assert (use.title, use.slides, use.parts) == ("March board", 0, ("Later",))
    assert _agenda(app, agendas["march"])["Later"].note.endswith("; it held no slides.")


def test_a_failure_noting_the_agendas_deletes_nothing(app, agendas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from msldesk.boards.events.agenda_links import AgendaSlideLinks

    def broken(self, session, lost):  # type: ignore[no-untyped-def]
        raise OSError("disk gone")

    monkeypatch.setattr(AgendaSlideLinks, "slides_removed", broken)
    with pytest.raises(OSError, match="disk gone"):
        app.assembly.delete_collection("Board")
    assert app.assembly.collection("Board").slide_ids == (agendas["a1"], agendas["a2"])
    assert _agenda(app, agendas["march"])["Safety"].fields.collection_ids == (agendas["board"],)
    assert app.audit.history("collection", agendas["board"]) == []


def test_the_briefing_deck_names_what_the_agenda_lost(app, agendas, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from msldesk.boards.outputs.briefing import write_briefing_deck

    app.assembly.delete_collection("Board")
    result = write_briefing_deck(app.events, app.assembly, agendas["march"], tmp_path / "briefing.pptx")
    assert result.library_slides == 2, "a1 (linked directly) and a2 (through “Backup”)"
    lost = [w for w in result.warnings if "lost library slides" in w]
    assert [w.split(":")[0] for w in lost] == [
        f"The agenda item “{title}” lost library slides" for title in ("Safety", "Mixed", "Both")
    ]
    assert "The collection “Board” was deleted on " in lost[0]


# ---- command line ---------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_delete_json_names_the_events(app, agendas) -> None:  # type: ignore[no-untyped-def]
    root = app.paths.root
    app.close()
    result = msldesk_in_process(root, "collection", "delete", "Board", "--yes", "--json", check_exit=0)
    assert json.loads(result.stdout) == {
        "collection_id": agendas["board"], "name": "Board", "slides": 2,
        "events": [
            {"event_id": agendas["march"], "title": "March board", "date": "2027-03-04", "slides": 2,
             "agenda_items": ["Safety", "Mixed", "Both"]},
            {"event_id": agendas["workshop"], "title": "Workshop", "date": None, "slides": 0,
             "agenda_items": ["Recap"]},
        ],
    }  # fmt: skip
    shown = msldesk_in_process(root, "event", "show", str(agendas["march"]), check_exit=0)
    assert "! The collection “Board” was deleted on " in shown.stdout


def test_cli_refuses_without_a_terminal_and_names_the_events(app, agendas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = app.paths.root
    app.close()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    result = msldesk_in_process(root, "collection", "delete", "Board", check_exit=2)
    assert "--yes" in result.stderr
    assert "“March board” (2027-03-04): 2 slides in “Safety”, “Mixed”, “Both”" in result.stderr
    assert "“Workshop”: linked in “Recap”, no slides lost" in result.stderr
    listed = json.loads(msldesk_in_process(root, "collections", "--json", check_exit=0).stdout)
    assert "Board" in [c["name"] for c in listed]


def test_cli_deletes_an_unlinked_collection_without_asking(app, agendas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Scripts that tidy collections no agenda uses keep working: no terminal, no --yes, no question."""
    root = app.paths.root
    app.close()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    result = msldesk_in_process(root, "collection", "delete", "Spare", check_exit=0)
    assert result.stdout == "deleted collection 'Spare'\n"
    assert result.stderr == ""
    missing = msldesk_in_process(root, "collection", "delete", "Spare", check_exit=2)
    assert "There is no collection named “Spare”." in missing.stderr


@pytest.mark.parametrize("answer", ["y\n", "\n"])
def test_cli_prompt_names_the_events_and_no_keeps_the_collection(
    app, agendas, monkeypatch, answer: str
) -> None:  # type: ignore[no-untyped-def]
    root = app.paths.root
    app.close()
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    result = msldesk_in_process(root, "collection", "delete", "Board", check_exit=0)
    before_question, _, after = result.stdout.partition("[y/N]")
    assert "It is on the agenda of 2 events; the agenda items lose it and keep a note" in before_question
    assert "  “March board” (2027-03-04): 2 slides in “Safety”, “Mixed”, “Both”" in before_question
    assert "Delete the collection “Board” (2 slides)? Its slides stay in the library." in before_question
    shown = json.loads(msldesk_in_process(root, "event", "show", str(agendas["march"]), "--json").stdout)
    safety = next(i for i in shown["agenda"] if i["title"] == "Safety")
    listed = [c["name"] for c in json.loads(msldesk_in_process(root, "collections", "--json").stdout)]
    if answer == "y\n":
        assert "deleted collection 'Board'" in after
        assert "it left the agenda of “March board” (2027-03-04)" in after
        assert safety["collection_ids"] == []
        assert safety["note"].startswith("The collection “Board”")
        assert "Board" not in listed
    else:
        assert "Nothing was deleted." in after
        assert safety["collection_ids"] == [agendas["board"]]
        assert safety["note"] == ""
        assert "Board" in listed


def test_cli_prompt_with_json_keeps_standard_output_for_the_json(app, agendas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = app.paths.root
    app.close()
    monkeypatch.setattr("sys.stdin", _Terminal("yes\n"))
    result = msldesk_in_process(root, "collection", "delete", "Board", "--json", check_exit=0)
    assert "[y/N]" in result.stderr
    assert "“March board”" in result.stderr
    assert [e["title"] for e in json.loads(result.stdout)["events"]] == ["March board", "Workshop"]
