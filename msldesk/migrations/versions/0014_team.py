"""Team state: the hub a library is connected to, the uids its records are pushed under, and decks
pulled from the hub (marked origin "team")."""

import sqlalchemy as sa
from alembic import op

revision = "0014_team"
down_revision = "0013_note_removed_item"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decks") as batch:
        batch.add_column(sa.Column("origin", sa.String(20), nullable=False, server_default="local"))
    op.create_table(
        "team_hub",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dsn", sa.Text(), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("password_in", sa.String(20), nullable=False),
        sa.Column("secret_name", sa.String(100), nullable=False),
        sa.Column("password", sa.Text(), nullable=True),
        sa.Column("connected_at_utc", sa.DateTime(), nullable=False),
        sa.Column("last_sync_utc", sa.DateTime(), nullable=True),
        sa.Column("pull_cursor", sa.String(200), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_team_hub_one_hub")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_hub")),
    )
    op.create_table(
        "team_uids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("pushed_at_utc", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_uids")),
        sa.UniqueConstraint("kind", "local_id", name=op.f("uq_team_uids_kind")),
        sa.UniqueConstraint("uid", name=op.f("uq_team_uids_uid")),
    )
    op.create_table(
        "team_decks",
        sa.Column("deck_id", sa.Integer(), nullable=False),
        sa.Column("hub_uid", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deck_id"], ["decks.id"], name=op.f("fk_team_decks_deck_id_decks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("deck_id", name=op.f("pk_team_decks")),
        sa.UniqueConstraint("hub_uid", name=op.f("uq_team_decks_hub_uid")),
    )


def downgrade() -> None:
    op.drop_table("team_decks")
    op.drop_table("team_uids")
    op.drop_table("team_hub")
    with op.batch_alter_table("decks") as batch:
        batch.drop_column("origin")
