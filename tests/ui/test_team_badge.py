"""A Team deck (from the team hub) says so: a Team badge beside its status in the deck list, in its
tooltip, and in the deck's details, whose form is read-only."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QListView, QStyleOptionViewItem

from msldesk.decks.records import DeckInfo, DeckStatus
from msldesk.ui.library.deck_list_model import DeckListModel
from msldesk.ui.library.delegates import DeckRowDelegate
from msldesk.ui.theme import palette

LOCAL = DeckInfo(
    deck_id=1, title="Dosing update", approval_code="MA-1", approved_on=dt.date(2026, 1, 1), expires_on=None,
    withdrawn=False, status=DeckStatus.APPROVED, therapeutic_area="", product="", audience="",
    tags=(), version=1, version_id=1, sha256="a" * 64, file_name="dosing.pptx",
    kind="presentation", strict=False, slide_count=3, slides_added=0, slides_changed=0,
    slides_removed=0, imported_at=dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC), thumbnail_state="done",
    thumbnail_error="", warnings=(), preview_pdf=None,
)  # fmt: skip
TEAM = dataclasses.replace(LOCAL, deck_id=2, origin="team")


def _accent_pixels(view: QListView, model: DeckListModel, row: int, width: int = 420) -> int:
    """How many pixels of the Team badge's colour the deck row paints."""
    image = QImage(width, 48, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = QRect(0, 0, width, 48)
    painter = QPainter(image)
    DeckRowDelegate().paint(painter, option, model.index(row))
    painter.end()
    accent = QColor(palette().accent).rgb()
    return sum(1 for x in range(width) for y in range(48) if image.pixel(x, y) == accent)


def test_team_badge_in_the_deck_list_and_details(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from msldesk.ui.library.deck_editor import DeckEditor

    view = QListView()
    qtbot.addWidget(view)
    model = DeckListModel()
    model.set_decks([LOCAL, TEAM])
    assert _accent_pixels(view, model, 1) == 0
    assert _accent_pixels(view, model, 2) > 50
    assert "Team deck" in model.data(model.index(2), 3)
    assert "Team deck" not in model.data(model.index(1), 3)

    editor = DeckEditor()
    qtbot.addWidget(editor)
    editor.show_deck(TEAM)
    assert ">&nbsp;Team&nbsp;<" in editor.status.text()
    assert not editor.isEnabled()
    assert "read-only here" in editor.info.text()
    editor.show_deck(LOCAL)
    assert "Team" not in editor.status.text()
    assert editor.isEnabled()
