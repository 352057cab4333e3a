"""SQLAlchemy tables of the slide-deck library (kept in step with migration 0001)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from msldesk.db.base import Base

LOCAL, TEAM = "local", "team"  # a deck's origin


class DeckRow(Base):
    __tablename__ = "decks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    approval_code: Mapped[str] = mapped_column(String(100), default="")
    approved_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    therapeutic_area: Mapped[str] = mapped_column(String(200), default="")
    product: Mapped[str] = mapped_column(String(200), default="")
    audience: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # "local": imported here, the user's own; "team": published on the team hub and pulled, read-only here.
    origin: Mapped[str] = mapped_column(String(20), default=LOCAL, server_default=LOCAL)


class DeckVersionRow(Base):
    __tablename__ = "deck_versions"
    __table_args__ = (Index("ix_deck_versions_deck_current", "deck_id", "is_current"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_ext: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(BigInteger)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(20))
    macro_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    strict: Mapped[bool] = mapped_column(Boolean, default=False)
    warnings: Mapped[str] = mapped_column(Text, default="")
    slide_count: Mapped[int] = mapped_column(Integer, default=0)
    slides_added: Mapped[int] = mapped_column(Integer, default=0)
    slides_changed: Mapped[int] = mapped_column(Integer, default=0)
    slides_removed: Mapped[int] = mapped_column(Integer, default=0)
    thumbnail_state: Mapped[str] = mapped_column(String(20), default="pending")
    thumbnail_error: Mapped[str] = mapped_column(Text, default="")


class DeckSourceRow(Base):
    """A file path the user imported from, to make re-importing an unchanged file a stat() call."""

    __tablename__ = "deck_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(4000), unique=True)
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))


class SlideRow(Base):
    __tablename__ = "slides"
    __table_args__ = (Index("ix_slides_version_number", "version_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("deck_versions.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    layout: Mapped[str] = mapped_column(String(200), default="")
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    has_chart: Mapped[bool] = mapped_column(Boolean, default=False)
    has_table: Mapped[bool] = mapped_column(Boolean, default=False)
    has_picture: Mapped[bool] = mapped_column(Boolean, default=False)
    has_media: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64))
    change: Mapped[str] = mapped_column(String(10), default="")  # "", new, changed, unchanged
    warning: Mapped[str] = mapped_column(Text, default="")


class DeckTagRow(Base):
    __tablename__ = "deck_tags"

    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class SlideTagRow(Base):
    __tablename__ = "slide_tags"

    slide_id: Mapped[int] = mapped_column(ForeignKey("slides.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class CollectionRow(Base):
    """A named, ordered selection of library slides, saved to build decks from again."""

    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # What happened to it the user should hear about when opening it (slides of a removed deck).
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


class CollectionItemRow(Base):
    __tablename__ = "collection_items"

    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    slide_id: Mapped[int] = mapped_column(ForeignKey("slides.id", ondelete="CASCADE"), index=True)


class CompanionRow(Base):
    """Slide `companion_number` of a deck must follow slide `slide_number` (safety, fair balance)."""

    __tablename__ = "deck_companions"

    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"), primary_key=True)
    slide_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    companion_number: Mapped[int] = mapped_column(Integer, primary_key=True)


class AssemblyRow(Base):
    """A deck built by msldesk: what went into it, for compliance."""

    __tablename__ = "assemblies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    output_path: Mapped[str] = mapped_column(String(4000))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    slide_count: Mapped[int] = mapped_column(Integer)


class AssemblyItemRow(Base):
    __tablename__ = "assembly_items"

    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    slide_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: generated slide
    deck_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deck_title: Mapped[str] = mapped_column(String(500), default="")
    deck_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    slide_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approval_code: Mapped[str] = mapped_column(String(100), default="")
    expires_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")
