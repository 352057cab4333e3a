"""Bring a database to the current schema with Alembic, importing Alembic only when needed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

from msldesk.errors import DatabaseTooNewError

# The newest migration in msldesk/db/migrations/versions; a test keeps the two in step.
HEAD_REVISION = "0005_audit"
KNOWN_REVISIONS = ("0001_library", "0002_assembly", "0003_boards", "0004_capture", "0005_audit")
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Run pending migrations; refuse a database written by a newer msldesk."""
    revision = current_revision(engine)
    if revision == HEAD_REVISION:
        return  # the common case: no Alembic import, no start-up cost
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise DatabaseTooNewError(
            "This library was written by a newer version of msldesk. Update msldesk to open it.",
            f"database revision {revision!r}, this version knows up to {HEAD_REVISION!r}",
        )
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
