"""The audit log's update trigger admits exactly the erasure transform (protect.audit.erasure_transform).

Until now any content could become any text that started like a redaction marker. Now a content may
change only into a sealed marker: a JSON object of exactly `redacted` (a 64-character digest), `remaining`
and `seal`, whose digest stays the one an earlier marker kept. The digest of a first erasure and the
seal need SHA-256 and the chain key, which SQL does not have: verify recomputes those. The chain itself
is re-keyed by the app after this migration (msldesk.protect.audit.rekey), because only the app has the key.
"""

from alembic import op

revision = "0008_audit_keyed"
down_revision = "0007_flag_reviewer"
branch_labels = None
depends_on = None

APPEND_ONLY = "the audit log is append-only"
IMMUTABLE = ("id", "at_utc", "actor", "action", "entity", "entity_id", "prev_hash", "hash")
CONTENT = ("before_json", "after_json")
MARKER = '{"redacted":'


def _is_erasure(column: str) -> str:
    """SQL that holds when NEW.column is a sealed marker that keeps what OLD.column's chain digest is.
    CASE, because only it stops SQLite from reading text that is not JSON as JSON (an error)."""
    new, old = f"NEW.{column}", f"OLD.{column}"
    shape = (
        f"json_type({new}) = 'object' AND (SELECT count(*) FROM json_each({new})) = 3 "
        f"AND json_type({new}, '$.redacted') = 'text' AND length(json_extract({new}, '$.redacted')) = 64 "
        f"AND json_type({new}, '$.seal') = 'text' AND length(json_extract({new}, '$.seal')) = 64 "
        f"AND json_type({new}, '$.remaining') IS NOT NULL"
    )
    same_digest = (
        f"CASE WHEN {old} LIKE '{MARKER}%' AND json_valid({old}) "
        f"THEN json_extract({old}, '$.redacted') IS json_extract({new}, '$.redacted') ELSE 1 END"
    )
    return (
        f"(CASE WHEN typeof({new}) = 'text' AND {new} LIKE '{MARKER}%' AND json_valid({new}) "
        f"THEN ({shape}) AND ({same_digest}) ELSE 0 END)"
    )


def _create_update_trigger(when: str) -> None:
    op.execute(
        f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN {when} "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":  # PostgreSQL: a trigger function, when teams come
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    kept = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in IMMUTABLE)
    erased = " OR ".join(f"(NEW.{c} IS NOT OLD.{c} AND NOT {_is_erasure(c)})" for c in CONTENT)
    _create_update_trigger(f"{kept} OR {erased}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    kept = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in IMMUTABLE)
    redacted = " OR ".join(f"(NEW.{c} IS NOT OLD.{c} AND NEW.{c} NOT LIKE '{MARKER}%')" for c in CONTENT)
    _create_update_trigger(f"{kept} OR {redacted}")
