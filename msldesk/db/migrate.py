"""Bring a database to the current schema with Alembic, importing Alembic only when needed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from msldesk.core.errors import DatabaseTooNewError, ReadOnlyLibraryError

if TYPE_CHECKING:  # SQLAlchemy loads when a database is opened, not with the revision names
    from sqlalchemy import Engine

# The newest migration in msldesk/migrations/versions; a test keeps the two in step.
HEAD_REVISION = "0016_team_gone"
KNOWN_REVISIONS = (
    "0001_library",
    "0002_assembly",
    "0003_boards",
    "0004_capture",
    "0005_audit",
    "0006_checkin_utc",
    "0007_flag_reviewer",
    "0008_audit_keyed",
    "0009_rehearsal",
    "0010_collection_note",
    "0011_agenda_note",
    "0012_deck_times_utc",
    "0013_note_removed_item",
    "0014_team",
    "0015_team_share",
    "0016_team_gone",
)
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import inspect, text

    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def refuse_unknown(revision: str | None, what: str = "This library") -> None:
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise DatabaseTooNewError(
            f"{what} was written by a newer version of msldesk. Update msldesk to open it.",
            f"database revision {revision!r}, this version knows up to {HEAD_REVISION!r}",
        )


def upgrade(engine: Engine, before_upgrade: Callable[[str], object] | None = None) -> str | None:
    """Run pending migrations; refuse a database written by a newer msldesk. `before_upgrade(revision)`
    runs first when an existing library is about to change (the app takes a backup there). Returns the
    revision the database had (None: it was new)."""
    revision = current_revision(engine)
    if revision == HEAD_REVISION:
        return revision  # the common case: no Alembic import, no start-up cost
    refuse_unknown(revision)
    if revision is not None and before_upgrade is not None:
        before_upgrade(revision)
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return revision


def older_than(revision: str | None, than: str) -> bool:
    """True when an existing database's `revision` comes before `than` (both known)."""
    return revision is not None and KNOWN_REVISIONS.index(revision) < KNOWN_REVISIONS.index(than)


def refuse_upgrade_read_only(engine: Engine, folder: Path) -> None:
    """A library in a read-only folder opens only if it needs no migration (that would write)."""
    revision = current_revision(engine)
    refuse_unknown(revision)
    if revision != HEAD_REVISION:
        raise ReadOnlyLibraryError(
            f"The library folder {folder} is read-only, and this library was made by an older version of "
            "msldesk: it must be upgraded before this version can open it, and upgrading writes to it. "
            "Make the folder writable and open it once (or open it with the older version).",
            f"database revision {revision!r}, this version needs {HEAD_REVISION!r}",
        )
