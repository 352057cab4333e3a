"""Meeting capture: note entries (with themes and amendments), the unsaved draft per event, the
event's theme taxonomy, actual agenda times, the executive summary and finalization."""

import sqlalchemy as sa
from alembic import op

revision = "0004_capture"
down_revision = "0003_boards"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("executive_summary", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("finalized_at_utc", sa.DateTime(), nullable=True))
    with op.batch_alter_table("agenda_items") as batch:
        batch.add_column(sa.Column("actual_start_utc", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("actual_end_utc", sa.DateTime(), nullable=True))
    op.create_table(
        "event_themes",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_themes_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "position", name=op.f("pk_event_themes")),
    )
    op.create_table(
        "note_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("owner", sa.String(length=300), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("is_key", sa.Boolean(), nullable=False),
        sa.Column("flag_terms", sa.Text(), nullable=False),
        sa.Column("flag_reviewed", sa.Boolean(), nullable=False),
        sa.Column("flag_cleared", sa.Boolean(), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("created_at_utc", sa.DateTime(), nullable=False),
        sa.Column("edited_at_utc", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_note_entries_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_note_entries_agenda_item_id_agenda_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["people.id"], name=op.f("fk_note_entries_speaker_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["people.id"], name=op.f("fk_note_entries_owner_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["note_entries.id"],
            name=op.f("fk_note_entries_merged_into_id_note_entries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_entries")),
    )
    op.create_index("ix_note_entries_event_created", "note_entries", ["event_id", "created_at_utc"])
    op.create_index(op.f("ix_note_entries_speaker_id"), "note_entries", ["speaker_id"])
    op.create_index(op.f("ix_note_entries_owner_id"), "note_entries", ["owner_id"])
    op.create_table(
        "note_themes",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["note_entries.id"],
            name=op.f("fk_note_themes_entry_id_note_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "theme", name=op.f("pk_note_themes")),
    )
    op.create_table(
        "note_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at_utc", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["note_entries.id"],
            name=op.f("fk_note_amendments_entry_id_note_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_amendments")),
    )
    op.create_index(op.f("ix_note_amendments_entry_id"), "note_amendments", ["entry_id"])
    op.create_table(
        "note_drafts",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_at_utc", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_note_drafts_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_note_drafts_agenda_item_id_agenda_items"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_note_drafts")),
    )


def downgrade() -> None:
    op.drop_table("note_drafts")
    op.drop_index(op.f("ix_note_amendments_entry_id"), table_name="note_amendments")
    op.drop_table("note_amendments")
    op.drop_table("note_themes")
    op.drop_index(op.f("ix_note_entries_owner_id"), table_name="note_entries")
    op.drop_index(op.f("ix_note_entries_speaker_id"), table_name="note_entries")
    op.drop_index("ix_note_entries_event_created", table_name="note_entries")
    op.drop_table("note_entries")
    op.drop_table("event_themes")
    with op.batch_alter_table("agenda_items") as batch:
        batch.drop_column("actual_end_utc")
        batch.drop_column("actual_start_utc")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("finalized_at_utc")
        batch.drop_column("executive_summary")
