"""The slide grid stays light with big libraries: it pages slides in, and models pass Qt's checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from msldesk.ui.library.slide_grid_model import PAGE_SIZE

from .helpers import make_deck


@pytest.fixture
def big_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.pptx"
    return make_deck(path, [f"Slide number {n}" for n in range(1, PAGE_SIZE * 2 + 51)])


@pytest.mark.usefixtures("no_libreoffice")
def test_grid_pages_slides_in_as_the_user_scrolls(make_window, qtbot, big_deck: Path) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    for _ in context.decks.import_paths([big_deck]):
        pass
    window.refresh()
    grid = window.library.grid_model
    total = PAGE_SIZE * 2 + 50
    qtbot.waitUntil(lambda: grid.total == total and grid.rowCount() >= PAGE_SIZE, timeout=20_000)
    assert grid.rowCount() < total, "only the first pages are loaded at first"
    window.library.grid.scrollToBottom()
    for _ in range(10):
        if grid.rowCount() == total:
            break
        qtbot.waitUntil(lambda: not grid.busy, timeout=10_000)
        window.library.grid.scrollToBottom()
        if grid.canFetchMore():
            grid.fetchMore()
    qtbot.waitUntil(lambda: grid.rowCount() == total, timeout=20_000)
    assert grid.card(total - 1).title == f"Slide number {total}"


@pytest.mark.usefixtures("no_libreoffice")
def test_models_pass_qt_model_tester(make_window, qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window()
    view = window.library
    qtbot.waitUntil(lambda: view.grid_model.rowCount() == 10, timeout=10_000)
    qtmodeltester.check(view.deck_model)
    qtmodeltester.check(view.grid_model)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_thumbnails_render_in_the_background_and_appear_in_the_grid(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window()
    view = window.library
    qtbot.waitUntil(lambda: context.decks.pending_thumbnail_slides() == 0, timeout=120_000)
    qtbot.waitUntil(lambda: not window.jobs.running("thumbnails"), timeout=30_000)
    qtbot.waitUntil(
        lambda: (
            view.grid_model.rowCount() == 10 and all(view.grid_model.card(r).thumbnail for r in range(10))
        ),
        timeout=20_000,
    )
    path = view.grid_model.card(0).thumbnail
    assert path
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    view.grid.viewport().repaint()
    qtbot.waitUntil(lambda: view.images.get(path) is not None, timeout=10_000)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_preview_shows_the_thumbnail_at_once_then_the_slide_sharp(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Rendering writes thumbnails only; the large preview's PDF is made when a slide of the deck
    is first looked at, and the preview then shows the page 960 px wide instead of the thumbnail."""
    window, context = make_window()
    view = window.library
    qtbot.waitUntil(lambda: context.decks.pending_thumbnail_slides() == 0, timeout=120_000)
    qtbot.waitUntil(lambda: not window.jobs.running("thumbnails"), timeout=30_000)
    qtbot.waitUntil(
        lambda: view.grid_model.rowCount() == 10 and bool(view.grid_model.card(0).thumbnail), timeout=20_000
    )
    deck = context.decks.deck(view.grid_model.card(0).deck_id)
    assert deck.preview_pdf is not None
    assert not Path(deck.preview_pdf).exists()

    widths: list[int] = []
    real_rescale = view.preview._rescale

    def rescale() -> None:
        pixmap = view.preview._pixmap
        if pixmap is not None and (not widths or widths[-1] != pixmap.width()):
            widths.append(pixmap.width())
        real_rescale()

    view.preview._rescale = rescale  # type: ignore[method-assign]
    view.grid.setCurrentIndex(view.grid_model.index(0))
    qtbot.waitUntil(lambda: widths[-1:] == [960], timeout=60_000)
    assert widths == [320, 960]
    assert Path(deck.preview_pdf).is_file()
