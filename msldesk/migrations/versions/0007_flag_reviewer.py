"""Who reviewed a flagged note entry, and when.

A flagged entry's review (acceptable or not) was kept as two yes/no columns, so a compliance summary
could say what was decided but not by whom: the audit trail only records reviews made after
finalization. `flag_reviewed_by` (the reviewer's account name) and `flag_reviewed_at_utc` are set by
every review from now on; reviews made before this version show as "not recorded".
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_flag_reviewer"
down_revision = "0006_checkin_utc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("note_entries") as batch:
        batch.add_column(
            sa.Column("flag_reviewed_by", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("flag_reviewed_at_utc", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("note_entries") as batch:
        batch.drop_column("flag_reviewed_at_utc")
        batch.drop_column("flag_reviewed_by")
