"""Rehearsals: note entries typed in a rehearsal are marked so, and an event remembers when its
running rehearsal started (agenda times recorded since then belong to the rehearsal).

Existing entries are real ones (`rehearsal` false) and no event is rehearsing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_rehearsal"
down_revision = "0008_audit_keyed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("note_entries") as batch:
        batch.add_column(sa.Column("rehearsal", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("rehearsal_started_at_utc", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("rehearsal_started_at_utc")
    with op.batch_alter_table("note_entries") as batch:
        batch.drop_column("rehearsal")
