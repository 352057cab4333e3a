"""The slide-deck library: decks, versions, sources, slides, tags and the full-text index."""

import sqlalchemy as sa
from alembic import op

revision = "0001_library"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("approval_code", sa.String(100), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("therapeutic_area", sa.String(200), nullable=False),
        sa.Column("product", sa.String(200), nullable=False),
        sa.Column("audience", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_decks"),
    )
    op.create_index("ix_decks_expires_on", "decks", ["expires_on"])
    op.create_table(
        "deck_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("deck_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("file_ext", sa.String(10), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("macro_enabled", sa.Boolean(), nullable=False),
        sa.Column("strict", sa.Boolean(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("slide_count", sa.Integer(), nullable=False),
        sa.Column("slides_added", sa.Integer(), nullable=False),
        sa.Column("slides_changed", sa.Integer(), nullable=False),
        sa.Column("slides_removed", sa.Integer(), nullable=False),
        sa.Column("thumbnail_state", sa.String(20), nullable=False),
        sa.Column("thumbnail_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deck_id"], ["decks.id"], name="fk_deck_versions_deck_id_decks", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_deck_versions"),
    )
    op.create_index("ix_deck_versions_sha256", "deck_versions", ["sha256"])
    op.create_index("ix_deck_versions_deck_current", "deck_versions", ["deck_id", "is_current"])
    op.create_table(
        "deck_sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("path", sa.String(4000), nullable=False),
        sa.Column("deck_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["deck_id"], ["decks.id"], name="fk_deck_sources_deck_id_decks", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_deck_sources"),
        sa.UniqueConstraint("path", name="uq_deck_sources_path"),
    )
    op.create_index("ix_deck_sources_deck_id", "deck_sources", ["deck_id"])
    op.create_table(
        "slides",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("deck_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("layout", sa.String(200), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("has_chart", sa.Boolean(), nullable=False),
        sa.Column("has_table", sa.Boolean(), nullable=False),
        sa.Column("has_picture", sa.Boolean(), nullable=False),
        sa.Column("has_media", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("change", sa.String(10), nullable=False),
        sa.Column("warning", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deck_id"], ["decks.id"], name="fk_slides_deck_id_decks", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["deck_versions.id"],
            name="fk_slides_version_id_deck_versions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_slides"),
    )
    op.create_index("ix_slides_deck_id", "slides", ["deck_id"])
    op.create_index("ix_slides_version_number", "slides", ["version_id", "number"])
    op.create_table(
        "deck_tags",
        sa.Column("deck_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["deck_id"], ["decks.id"], name="fk_deck_tags_deck_id_decks", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("deck_id", "tag", name="pk_deck_tags"),
    )
    op.create_index("ix_deck_tags_tag", "deck_tags", ["tag"])
    op.create_table(
        "slide_tags",
        sa.Column("slide_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["slide_id"], ["slides.id"], name="fk_slide_tags_slide_id_slides", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("slide_id", "tag", name="pk_slide_tags"),
    )
    op.create_index("ix_slide_tags_tag", "slide_tags", ["tag"])
    if op.get_bind().dialect.name == "sqlite":
        # Full-text index of current slides; rowid = slides.id. CJK text is stored one character
        # per token (see msldesk.decks.search) so that any CJK phrase can be found.
        op.execute(
            "CREATE VIRTUAL TABLE slide_fts USING fts5("
            "title, body, notes, deck_title, tags, "
            "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE slide_fts")
    for table in ("slide_tags", "deck_tags", "slides", "deck_sources", "deck_versions", "decks"):
        op.drop_table(table)
