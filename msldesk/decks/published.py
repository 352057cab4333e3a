"""A deck's metadata as the team hub carries it: read from a publisher's deck to publish it, and applied
to a Team deck when a sync brings a new revision (the one way a read-only Team deck changes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from msldesk.core import clock
from msldesk.core.errors import NotFoundError
from msldesk.core.text_safety import clean_text, limit
from msldesk.decks.orm import CompanionRow, DeckRow, DeckTagRow, DeckVersionRow
from msldesk.decks.search import SlideSearchIndex
from msldesk.protect import audit

MAX_TAG_LENGTH = 100


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in tags:
        clean = " ".join(clean_text(tag).split())[:MAX_TAG_LENGTH]
        if clean and clean.lower() not in {t.lower() for t in seen}:
            seen[clean] = None
    return tuple(seen)


@dataclass(frozen=True)
class PublishedMeta:
    """What the hub says of a deck besides its file. `companions`: slide number -> the slide numbers
    that must follow it."""

    title: str
    approval_code: str = ""
    approved_on: dt.date | None = None
    expires_on: dt.date | None = None
    therapeutic_area: str = ""
    product: str = ""
    audience: str = ""
    tags: tuple[str, ...] = ()
    companions: dict[int, tuple[int, ...]] = field(default_factory=dict)
    withdrawn: bool = False


@dataclass(frozen=True)
class DeckFile:
    """The current file of a deck in the library's store."""

    sha256: str
    ext: str
    file_name: str
    slide_count: int


def read_published(session: Session, deck_id: int) -> tuple[DeckRow, PublishedMeta, DeckFile]:
    """A deck's row, its metadata as the hub would carry it, and its current file."""
    deck = session.get(DeckRow, deck_id)
    if deck is None:
        raise NotFoundError(f"There is no deck {deck_id} in the library.")
    version = session.scalars(
        select(DeckVersionRow).where(DeckVersionRow.deck_id == deck_id, DeckVersionRow.is_current)
    ).one()
    tags = tuple(session.scalars(select(DeckTagRow.tag).where(DeckTagRow.deck_id == deck_id).order_by("tag")))
    companions: dict[int, list[int]] = {}
    for row in session.scalars(
        select(CompanionRow).where(CompanionRow.deck_id == deck_id).order_by(CompanionRow.companion_number)
    ):
        companions.setdefault(row.slide_number, []).append(row.companion_number)
    meta = PublishedMeta(
        title=deck.title,
        approval_code=deck.approval_code,
        approved_on=deck.approved_on,
        expires_on=deck.expires_on,
        therapeutic_area=deck.therapeutic_area,
        product=deck.product,
        audience=deck.audience,
        tags=tags,
        companions={k: tuple(v) for k, v in sorted(companions.items())},
        withdrawn=deck.withdrawn,
    )
    file = DeckFile(version.sha256, version.file_ext, version.file_name, version.slide_count)
    return deck, meta, file


def apply_published(
    session: Session, index: SlideSearchIndex, deck_id: int, meta: PublishedMeta, *, withdrawn_only: bool
) -> str | None:
    """Make the deck say what the hub says (in the caller's transaction, audited); `withdrawn_only`: a
    publisher's own deck, whose metadata is theirs already, takes only the withdrawal. "withdrawn" or
    "reinstated" when this changed whether the deck is withdrawn, else None."""
    deck = session.get(DeckRow, deck_id)
    if deck is None:
        raise NotFoundError(f"There is no deck {deck_id} in the library.")
    before = approval_fields(deck)
    change = None if meta.withdrawn == deck.withdrawn else "withdrawn" if meta.withdrawn else "reinstated"
    deck.withdrawn = meta.withdrawn
    if not withdrawn_only:
        reindex = _apply_metadata(session, deck, meta)
        session.execute(delete(CompanionRow).where(CompanionRow.deck_id == deck_id))
        session.add_all(
            CompanionRow(deck_id=deck_id, slide_number=slide, companion_number=follower)
            for slide, followers in meta.companions.items()
            for follower in dict.fromkeys(followers)
            if follower != slide
        )
        session.flush()
        if reindex:
            index.reindex_deck(session, deck_id)
    deck.updated_at = clock.utc_now()
    old, new = audit.changed(before, approval_fields(deck))
    if old or new:
        audit.record(session, "deck.team-sync", "deck", deck_id, old, new)
    return change


def _apply_metadata(session: Session, deck: DeckRow, meta: PublishedMeta) -> bool:
    """Title, approval data and tags; True when the search index needs the deck again."""
    title = " ".join(limit(meta.title, "line", "The deck title").split()) or deck.title
    reindex = title != deck.title
    deck.title = title
    deck.approval_code = limit(meta.approval_code, "name", "The approval code").strip()
    deck.approved_on, deck.expires_on = meta.approved_on, meta.expires_on
    deck.therapeutic_area = limit(meta.therapeutic_area, "name", "The therapeutic area").strip()
    deck.product = limit(meta.product, "name", "The product").strip()
    deck.audience = limit(meta.audience, "name", "The audience").strip()
    current = set(session.scalars(select(DeckTagRow.tag).where(DeckTagRow.deck_id == deck.id)))
    wanted = set(normalise_tags(meta.tags))
    if wanted != current:
        session.execute(delete(DeckTagRow).where(DeckTagRow.deck_id == deck.id))
        session.add_all(DeckTagRow(deck_id=deck.id, tag=t) for t in sorted(wanted))
        reindex = True
    return reindex


def approval_fields(deck: DeckRow) -> dict[str, object]:
    """The compliance-relevant metadata of a deck: what the audit trail keeps a history of."""
    return {"title": deck.title, "approval_code": deck.approval_code, "approved_on": deck.approved_on,
            "expires_on": deck.expires_on, "withdrawn": deck.withdrawn}  # fmt: skip
