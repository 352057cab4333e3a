"""SQLAlchemy tables of the slide-deck library (kept in step with migration 0001)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from msldesk.db.base import Base


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
