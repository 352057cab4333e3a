"""The deck library stores its moments in UTC and shows them on this computer's clock."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from msldesk.core import clock
from tests import library_db

# 23:30 UTC on 4 December is already 5 December in Berlin (UTC+1 in winter).
MOMENT = dt.datetime(2026, 12, 4, 23, 30)


@pytest.fixture
def in_berlin(monkeypatch) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """This computer's zone is Europe/Berlin, and it is MOMENT (UTC) for the deck library."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    monkeypatch.setattr(clock, "utc_now", lambda: MOMENT)
    yield
    monkeypatch.undo()
    time.tzset()


def test_new_rows_store_utc_and_records_carry_it(app, deck_factory, in_berlin) -> None:  # type: ignore[no-untyped-def]
    path = deck_factory.pptx("okapi.pptx", [("Okapi trial", "Okapi endpoint", "")])
    deck_id = next(iter(app.decks.import_paths([path]))).deck_id
    slide_id = app.decks.list_slides(deck_id)[0].slide_id
    app.assembly.save_collection("Board", [slide_id])
    app.assembly.compose([slide_id], app.paths.root / "out.pptx", title="B")

    with library_db.connect(app.paths.database) as db:
        stored = db.execute(
            "SELECT d.created_at, d.updated_at, v.imported_at, c.created_at, c.updated_at, a.created_at "
            "FROM decks d, deck_versions v, collections c, assemblies a"
        ).fetchone()
    assert {value[:19] for value in stored} == {"2026-12-04 23:30:00"}, "UTC, not Berlin's 00:30"
    utc = MOMENT.replace(tzinfo=dt.UTC)
    assert app.decks.deck(deck_id).imported_at == utc
    assert app.assembly.collection("Board").updated_at == utc


def test_a_removal_note_gives_the_local_date(app, deck_factory, in_berlin) -> None:  # type: ignore[no-untyped-def]
    path = deck_factory.pptx("okapi.pptx", [("Okapi trial", "Okapi endpoint", "")])
    deck_id = next(iter(app.decks.import_paths([path]))).deck_id
    app.assembly.save_collection("Board", [app.decks.list_slides(deck_id)[0].slide_id])

    app.decks.remove_deck(deck_id)

    note = app.assembly.collection("Board").note
    assert note.endswith("removed from the library on 2026-12-05."), note


def test_times_are_shown_on_this_computers_clock(app, deck_factory, in_berlin) -> None:  # type: ignore[no-untyped-def]
    from tests.cli.test_cli import msldesk_in_process

    path = deck_factory.pptx("okapi.pptx", [("Okapi trial", "Okapi endpoint", "")])
    deck_id = next(iter(app.decks.import_paths([path]))).deck_id
    app.assembly.save_collection("Board", [app.decks.list_slides(deck_id)[0].slide_id])

    listed = msldesk_in_process(app.paths.root, "collections", check_exit=0)
    assert "Board: 1 slide (updated 2026-12-05 00:30)" in listed.stdout
    as_json = msldesk_in_process(app.paths.root, "collections", "--json", check_exit=0)
    assert "2026-12-04T23:30:00+00:00" in as_json.stdout, "JSON says the UTC moment and its zone"
    with pytest.raises(ValueError, match="must carry its zone"):
        clock.local(MOMENT)  # a naive time would be read as local: refused rather than shown off by an hour
