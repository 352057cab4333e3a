"""Removing a deck from the library: service and command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from msldesk.decks.records import SearchFilters
from msldesk.errors import NotFoundError
from tests import library_db

from .test_cli import msldesk_in_process


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

    assert removal.slides == 1 and removal.collections == ("Board",)
    assert app.decks.search("okapi", SearchFilters(include_expired=True)) == []
    assert okapi not in [d.deck_id for d in app.decks.list_decks()]
    with pytest.raises(NotFoundError):
        app.decks.deck(okapi)
    assert not store_file.exists()
    assert not any(path.exists() for path in thumbnails)
    assert not thumbnails[1].parent.exists()  # the deck's thumbnail folder too
    collection = app.assembly.collection("Board")
    assert collection.slide_ids == (zebra_slides[0],)
    assert "1 slide of the deck" in collection.note and "removed from the library" in collection.note
    # The bill of materials of the deck already built keeps its rows, with their text.
    with library_db.connect(app.paths.database) as db:
        rows = db.execute(
            "SELECT slide_id, deck_title, slide_number FROM assembly_items ORDER BY position"
        ).fetchall()
        fts = db.execute("SELECT count(*) FROM slide_fts WHERE rowid = ?", (okapi_slides[0],)).fetchone()[0]
        slides = db.execute("SELECT count(*) FROM slides WHERE deck_id = ?", (okapi,)).fetchone()[0]
    assert [(r[0], r[2]) for r in rows] == [(okapi_slides[0], 1), (zebra_slides[1], 2)]
    assert rows[0][1] == removal.title
    assert fts == 0 and slides == 0
    # The audit trail keeps a record of what was removed.
    history = app.audit.history("deck", okapi)
    assert history[-1].action == "deck.remove"
    assert history[-1].before["title"] == removal.title and history[-1].after is None
    assert history[-1].before["versions"][0]["file_name"] == "okapi.pptx"
    assert app.audit.verify().ok


def test_a_stored_file_another_deck_uses_is_kept(app, two_decks) -> None:  # type: ignore[no-untyped-def]
    shared_thumbnails = _fake_thumbnails(app, two_decks["twin"])
    shared = _store_file(app, two_decks["twin"])
    own_thumbnails = _fake_thumbnails(app, two_decks["zebra"])
    own = _store_file(app, two_decks["zebra"])
    assert shared.exists() and own.exists() and shared != own

    first = app.decks.remove_deck(two_decks["zebra"])
    assert first.versions == 2 and first.files_kept == 1 and first.files_deleted == 3
    assert not own.exists() and not any(path.exists() for path in own_thumbnails)
    assert shared.exists() and all(path.exists() for path in shared_thumbnails)
    assert [s.title for s in app.decks.list_slides(two_decks["twin"])] == ["Zebra stripes", "Zebra end"]
    assert app.decks.search("zebrafish", SearchFilters(include_expired=True))

    second = app.decks.remove_deck(two_decks["twin"])
    assert second.files_kept == 0 and second.files_deleted == 3  # store file, preview, image folder
    assert not shared.exists() and not any(path.exists() for path in shared_thumbnails)


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
    assert data["deck_id"] == two_decks["okapi"] and data["slides"] == 1
    listed = msldesk_in_process(root, "decks", "--json", check_exit=0)
    assert two_decks["okapi"] not in [d["deck_id"] for d in json.loads(listed.stdout)]


def test_cli_refuses_without_yes_when_it_cannot_ask(app, two_decks, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = app.paths.root
    app.close()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    result = msldesk_in_process(root, "deck", "remove", str(two_decks["okapi"]), check_exit=2)
    assert "--yes" in result.stderr and "Traceback" not in result.stderr
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
