"""Alembic environment: runs migrations on the connection msldesk hands over."""

from __future__ import annotations

from alembic import context

from msldesk.boards import orm as boards_orm  # noqa: F401  (registers the board tables)
from msldesk.db.base import Base
from msldesk.decks import orm  # noqa: F401  (registers the deck tables on Base.metadata)
from msldesk.team import orm as team_orm  # noqa: F401  (registers the team tables)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("msldesk runs migrations through msldesk.db.migrate.upgrade().")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
