"""Deck assembly: saved collections, companion slides, and the record of every assembled deck."""

import sqlalchemy as sa
from alembic import op

revision = "0002_assembly"
down_revision = "0001_library"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_collections"),
        sa.UniqueConstraint("name", name="uq_collections_name"),
    )
    op.create_table(
        "collection_items",
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("slide_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name="fk_collection_items_collection_id_collections",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["slide_id"], ["slides.id"], name="fk_collection_items_slide_id_slides", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("collection_id", "position", name="pk_collection_items"),
    )
    op.create_index("ix_collection_items_slide_id", "collection_items", ["slide_id"])
    op.create_table(
        "deck_companions",
        sa.Column("deck_id", sa.Integer(), nullable=False),
        sa.Column("slide_number", sa.Integer(), nullable=False),
        sa.Column("companion_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deck_id"], ["decks.id"], name="fk_deck_companions_deck_id_decks", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("deck_id", "slide_number", "companion_number", name="pk_deck_companions"),
    )
    op.create_table(
        "assemblies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("output_path", sa.String(4000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("slide_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assemblies"),
    )
    op.create_table(
        "assembly_items",
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("slide_id", sa.Integer(), nullable=True),
        sa.Column("deck_id", sa.Integer(), nullable=True),
        sa.Column("deck_title", sa.String(500), nullable=False),
        sa.Column("deck_version", sa.Integer(), nullable=True),
        sa.Column("slide_number", sa.Integer(), nullable=True),
        sa.Column("approval_code", sa.String(100), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assemblies.id"],
            name="fk_assembly_items_assembly_id_assemblies",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assembly_id", "position", name="pk_assembly_items"),
    )


def downgrade() -> None:
    for table in ("assembly_items", "assemblies", "deck_companions", "collection_items", "collections"):
        op.drop_table(table)
