"""Team push: a local record the ledger (team_uids) knows is retired when it is deleted. SQLite gives a
new row the id of the last one deleted, so without this an agenda item or attendee added after one was
removed would pass for the removed one: not sent, or sent under its uid (the hub keeps the old row).
A retired ledger row keeps its uid and kind; its local id becomes minus its own id (never a record's),
so the next push sends the removal. Triggers, so that every delete counts: the services', a person's
erasure cascading to their attendance, anything to come. (A migration that rebuilds one of these tables
must create its trigger again.)"""

from alembic import op

revision = "0016_team_gone"
down_revision = "0015_team_share"
branch_labels = None
depends_on = None

# table -> the ledger kinds whose local id is that table's id (a transfer of value is its attendance's)
RETIRED = {
    "agenda_items": "kind = 'agenda_item'",
    "attendances": "(kind = 'attendance' OR kind LIKE 'payment.%')",
}


def upgrade() -> None:
    for table, kinds in RETIRED.items():
        op.execute(
            f"CREATE TRIGGER team_uids_{table}_gone AFTER DELETE ON {table} BEGIN "
            f"UPDATE team_uids SET local_id = -id WHERE {kinds} AND local_id = OLD.id; END"
        )


def downgrade() -> None:
    for table in RETIRED:
        op.execute(f"DROP TRIGGER team_uids_{table}_gone")
