"""Saved collections get a note: removing a deck takes its slides out and says so there."""

import sqlalchemy as sa
from alembic import op

revision = "0010_collection_note"
down_revision = "0009_rehearsal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("collections") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("collections") as batch:
        batch.drop_column("note")
