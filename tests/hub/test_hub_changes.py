"""The change cursor: each pull is one consistent snapshot, and the next pull gets exactly what was
committed since, including a publication whose transaction started before the previous pull and
committed after it (where a sequence-number cursor would lose it)."""

from __future__ import annotations

import psycopg
import pytest

from msldesk.hub.changes import read_deck_changes
from tests.hub.cluster import Cluster
from tests.hub.hub_data import Hub, build_hub, publish, upload


@pytest.fixture(scope="module")
def hub(pg_cluster: Cluster) -> Hub:
    return build_hub(pg_cluster)


def _titles(changes: object) -> list[str]:
    return sorted(d["title"] for d in changes.decks)  # type: ignore[attr-defined]


def test_pulls_miss_nothing_and_repeat_nothing(hub: Hub) -> None:
    with hub.as_("msl_a") as msl, hub.as_("publisher") as publisher:
        first = read_deck_changes(msl, None)
        assert first.full
        assert _titles(first) == ["Dosing update"]
        assert first.decks[0]["companions"] == {"2": [3]}
        assert first.decks[0]["tags"] == ["oncology"]
        assert not read_deck_changes(msl, first.cursor).decks  # up to date: nothing

        # A publication that began (uploading its file) before the quick one, and commits after the pull
        # that saw the quick one: its transaction id is the lower, yet the next pull finds it.
        slow = psycopg.connect(
            hub.cluster.dsn(hub.users["publisher"], f"pw-{hub.users['publisher']}", hub.database)
        )
        slow_file = upload(slow, b"slow deck")
        publish(publisher, "Quick", b"quick deck")
        second = read_deck_changes(msl, first.cursor)
        assert not second.full
        assert _titles(second) == ["Quick"]
        slow.execute(
            "INSERT INTO msldesk.decks (uid, title, file_name, file_sha256, slide_count) "
            "VALUES (gen_random_uuid(), 'Started first, committed last', 'slow.pptx', %s, 1)",
            (slow_file,),
        )
        assert not read_deck_changes(msl, second.cursor).decks  # not committed yet
        slow.commit()
        slow.close()
        third = read_deck_changes(msl, second.cursor)
        assert _titles(third) == ["Started first, committed last"]

        publisher.execute(
            "UPDATE msldesk.decks SET withdrawn = true, withdrawn_reason = 'label change' "
            "WHERE title = 'Quick'"
        )
        fourth = read_deck_changes(msl, third.cursor)
        assert [(d["title"], d["withdrawn"], d["withdrawn_reason"], d["revision"]) for d in fourth.decks] == [
            ("Quick", True, "label change", 2)
        ]
        assert fourth.decks[0]["withdrawn_at"] is not None
        assert not read_deck_changes(msl, fourth.cursor).decks


def test_a_cursor_from_another_server_gets_a_full_pull(hub: Hub) -> None:
    with hub.as_("msl_b") as msl:
        changes = read_deck_changes(msl, "999999999:999999999:")
    assert changes.full
    assert "Dosing update" in _titles(changes)


def test_withdrawal_and_reinstatement_are_audited(hub: Hub) -> None:
    with hub.as_("publisher") as publisher:
        withdraw = "UPDATE msldesk.decks SET withdrawn = true, withdrawn_reason = 'expired' WHERE uid = %s"
        publisher.execute(withdraw, (hub.ids["deck"],))
        publisher.execute("UPDATE msldesk.decks SET withdrawn = false WHERE uid = %s", (hub.ids["deck"],))
    with hub.owner() as owner:
        rows = owner.execute(
            "SELECT action, actor, details->>'withdrawn_reason' FROM msldesk.audit "
            "WHERE subject_id = %s ORDER BY seq",
            (str(hub.ids["deck"]),),
        ).fetchall()
    name = hub.users["publisher"]
    assert rows == [("published", name, ""), ("withdrawn", name, "expired"), ("reinstated", name, "")]
