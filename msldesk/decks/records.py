"""Frozen records the deck service returns (never ORM objects), and the status rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from msldesk.core.changes import Changes
from msldesk.core.wording import plural

EXPIRING_WITHIN_DAYS = 30


class DeckStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"

    @property
    def blocked(self) -> bool:
        """Expired and withdrawn content is marked everywhere and left out of search by default."""
        return self in (DeckStatus.EXPIRED, DeckStatus.WITHDRAWN)

    @property
    def label(self) -> str:
        return {
            DeckStatus.DRAFT: "Draft",
            DeckStatus.APPROVED: "Approved",
            DeckStatus.EXPIRING: "Expiring soon",
            DeckStatus.EXPIRED: "Expired",
            DeckStatus.WITHDRAWN: "Withdrawn",
        }[self]


def derive_status(
    approval_code: str,
    approved_on: dt.date | None,
    expires_on: dt.date | None,
    withdrawn: bool,
    today: dt.date | None = None,
    expiring_within_days: int = EXPIRING_WITHIN_DAYS,
) -> DeckStatus:
    today = today or dt.date.today()
    if withdrawn:
        return DeckStatus.WITHDRAWN
    if expires_on is not None and expires_on < today:
        return DeckStatus.EXPIRED
    if not approval_code or approved_on is None or approved_on > today:
        return DeckStatus.DRAFT
    if expires_on is not None and expires_on <= today + dt.timedelta(days=expiring_within_days):
        return DeckStatus.EXPIRING
    return DeckStatus.APPROVED


@dataclass(frozen=True)
class DeckInfo:
    deck_id: int
    title: str
    approval_code: str
    approved_on: dt.date | None
    expires_on: dt.date | None
    withdrawn: bool
    status: DeckStatus
    therapeutic_area: str
    product: str
    audience: str
    tags: tuple[str, ...]
    version: int
    version_id: int
    sha256: str
    file_name: str
    kind: str
    strict: bool
    slide_count: int
    slides_added: int
    slides_changed: int
    slides_removed: int
    imported_at: dt.datetime  # aware, UTC
    thumbnail_state: str
    thumbnail_error: str
    warnings: tuple[str, ...]
    preview_pdf: str | None
    thumbnail_note: str = ""  # rendered, but not every slide (a deck past the render limit)
    origin: str = "local"  # "team": published by the organisation through the team hub, read-only here

    @property
    def is_team(self) -> bool:
        return self.origin == "team"


@dataclass(frozen=True)
class SlideInfo:
    slide_id: int
    deck_id: int
    deck_title: str
    version: int
    number: int
    title: str
    text: str
    notes: str
    layout: str
    hidden: bool
    has_chart: bool
    has_table: bool
    has_picture: bool
    has_media: bool
    change: str
    status: DeckStatus
    tags: tuple[str, ...]
    thumbnail: str | None

    @property
    def display_title(self) -> str:
        return self.title or f"Slide {self.number}"


@dataclass(frozen=True)
class SlidesInUse:
    """Slides of a deck, or a saved collection, that something outside the library links by id (an
    event's agenda): removing the deck or deleting the collection takes them from it, and it keeps a
    note saying so. The library never learns more of it."""

    kind: str  # what links them: "event"
    ref_id: int  # its id
    title: str
    date: dt.date | None  # when it takes place, when known
    # Slides it loses, each counted once: the deck's slides it links, or those of a deleted collection it
    # links only through that collection (0 when it links them otherwise too, or the collection is empty).
    slides: int
    parts: tuple[str, ...] = ()  # where inside it the slides are linked (agenda item titles)

    def describe(self) -> str:
        """“March board” (2027-01-06): 2 slides in “Data review”"""
        when = f" ({self.date:%Y-%m-%d})" if self.date else ""
        where = f" in {', '.join(f'“{p}”' for p in self.parts)}" if self.parts else ""
        if not self.slides:  # a deleted collection it links, whose slides it keeps otherwise (or none)
            return f"“{self.title}”{when}: linked{where}, no slides lost"
        return f"“{self.title}”{when}: {plural(self.slides, 'slide')}{where}"

    def linked(self) -> str:
        """“March board” (2027-01-06): linked in “Data review”, 1 slide lost — a collection saved over
        stays linked; `slides` counts those that left it and are no longer linked there."""
        when = f" ({self.date:%Y-%m-%d})" if self.date else ""
        where = f" in {', '.join(f'“{p}”' for p in self.parts)}" if self.parts else ""
        lost = f", {plural(self.slides, 'slide')} lost" if self.slides else ""
        return f"“{self.title}”{when}: linked{where}{lost}"


@dataclass(frozen=True)
class DeckRemovalPlan:
    """What removing a deck would take from where, read before the question is asked."""

    deck: DeckInfo
    collections: tuple[str, ...]  # saved collections holding its slides
    in_use: tuple[SlidesInUse, ...]  # event agendas linking its slides (directly or by a collection)


@dataclass(frozen=True)
class DeckRemoval:
    """What removing a deck did: the rows went in one transaction, then the files nobody uses."""

    deck_id: int
    title: str
    slides: int
    versions: int
    collections: tuple[str, ...]  # saved collections that lost slides (each got a note)
    files_deleted: int  # store files, previews and thumbnail folders
    files_kept: int  # content another deck still uses
    files_left: tuple[str, ...] = ()  # could not be deleted (in use, permissions): harmless leftovers
    in_use: tuple[SlidesInUse, ...] = ()  # event agendas that lost slides (their items got a note)

    @property
    def changes(self) -> Changes:
        return Changes(decks=True, slides=True, thumbnails=True, metadata=True, events=bool(self.in_use))


@dataclass(frozen=True)
class CollectionDeletion:
    """What deleting a saved collection takes (read before the question) or took: the agenda items
    linking it lose it and keep a note (with an audit record per event). Its slides stay in the library."""

    collection_id: int
    name: str
    slides: int
    in_use: tuple[SlidesInUse, ...] = ()  # event agendas linking it


@dataclass(frozen=True)
class CollectionReplacement:
    """What saving other slides under an existing collection's name changes, read before the question:
    its slides before and after, and the event agendas linking it (they stay linked, show the new
    slides and keep a note; an audit record per event)."""

    collection_id: int
    name: str
    slides_before: int
    slides_after: int
    leaving: int  # slides it holds now and not after
    joining: int  # slides it holds after and not now
    unchanged: bool  # the same slides in the same order: saving changes nothing, nothing to ask
    in_use: tuple[SlidesInUse, ...] = ()  # event agendas linking it

    def change(self) -> str:
        """ "It holds 5 slides and would hold 3: 2 leave it and 1 joins it." """
        if self.unchanged:
            return f"It already holds these {plural(self.slides_before, 'slide')} in this order."
        if not (self.leaving or self.joining):
            return f"It would hold the same {plural(self.slides_before, 'slide')} in another order."
        moves = [
            f"{count} {one if count == 1 else many} it"
            for count, one, many in ((self.leaving, "leaves", "leave"), (self.joining, "joins", "join"))
            if count
        ]
        held = plural(self.slides_before, "slide")
        return f"It holds {held} and would hold {self.slides_after}: {' and '.join(moves)}."


@dataclass(frozen=True)
class SearchHit:
    deck_id: int
    deck_title: str
    slide_id: int
    number: int
    title: str
    snippet: str  # HTML-escaped text with matches wrapped in <b>…</b>
    status: DeckStatus
    thumbnail: str | None


@dataclass(frozen=True)
class SearchFilters:
    include_expired: bool = False
    tag: str = ""
    therapeutic_area: str = ""
    status: DeckStatus | None = None
    deck_id: int | None = None


@dataclass(frozen=True)
class DeckUpdate:
    """Fields to change on a deck; None leaves a field as it is."""

    title: str | None = None
    approval_code: str | None = None
    approved_on: dt.date | None = None
    expires_on: dt.date | None = None
    clear_approved_on: bool = False
    clear_expires_on: bool = False
    withdrawn: bool | None = None
    therapeutic_area: str | None = None
    product: str | None = None
    audience: str | None = None
    tags: tuple[str, ...] | None = None
    add_tags: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ImportOutcome:
    path: str
    status: str  # imported | unchanged | updated | failed
    deck_id: int | None = None
    slides: int = 0
    error_kind: str = ""
    message: str = ""
    slides_added: int = 0
    slides_changed: int = 0
    slides_removed: int = 0

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "path": self.path,
            "status": self.status,
            "deck_id": self.deck_id,
            "slides": self.slides,
        }
        if self.status == "failed":
            data["error_kind"] = self.error_kind
            data["message"] = self.message
        elif self.message:
            data["message"] = self.message
        if self.status == "updated":
            data["slides_added"] = self.slides_added
            data["slides_changed"] = self.slides_changed
            data["slides_removed"] = self.slides_removed
        return data
