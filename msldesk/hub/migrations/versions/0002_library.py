"""The published library: decks with their approval data, and their files stored by content in chunks."""

from msldesk.hub.migrations import run_sql

revision = "0002_library"
down_revision = "0001_hub"
branch_labels = None
depends_on = None

# A file is named by its SHA-256 and stored as numbered chunks, each checked against its own hash as it
# is written: an interrupted upload or download resumes at the first chunk it lacks.
FILES = """
CREATE TABLE msldesk.deck_files (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size bigint NOT NULL CHECK (size >= 0),
    chunk_size integer NOT NULL CHECK (chunk_size > 0),
    chunk_count integer NOT NULL CHECK (chunk_count = (size + chunk_size - 1) / chunk_size),
    added_at timestamptz NOT NULL DEFAULT now(),
    added_by text NOT NULL DEFAULT session_user
);
CREATE TABLE msldesk.file_chunks (
    file_sha256 text NOT NULL REFERENCES msldesk.deck_files (sha256),
    n integer NOT NULL CHECK (n >= 0),
    data bytea NOT NULL,
    chunk_sha256 text NOT NULL CHECK (chunk_sha256 = encode(sha256(data), 'hex')),
    PRIMARY KEY (file_sha256, n)
);
"""

# change_xid is the transaction that last wrote the row: a pull reads everything written by the
# transactions its previous snapshot could not see (the change cursor; see msldesk.hub.changes).
DECKS = """
CREATE TABLE msldesk.decks (
    uid uuid PRIMARY KEY,
    title text NOT NULL,
    file_name text NOT NULL,
    file_sha256 text NOT NULL REFERENCES msldesk.deck_files (sha256),
    slide_count integer NOT NULL CHECK (slide_count >= 0),
    approval_code text NOT NULL DEFAULT '',
    approved_on date,
    expires_on date,
    therapeutic_area text NOT NULL DEFAULT '',
    product text NOT NULL DEFAULT '',
    audience text NOT NULL DEFAULT '',
    tags text[] NOT NULL DEFAULT '{}',
    companions jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(companions) = 'object'),
    withdrawn boolean NOT NULL DEFAULT false,
    withdrawn_at timestamptz,
    withdrawn_reason text NOT NULL DEFAULT '',
    published_by text NOT NULL,
    published_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    revision integer NOT NULL DEFAULT 1,
    change_xid xid8 NOT NULL,
    CHECK (NOT withdrawn OR withdrawn_reason <> '')
);
CREATE INDEX decks_change_xid ON msldesk.decks (change_xid);
"""

TRIGGERS = """
CREATE FUNCTION msldesk.file_complete(p_sha256 text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = msldesk, pg_catalog, pg_temp
AS $$
    SELECT f.chunk_count = (SELECT count(*) FROM file_chunks c WHERE c.file_sha256 = f.sha256)
       AND f.sha256 = (SELECT encode(sha256(coalesce(string_agg(c.data, ''::bytea ORDER BY c.n), '')), 'hex')
                       FROM file_chunks c WHERE c.file_sha256 = f.sha256)
    FROM deck_files f WHERE f.sha256 = p_sha256
$$;

CREATE FUNCTION msldesk.stamp_deck() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = msldesk, pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.file_sha256 IS DISTINCT FROM OLD.file_sha256 THEN
        IF NOT coalesce(file_complete(NEW.file_sha256), false) THEN
            RAISE EXCEPTION 'msldesk hub: the file % of deck % is not completely uploaded',
                    NEW.file_sha256, NEW.uid
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.published_by := session_user;
        NEW.published_at := now();
        NEW.revision := 1;
    ELSE
        NEW.uid := OLD.uid;
        NEW.published_by := OLD.published_by;
        NEW.published_at := OLD.published_at;
        NEW.revision := OLD.revision + 1;
    END IF;
    IF NEW.withdrawn AND (TG_OP = 'INSERT' OR NOT OLD.withdrawn) THEN
        NEW.withdrawn_at := now();
    ELSIF NOT NEW.withdrawn THEN
        NEW.withdrawn_at := NULL;
        NEW.withdrawn_reason := '';
    END IF;
    NEW.updated_at := now();
    NEW.change_xid := pg_current_xact_id();
    RETURN NEW;
END $$;
CREATE TRIGGER stamped BEFORE INSERT OR UPDATE ON msldesk.decks
    FOR EACH ROW EXECUTE FUNCTION msldesk.stamp_deck();

CREATE FUNCTION msldesk.audit_deck() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = msldesk, pg_catalog, pg_temp
AS $$
DECLARE
    what text := CASE
        WHEN TG_OP = 'INSERT' THEN 'published'
        WHEN NEW.withdrawn AND NOT OLD.withdrawn THEN 'withdrawn'
        WHEN OLD.withdrawn AND NOT NEW.withdrawn THEN 'reinstated'
        WHEN NEW.file_sha256 <> OLD.file_sha256 THEN 'republished'
        ELSE 'deck-updated' END;
BEGIN
    PERFORM audit_append(what, 'deck', NEW.uid::text, jsonb_build_object(
        'title', NEW.title, 'approval_code', NEW.approval_code, 'file_sha256', NEW.file_sha256,
        'expires_on', NEW.expires_on, 'withdrawn_reason', NEW.withdrawn_reason, 'revision', NEW.revision));
    RETURN NULL;
END $$;
CREATE TRIGGER audited AFTER INSERT OR UPDATE ON msldesk.decks
    FOR EACH ROW EXECUTE FUNCTION msldesk.audit_deck();
-- A deck is withdrawn, never deleted: laptops must hear that it is gone.
CREATE TRIGGER history_kept BEFORE DELETE ON msldesk.decks
    FOR EACH ROW EXECUTE FUNCTION msldesk.refuse_change();
CREATE TRIGGER history_kept_truncate BEFORE TRUNCATE ON msldesk.decks
    FOR EACH STATEMENT EXECUTE FUNCTION msldesk.refuse_change();
"""

GRANTS = """
GRANT SELECT ON msldesk.decks, msldesk.deck_files, msldesk.file_chunks
    TO msldesk_publisher, msldesk_msl, msldesk_reviewer;
GRANT INSERT ON msldesk.deck_files, msldesk.file_chunks TO msldesk_publisher;
GRANT INSERT (uid, title, file_name, file_sha256, slide_count, approval_code, approved_on, expires_on,
              therapeutic_area, product, audience, tags, companions, withdrawn, withdrawn_reason)
    ON msldesk.decks TO msldesk_publisher;
GRANT UPDATE (title, file_name, file_sha256, slide_count, approval_code, approved_on, expires_on,
              therapeutic_area, product, audience, tags, companions, withdrawn, withdrawn_reason)
    ON msldesk.decks TO msldesk_publisher;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA msldesk FROM PUBLIC;
"""


def upgrade() -> None:
    run_sql(FILES, DECKS, TRIGGERS, GRANTS)
