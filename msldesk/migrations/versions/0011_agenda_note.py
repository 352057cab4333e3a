"""Agenda items get a note: removing a deck takes the item's slides of it and says so there."""

import sqlalchemy as sa
from alembic import op

revision = "0011_agenda_note"
down_revision = "0010_collection_note"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agenda_items") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("agenda_items") as batch:
        batch.drop_column("note")
