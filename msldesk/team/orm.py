"""SQLAlchemy tables of the library's team state (kept in step with migration 0014): the hub it is
connected to, the uids its records are pushed under, and which local decks came from the hub."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from msldesk.db.base import Base


class TeamHubRow(Base):
    """The one hub this library talks to (one row, id 1, or none: a solo library). Never a password
    here unless there is no keyring: then it sits in this encrypted database (`password`)."""

    __tablename__ = "team_hub"
    __table_args__ = (CheckConstraint("id = 1", name="one_hub"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dsn: Mapped[str] = mapped_column(Text)  # a libpq connection string without its password
    user_name: Mapped[str] = mapped_column(String(200))
    # Where the password is: "keyring" (entry `secret_name`), "library" (`password`), or "none"
    # (libpq finds it: ~/.pgpass, $PGPASSWORD, a client certificate).
    password_in: Mapped[str] = mapped_column(String(20))
    secret_name: Mapped[str] = mapped_column(String(100), default="")
    password: Mapped[str | None] = mapped_column(Text, nullable=True)
    connected_at_utc: Mapped[dt.datetime] = mapped_column(DateTime)
    last_sync_utc: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # The hub's snapshot at the last pull (pg_current_snapshot() as text): the next pull starts there.
    pull_cursor: Mapped[str | None] = mapped_column(String(200), nullable=True)


class TeamUidRow(Base):
    """The uid a local record is pushed under, made here once so a push retried after a cut inserts
    nothing twice on the hub; `pushed_at_utc` is set when the hub has committed it."""

    __tablename__ = "team_uids"
    __table_args__ = (UniqueConstraint("kind", "local_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # "event", "agenda_item", "attendance", "entry", ...
    local_id: Mapped[int] = mapped_column(Integer)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    pushed_at_utc: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # A transfer of value, event, agenda item or attendance: what the hub has for it (JSON, push_rows.
    # kept_values: its fields, its event, how many corrections were pushed), so that a later change on
    # the laptop goes as a correction. A record deleted here keeps its row, its local id made minus the
    # row's id (migration 0016), so that the next push says it is gone.
    pushed_values: Mapped[str | None] = mapped_column(Text, nullable=True)


class TeamDeckRow(Base):
    """A deck that came from the hub (the deck itself is marked origin "team" and is read-only here)."""

    __tablename__ = "team_decks"

    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"), primary_key=True)
    hub_uid: Mapped[str] = mapped_column(String(36), unique=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class TeamShareRow(Base):
    """Whether a meeting is pushed shared with the other MSLs (no row: private, the default). Decided
    before the push: the hub never changes a pushed meeting."""

    __tablename__ = "team_shares"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    shared: Mapped[bool] = mapped_column(Boolean)
    decided_at_utc: Mapped[dt.datetime] = mapped_column(DateTime)
