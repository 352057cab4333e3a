"""Members leave and come back: `hub remove-user` marks a member removed (their login is disabled, never
dropped: what they pushed keeps its owner), `add-user` brings them back or changes their role. Each is
one audit record, written by the members table's trigger like a grant."""

from msldesk.hub.migrations import run_sql

revision = "0004_members"
down_revision = "0003_records"
branch_labels = None
depends_on = None

MEMBERS = """
ALTER TABLE msldesk.members ADD COLUMN removed_at timestamptz, ADD COLUMN removed_by text;
DROP TRIGGER history_kept ON msldesk.members;

-- Who did what and when is set here, whatever the client sends; a member's name never changes.
CREATE FUNCTION msldesk.stamp_member() RETURNS trigger
LANGUAGE plpgsql
SET search_path = msldesk, pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.name IS DISTINCT FROM OLD.name THEN
        RAISE EXCEPTION 'msldesk hub: a member''s name is not changed (add the new name, remove the old)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'INSERT' OR (OLD.removed_at IS NOT NULL AND NEW.removed_at IS NULL)
            OR NEW.role IS DISTINCT FROM OLD.role THEN
        NEW.added_at := now();  -- the membership as it is now began here
        NEW.added_by := session_user;
    ELSE
        NEW.added_at := OLD.added_at;
        NEW.added_by := OLD.added_by;
    END IF;
    IF NEW.removed_at IS NULL THEN
        NEW.removed_by := NULL;
    ELSIF TG_OP = 'INSERT' OR OLD.removed_at IS NULL THEN
        NEW.removed_at := now();
        NEW.removed_by := session_user;
    ELSE
        NEW.removed_at := OLD.removed_at;
        NEW.removed_by := OLD.removed_by;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER stamped BEFORE INSERT OR UPDATE ON msldesk.members
    FOR EACH ROW EXECUTE FUNCTION msldesk.stamp_member();

-- A row inserted already removed: a member made with psql (no add-user), found and removed by remove-user.
-- A removed member's row deleted later (their role changed when they came back) was audited when removed.
CREATE OR REPLACE FUNCTION msldesk.audit_membership() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = msldesk, pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.removed_at IS NULL THEN
        PERFORM audit_append('role-granted', 'member', NEW.name, jsonb_build_object('role', NEW.role));
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM audit_append('member-removed', 'member', NEW.name,
                             jsonb_build_object('role', NEW.role, 'granted_outside_msldesk', true));
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.removed_at IS NULL THEN
            PERFORM audit_append('role-revoked', 'member', OLD.name, jsonb_build_object('role', OLD.role));
        END IF;
        RETURN OLD;
    ELSIF OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL THEN
        PERFORM audit_append('member-removed', 'member', NEW.name, jsonb_build_object('role', NEW.role));
    ELSIF OLD.removed_at IS NOT NULL AND NEW.removed_at IS NULL THEN
        PERFORM audit_append('member-restored', 'member', NEW.name,
                             jsonb_build_object('role', NEW.role, 'previous_role', OLD.role,
                                                'removed_at', OLD.removed_at));
    ELSIF NEW.role IS DISTINCT FROM OLD.role THEN
        PERFORM audit_append('role-changed', 'member', NEW.name,
                             jsonb_build_object('role', NEW.role, 'previous_role', OLD.role));
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER audited ON msldesk.members;
CREATE TRIGGER audited AFTER INSERT OR UPDATE OR DELETE ON msldesk.members
    FOR EACH ROW EXECUTE FUNCTION msldesk.audit_membership();
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA msldesk FROM PUBLIC;
"""


def upgrade() -> None:
    run_sql(MEMBERS)
