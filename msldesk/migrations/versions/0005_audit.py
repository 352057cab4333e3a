"""The audit trail: an append-only, hash-chained log. Triggers refuse DELETE, and UPDATE except the
redaction of personal data when a person is erased."""

import sqlalchemy as sa
from alembic import op

revision = "0005_audit"
down_revision = "0004_capture"
branch_labels = None
depends_on = None

APPEND_ONLY = "the audit log is append-only"
IMMUTABLE = ("id", "at_utc", "actor", "action", "entity", "entity_id", "prev_hash", "hash")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at_utc", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("before_json", sa.Text(), nullable=False),
        sa.Column("after_json", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])
    if op.get_bind().dialect.name == "sqlite":  # PostgreSQL: a rule or trigger function, when teams come
        op.execute(
            f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )
        # The one change allowed: erasing a person blanks their personal data in a record's content,
        # leaving a marker with the digest the chain was built on (see msldesk.protect.audit.redact).
        kept = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in IMMUTABLE)
        redacted = " OR ".join(
            f"(NEW.{c} IS NOT OLD.{c} AND NEW.{c} NOT LIKE '{{\"redacted\":%')"
            for c in ("before_json", "after_json")
        )
        op.execute(
            f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN {kept} OR {redacted} "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_table("audit_log")
