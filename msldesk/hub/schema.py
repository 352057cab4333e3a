"""`msldesk hub init`: create or upgrade the hub's schema, groups and policies (its own Alembic history)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msldesk.hub.connect import connect, hub_errors
from msldesk.hub.errors import HubNotReadyError, HubPermissionError

SCHEMA = "msldesk"
GROUPS = {"publisher": "msldesk_publisher", "msl": "msldesk_msl", "reviewer": "msldesk_reviewer"}
# The newest revision in msldesk/hub/migrations/versions; a test keeps the two in step.
HEAD_REVISION = "0004_members"
KNOWN_REVISIONS = ("0001_hub", "0002_library", "0003_records", "0004_members")
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class InitResult:
    before: str | None  # None: the database had no hub yet
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def revision_of(connection: Any) -> str | None:
    """The hub revision of the database on a psycopg connection (None: no hub schema yet)."""
    # pg_catalog only: naming a schema the user may not use would itself be refused.
    readable = connection.execute(
        "SELECT has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT') "
        "FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = 'alembic_version' "
        "WHERE n.nspname = 'msldesk'"
    ).fetchone()
    if readable is None:
        return None
    if not readable[0]:
        raise HubPermissionError(
            "This user is in none of the hub's groups (publisher, MSL, reviewer): an administrator adds "
            "it with `msldesk hub add-user`."
        )
    row = connection.execute("SELECT version_num FROM msldesk.alembic_version").fetchone()
    return row[0] if row else None


def refuse_unknown(revision: str | None) -> None:
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise HubNotReadyError(
            "This hub was set up by a newer version of msldesk. Update msldesk to use it.",
            f"hub revision {revision!r}, this version knows up to {HEAD_REVISION!r}",
        )


def require_current(connection: Any) -> None:
    """Refuse to work with a database whose hub is missing or at another revision than this msldesk's."""
    revision = revision_of(connection)
    refuse_unknown(revision)
    if revision != HEAD_REVISION:
        raise HubNotReadyError(
            "This database has no msldesk hub yet, or an older one: an administrator runs "
            "`msldesk hub init DSN` first.",
            f"hub revision {revision!r}, this version needs {HEAD_REVISION!r}",
        )


def init_hub(dsn: str, revision: str = "head") -> InitResult:
    """Create or upgrade the hub in the database `dsn` names, in one transaction (nothing half-made
    remains if it fails). Needs a role that may create schemas in that database and create roles."""
    with connect(dsn) as probe, hub_errors("read the hub's revision"):
        before = revision_of(probe)
    refuse_unknown(before)
    if before in (HEAD_REVISION, revision):
        return InitResult(before, before)
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = create_engine("postgresql+psycopg://", creator=lambda: connect(dsn), poolclass=NullPool)
    try:
        with hub_errors("set up the hub's schema"), engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()
    with connect(dsn) as check, hub_errors("read the hub's revision"):
        after = revision_of(check)
    assert after is not None
    return InitResult(before, after)
