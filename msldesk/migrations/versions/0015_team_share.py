"""Team push: whether a finalized meeting goes to the hub shared with the other MSLs (decided on the
laptop before it is pushed; the hub keeps what was pushed), and what a transfer of value was pushed as
(so that a later change to it goes as a correction)."""

import sqlalchemy as sa
from alembic import op

revision = "0015_team_share"
down_revision = "0014_team"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("team_uids") as batch:
        batch.add_column(sa.Column("pushed_values", sa.Text(), nullable=True))
    op.create_table(
        "team_shares",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("decided_at_utc", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_team_shares_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_team_shares")),
    )


def downgrade() -> None:
    op.drop_table("team_shares")
    with op.batch_alter_table("team_uids") as batch:
        batch.drop_column("pushed_values")
