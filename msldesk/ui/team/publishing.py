"""Team › Publish the selected deck / Withdraw the selected deck…, for the hub's publishers: the deck
selected in the library's deck list, through `msldesk.team.publish.DeckPublisher` (as `msldesk team
publish` and `withdraw` do). The hub refuses anyone else; the menu hides the two for other roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMainWindow

from msldesk.core.changes import Changes
from msldesk.ui.ops import DbOp, Work

if TYPE_CHECKING:
    from msldesk.decks.records import DeckInfo
    from msldesk.team.publish import PublishedDeck, WithdrawnDeck
    from msldesk.ui.context import AppContext


@dataclass(frozen=True)
class Withdrawn:
    deck: WithdrawnDeck

    @property
    def changes(self) -> Changes:
        return Changes(decks=True, slides=True, metadata=True)  # this library's copy is withdrawn now


class Publishing(QObject):
    said = Signal(str)  # what a publication or withdrawal did, as the status bar shows it

    def __init__(self, context: AppContext, window: QMainWindow) -> None:
        super().__init__(window)
        self.context, self.window = context, window

    def _selected(self, verb: str) -> DeckInfo | None:
        library: Any = getattr(self.window, "library", None)
        deck = library.selected_deck() if library is not None else None
        if deck is None:
            self._say(f"Select a deck in the deck list to {verb} it.")
        elif deck.origin == "team":
            self._say(f"“{deck.title}” came from the team hub: its publisher's library can {verb} it.")
            return None
        return deck

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    def publish_selected(self) -> None:
        deck = self._selected("publish")
        if deck is None:
            return

        def job(work: Work) -> list[PublishedDeck]:
            from msldesk.team.publish import DeckPublisher

            return DeckPublisher(work.app.team, work.app.decks).publish([deck.deck_id], work.progress)

        self._say(f"Publishing “{deck.title}” to the team hub…")
        DbOp(self, job).success(self._on_published).run()

    def _on_published(self, done: list[PublishedDeck]) -> None:
        verb = {"published": "Published", "updated": "Published a new revision of", "unchanged": "Already on"}
        self._done(" ".join(f"{verb.get(d.outcome, d.outcome)} “{d.title}” on the team hub." for d in done))

    def withdraw_selected(self) -> None:
        deck = self._selected("withdraw")
        if deck is None:
            return
        reason, ok = QInputDialog.getText(
            self.window, "Withdraw from the team",
            f"Why is “{deck.title}” withdrawn? Every MSL's library records it at its next sync.",
            QLineEdit.EchoMode.Normal,
        )  # fmt: skip
        if not ok:
            return

        def job(work: Work) -> Withdrawn:
            from msldesk.team.publish import DeckPublisher

            return Withdrawn(DeckPublisher(work.app.team, work.app.decks).withdraw(str(deck.deck_id), reason))

        DbOp(self, job).success(self._on_withdrawn).run()

    def _on_withdrawn(self, done: Withdrawn) -> None:
        self._done(f"Withdrew “{done.deck.title}” on the team hub: each library marks it at its next sync.")

    def _done(self, text: str) -> None:
        self._say(text)
        self.said.emit(text)
