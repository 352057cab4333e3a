"""Removing a deck from the library: service and command line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.records import AgendaItem, AgendaItemFields, EventFields, EventKind
from msldesk.core.errors import NotFoundError
from msldesk.decks.records import SearchFilters
from tests import library_db
from tests.cli.test_cli import msldesk_in_process


@pytest.fixture
def two_decks(app, deck_factory):  # type: ignore[no-untyped-def]
    """Deck "zebra", imported twice (version 1 then 2), and deck "twin", a copy of zebra's version 1
    imported later under another name: the two decks share one stored file. Plus deck "okapi"."""
    zebra = deck_factory.pptx(
        "zebra.pptx", [("Zebra stripes", "Zebrafish model", ""), ("Zebra end", "x", "")]
    )
    twin = deck_factory.path("twin.pptx")
    shutil.copyfile(zebra, twin)
    okapi = deck_factory.pptx("okapi.pptx", [("Okapi trial", "Okapi endpoint", "")])
    ids = {"zebra": next(iter(app.decks.import_paths([zebra]))).deck_id}
    deck_factory.pptx("zebra.pptx", [("Zebra stripes", "Zebrafish model", ""), ("Zebra two", "y", "")])
    assert next(iter(app.decks.import_paths([zebra]))).deck_id == ids["zebra"]
    assert app.decks.deck(ids["zebra"]).version == 2
    for name, path in (("twin", twin), ("okapi", okapi)):
        ids[name] = next(iter(app.decks.import_paths([path]))).deck_id
    assert len(set(ids.values())) == 3
    return ids


def _fake_thumbnails(app, deck_id: int) -> list[Path]:  # type: ignore[no-untyped-def]
    """The preview and slide images LibreOffice would have made (no LibreOffice in this test)."""
    deck = app.decks.deck(deck_id)
    files = [app.decks.cache.preview_pdf(deck.sha256)]
    files += [app.decks.cache.slide_png(deck.sha256, n) for n in range(1, deck.slide_count + 1)]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"image")
    return files


def _store_file(app, deck_id: int) -> Path:  # type: ignore[no-untyped-def]
    deck = app.decks.deck(deck_id)
    return app.decks.store.path_for(deck.sha256, Path(deck.file_name).suffix)


def test_removal_takes_the_deck_out_of_search_files_and_collections(app, two_decks) -> None:  # type: ignore[no-untyped-def]
    okapi = two_decks["okapi"]
    okapi_slides = [s.slide_id for s in app.decks.list_slides(okapi)]
    zebra_slides = [s.slide_id for s in app.decks.list_slides(two_decks["zebra"])]
    thumbnails = _fake_thumbnails(app, okapi)
    store_file = _store_file(app, okapi)
    assert store_file.exists()
    app.assembly.save_collection("Board", [zebra_slides[0], okapi_slides[0]])
    app.assembly.compose([okapi_slides[0], zebra_slides[1]], app.paths.root / "out.pptx", title="B")
    assert app.decks.search("okapi", SearchFilters(include_expired=True))

    removal = app.decks.remove_deck(okapi)

    assert removal.slides == 1
    assert removal.collections == ("Board",)
    assert app.decks.search("okapi", SearchFilters(include_expired=True)) == []
    assert okapi not in [d.deck_id for d in app.decks.list_decks()]
    with pytest.raises(NotFoundError):
        app.decks.deck(okapi)
    assert not store_file.exists()
    assert not any(path.exists() for path in thumbnails)
    assert not thumbnails[1].parent.exists()  # the deck's thumbnail folder too
    collection = app.assembly.collection("Board")
    assert collection.slide_ids == (zebra_slides[0],)
    assert "1 slide of the deck" in collection.note
    assert "removed from the library" in collection.note
    # The bill of materials of the deck already built keeps its rows, with their text.
    with library_db.connect(app.paths.database) as db:
        rows = db.execute(
            "SELECT slide_id, deck_title, slide_number FROM assembly_items ORDER BY position"
        ).fetchall()
        fts = db.execute("SELECT count(*) FROM slide_fts WHERE rowid = ?", (okapi_slides[0],)).fetchone()[0]
        slides = db.execute("SELECT count(*) FROM slides WHERE deck_id = ?", (okapi,)).fetchone()[0]
    assert [(r[0], r[2]) for r in rows] == [(okapi_slides[0], 1), (zebra_slides[1], 2)]
    assert rows[0][1] == removal.title
    assert fts == 0
    assert slides == 0
    # The audit trail keeps a record of what was removed.
    history = app.audit.history("deck", okapi)
    assert history[-1].action == "deck.remove"
    assert history[-1].before["title"] == removal.title
    assert history[-1].after is None
    assert history[-1].before["versions"][0]["file_name"] == "okapi.pptx"
    assert app.audit.verify().ok


def test_a_stored_file_another_deck_uses_is_kept(app, two_decks) -> None:  # type: ignore[no-untyped-def]
    shared_thumbnails = _fake_thumbnails(app, two_decks["twin"])
    shared = _store_file(app, two_decks["twin"])
    own_thumbnails = _fake_thumbnails(app, two_decks["zebra"])
    own = _store_file(app, two_decks["zebra"])
    assert shared.exists()
    assert own.exists()
    assert shared != own

    first = app.decks.remove_deck(two_decks["zebra"])
    assert first.versions == 2
    assert first.files_kept == 1
    assert first.files_deleted == 3
    assert not own.exists()
    assert not any(path.exists() for path in own_thumbnails)
    assert shared.exists()
    assert all(path.exists() for path in shared_thumbnails)
    assert [s.title for s in app.decks.list_slides(two_decks["twin"])] == ["Zebra stripes", "Zebra end"]
    assert app.decks.search("zebrafish", SearchFilters(include_expired=True))

    second = app.decks.remove_deck(two_decks["twin"])
    assert second.files_kept == 0
    assert second.files_deleted == 3  # store file, preview, image folder
    assert not shared.exists()
    assert not any(path.exists() for path in shared_thumbnails)


def test_unknown_deck_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError):
        app.decks.remove_deck(4242)


# ---- command line ---------------------------------------------------------------------------------


def test_cli_remove_with_yes_and_json(app, two_decks) -> None:  # type: ignore[no-untyped-def]
    root = app.paths.root
    app.close()
    result = msldesk_in_process(
        root, "deck", "remove", str(two_decks["okapi"]), "--yes", "--json", check_exit=0
    )
    data = json.loads(result.stdout)
    assert data["deck_id"] == two_decks["okapi"]
    assert data["slides"] == 1
    listed = msldesk_in_process(root, "decks", "--json", check_exit=0)
    assert two_decks["okapi"] not in [d["deck_id"] for d in json.loads(listed.stdout)]


def test_cli_refuses_without_yes_when_it_cannot_ask(app, two_decks, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = app.paths.root
    app.close()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    result = msldesk_in_process(root, "deck", "remove", str(two_decks["okapi"]), check_exit=2)
    assert "--yes" in result.stderr
    assert "Traceback" not in result.stderr
    listed = msldesk_in_process(root, "decks", "--json", check_exit=0)
    assert two_decks["okapi"] in [d["deck_id"] for d in json.loads(listed.stdout)]


@pytest.mark.parametrize(("answer", "removed"), [("y\n", True), ("\n", False), ("no\n", False)])
def test_cli_asks_on_a_terminal(app, two_decks, monkeypatch, answer: str, removed: bool) -> None:  # type: ignore[no-untyped-def]
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    root = app.paths.root
    app.close()
    monkeypatch.setattr("sys.stdin", Terminal(answer))
    result = msldesk_in_process(root, "deck", "remove", str(two_decks["okapi"]), check_exit=0)
    assert "Remove “Okapi trial” (1 slide) from the library? [y/N]" in result.stdout
    listed = msldesk_in_process(root, "decks", "--json", check_exit=0)
    assert (two_decks["okapi"] not in [d["deck_id"] for d in json.loads(listed.stdout)]) == removed


# ---- event agendas --------------------------------------------------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")
MARCH_BOARD_DAY = dt.date(2027, 3, 4)


@pytest.fixture
def agendas(app, two_decks):  # type: ignore[no-untyped-def]
    """Event "March board" (4 March 2027, Berlin) links zebra's current slides directly ("Data review"),
    through the collection "Board" ("Safety"), and both ways ("Mixed"), and okapi's slide; its "Close"
    links nothing. The undated "Workshop" links a slide of zebra's first version ("Old data")."""
    zebra = [s.slide_id for s in app.decks.list_slides(two_decks["zebra"])]
    okapi = app.decks.list_slides(two_decks["okapi"])[0].slide_id
    with library_db.connect(app.paths.database) as db:
        every = [r[0] for r in db.execute("SELECT id FROM slides WHERE deck_id = ?", (two_decks["zebra"],))]
    old = next(i for i in every if i not in zebra)
    app.assembly.save_collection("Board", [zebra[1], okapi])
    board = app.assembly.collection("Board").collection_id
    start = dt.datetime.combine(MARCH_BOARD_DAY, dt.time(9), BERLIN)
    march, _ = app.events.create(
        EventFields(title="March board", starts_at=start, ends_at=start + dt.timedelta(hours=4),
                    timezone="Europe/Berlin")
    )  # fmt: skip
    workshop, _ = app.events.create(EventFields(kind=EventKind.WORKSHOP, title="Workshop"))
    items = {}
    for event, fields in (
        (march, AgendaItemFields("Data review", 30, slide_ids=(zebra[0], okapi, zebra[1]))),
        (march, AgendaItemFields("Safety", 20, collection_ids=(board,))),
        (march, AgendaItemFields("Mixed", 10, slide_ids=(zebra[0],), collection_ids=(board,))),
        (march, AgendaItemFields("Close", 10)),
        (workshop, AgendaItemFields("Old data", 15, slide_ids=(old,))),
    ):
        item, _ = app.events.add_agenda_item(event.event_id, fields)
        items[fields.title] = item.item_id
    return {"march": march.event_id, "workshop": workshop.event_id, "items": items, "okapi_slide": okapi,
            "zebra_slides": zebra, "old_slide": old}  # fmt: skip


def _agenda(app, event_id: int) -> dict[str, AgendaItem]:  # type: ignore[no-untyped-def]
    return {i.fields.title: i for i in app.events.agenda(event_id)}


def test_the_plan_names_the_events_whose_agendas_use_the_deck_and_changes_nothing(
    app, two_decks, agendas
) -> None:  # type: ignore[no-untyped-def]
    records_before = len(app.audit.recent(10_000))

    plan = app.decks.removal_plan(two_decks["zebra"])

    assert plan.deck.deck_id == two_decks["zebra"]
    assert plan.collections == ("Board",)
    march, workshop = plan.in_use  # the dated event first, the undated one last
    assert (march.kind, march.ref_id, march.title, march.date) == (
        "event",
        agendas["march"],
        "March board",
        MARCH_BOARD_DAY,
    )
    assert march.slides == 2, "zebra's two current slides, each counted once across three items"
    assert march.parts == ("Data review", "Safety", "Mixed")
    assert (workshop.title, workshop.date, workshop.slides, workshop.parts) == (
        "Workshop",
        None,
        1,
        ("Old data",),
    )
    assert march.describe() == "“March board” (2027-03-04): 2 slides in “Data review”, “Safety”, “Mixed”"
    # Asking changed nothing.
    assert _agenda(app, agendas["march"])["Data review"].fields.slide_ids[0] == agendas["zebra_slides"][0]
    assert all(not i.note for i in app.events.agenda(agendas["march"]))
    assert len(app.audit.recent(10_000)) == records_before
    assert app.decks.removal_plan(two_decks["twin"]).in_use == ()


def test_removal_leaves_a_note_on_each_agenda_item_that_lost_slides(app, two_decks, agendas) -> None:  # type: ignore[no-untyped-def]
    removal = app.decks.remove_deck(two_decks["zebra"])

    title = removal.title
    day = app.audit.history("deck", two_decks["zebra"])[-1].at.astimezone().date()
    assert [(u.title, u.slides) for u in removal.in_use] == [("March board", 2), ("Workshop", 1)]
    march = _agenda(app, agendas["march"])
    assert march["Data review"].fields.slide_ids == (agendas["okapi_slide"],), "okapi's slide stays linked"
    assert (
        march["Data review"].note
        == f"2 slides from “{title}” were removed from the library on {day:%Y-%m-%d}."
    )
    assert march["Safety"].note == (
        f"1 slide from “{title}” was removed from the library on {day:%Y-%m-%d}, "
        "through the collection “Board”."
    )
    assert march["Mixed"].note == (
        f"2 slides from “{title}” were removed from the library on {day:%Y-%m-%d}, "
        "1 of them through the collection “Board”."
    )
    assert march["Close"].note == ""
    (old_data,) = app.events.agenda(agendas["workshop"])
    assert old_data.fields.slide_ids == ()
    assert old_data.note.startswith("1 slide from ")
    # The collection keeps its own note, as before, and still links to the agenda item.
    assert app.assembly.collection("Board").slide_ids == (agendas["okapi_slide"],)
    assert march["Safety"].fields.collection_ids == (app.assembly.collection("Board").collection_id,)
    # The audit trail: the deck's removal names the events, each event records what its agenda lost.
    deck_record = app.audit.history("deck", two_decks["zebra"])[-1]
    assert deck_record.action == "deck.remove"
    assert [(x["title"], x["slides"]) for x in deck_record.before["linked_from"]] == [
        ("March board", 2),
        ("Workshop", 1),
    ]
    event_record = app.audit.history("event", agendas["march"])[-1]
    assert event_record.action == "agenda.slides_removed"
    assert event_record.before == {"deck": title, "linked_slides": 2}
    assert event_record.after["agenda_items"] == ["Data review", "Safety", "Mixed"]
    assert app.audit.verify().ok


def test_a_second_removal_adds_a_line_and_linking_again_clears_the_note(app, two_decks, agendas) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    app.decks.remove_deck(two_decks["zebra"])
    okapi = app.decks.remove_deck(two_decks["okapi"])
    item = _agenda(app, agendas["march"])["Data review"]
    assert item.fields.slide_ids == ()
    first, second = item.note.splitlines()
    assert first.startswith("2 slides from ")
    assert second.startswith(f"1 slide from “{okapi.title}”")
    # Editing something else keeps the note; linking slides again is the user's answer to it.
    app.events.update_agenda_item(item.item_id, replace(item.fields, minutes=45))
    assert _agenda(app, agendas["march"])["Data review"].note == item.note
    twin = app.decks.list_slides(two_decks["twin"])[0].slide_id
    app.events.update_agenda_item(item.item_id, replace(item.fields, slide_ids=(twin,)))
    assert _agenda(app, agendas["march"])["Data review"].note == ""


def test_a_failure_noting_the_agendas_removes_nothing(app, two_decks, agendas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from msldesk.boards.events.agenda_links import AgendaSlideLinks

    def broken(self, session, lost):  # type: ignore[no-untyped-def]
        raise OSError("disk gone")

    monkeypatch.setattr(AgendaSlideLinks, "slides_removed", broken)
    store_file = _store_file(app, two_decks["zebra"])
    with pytest.raises(OSError, match="disk gone"):
        app.decks.remove_deck(two_decks["zebra"])
    assert app.decks.deck(two_decks["zebra"]).deck_id == two_decks["zebra"]
    assert store_file.exists()
    assert agendas["zebra_slides"][0] in _agenda(app, agendas["march"])["Data review"].fields.slide_ids
    assert len(app.assembly.collection("Board").slide_ids) == 2
    assert app.audit.history("deck", two_decks["zebra"]) == []


def test_the_briefing_deck_names_the_slides_it_goes_without(app, two_decks, agendas, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from msldesk.boards.outputs.briefing import write_briefing_deck

    app.decks.remove_deck(two_decks["zebra"])
    result = write_briefing_deck(app.events, app.assembly, agendas["march"], tmp_path / "briefing.pptx")
    assert result.library_slides == 1, "okapi's slide, linked directly and through the collection"
    lost = [w for w in result.warnings if "lost library slides" in w]
    assert len(lost) == 3
    assert lost[0].startswith("The agenda item “Data review” lost library slides: 2 slides from ")


def test_cli_remove_json_names_the_events(app, two_decks, agendas) -> None:  # type: ignore[no-untyped-def]
    root = app.paths.root
    app.close()
    result = msldesk_in_process(
        root, "deck", "remove", str(two_decks["zebra"]), "--yes", "--json", check_exit=0
    )
    data = json.loads(result.stdout)
    assert data["collections"] == ["Board"]
    assert data["events"] == [
        {"event_id": agendas["march"], "title": "March board", "date": "2027-03-04", "slides": 2,
         "agenda_items": ["Data review", "Safety", "Mixed"]},
        {"event_id": agendas["workshop"], "title": "Workshop", "date": None, "slides": 1,
         "agenda_items": ["Old data"]},
    ]  # fmt: skip
    shown = msldesk_in_process(root, "event", "show", str(agendas["march"]), check_exit=0)
    assert "! 2 slides from " in shown.stdout
    assert "were removed from the library on" in shown.stdout
    as_json = json.loads(msldesk_in_process(root, "event", "show", str(agendas["march"]), "--json").stdout)
    notes = {i["title"]: i["note"] for i in as_json["agenda"]}
    assert notes["Close"] == ""
    assert notes["Safety"].endswith("through the collection “Board”.")


def test_cli_refusal_without_yes_names_the_events(app, two_decks, agendas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = app.paths.root
    app.close()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    result = msldesk_in_process(root, "deck", "remove", str(two_decks["zebra"]), check_exit=2)
    assert "--yes" in result.stderr
    assert "“March board” (2027-03-04): 2 slides" in result.stderr


@pytest.mark.parametrize("answer", ["y\n", "\n"])
def test_cli_prompt_names_the_events_and_no_keeps_the_agendas(
    app, two_decks, agendas, monkeypatch, answer: str
) -> None:  # type: ignore[no-untyped-def]
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    root = app.paths.root
    app.close()
    monkeypatch.setattr("sys.stdin", Terminal(answer))
    result = msldesk_in_process(root, "deck", "remove", str(two_decks["zebra"]), check_exit=0)
    before_question = result.stdout.split("[y/N]")[0]
    assert "Its slides are on the agenda of 2 events" in before_question
    assert "“March board” (2027-03-04): 2 slides in “Data review”, “Safety”, “Mixed”" in before_question
    assert "“Workshop”: 1 slide in “Old data”" in before_question
    assert "Its slides leave 1 saved collection: “Board”" in before_question
    shown = json.loads(msldesk_in_process(root, "event", "show", str(agendas["march"]), "--json").stdout)
    review = next(i for i in shown["agenda"] if i["title"] == "Data review")
    if answer == "y\n":
        assert "the agenda of “March board” (2027-03-04)" in result.stdout
        assert review["slide_ids"] == [agendas["okapi_slide"]]
        assert review["note"]
    else:
        assert "Nothing was removed." in result.stdout
        assert len(review["slide_ids"]) == 3
        assert review["note"] == ""


def test_cli_briefing_export_prints_what_the_agenda_lost(app, two_decks, agendas, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app.decks.remove_deck(two_decks["zebra"])
    root = app.paths.root
    app.close()
    out = tmp_path / "briefing.pptx"
    result = msldesk_in_process(root, "export", "briefing", str(agendas["march"]), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.exists()
    assert "note: The agenda item “Safety” lost library slides: 1 slide from " in result.stdout
