"""Advisory boards: people, events, agenda items (with linked slides/collections), attendance,
and the hand-ticked planning checklist; plus the people full-text index."""

import sqlalchemy as sa
from alembic import op

revision = "0003_boards"
down_revision = "0002_assembly"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=200), nullable=False),
        sa.Column("last_name", sa.String(length=200), nullable=False),
        sa.Column("credentials", sa.String(length=200), nullable=False),
        sa.Column("specialty", sa.String(length=300), nullable=False),
        sa.Column("institution", sa.String(length=500), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=100), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=False),
        sa.Column("tier", sa.String(length=50), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("consent_to_contact", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_index(op.f("ix_people_email"), "people", ["email"], unique=False)
    op.create_index("ix_people_name", "people", ["last_name", "first_name"], unique=False)
    op.create_index(op.f("ix_people_npi"), "people", ["npi"], unique=False)
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("objectives", sa.Text(), nullable=False),
        sa.Column("key_questions", sa.Text(), nullable=False),
        sa.Column("therapeutic_area", sa.String(length=200), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("starts_at_utc", sa.DateTime(), nullable=True),
        sa.Column("ends_at_utc", sa.DateTime(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("venue", sa.Text(), nullable=False),
        sa.Column("virtual_link", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("budget_estimated_cents", sa.Integer(), nullable=False),
        sa.Column("budget_committed_cents", sa.Integer(), nullable=False),
        sa.Column("budget_actual_cents", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_starts_at_utc"), "events", ["starts_at_utc"], unique=False)
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("presenter_id", sa.Integer(), nullable=True),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_agenda_items_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["presenter_id"],
            ["people.id"],
            name=op.f("fk_agenda_items_presenter_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
    )
    op.create_index("ix_agenda_items_event_position", "agenda_items", ["event_id", "position"], unique=False)
    op.create_index(op.f("ix_agenda_items_presenter_id"), "agenda_items", ["presenter_id"], unique=False)
    op.create_table(
        "agenda_slides",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("slide_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_items.id"],
            name=op.f("fk_agenda_slides_item_id_agenda_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["slide_id"], ["slides.id"], name=op.f("fk_agenda_slides_slide_id_slides"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("item_id", "position", name=op.f("pk_agenda_slides")),
    )
    op.create_index(op.f("ix_agenda_slides_slide_id"), "agenda_slides", ["slide_id"], unique=False)
    op.create_table(
        "agenda_collections",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("fk_agenda_collections_collection_id_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_items.id"],
            name=op.f("fk_agenda_collections_item_id_agenda_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "collection_id", name=op.f("pk_agenda_collections")),
    )
    op.create_index(
        op.f("ix_agenda_collections_collection_id"), "agenda_collections", ["collection_id"], unique=False
    )
    op.create_table(
        "attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("invitation", sa.String(length=20), nullable=False),
        sa.Column("contract_signed", sa.Boolean(), nullable=False),
        sa.Column("coi_disclosed", sa.Boolean(), nullable=False),
        sa.Column("honorarium_hundredth_hours", sa.Integer(), nullable=False),
        sa.Column("honorarium_rate_cents", sa.Integer(), nullable=False),
        sa.Column("honorarium_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("travel_cents", sa.Integer(), nullable=False),
        sa.Column("expenses_cents", sa.Integer(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(), nullable=True),
        sa.Column("attended_minutes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_attendances_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_attendances_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendances")),
        sa.UniqueConstraint("event_id", "person_id", name=op.f("uq_attendances_event_id")),
    )
    op.create_index(op.f("ix_attendances_person_id"), "attendances", ["person_id"], unique=False)
    op.create_table(
        "event_checklist",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_checklist_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "key", name=op.f("pk_event_checklist")),
    )

    if op.get_bind().dialect.name == "sqlite":
        # Directory search: rowid = people.id; every searchable field in one column, prefix-indexed.
        op.execute(
            "CREATE VIRTUAL TABLE people_fts USING fts5("
            "body, tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE people_fts")
    for table in (
        "event_checklist",
        "attendances",
        "agenda_collections",
        "agenda_slides",
        "agenda_items",
        "events",
        "people",
    ):
        op.drop_table(table)
