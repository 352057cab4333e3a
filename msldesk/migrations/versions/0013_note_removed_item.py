"""Meeting notes keep the title of the agenda item they were filed under when that item is removed."""

import sqlalchemy as sa
from alembic import op

revision = "0013_note_removed_item"
down_revision = "0012_deck_times_utc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("note_entries") as batch:
        batch.add_column(sa.Column("removed_item", sa.String(500), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("note_entries") as batch:
        batch.drop_column("removed_item")
