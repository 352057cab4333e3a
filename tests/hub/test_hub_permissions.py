"""Permissions live in the hub's database: each role connects with psycopg and tries, statement by
statement, what it must not do. Each refusal has a control showing the same statement works for a role
that may, or that the rows are there to be seen."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from msldesk.cli.main import main
from msldesk.hub.audit import verify_chain
from msldesk.hub.connect import connect
from msldesk.hub.errors import HubPermissionError
from msldesk.hub.schema import require_current
from tests.hub.cluster import Cluster
from tests.hub.hub_data import Hub, build_hub, push_meeting

RECORDS = ("events", "agenda_items", "attendance", "entries", "payments", "amendments")
_RECORD_ID = {"events": "event", "agenda_items": "agenda", "attendance": "attendance", "entries": "entry",
              "payments": "payment", "amendments": "amendment"}  # fmt: skip


@pytest.fixture(scope="module")
def hub(pg_cluster: Cluster) -> Hub:
    return build_hub(pg_cluster)


def _refused(connection: psycopg.Connection, statement: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute(statement)


def _statements(hub: Hub, kind: str) -> list[str]:
    """What a role outside the library's publishers, or a record's owner, may never do."""
    ids = {k: str(v) for k, v in hub.ids.items()}
    mine = "b" if kind == "msl_b" else "a"
    forbidden = [
        "INSERT INTO msldesk.decks (uid, title, file_name, file_sha256, slide_count) "
        "SELECT gen_random_uuid(), 'x', 'x.pptx', file_sha256, 1 FROM msldesk.decks LIMIT 1",
        f"UPDATE msldesk.decks SET withdrawn = true, withdrawn_reason = 'mine now' "
        f"WHERE uid = '{ids['deck']}'",
        f"DELETE FROM msldesk.decks WHERE uid = '{ids['deck']}'",
        "INSERT INTO msldesk.deck_files (sha256, size, chunk_size, chunk_count) "
        "VALUES (repeat('a', 64), 0, 1, 0)",
        "INSERT INTO msldesk.file_chunks (file_sha256, n, data, chunk_sha256) SELECT sha256, 99, '\\x00', "
        "encode(sha256('\\x00'), 'hex') FROM msldesk.deck_files LIMIT 1",
        "DELETE FROM msldesk.file_chunks",
        "INSERT INTO msldesk.audit VALUES (999, now(), 'x', 'x', 'x', 'x', '{}', 'x', 'x')",
        "UPDATE msldesk.audit SET actor = 'someone else'",
        "DELETE FROM msldesk.audit",
        "SELECT msldesk.audit_append('published', 'deck', 'forged', '{}')",
        "INSERT INTO msldesk.members (name, role) VALUES ('intruder', 'reviewer')",
        "DELETE FROM msldesk.members",
        "UPDATE msldesk.members SET removed_at = now()",  # removing someone is the administrator's
        "GRANT msldesk_publisher TO CURRENT_USER",
        "ALTER TABLE msldesk.entries DISABLE ROW LEVEL SECURITY",
        "CREATE TABLE msldesk.extra (a int)",
        "CREATE TEMPORARY TABLE audit (seq bigint)",  # would shadow the audit table for the triggers
        "SET ROLE hub_owner",
        "SET ROLE msldesk_publisher" if kind != "publisher" else "SET ROLE msldesk_msl",
    ]
    for table in RECORDS:
        uid = ids[f"{mine}_{_RECORD_ID[table]}"]
        forbidden += [
            f"UPDATE msldesk.{table} SET owner = owner WHERE uid = '{uid}'",
            f"DELETE FROM msldesk.{table} WHERE uid = '{uid}'",
            f"TRUNCATE msldesk.{table}",
        ]
    return forbidden


@pytest.mark.parametrize("kind", ["msl_b", "reviewer"])
def test_msls_and_reviewers_cannot_publish_withdraw_alter_history_or_the_audit(hub: Hub, kind: str) -> None:
    with hub.as_(kind) as connection:
        for statement in _statements(hub, kind):
            _refused(connection, statement)
    with hub.owner() as owner:  # nothing of it happened
        assert owner.execute("SELECT withdrawn FROM msldesk.decks").fetchall() == [(False,)]
        assert owner.execute("SELECT count(*) FROM msldesk.entries").fetchone() == (2,)


def test_an_msl_cannot_read_or_add_to_another_msls_unshared_records(hub: Hub) -> None:
    ids = hub.ids
    with hub.as_("msl_b") as b, hub.as_("msl_a") as a, hub.owner() as owner:
        for table in RECORDS:
            other = ids[f"a_{_RECORD_ID[table]}"]
            query = f"SELECT count(*) FROM msldesk.{table} WHERE uid = %s"
            assert owner.execute(query, (other,)).fetchone() == (1,)  # it is there
            assert b.execute(query, (other,)).fetchone() == (0,)  # and b does not see it
            assert a.execute(query, (other,)).fetchone() == (1,)  # a sees their own
        shared = ids["b_entry"]
        assert a.execute("SELECT body FROM msldesk.entries WHERE uid = %s", (shared,)).fetchone() == (
            "hepatic dosing questions",
        )
        # A shared meeting does not share its transfers of value.
        assert a.execute(
            "SELECT count(*) FROM msldesk.payments WHERE uid = %s", (ids["b_payment"],)
        ).fetchone() == (0,)
        for statement in (
            f"INSERT INTO msldesk.entries (uid, event_uid, kind, body, recorded_at) "
            f"VALUES (gen_random_uuid(), '{ids['a_event']}', 'insight', 'planted', now())",
            f"INSERT INTO msldesk.entries (uid, event_uid, kind, body, recorded_at) "
            f"VALUES (gen_random_uuid(), '{ids['b_event']}', 'insight', 'planted in a shared one', now())",
            f"INSERT INTO msldesk.amendments (uid, target_table, target_uid, reason, changes, made_at) "
            f"VALUES (gen_random_uuid(), 'entries', '{ids['a_entry']}', 'mine now', '{{}}', now())",
            f"INSERT INTO msldesk.payments (uid, event_uid, recipient_name, amount, nature, paid_on) "
            f"VALUES (gen_random_uuid(), '{ids['a_event']}', 'x', 1, 'Gift', current_date)",
        ):
            _refused(a if "shared one" in statement else b, statement)


def test_an_msl_amends_their_own_meeting_records_only(hub: Hub) -> None:
    """What a pushed meeting's corrections need: an amendment of its event, agenda items and attendance
    by its owner (stamped with the meeting's sharing); refused for another MSL's meeting, private or
    shared (seeing a record is not owning it)."""
    insert = (
        "INSERT INTO msldesk.amendments (uid, target_table, target_uid, reason, changes, made_at) "
        "VALUES (gen_random_uuid(), %s, %s, 'Changed on the laptop after it was pushed', "
        '\'{"title": "corrected"}\', now()) RETURNING owner, shared'
    )
    targets = {"events": "event", "agenda_items": "agenda", "attendance": "attendance"}
    with hub.as_("msl_a") as a, hub.as_("msl_b") as b:
        for table, record in targets.items():
            for who, connection, other in (("a", a, b), ("b", b, a)):
                with connection.transaction(force_rollback=True):  # the module's hub stays as it was
                    stamped = connection.execute(insert, (table, hub.ids[f"{who}_{record}"])).fetchone()
                assert stamped == (hub.users[f"msl_{who}"], who == "b")  # b's meeting is the shared one
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not one of"):
                    other.execute(insert, (table, hub.ids[f"{who}_{record}"]))


def test_a_pushed_record_belongs_to_whoever_pushed_it(hub: Hub) -> None:
    uid = uuid.uuid4()
    with hub.as_("msl_b") as b:
        b.execute(
            "INSERT INTO msldesk.events (uid, owner, title, finalized_at, pushed_at) "
            "VALUES (%s, %s, 'posing as a', now(), '2001-01-01')",
            (uid, hub.users["msl_a"]),
        )
    with hub.owner() as owner:
        query = "SELECT owner, pushed_at > now() - interval '1 hour' FROM msldesk.events WHERE uid = %s"
        owner_name, pushed = owner.execute(query, (uid,)).fetchone()
    assert (owner_name, pushed) == (hub.users["msl_b"], True)


def test_a_retried_push_adds_nothing_twice(hub: Hub) -> None:
    with hub.as_("msl_a") as a, hub.owner() as owner:
        before = owner.execute("SELECT count(*) FROM msldesk.audit").fetchone()
        done = a.execute(
            "INSERT INTO msldesk.events (uid, title, finalized_at) VALUES (%s, 'again', now()) "
            "ON CONFLICT DO NOTHING",
            (hub.ids["a_event"],),
        )
        assert done.rowcount == 0
        assert owner.execute("SELECT count(*) FROM msldesk.audit").fetchone() == before


def test_a_publisher_cannot_touch_meeting_records(hub: Hub) -> None:
    with hub.as_("publisher") as publisher:
        for table in RECORDS:
            _refused(publisher, f"SELECT count(*) FROM msldesk.{table}")
        push_refused = pytest.raises(psycopg.errors.InsufficientPrivilege)
        with push_refused:
            push_meeting(publisher, "not theirs", True, "x")
        for statement in (
            f"UPDATE msldesk.decks SET published_by = 'someone' WHERE uid = '{hub.ids['deck']}'",
            f"DELETE FROM msldesk.decks WHERE uid = '{hub.ids['deck']}'",
            "SELECT count(*) FROM msldesk.audit",
            "UPDATE msldesk.audit SET actor = 'x'",
        ):
            _refused(publisher, statement)


def test_a_reviewer_reads_everyones_records(hub: Hub) -> None:
    with hub.as_("reviewer") as reviewer:
        for table in RECORDS:
            for who in ("a", "b"):
                uid = hub.ids[f"{who}_{_RECORD_ID[table]}"]
                assert reviewer.execute(
                    f"SELECT count(*) FROM msldesk.{table} WHERE uid = %s", (uid,)
                ).fetchone() == (1,)
        assert reviewer.execute("SELECT count(*) > 0 FROM msldesk.audit").fetchone() == (True,)


def test_insight_search_sees_own_and_shared_entries_reviewers_all(hub: Hub) -> None:
    query = (
        "SELECT body FROM msldesk.entries "
        "WHERE search @@ websearch_to_tsquery('english', 'dosing') ORDER BY body"
    )
    both = [("hepatic dosing questions",), ("patients ask about renal dosing",)]
    with hub.as_("msl_a") as a, hub.as_("msl_b") as b, hub.as_("reviewer") as reviewer:
        assert a.execute(query).fetchall() == both
        assert b.execute(query).fetchall() == [("hepatic dosing questions",)]
        assert reviewer.execute(query).fetchall() == both
        assert reviewer.execute(
            "SELECT count(*) FROM msldesk.entries "
            "WHERE search @@ websearch_to_tsquery('english', 'renal -hepatic')"
        ).fetchone() == (1,)


def test_publishing_needs_a_complete_file_and_withdrawal_a_reason(hub: Hub) -> None:
    with hub.as_("publisher") as publisher:
        publisher.execute(
            "INSERT INTO msldesk.deck_files (sha256, size, chunk_size, chunk_count) "
            "VALUES (repeat('b', 64), 8, 4, 2)"
        )
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match="not completely uploaded"):
            publisher.execute(
                "INSERT INTO msldesk.decks (uid, title, file_name, file_sha256, slide_count) "
                "VALUES (gen_random_uuid(), 'half', 'half.pptx', repeat('b', 64), 1)"
            )
        with pytest.raises(psycopg.errors.CheckViolation):  # a chunk that is not what it claims to be
            publisher.execute(
                "INSERT INTO msldesk.file_chunks VALUES (repeat('b', 64), 0, '\\x01020304', repeat('0', 64))"
            )
        with pytest.raises(psycopg.errors.CheckViolation):
            publisher.execute("UPDATE msldesk.decks SET withdrawn = true WHERE uid = %s", (hub.ids["deck"],))


def test_a_login_in_no_group_is_told_so(hub: Hub) -> None:
    stray = f"{hub.database}_stray"
    with psycopg.connect(hub.cluster.superuser_dsn(), autocommit=True) as superuser:
        superuser.execute(f"CREATE ROLE {stray} LOGIN PASSWORD 'stray-pw'")
    with pytest.raises(HubPermissionError, match=f"{stray} may not use the hub"):
        connect(hub.cluster.dsn(stray, "stray-pw", hub.database))
    with psycopg.connect(hub.cluster.superuser_dsn(hub.database), autocommit=True) as superuser:
        superuser.execute(f"GRANT CONNECT ON DATABASE {hub.database} TO {stray}")
    with (
        connect(hub.cluster.dsn(stray, "stray-pw", hub.database)) as connection,
        pytest.raises(HubPermissionError, match="none of the hub's groups"),
    ):
        require_current(connection)


def test_an_audited_transaction_may_not_sit_idle_holding_the_chain(hub: Hub) -> None:
    with hub.as_("msl_a") as a:
        assert a.execute("SHOW idle_in_transaction_session_timeout").fetchone() == ("0",)
        with a.transaction(force_rollback=True):
            a.execute(
                "INSERT INTO msldesk.events (uid, title, finalized_at) VALUES (gen_random_uuid(), 'x', now())"
            )
            assert a.execute("SHOW idle_in_transaction_session_timeout").fetchone() == ("1min",)


def test_the_audit_chain_holds_and_the_owner_cannot_rewrite_it(
    hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    with hub.owner() as owner:
        actions = {r[0] for r in owner.execute("SELECT DISTINCT action FROM msldesk.audit").fetchall()}
        assert {"role-granted", "published", "pushed", "amended"} <= actions
        report = verify_chain(owner)
        assert report.ok
        assert report.checked > 10
    reviewer = hub.users["reviewer"]
    assert main(["hub", "verify", hub.cluster.dsn(reviewer, f"pw-{reviewer}", hub.database), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "checked": report.checked, "problems": []}
    with hub.owner() as owner:
        _refused(owner, "UPDATE msldesk.audit SET actor = 'nobody' WHERE seq = 2")
        _refused(owner, "DELETE FROM msldesk.audit WHERE seq = 2")
        _refused(owner, "TRUNCATE msldesk.audit")


def test_the_chain_finds_what_an_owner_changed_behind_the_triggers(
    pg_cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = build_hub(pg_cluster)
    with hub.owner() as owner:
        assert verify_chain(owner).ok
        owner.execute("ALTER TABLE msldesk.audit DISABLE TRIGGER history_kept")
        owner.execute("UPDATE msldesk.audit SET details = '{\"amount\": 1}' WHERE seq = 8")
        owner.execute("DELETE FROM msldesk.audit WHERE seq = 3")
        report = verify_chain(owner)
    assert not report.ok
    assert "record 8 was altered after it was written" in report.problems
    assert "records 3 to 3 are missing" in report.problems
    assert main(["hub", "verify", hub.cluster.owner_dsn(hub.database)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("TAMPERED: ")
    assert "record 8 was altered" in out
