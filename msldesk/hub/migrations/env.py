"""Alembic environment for the hub: runs on the connection msldesk.hub.schema hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("The hub's schema is made by `msldesk hub init` (msldesk.hub.schema.init_hub).")

# Two administrators running init at once take turns; the lock ends with the transaction.
connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('msldesk hub init'))"))
connection.execute(text("CREATE SCHEMA IF NOT EXISTS msldesk"))
context.configure(
    connection=connection,
    version_table="alembic_version",
    version_table_schema="msldesk",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
