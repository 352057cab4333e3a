"""Pushed meeting records: each belongs to the MSL who pushed it, is never changed, and is corrected by
amendments; entries are searchable with PostgreSQL's full text."""

from msldesk.hub.migrations import run_sql

revision = "0003_records"
down_revision = "0002_library"
branch_labels = None
depends_on = None

# uid: made by the laptop, so a push retried after a cut inserts nothing twice (ON CONFLICT DO NOTHING).
# owner and pushed_at are set by the database, whatever the client sends. `shared` belongs to the
# meeting (the event); its agenda, attendance and entries copy it so that reading needs no join.
TABLES = """
CREATE TABLE msldesk.events (
    uid uuid PRIMARY KEY,
    owner text NOT NULL,
    shared boolean NOT NULL DEFAULT false,
    title text NOT NULL,
    kind text NOT NULL DEFAULT '',
    starts_at timestamptz,
    ends_at timestamptz,
    location text NOT NULL DEFAULT '',
    therapeutic_area text NOT NULL DEFAULT '',
    product text NOT NULL DEFAULT '',
    finalized_at timestamptz NOT NULL,
    details jsonb NOT NULL DEFAULT '{}',
    pushed_at timestamptz NOT NULL
);
CREATE INDEX events_owner ON msldesk.events (owner, starts_at);

CREATE TABLE msldesk.agenda_items (
    uid uuid PRIMARY KEY,
    event_uid uuid NOT NULL REFERENCES msldesk.events (uid),
    owner text NOT NULL,
    shared boolean NOT NULL DEFAULT false,
    position integer NOT NULL,
    title text NOT NULL,
    speaker text NOT NULL DEFAULT '',
    deck_uid uuid,
    details jsonb NOT NULL DEFAULT '{}',
    pushed_at timestamptz NOT NULL
);
CREATE INDEX agenda_items_event ON msldesk.agenda_items (event_uid);

CREATE TABLE msldesk.attendance (
    uid uuid PRIMARY KEY,
    event_uid uuid NOT NULL REFERENCES msldesk.events (uid),
    owner text NOT NULL,
    shared boolean NOT NULL DEFAULT false,
    person_name text NOT NULL,
    npi text NOT NULL DEFAULT '',
    institution text NOT NULL DEFAULT '',
    specialty text NOT NULL DEFAULT '',
    attended boolean NOT NULL DEFAULT true,
    details jsonb NOT NULL DEFAULT '{}',
    pushed_at timestamptz NOT NULL
);
CREATE INDEX attendance_event ON msldesk.attendance (event_uid);

CREATE TABLE msldesk.entries (
    uid uuid PRIMARY KEY,
    event_uid uuid NOT NULL REFERENCES msldesk.events (uid),
    owner text NOT NULL,
    shared boolean NOT NULL DEFAULT false,
    agenda_uid uuid REFERENCES msldesk.agenda_items (uid),
    kind text NOT NULL,
    theme text NOT NULL DEFAULT '',
    body text NOT NULL,
    recorded_at timestamptz NOT NULL,
    details jsonb NOT NULL DEFAULT '{}',
    pushed_at timestamptz NOT NULL,
    search tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, theme || ' ' || body)) STORED
);
CREATE INDEX entries_event ON msldesk.entries (event_uid);
CREATE INDEX entries_owner ON msldesk.entries (owner, recorded_at);
CREATE INDEX entries_recorded ON msldesk.entries (recorded_at);
CREATE INDEX entries_search ON msldesk.entries USING gin (search);

-- Transfers of value: the MSL's and compliance's, never the team's.
CREATE TABLE msldesk.payments (
    uid uuid PRIMARY KEY,
    event_uid uuid REFERENCES msldesk.events (uid),
    owner text NOT NULL,
    recipient_name text NOT NULL,
    npi text NOT NULL DEFAULT '',
    recipient_kind text NOT NULL DEFAULT '',
    amount numeric(12, 2) NOT NULL CHECK (amount >= 0),
    currency char(3) NOT NULL DEFAULT 'USD',
    nature text NOT NULL,
    form text NOT NULL DEFAULT '',
    paid_on date NOT NULL,
    details jsonb NOT NULL DEFAULT '{}',
    pushed_at timestamptz NOT NULL
);
CREATE INDEX payments_owner ON msldesk.payments (owner, paid_on);
CREATE INDEX payments_paid_on ON msldesk.payments (paid_on);

-- A correction to any pushed record: a new row that names it, never a change to it.
CREATE TABLE msldesk.amendments (
    uid uuid PRIMARY KEY,
    owner text NOT NULL,
    shared boolean NOT NULL DEFAULT false,
    target_table text NOT NULL
        CHECK (target_table IN ('events', 'agenda_items', 'attendance', 'entries', 'payments')),
    target_uid uuid NOT NULL,
    reason text NOT NULL CHECK (reason <> ''),
    changes jsonb NOT NULL CHECK (jsonb_typeof(changes) = 'object'),
    made_at timestamptz NOT NULL,
    pushed_at timestamptz NOT NULL
);
CREATE INDEX amendments_target ON msldesk.amendments (target_uid);
"""

# Stamping runs with the pusher's rights, so it sees only what row-level security lets them see: an
# event that is not theirs is not found, and nobody files records under someone else's meeting.
STAMPS = """
CREATE FUNCTION msldesk.stamp_push() RETURNS trigger
LANGUAGE plpgsql
SET search_path = msldesk, pg_catalog, pg_temp
AS $$
DECLARE
    event_owner text;
    event_shared boolean;
BEGIN
    NEW.owner := current_user;
    NEW.pushed_at := now();
    IF TG_TABLE_NAME = 'events' THEN
        RETURN NEW;  -- (a separate IF: the events row has no event_uid to look at)
    END IF;
    IF NEW.event_uid IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT e.owner, e.shared INTO event_owner, event_shared FROM events e WHERE e.uid = NEW.event_uid;
    IF event_owner IS DISTINCT FROM current_user THEN
        RAISE EXCEPTION 'msldesk hub: event % is not one of %''s meetings', NEW.event_uid, current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_TABLE_NAME <> 'payments' THEN
        NEW.shared := event_shared;
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION msldesk.stamp_amendment() RETURNS trigger
LANGUAGE plpgsql
SET search_path = msldesk, pg_catalog, pg_temp
AS $$
DECLARE
    target_owner text;
    target_shared boolean;
BEGIN
    NEW.owner := current_user;
    NEW.pushed_at := now();
    IF NEW.target_table = 'payments' THEN
        SELECT p.owner, false INTO target_owner, target_shared FROM payments p WHERE p.uid = NEW.target_uid;
    ELSIF NEW.target_table IN ('events', 'agenda_items', 'attendance', 'entries') THEN
        EXECUTE format('SELECT owner, shared FROM msldesk.%I WHERE uid = $1', NEW.target_table)
            INTO target_owner, target_shared USING NEW.target_uid;
    END IF;
    IF target_owner IS DISTINCT FROM current_user THEN
        RAISE EXCEPTION 'msldesk hub: % % is not one of %''s records',
                NEW.target_table, NEW.target_uid, current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    NEW.shared := target_shared;
    RETURN NEW;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['events', 'agenda_items', 'attendance', 'entries', 'payments'] LOOP
        EXECUTE format('CREATE TRIGGER stamped BEFORE INSERT ON msldesk.%I
                        FOR EACH ROW EXECUTE FUNCTION msldesk.stamp_push()', t);
    END LOOP;
END $$;
CREATE TRIGGER stamped BEFORE INSERT ON msldesk.amendments
    FOR EACH ROW EXECUTE FUNCTION msldesk.stamp_amendment();
"""

# One audit record per meeting, payment and amendment; the rows of a meeting are counted per statement.
AUDIT = """
CREATE FUNCTION msldesk.audit_push() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = msldesk, pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME = 'events' THEN
        PERFORM audit_append('pushed', 'event', NEW.uid::text, jsonb_build_object(
            'title', NEW.title, 'finalized_at', NEW.finalized_at, 'shared', NEW.shared));
    ELSIF TG_TABLE_NAME = 'payments' THEN
        PERFORM audit_append('pushed', 'payment', NEW.uid::text, jsonb_build_object(
            'amount', NEW.amount, 'currency', NEW.currency, 'paid_on', NEW.paid_on, 'event', NEW.event_uid));
    ELSE
        PERFORM audit_append('amended', NEW.target_table, NEW.target_uid::text, jsonb_build_object(
            'amendment', NEW.uid, 'reason', NEW.reason));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION msldesk.audit_push_parts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = msldesk, pg_catalog, pg_temp
AS $$
DECLARE
    part record;
BEGIN
    FOR part IN SELECT a.event_uid, count(*) AS n FROM added a GROUP BY a.event_uid ORDER BY a.event_uid LOOP
        PERFORM audit_append('pushed', TG_TABLE_NAME, part.event_uid::text,
                             jsonb_build_object('rows', part.n));
    END LOOP;
    RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['events', 'payments', 'amendments'] LOOP
        EXECUTE format('CREATE TRIGGER audited AFTER INSERT ON msldesk.%I
                        FOR EACH ROW EXECUTE FUNCTION msldesk.audit_push()', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['agenda_items', 'attendance', 'entries'] LOOP
        EXECUTE format('CREATE TRIGGER audited AFTER INSERT ON msldesk.%I REFERENCING NEW TABLE AS added
                        FOR EACH STATEMENT EXECUTE FUNCTION msldesk.audit_push_parts()', t);
    END LOOP;
END $$;
"""

# Who may do what is decided here, not in msldesk: MSLs push their own records and read their own plus
# the shared ones (never another MSL's payments); reviewers read everything; publishers nothing at all.
POLICIES = """
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['events', 'agenda_items', 'attendance', 'entries', 'payments', 'amendments'] LOOP
        EXECUTE format('ALTER TABLE msldesk.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY msl_pushes ON msldesk.%I FOR INSERT TO msldesk_msl
                        WITH CHECK (owner = current_user)', t);
        EXECUTE format('CREATE POLICY msl_reads ON msldesk.%I FOR SELECT TO msldesk_msl USING (%s)', t,
                       CASE WHEN t = 'payments' THEN 'owner = current_user'
                            ELSE 'owner = current_user OR shared' END);
        EXECUTE format('CREATE POLICY reviewer_reads ON msldesk.%I FOR SELECT TO msldesk_reviewer
                        USING (true)', t);
        EXECUTE format('GRANT SELECT, INSERT ON msldesk.%I TO msldesk_msl', t);
        EXECUTE format('GRANT SELECT ON msldesk.%I TO msldesk_reviewer', t);
        EXECUTE format('CREATE TRIGGER history_kept BEFORE UPDATE OR DELETE ON msldesk.%I
                        FOR EACH ROW EXECUTE FUNCTION msldesk.refuse_change()', t);
        EXECUTE format('CREATE TRIGGER history_kept_truncate BEFORE TRUNCATE ON msldesk.%I
                        FOR EACH STATEMENT EXECUTE FUNCTION msldesk.refuse_change()', t);
    END LOOP;
END $$;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA msldesk FROM PUBLIC;
"""


def upgrade() -> None:
    run_sql(TABLES, STAMPS, AUDIT, POLICIES)
