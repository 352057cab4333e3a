"""Colours and labels of deck status badges, shared by the deck list, grid and preview."""

from __future__ import annotations

from PySide6.QtGui import QColor

from msldesk.decks.records import DeckStatus
from msldesk.ui.theme import BADGE_RADIUS, colour, deck_status_colours, palette


def badge_colour(status: DeckStatus) -> QColor:
    return colour(deck_status_colours(palette())[status])


def badge_html(status: DeckStatus) -> str:
    p = palette()
    return (
        f'<span style="background:{deck_status_colours(p)[status]}; color:{p.on_colour}; padding:2px 6px; '
        f'border-radius:{BADGE_RADIUS}px">&nbsp;{status.label}&nbsp;</span>'
    )
