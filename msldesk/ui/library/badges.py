"""Colours and labels of deck status badges, shared by the deck list, grid and preview."""

from __future__ import annotations

from PySide6.QtGui import QColor

from msldesk.decks.records import DeckStatus

BADGE_COLOURS = {
    DeckStatus.DRAFT: QColor("#5b6b7f"),
    DeckStatus.APPROVED: QColor("#2e7d32"),
    DeckStatus.EXPIRING: QColor("#c77700"),
    DeckStatus.EXPIRED: QColor("#c62828"),
    DeckStatus.WITHDRAWN: QColor("#424242"),
}


def badge_colour(status: DeckStatus) -> QColor:
    return BADGE_COLOURS[status]


def badge_html(status: DeckStatus) -> str:
    colour = badge_colour(status).name()
    return (
        f'<span style="background:{colour}; color:white; padding:2px 6px; '
        f'border-radius:3px">&nbsp;{status.label}&nbsp;</span>'
    )
