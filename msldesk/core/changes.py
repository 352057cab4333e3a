"""A frozen record of what a service call changed, so views refresh without calling each other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    decks: bool = False
    slides: bool = False
    thumbnails: bool = False
    metadata: bool = False
    people: bool = False
    events: bool = False
    notes: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            decks=self.decks or other.decks,
            slides=self.slides or other.slides,
            thumbnails=self.thumbnails or other.thumbnails,
            metadata=self.metadata or other.metadata,
            people=self.people or other.people,
            events=self.events or other.events,
            notes=self.notes or other.notes,
        )

    @property
    def any(self) -> bool:
        return any(
            (self.decks, self.slides, self.thumbnails, self.metadata, self.people, self.events, self.notes)
        )
