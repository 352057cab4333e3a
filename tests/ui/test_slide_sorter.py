"""The slide grid as a slide sorter: columns follow the width, zoom, badges, snippets, End."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QFont, QTextDocument, QWheelEvent

from msldesk.decks.records import DeckStatus, SlideInfo
from msldesk.ui.context import AppContext
from msldesk.ui.library.delegates import ELLIPSIS, SNIPPET_H, caption_layout, elide_html
from msldesk.ui.library.grid import SlideGrid
from msldesk.ui.library.slide_grid_model import PAGE_SIZE, SlideGridModel
from msldesk.ui.library.thumbnail_images import ThumbnailImages
from msldesk.ui.tasks import TaskRunner


class SyntheticLibrary:
    """A deck service stand-in listing `count` slides, so a big library costs no import."""

    def __init__(self, count: int) -> None:
        self.count = count

    def count_slides(
        self, deck_id: int | None = None, include_expired: bool = True, narrow: object = None
    ) -> int:
        return self.count

    def list_slides(
        self,
        deck_id: int | None = None,
        offset: int = 0,
        limit: int | None = None,
        include_expired: bool = True,
        narrow: object = None,
    ) -> list[SlideInfo]:
        end = self.count if limit is None else min(self.count, offset + limit)
        return [
            SlideInfo(n, 1, "Synthetic", 1, n, f"Slide {n}", "", "", "", False, False, False, False, False,
                      "", DeckStatus.APPROVED, (), None)
            for n in range(offset + 1, end + 1)
        ]  # fmt: skip


@pytest.fixture
def sorter(qtbot) -> Iterator[tuple[SlideGrid, SlideGridModel]]:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    library = SyntheticLibrary(3_000)
    context = AppContext(runner)  # no library: the model reads the synthetic one it is given
    model = SlideGridModel(context, lambda: library)
    grid = SlideGrid(model, ThumbnailImages(context, QSize(320, 180)))
    qtbot.addWidget(grid)
    grid.resize(900, 700)
    grid.show()
    model.browse(None)
    qtbot.waitUntil(lambda: model.rowCount() == PAGE_SIZE, timeout=10_000)
    yield grid, model
    assert runner.wait_all(30_000)
    qtbot.wait(50)


def test_end_goes_to_the_last_slide_of_a_long_library(sorter, qtbot) -> None:  # type: ignore[no-untyped-def]
    grid, model = sorter
    assert model.total == 3_000
    assert model.rowCount() < 3_000
    grid.setFocus()
    grid.setCurrentIndex(model.index(0))
    qtbot.keyClick(grid, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: grid.currentIndex().row() == 2_999, timeout=10_000)
    assert model.card(grid.currentIndex().row()).title == "Slide 3000"
    grid.setCurrentIndex(model.index(0))
    qtbot.keyClick(grid, Qt.Key.Key_End)
    assert grid.currentIndex().row() == 2_999


def test_columns_follow_the_width_and_fill_it(sorter, qtbot) -> None:  # type: ignore[no-untyped-def]
    grid, model = sorter
    counts = []
    for width in (600, 1_300):
        grid.resize(width, 700)
        qtbot.waitUntil(lambda w=width: grid.width() == w, timeout=2_000)
        qtbot.wait(50)
        columns = grid.columns()
        row_one = {grid.visualRect(model.index(i)).top() for i in range(columns)}
        assert len(row_one) == 1, "the first `columns` cards share a row"
        assert grid.visualRect(model.index(columns)).top() > next(iter(row_one)), "the next one wraps"
        # The cells take the width: less than one card's width of empty strip at the right.
        right = grid.visualRect(model.index(columns - 1)).right()
        assert grid.viewport().width() - right < grid.gridSize().width() / columns + 20
        counts.append(columns)
    assert counts[1] > counts[0]


def test_ctrl_wheel_zooms_the_thumbnails(sorter, qtbot) -> None:  # type: ignore[no-untyped-def]
    grid, _ = sorter
    before, cell = grid.thumb_width, grid.gridSize().height()
    centre = QPointF(grid.viewport().rect().center())
    for modifiers, expected in (
        (Qt.KeyboardModifier.ControlModifier, before + 40),
        (Qt.KeyboardModifier.NoModifier, before + 40),
    ):
        notches = QPoint(0, 240)  # two notches up
        event = QWheelEvent(centre, grid.mapToGlobal(centre), QPoint(), notches, Qt.MouseButton.NoButton,
                            modifiers, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
        grid.wheelEvent(event)
        assert grid.thumb_width == expected
    assert grid.gridSize().height() > cell


def test_slider_changes_the_thumbnail_size(make_window, qtbot, no_libreoffice) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window()
    view = window.library
    view.zoom.setValue(300)
    assert view.grid.thumb_width == 300
    assert view.grid.gridSize().width() >= 316
    view.grid.set_thumb_width(140)  # as Ctrl+wheel does: the slider follows
    assert view.zoom.value() == 140


@pytest.mark.parametrize("width", [120, 208, 320])
def test_badges_never_cover_the_title(width: int) -> None:
    text = QRect(10, 200, width, 34)
    title, deck, badges = caption_layout(text, 17, [70, 60])
    assert badges, "at least the status badge fits"
    for badge in badges:
        assert not badge.intersects(title)
        assert not badge.intersects(deck)
        assert text.contains(badge)
    assert title.width() == width


def test_a_cut_snippet_ends_with_an_ellipsis(qapp) -> None:  # type: ignore[no-untyped-def]
    font = QFont()
    long = "Results: " + " ".join(f"word{n}" for n in range(80)) + " the <b>PASI</b> end"
    cut = elide_html(long, font, 200, SNIPPET_H)
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setTextWidth(200)
    doc.setHtml(cut)
    assert doc.toPlainText().endswith(ELLIPSIS)
    assert doc.size().height() <= SNIPPET_H
    assert doc.toPlainText().startswith("Results: word0")
    assert elide_html("short <b>hit</b>", font, 200, SNIPPET_H) == "short <b>hit</b>"
    cut_in_mark = elide_html("<b>" + " ".join(["marked"] * 60) + "</b>", font, 200, SNIPPET_H)
    assert cut_in_mark.endswith("</b>" + ELLIPSIS)
