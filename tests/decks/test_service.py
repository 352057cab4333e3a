"""DeckService metadata editing: validation, statuses, not-found errors, listing and paging."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.decks.records import DeckStatus, DeckUpdate

TODAY = dt.date(2026, 11, 22)
DAY = dt.timedelta(days=1)
SLIDES = [("Alpha", "first", ""), ("Beta", "second", ""), ("Gamma", "third", "")]


@pytest.fixture
def deck_id(app, deck_factory) -> int:
    (outcome,) = app.decks.import_paths([deck_factory.pptx("deck.pptx", SLIDES, title="Service deck")])
    return outcome.deck_id


def test_a_new_deck_is_a_draft(app, deck_id: int) -> None:
    deck = app.decks.deck(deck_id)
    assert deck.status is DeckStatus.DRAFT
    assert (deck.approval_code, deck.approved_on, deck.expires_on, deck.withdrawn) == ("", None, None, False)
    assert deck.title == "Service deck"
    assert deck.file_name == "deck.pptx"
    assert deck.kind == "presentation"
    assert deck.version == 1
    assert deck.slide_count == 3


def test_approval_and_expiry_give_the_status(app, deck_id: int) -> None:
    changes = app.decks.update_deck(
        deck_id,
        DeckUpdate(approval_code="  MED-2026-01 ", approved_on=TODAY - 10 * DAY, expires_on=TODAY + 90 * DAY),
    )
    assert changes.decks
    assert changes.metadata
    deck = app.decks.deck(deck_id)
    assert deck.approval_code == "MED-2026-01"
    assert deck.status is DeckStatus.APPROVED
    app.decks.update_deck(deck_id, DeckUpdate(expires_on=TODAY + 5 * DAY))
    assert app.decks.deck(deck_id).status is DeckStatus.EXPIRING
    app.decks.update_deck(deck_id, DeckUpdate(expires_on=TODAY - DAY))
    assert app.decks.deck(deck_id).status is DeckStatus.EXPIRED
    assert all(s.status is DeckStatus.EXPIRED for s in app.decks.list_slides(deck_id))
    app.decks.update_deck(deck_id, DeckUpdate(clear_expires_on=True))
    assert app.decks.deck(deck_id).status is DeckStatus.APPROVED
    app.decks.update_deck(deck_id, DeckUpdate(withdrawn=True))
    assert app.decks.deck(deck_id).status is DeckStatus.WITHDRAWN
    app.decks.update_deck(deck_id, DeckUpdate(withdrawn=False, clear_approved_on=True))
    assert app.decks.deck(deck_id).status is DeckStatus.DRAFT


def test_expiry_before_approval_is_refused_and_nothing_changes(app, deck_id: int) -> None:
    with pytest.raises(InvalidInputError, match="before the approval"):
        app.decks.update_deck(
            deck_id,
            DeckUpdate(title="Changed", approval_code="X", approved_on=TODAY, expires_on=TODAY - DAY),
        )
    deck = app.decks.deck(deck_id)
    assert (deck.title, deck.approval_code) == ("Service deck", "")
    assert (deck.approved_on, deck.expires_on) == (None, None)

    app.decks.update_deck(deck_id, DeckUpdate(approval_code="X", approved_on=TODAY))
    with pytest.raises(InvalidInputError):  # against the stored approval date
        app.decks.update_deck(deck_id, DeckUpdate(expires_on=TODAY - DAY))
    app.decks.update_deck(deck_id, DeckUpdate(expires_on=TODAY + DAY))
    with pytest.raises(InvalidInputError):  # moving the approval past the stored expiry
        app.decks.update_deck(deck_id, DeckUpdate(approved_on=TODAY + 2 * DAY))
    assert app.decks.deck(deck_id).approved_on == TODAY
    app.decks.update_deck(deck_id, DeckUpdate(expires_on=TODAY))  # same day is allowed
    assert app.decks.deck(deck_id).expires_on == TODAY


def test_blank_title_is_refused(app, deck_id: int) -> None:
    with pytest.raises(InvalidInputError):
        app.decks.update_deck(deck_id, DeckUpdate(title="   "))
    app.decks.update_deck(deck_id, DeckUpdate(title="  New   title "))
    assert app.decks.deck(deck_id).title == "New title"


def test_unknown_ids_raise_not_found(app, deck_id: int) -> None:
    missing = deck_id + 1000
    with pytest.raises(NotFoundError):
        app.decks.deck(missing)
    with pytest.raises(NotFoundError):
        app.decks.update_deck(missing, DeckUpdate(title="x"))
    with pytest.raises(NotFoundError):
        app.decks.list_slides(missing)
    with pytest.raises(NotFoundError):
        app.decks.slide(10**9)
    with pytest.raises(NotFoundError):
        app.decks.set_slide_tags(10**9, ["x"])


def test_metadata_lists(app, deck_id: int, deck_factory) -> None:
    (other,) = app.decks.import_paths([deck_factory.pptx("other.pptx", [("Other", "", "")], title="Other")])
    app.decks.update_deck(deck_id, DeckUpdate(therapeutic_area="Oncology", product="P1", audience="HCPs"))
    app.decks.update_deck(other.deck_id, DeckUpdate(therapeutic_area="Cardiology"))
    assert app.decks.therapeutic_areas() == ["Cardiology", "Oncology"]
    deck = app.decks.deck(deck_id)
    assert (deck.product, deck.audience) == ("P1", "HCPs")
    assert [d.title for d in app.decks.list_decks()] == ["Other", "Service deck"]


def test_slide_paging_and_counts(app, deck_id: int, deck_factory) -> None:
    (other,) = app.decks.import_paths([deck_factory.pptx("z.pptx", [("Zeta", "", "")], title="Zulu deck")])
    app.decks.update_deck(other.deck_id, DeckUpdate(withdrawn=True))
    everything = app.decks.list_slides()
    assert [s.title for s in everything] == ["Alpha", "Beta", "Gamma", "Zeta"]
    assert [s.title for s in app.decks.list_slides(offset=1, limit=2)] == ["Beta", "Gamma"]
    assert [s.title for s in app.decks.list_slides(include_expired=False)] == ["Alpha", "Beta", "Gamma"]
    assert app.decks.count_slides() == 4
    assert app.decks.count_slides(include_expired=False) == 3
    assert app.decks.count_slides(deck_id) == 3
    ids = [s.slide_id for s in everything]
    assert [s.slide_id for s in app.decks.slides_by_id([ids[2], ids[0], 10**9])] == [ids[2], ids[0]]
    assert app.decks.slide(ids[1]).display_title == "Beta"


def test_default_library_folder_is_the_isolated_one(isolated_data_dir: Path) -> None:
    """Tests never touch the user's real library: App() with no folder uses $MSLDESK_DATA_DIR."""
    from msldesk.app.services import App

    default = App()
    try:
        assert default.paths.root == isolated_data_dir
        assert default.paths.database.is_file()
    finally:
        default.close()
