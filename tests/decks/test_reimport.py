"""Re-importing: unchanged files are a no-op; a changed file becomes a new version of its deck."""

from __future__ import annotations

import os
from pathlib import Path

import pptx
import pytest

from tests.library_checks import assert_library_consistent

SLIDES = [
    ("Zorvatinib programme", "Once-daily oral kinase inhibitor", "Open with the unmet need."),
    ("Primary endpoint", "Progression-free survival improved versus comparator", ""),
    ("Quintessential safety", "Hepatic enzymes monitored monthly", "Refer to the label."),
]


def _edit(path: Path) -> None:
    """Change slide 2's body text and append a slide, as a colleague editing the deck would."""
    presentation = pptx.Presentation(str(path))
    presentation.slides[1].placeholders[1].text_frame.text = "Overall survival benefit at interim analysis"
    extra = presentation.slides.add_slide(presentation.slide_layouts[1])
    extra.shapes.title.text = "Dosing in hepatic impairment"
    extra.placeholders[1].text_frame.text = "Reduce to half dose"
    presentation.save(str(path))


def _delete_slide(path: Path, index: int) -> None:
    presentation = pptx.Presentation(str(path))
    slide_ids = presentation.slides._sldIdLst
    slide_id = slide_ids[index]
    presentation.part.drop_rel(slide_id.rId)
    slide_ids.remove(slide_id)
    presentation.save(str(path))


def test_reimporting_an_unchanged_file_is_a_no_op(app, deck_factory, row_counts) -> None:
    path = deck_factory.pptx("deck.pptx", SLIDES)
    (first,) = app.decks.import_paths([path])
    assert first.status == "imported"
    before = row_counts(app)

    (again,) = app.decks.import_paths([path])
    assert (again.status, again.deck_id) == ("unchanged", first.deck_id)
    assert row_counts(app) == before

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # "touch"
    (touched,) = app.decks.import_paths([path])
    assert (touched.status, touched.deck_id) == ("unchanged", first.deck_id)
    assert row_counts(app) == before
    assert app.decks.deck(first.deck_id).version == 1
    # The new mtime was remembered: the next re-import needs no read at all, and still no rows.
    (third,) = app.decks.import_paths([deck_factory.folder])
    assert third.status == "unchanged"
    assert row_counts(app) == before


def test_same_content_at_another_path_is_the_same_deck(app, deck_factory, row_counts) -> None:
    path = deck_factory.pptx("deck.pptx", SLIDES)
    copy = deck_factory.path("copies/same.pptx")
    copy.write_bytes(path.read_bytes())
    first, second = app.decks.import_paths([path, copy])
    assert first.status == "imported"
    assert (second.status, second.deck_id) == ("unchanged", first.deck_id)
    assert row_counts(app)["decks"] == 1
    assert row_counts(app)["deck_sources"] == 2


def test_a_changed_file_becomes_version_2(app, deck_factory, row_counts) -> None:
    path = deck_factory.pptx("deck.pptx", SLIDES)
    (first,) = app.decks.import_paths([path])
    before = row_counts(app)
    old_slide_ids = [s.slide_id for s in app.decks.list_slides(first.deck_id)]
    assert {h.slide_id for h in app.decks.search("comparator")} == {old_slide_ids[1]}

    _edit(path)
    (second,) = app.decks.import_paths([path])
    assert (second.status, second.deck_id, second.slides) == ("updated", first.deck_id, 4)
    assert (second.slides_added, second.slides_changed, second.slides_removed) == (1, 1, 0)
    deck = app.decks.deck(first.deck_id)
    assert deck.version == 2
    assert deck.slide_count == 4
    assert (deck.slides_added, deck.slides_changed, deck.slides_removed) == (1, 1, 0)
    slides = app.decks.list_slides(first.deck_id)
    assert [s.change for s in slides] == ["unchanged", "changed", "unchanged", "new"]
    assert all(s.version == 2 for s in slides)
    assert not set(old_slide_ids) & {s.slide_id for s in slides}

    after = row_counts(app)
    assert after["decks"] == before["decks"]
    assert after["deck_versions"] == before["deck_versions"] + 1
    assert after["slide_fts"] == 4  # only current slides are searchable
    assert app.decks.search("comparator") == []  # the old text of slide 2
    assert [h.number for h in app.decks.search("interim analysis")] == [2]
    assert [h.number for h in app.decks.search("hepatic impairment")] == [4]
    assert [d.deck_id for d in app.decks.list_decks()] == [first.deck_id]

    (again,) = app.decks.import_paths([path])
    assert again.status == "unchanged"
    assert_library_consistent(app.paths.root)


def test_removed_slides_are_counted(app, deck_factory) -> None:
    path = deck_factory.pptx("deck.pptx", SLIDES)
    (first,) = app.decks.import_paths([path])
    _delete_slide(path, 2)
    (second,) = app.decks.import_paths([path])
    assert second.status == "updated"
    assert (second.slides_added, second.slides_changed, second.slides_removed) == (0, 0, 1)
    slides = app.decks.list_slides(first.deck_id)
    assert [s.title for s in slides] == [SLIDES[0][0], SLIDES[1][0]]
    assert [s.change for s in slides] == ["unchanged", "unchanged"]
    assert app.decks.search("quintessential") == []
    assert_library_consistent(app.paths.root)


def test_deck_metadata_survives_a_new_version(app, deck_factory) -> None:
    from msldesk.decks.records import DeckUpdate

    path = deck_factory.pptx("deck.pptx", SLIDES)
    (first,) = app.decks.import_paths([path])
    app.decks.update_deck(first.deck_id, DeckUpdate(title="Zorvatinib MSL deck", tags=("oncology",)))
    _edit(path)
    list(app.decks.import_paths([path]))
    deck = app.decks.deck(first.deck_id)
    assert (deck.version, deck.title, deck.tags) == (2, "Zorvatinib MSL deck", ("oncology",))
    # The new slides are indexed with the deck's tags, like the old ones were.
    assert {h.number for h in app.decks.search("oncology")} == {1, 2, 3, 4}


A, B, C, D = (("Alpha", "a", ""), ("Bravo", "b", ""), ("Charlie", "c", ""), ("Delta", "d", ""))
X, Y, Z = (("X-ray", "x", ""), ("Yankee", "y", ""), ("Zulu", "z", ""))


@pytest.mark.parametrize(
    ("old", "new", "counts", "marks"),
    [
        pytest.param([A, B, C], [A, B, C, D], (1, 0, 0), "u u u n", id="append"),
        pytest.param([A, B, C], [A, X, C], (0, 1, 0), "u c u", id="edit"),
        pytest.param([A, B, C], [A, X, B, C], (1, 0, 0), "u n u u", id="insert"),
        pytest.param([A, B, C], [A, X, Y, C], (1, 1, 0), "u c n u", id="edit-and-insert"),
        pytest.param([A, B, C], [A, C], (0, 0, 1), "u u", id="delete"),
        pytest.param([A, B, C, D], [A, X, D], (0, 1, 1), "u c u", id="edit-and-delete"),
        pytest.param([A, B, C], [C, A, B], (0, 0, 0), "u u u", id="reorder"),
        pytest.param([A, A, B], [A, B], (0, 0, 1), "u u", id="duplicate-removed"),
        pytest.param([A, B], [A, A, B], (1, 0, 0), "u n u", id="duplicate-added"),
        pytest.param([A, B], [X, Y, Z], (1, 2, 0), "c c n", id="all-replaced"),
    ],
)
def test_slide_change_counts(app, deck_factory, old, new, counts, marks) -> None:
    """Counts add up (old + added - removed = new) and match the per-slide marks."""
    path = deck_factory.pptx("deck.pptx", old, title="Versions")
    (first,) = app.decks.import_paths([path])
    path = deck_factory.pptx("deck.pptx", new, title="Versions")
    (second,) = app.decks.import_paths([path])
    assert (second.status, second.deck_id) == ("updated", first.deck_id)
    got = (second.slides_added, second.slides_changed, second.slides_removed)
    assert len(old) + got[0] - got[2] == len(new)
    assert got == counts
    names = {"unchanged": "u", "changed": "c", "new": "n"}
    assert " ".join(names[s.change] for s in app.decks.list_slides(first.deck_id)) == marks
