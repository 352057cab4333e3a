"""Saving slides under the name of a saved collection that event agendas link: the plan names the
events, saving over it needs the caller's yes (replace=True, `--replace`), and the agenda items that
link it keep a note, with audit records; service and command line."""

from __future__ import annotations

import json

import pytest

from msldesk.decks.collections import CollectionExistsError
from tests.cli.test_cli import msldesk_in_process

from .test_delete_collection import MARCH_BOARD_DAY, _agenda
from .test_delete_collection import agendas as agendas  # the same library: "Board" = a1, a2


@pytest.fixture
def b1(app, agendas) -> int:  # type: ignore[no-untyped-def]
    """The slide of the collection "Spare", linked by no agenda."""
    (slide,) = app.assembly.collection("Spare").slide_ids
    return slide


def test_the_plan_says_what_changes_and_who_links_it_and_changes_nothing(app, agendas, b1) -> None:  # type: ignore[no-untyped-def]
    records = len(app.audit.recent(10_000))

    plan = app.assembly.replacement_plan(" Board ", [agendas["a2"], b1])

    assert (plan.collection_id, plan.name, plan.slides_before, plan.slides_after) == (
        agendas["board"],
        "Board",
        2,
        2,
    )
    assert (plan.leaving, plan.joining, plan.unchanged) == (1, 1, False)
    assert plan.change() == "It holds 2 slides and would hold 2: 1 leaves it and 1 joins it."
    march, workshop = plan.in_use
    assert march.linked() == "“March board” (2027-03-04): linked in “Safety”, “Mixed”, “Both”, 1 slide lost"
    assert (march.date, march.slides) == (MARCH_BOARD_DAY, 1), (
        "a1: “Mixed” links it directly, the others lose it"
    )
    assert workshop.linked() == "“Workshop”: linked in “Recap”", "“Recap” links both slides directly"
    assert app.assembly.collection("Board").slide_ids == (agendas["a1"], agendas["a2"])
    assert all(not i.note for i in app.events.agenda(agendas["march"]))
    assert len(app.audit.recent(10_000)) == records
    assert app.assembly.replacement_plan("Nope", [b1]) is None, "a new name: nothing to replace"
    same = app.assembly.replacement_plan("Board", [agendas["a1"], agendas["a2"]])
    assert same.unchanged
    assert same.in_use == ()
    assert same.change() == "It already holds these 2 slides in this order."
    turned = app.assembly.replacement_plan("Board", [agendas["a2"], agendas["a1"]])
    assert turned.change() == "It would hold the same 2 slides in another order."


def test_saving_over_a_collection_is_refused_without_replace(app, agendas, b1) -> None:  # type: ignore[no-untyped-def]
    records = len(app.audit.recent(10_000))
    with pytest.raises(CollectionExistsError, match=r"already a collection named “Board” .2 slides."):
        app.assembly.save_collection("Board", [b1])
    assert app.assembly.collection("Board").slide_ids == (agendas["a1"], agendas["a2"])
    assert all(not i.note for i in app.events.agenda(agendas["march"]))
    assert len(app.audit.recent(10_000)) == records
    # The same slides in the same order take nothing from anyone: saved without a question.
    app.assembly.save_collection("Board", [agendas["a1"], agendas["a2"]])
    assert len(app.audit.recent(10_000)) == records
    assert all(not i.note for i in app.events.agenda(agendas["march"]))


def test_replacing_leaves_a_note_on_each_agenda_item_that_links_it(app, agendas, b1) -> None:  # type: ignore[no-untyped-def]
    changes = app.assembly.save_collection("Board", [agendas["a2"], b1], replace=True)

    assert changes.events, "agendas changed: the views that show them refresh"
    assert app.assembly.collection("Board").slide_ids == (agendas["a2"], b1)
    day = app.audit.history("collection", agendas["board"])[-1].at.astimezone().date()
    said = f"The collection “Board” was replaced on {day:%Y-%m-%d}: it held 2 slides and now holds 2"
    march = _agenda(app, agendas["march"])
    assert march["Safety"].note == said + "; 1 of the earlier ones is no longer linked here."
    assert march["Mixed"].note == said + ".", "a1 is linked directly: it loses nothing"
    assert march["Both"].note == said + "; 1 of the earlier ones is no longer linked here."
    assert march["Close"].note == ""
    assert march["Safety"].fields.collection_ids == (agendas["board"],), "the link stays"
    (recap,) = app.events.agenda(agendas["workshop"])
    assert recap.note == said + "."
    record = app.audit.history("collection", agendas["board"])[-1]
    assert record.action == "collection.replace"
    assert record.before == {"name": "Board", "slide_ids": [agendas["a1"], agendas["a2"]]}
    assert record.after["slide_ids"] == [agendas["a2"], b1]
    assert [(x["title"], x["slides"]) for x in record.after["linked_from"]] == [
        ("March board", 1),
        ("Workshop", 0),
    ]
    event_record = app.audit.history("event", agendas["march"])[-1]
    assert event_record.action == "agenda.collection_replaced"
    assert event_record.before == {"collection": "Board", "collection_slides": 2}
    assert event_record.after == {"collection": "Board", "collection_slides": 2, "slides_lost": 1,
                                  "agenda_items": ["Safety", "Mixed", "Both"]}  # fmt: skip
    assert app.audit.verify().ok


def test_a_new_order_is_said_as_such(app, agendas) -> None:  # type: ignore[no-untyped-def]
    app.assembly.save_collection("Board", [agendas["a2"], agendas["a1"]], replace=True)
    assert _agenda(app, agendas["march"])["Safety"].note.endswith(
        ": it holds the same slides in another order."
    )


def test_a_failure_noting_the_agendas_replaces_nothing(app, agendas, b1, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from msldesk.boards.events.agenda_links import AgendaSlideLinks

    def broken(self, session, lost):  # type: ignore[no-untyped-def]
        raise OSError("disk gone")

    monkeypatch.setattr(AgendaSlideLinks, "slides_removed", broken)
    with pytest.raises(OSError, match="disk gone"):
        app.assembly.save_collection("Board", [b1], replace=True)
    assert app.assembly.collection("Board").slide_ids == (agendas["a1"], agendas["a2"])
    assert app.audit.history("collection", agendas["board"]) == []


# ---- command line ---------------------------------------------------------------------------------


def test_cli_refuses_without_replace_naming_the_events(app, agendas, b1) -> None:  # type: ignore[no-untyped-def]
    root = app.paths.root
    app.close()
    result = msldesk_in_process(root, "collection", "save", "Board", str(b1), check_exit=2)
    assert result.stdout == ""
    assert result.stderr.startswith("msldesk: There is already a collection named “Board”. It holds 2 slides")
    assert "“March board” (2027-03-04): linked in “Safety”, “Mixed”, “Both”, 2 slides lost" in result.stderr
    assert "“Workshop”: linked in “Recap”" in result.stderr
    assert "Run again with --replace" in result.stderr
    listed = json.loads(msldesk_in_process(root, "collections", "--json", check_exit=0).stdout)
    assert next(c for c in listed if c["name"] == "Board")["slide_ids"] == [agendas["a1"], agendas["a2"]]
    # A new name needs nothing.
    fresh = msldesk_in_process(root, "collection", "save", "Fresh", str(b1), check_exit=0)
    assert fresh.stdout == "saved collection 'Fresh' (1 slide)\n"


def test_cli_replace_names_the_events_and_notes_them(app, agendas, b1) -> None:  # type: ignore[no-untyped-def]
    root = app.paths.root
    app.close()
    result = msldesk_in_process(root, "collection", "save", "Board", str(b1), "--replace", check_exit=0)
    assert result.stdout.splitlines() == [
        "replaced the slides of collection 'Board' (2 → 1)",
        "  it is on the agenda of “March board” (2027-03-04): linked in “Safety”, “Mixed”, “Both”, 2 slides "
        "lost (each item keeps a note)",
        "  it is on the agenda of “Workshop”: linked in “Recap” (each item keeps a note)",
    ]
    shown = msldesk_in_process(root, "event", "show", str(agendas["march"]), check_exit=0)
    assert "! The collection “Board” was replaced on " in shown.stdout
    again = msldesk_in_process(root, "collection", "save", "Board", str(b1), "--json", check_exit=0)
    assert json.loads(again.stdout) == {"name": "Board", "slide_ids": [b1], "replaced": False, "events": []}
