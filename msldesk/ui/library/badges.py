"""Colours and labels of deck status badges, shared by the deck list, grid and preview."""

from __future__ import annotations

from PySide6.QtGui import QColor

from msldesk.decks.records import DeckStatus
from msldesk.ui.theme import BADGE_RADIUS, colour, deck_status_colours, palette


def badge_colour(status: DeckStatus) -> QColor:
    return colour(deck_status_colours(palette())[status])


TEAM_LABEL = "Team"  # a deck published by the organisation through the team hub (read-only here)


def team_badge_colour() -> QColor:
    return colour(palette().accent)


def badge_html(status: DeckStatus, team: bool = False) -> str:
    """The status badge, after a Team badge for a deck from the team hub (`team`)."""
    p = palette()
    shown = [(p.accent, TEAM_LABEL)] if team else []
    shown.append((deck_status_colours(p)[status], status.label))
    return " ".join(
        f'<span style="background:{fill}; color:{p.on_colour}; padding:2px 6px; '
        f'border-radius:{BADGE_RADIUS}px">&nbsp;{label}&nbsp;</span>'
        for fill, label in shown
    )
