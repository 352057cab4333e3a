"""SQLAlchemy tables of events, agendas, people, attendance and meeting notes (kept in step with the
migrations 0003, 0004, 0007, 0009, 0011 and 0013).

Money is stored as integer cents and hours as hundredths: exact, and portable to PostgreSQL.
Event times are stored in UTC with the event's IANA time zone name beside them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from msldesk.db.base import Base


class PersonRow(Base):
    __tablename__ = "people"
    __table_args__ = (Index("ix_people_name", "last_name", "first_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    credentials: Mapped[str] = mapped_column(String(200), default="")
    specialty: Mapped[str] = mapped_column(String(300), default="")
    institution: Mapped[str] = mapped_column(String(500), default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="", index=True)
    phone: Mapped[str] = mapped_column(String(100), default="")
    npi: Mapped[str] = mapped_column(String(10), default="", index=True)
    tier: Mapped[str] = mapped_column(String(50), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    consent_to_contact: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    objectives: Mapped[str] = mapped_column(Text, default="")
    key_questions: Mapped[str] = mapped_column(Text, default="")
    therapeutic_area: Mapped[str] = mapped_column(String(200), default="")
    product: Mapped[str] = mapped_column(String(200), default="")
    starts_at_utc: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    ends_at_utc: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    venue: Mapped[str] = mapped_column(Text, default="")
    virtual_link: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[str] = mapped_column(String(20), default="planning")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    budget_estimated_cents: Mapped[int] = mapped_column(Integer, default=0)
    budget_committed_cents: Mapped[int] = mapped_column(Integer, default=0)
    budget_actual_cents: Mapped[int] = mapped_column(Integer, default=0)
    executive_summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    finalized_at_utc: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # Set while meeting mode rehearses the event: agenda times recorded since then are the rehearsal's.
    rehearsal_started_at_utc: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AgendaItemRow(Base):
    __tablename__ = "agenda_items"
    __table_args__ = (Index("ix_agenda_items_event_position", "event_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="presentation")
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    presenter_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True, index=True
    )
    questions: Mapped[str] = mapped_column(Text, default="")
    actual_start_utc: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    actual_end_utc: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # What happened to its linked slides the user should hear about (slides of a removed deck).
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


class AgendaSlideRow(Base):
    """Library slides linked to an agenda item, in order."""

    __tablename__ = "agenda_slides"

    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    slide_id: Mapped[int] = mapped_column(ForeignKey("slides.id", ondelete="CASCADE"), index=True)


class AgendaCollectionRow(Base):
    __tablename__ = "agenda_collections"

    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True)
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AttendanceRow(Base):
    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="advisor")
    invitation: Mapped[str] = mapped_column(String(20), default="not-sent")
    contract_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    coi_disclosed: Mapped[bool] = mapped_column(Boolean, default=False)
    honorarium_hundredth_hours: Mapped[int] = mapped_column(Integer, default=0)
    honorarium_rate_cents: Mapped[int] = mapped_column(Integer, default=0)
    honorarium_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    travel_cents: Mapped[int] = mapped_column(Integer, default=0)
    expenses_cents: Mapped[int] = mapped_column(Integer, default=0)
    checked_in_at_utc: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    attended_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)

    @property
    def has_amounts(self) -> bool:
        """An honorarium, travel or expenses recorded: a transfer of value, reported or not."""
        return self.honorarium_cents > 0 or self.travel_cents > 0 or self.expenses_cents > 0


class ChecklistRow(Base):
    """Planning steps ticked by hand (the automatic ones are derived from attendance)."""

    __tablename__ = "event_checklist"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)


class EventThemeRow(Base):
    """The event's theme taxonomy, in the order the user gave it."""

    __tablename__ = "event_themes"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class NoteEntryRow(Base):
    """One time-stamped entry typed during (or after) a meeting."""

    __tablename__ = "note_entries"
    __table_args__ = (Index("ix_note_entries_event_created", "event_id", "created_at_utc"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), nullable=True
    )
    # The title of the agenda item it was filed under, when that item was removed from the agenda.
    removed_item: Mapped[str] = mapped_column(String(500), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(20), default="note")
    text: Mapped[str] = mapped_column(Text, default="")
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True, index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True, index=True
    )
    owner: Mapped[str] = mapped_column(String(300), default="")
    due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_terms: Mapped[str] = mapped_column(Text, default="")  # newline-separated restricted terms found
    flag_reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_cleared: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reviewed_by: Mapped[str] = mapped_column(String(200), default="", server_default="")  # account name
    flag_reviewed_at_utc: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("note_entries.id", ondelete="SET NULL"), nullable=True
    )
    created_at_utc: Mapped[dt.datetime] = mapped_column(DateTime)
    edited_at_utc: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # Typed in a rehearsal: left out of every list, report and export; deleted in one go.
    rehearsal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class NoteThemeRow(Base):
    __tablename__ = "note_themes"

    entry_id: Mapped[int] = mapped_column(ForeignKey("note_entries.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(200), primary_key=True)


class NoteAmendmentRow(Base):
    """A correction made after the event was finalized; the original entry stays as it was."""

    __tablename__ = "note_amendments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("note_entries.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at_utc: Mapped[dt.datetime] = mapped_column(DateTime)


class NoteDraftRow(Base):
    """What is in the note field but not yet entered, saved as it is typed."""

    __tablename__ = "note_drafts"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    saved_at_utc: Mapped[dt.datetime] = mapped_column(DateTime)
