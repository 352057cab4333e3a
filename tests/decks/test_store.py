"""Imported decks live in the library's own content-addressed store, independent of the original."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

SLIDES = [("Store test", "Kept safe in the library", "Notes survive too"), ("Second", "More text", "")]


def test_deleting_or_moving_the_original_breaks_nothing(app, deck_factory, tmp_path: Path) -> None:
    path = deck_factory.pptx("original.pptx", SLIDES)
    content = path.read_bytes()
    sha = hashlib.sha256(content).hexdigest()
    (outcome,) = app.decks.import_paths([path])

    moved = tmp_path / "elsewhere" / "renamed.pptx"
    moved.parent.mkdir()
    shutil.move(path, moved)
    deck = app.decks.deck(outcome.deck_id)
    assert deck.sha256 == sha
    stored = app.paths.store / sha[:2] / f"{sha}.pptx"
    assert stored.read_bytes() == content
    assert [s.title for s in app.decks.list_slides(outcome.deck_id)] == ["Store test", "Second"]
    assert [h.number for h in app.decks.search("kept safe")] == [1]

    (again,) = app.decks.import_paths([moved])  # found under its new name: same deck
    assert (again.status, again.deck_id) == ("unchanged", outcome.deck_id)
    moved.unlink()
    assert stored.exists()
    assert app.decks.list_slides(outcome.deck_id)[0].notes == "Notes survive too"


def test_store_holds_one_file_per_content(app, deck_factory) -> None:
    a = deck_factory.pptx("a.pptx", SLIDES)
    b = deck_factory.path("b.pptx")
    b.write_bytes(a.read_bytes())
    c = deck_factory.pptx("c.pptx", [("Other", "", "")])
    list(app.decks.import_paths([a, b, c]))
    stored = sorted(p.name for p in app.paths.store.rglob("*") if p.is_file())
    expected = sorted(f"{hashlib.sha256(p.read_bytes()).hexdigest()}.pptx" for p in (a, c))
    assert stored == expected  # no staging leftovers either


def test_thumbnails_render_from_the_store(app, deck_factory) -> None:
    if not app.decks.can_render_thumbnails:
        pytest.skip("LibreOffice (soffice) is not installed")
    path = deck_factory.pptx("original.pptx", SLIDES)
    (outcome,) = app.decks.import_paths([path])
    path.unlink()
    app.decks.render_thumbnails()
    deck = app.decks.deck(outcome.deck_id)
    assert deck.thumbnail_state == "done", deck.thumbnail_error
    thumbnails = [s.thumbnail for s in app.decks.list_slides(outcome.deck_id)]
    assert all(t is not None and Path(t).is_file() for t in thumbnails)


def _staged_leftovers(app) -> list[Path]:  # type: ignore[no-untyped-def]
    return [p for p in app.paths.store.rglob(".import-*")]


def _copier_threads() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if t.name.startswith("msldesk-import-copy")]


def test_copies_made_ahead_are_dropped_when_not_needed(app, deck_factory) -> None:
    """The next deck is copied into the store while the current one is read: a copy that turns
    out unneeded (the same file twice, or a cancelled or abandoned import) leaves nothing behind."""
    from msldesk.core.progress import CancelToken

    a, b, c = (deck_factory.pptx(f"{n}.pptx", [(f"Deck {n}", "", "")], title=n) for n in "abc")
    outcomes = list(app.decks.import_paths([a, a, b]))
    assert [o.status for o in outcomes] == ["imported", "unchanged", "imported"]
    assert _staged_leftovers(app) == []

    token = CancelToken()
    seen = []
    d = deck_factory.pptx("d.pptx", [("Deck d", "", "")], title="d")
    for outcome in app.decks.import_paths([c, d], cancel=token):
        seen.append(outcome.status)
        token.cancel()  # d has been copied ahead by now
    assert seen == ["imported"]
    assert _staged_leftovers(app) == []
    assert _copier_threads() == []

    e = deck_factory.pptx("e.pptx", [("Deck e", "", "")], title="e")
    imports = app.decks.import_paths([d, e])
    assert next(imports).status == "imported"
    imports.close()  # abandoned with e copied ahead
    assert _staged_leftovers(app) == []
    assert _copier_threads() == []
    stored = sorted(p.name for p in app.paths.store.rglob("*") if p.is_file())
    expected = sorted(f"{hashlib.sha256(p.read_bytes()).hexdigest()}.pptx" for p in (a, b, c, d))
    assert stored == expected
