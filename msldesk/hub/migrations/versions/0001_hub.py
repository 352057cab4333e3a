"""The hub's groups, its members and its append-only, hash-chained audit trail."""

from msldesk.hub.migrations import run_sql

revision = "0001_hub"
down_revision = None
branch_labels = None
depends_on = None

# Group roles are global to the server: a second hub database on the same server shares them.
GROUPS = """
DO $$
DECLARE g text;
BEGIN
    FOREACH g IN ARRAY ARRAY['msldesk_publisher', 'msldesk_msl', 'msldesk_reviewer'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = g) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', g);
        END IF;
    END LOOP;
END $$;
-- Only the hub's groups (and the owner) may connect to the hub's database at all.
DO $$
BEGIN
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO msldesk_publisher, msldesk_msl, msldesk_reviewer',
                   current_database());
END $$;
REVOKE ALL ON SCHEMA msldesk FROM PUBLIC;
GRANT USAGE ON SCHEMA msldesk TO msldesk_publisher, msldesk_msl, msldesk_reviewer;
-- Every client checks that it speaks this hub's schema before anything else.
GRANT SELECT ON msldesk.alembic_version TO msldesk_publisher, msldesk_msl, msldesk_reviewer;
"""

MEMBERS = """
CREATE TABLE msldesk.members (
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('publisher', 'msl', 'reviewer')),
    added_at timestamptz NOT NULL DEFAULT now(),
    added_by text NOT NULL DEFAULT session_user,
    PRIMARY KEY (name, role)
);
ALTER TABLE msldesk.members ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_membership ON msldesk.members FOR SELECT
    TO msldesk_publisher, msldesk_msl USING (name = current_user);
CREATE POLICY reviewer_reads ON msldesk.members FOR SELECT TO msldesk_reviewer USING (true);
GRANT SELECT ON msldesk.members TO msldesk_publisher, msldesk_msl, msldesk_reviewer;
"""

# The chain: each record's hash covers its fields and the previous record's hash. The text hashed is
# rebuilt independently by msldesk.hub.audit (in Python) to verify it.
AUDIT = r"""
CREATE TABLE msldesk.audit (
    seq bigint PRIMARY KEY,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    subject text NOT NULL,
    subject_id text NOT NULL,
    details jsonb NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
);
GRANT SELECT ON msldesk.audit TO msldesk_reviewer;

CREATE FUNCTION msldesk.audit_text(seq bigint, at timestamptz, actor text, action text, subject text,
                                   subject_id text, details jsonb, prev_hash text) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT concat_ws(E'\x1f', seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                     actor, action, subject, subject_id, details::text, prev_hash)
$$;

CREATE FUNCTION msldesk.audit_append(p_action text, p_subject text, p_subject_id text, p_details jsonb)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = msldesk, pg_catalog, pg_temp
AS $$
DECLARE
    last_seq bigint;
    last_hash text;
    stamp timestamptz;
BEGIN
    -- One writer at a time extends the chain: the lock is held to the end of the transaction (so a
    -- pooler in transaction mode is fine), and the transaction may not sit idle holding it for long
    -- (a client cut off mid-push must not stop everyone else's pushes).
    PERFORM pg_advisory_xact_lock(hashtext('msldesk hub audit'));
    PERFORM set_config('idle_in_transaction_session_timeout', '60s', true);
    stamp := clock_timestamp();
    SELECT a.seq, a.hash INTO last_seq, last_hash FROM audit a ORDER BY a.seq DESC LIMIT 1;
    last_seq := coalesce(last_seq, 0);
    last_hash := coalesce(last_hash, repeat('0', 64));
    INSERT INTO audit VALUES (
        last_seq + 1, stamp, session_user, p_action, p_subject, p_subject_id, p_details, last_hash,
        encode(sha256(convert_to(
            audit_text(last_seq + 1, stamp, session_user, p_action, p_subject, p_subject_id, p_details,
                       last_hash), 'UTF8')), 'hex'));
END $$;

CREATE FUNCTION msldesk.refuse_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'msldesk hub: % on %.% is not allowed: its rows are history',
            TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'A correction is a new row (an amendment), never a change to an old one.';
END $$;

CREATE TRIGGER history_kept BEFORE UPDATE OR DELETE ON msldesk.audit
    FOR EACH ROW EXECUTE FUNCTION msldesk.refuse_change();
CREATE TRIGGER history_kept_truncate BEFORE TRUNCATE ON msldesk.audit
    FOR EACH STATEMENT EXECUTE FUNCTION msldesk.refuse_change();

CREATE FUNCTION msldesk.audit_membership() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = msldesk, pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM audit_append('role-granted', 'member', NEW.name, jsonb_build_object('role', NEW.role));
        RETURN NEW;
    END IF;
    PERFORM audit_append('role-revoked', 'member', OLD.name, jsonb_build_object('role', OLD.role));
    RETURN OLD;
END $$;
CREATE TRIGGER audited AFTER INSERT OR DELETE ON msldesk.members
    FOR EACH ROW EXECUTE FUNCTION msldesk.audit_membership();
CREATE TRIGGER history_kept BEFORE UPDATE ON msldesk.members
    FOR EACH ROW EXECUTE FUNCTION msldesk.refuse_change();
-- Only the triggers (running as the owner) may extend the chain.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA msldesk FROM PUBLIC;
"""


def upgrade() -> None:
    run_sql(GROUPS, MEMBERS, AUDIT)
