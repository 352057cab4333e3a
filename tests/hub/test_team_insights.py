"""team.insights.search_insights against a real hub: best match first among the newest matches (a bounded
number of them, so that a common word on a big hub is ranked fast), corrected entries found by their
correction however old, the latest correction shown, theme and day narrowing before the bound."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest

from msldesk.team.insights import search_insights
from tests.hub.cluster import Cluster
from tests.hub.hub_data import Hub, build_hub

DAY = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def hub(pg_cluster: Cluster) -> Hub:
    """build_hub's two meetings (recorded now) and, in A's meeting, entries one day apart (`new` newest)."""
    hub = build_hub(pg_cluster)
    said = {
        "old_best": ("access", "infusion infusion infusion chairs for infusion", 0),
        "old_fixed": ("access", "pumps break", 1),
        "middle": ("safety", "infusion reactions", 2),
        "new": ("access", "infusion delays", 3),
    }
    with hub.as_("msl_a") as msl:
        for name, (theme, body, days) in said.items():
            hub.ids[name] = uuid.uuid4()
            msl.execute(
                "INSERT INTO msldesk.entries (uid, event_uid, kind, theme, body, recorded_at) "
                "VALUES (%s, %s, 'insight', %s, %s, %s)",
                (hub.ids[name], hub.ids["a_event"], theme, body, DAY + dt.timedelta(days=days)),
            )
        for n, body in enumerate(("pumps break in the infusion suite", "pumps break often")):  # latest wins
            msl.execute(
                "INSERT INTO msldesk.amendments (uid, target_table, target_uid, reason, changes, made_at) "
                "VALUES (%s, 'entries', %s, 'typo', %s, %s)",
                (
                    uuid.uuid4(),
                    hub.ids["old_fixed"],
                    json.dumps({"body": body}),
                    DAY + dt.timedelta(days=9 + n),
                ),
            )
    return hub


def found(hub: Hub, kind: str, query: str = "", **narrowed: Any) -> list[tuple[str, bool]]:
    with hub.as_(kind) as connection:
        return [(i.text, i.amended) for i in search_insights(connection, query, **narrowed)]


def test_best_match_first_among_all_when_they_are_few(hub: Hub) -> None:
    assert found(hub, "reviewer", "infusion") == [
        ("infusion infusion infusion chairs for infusion", False),
        ("infusion delays", False),  # equal rank: the newer first
        ("infusion reactions", False),
        ("pumps break often", True),  # an earlier correction matched; the latest is shown
    ]
    assert found(hub, "reviewer", "infusion", limit=2) == [
        ("infusion infusion infusion chairs for infusion", False),
        ("infusion delays", False),
    ]


def test_only_the_newest_matches_are_ranked(hub: Hub) -> None:
    assert found(hub, "reviewer", "infusion", candidates=2) == [
        ("infusion delays", False),
        ("infusion reactions", False),
        ("pumps break often", True),  # found by its correction however old
    ]
    # Narrowing happens before the bound: the older best match is found again.
    assert found(hub, "reviewer", "infusion", candidates=2, theme="ACCESS")[0] == (
        "infusion infusion infusion chairs for infusion",
        False,
    )
    since = (DAY + dt.timedelta(days=3)).date()
    assert found(hub, "reviewer", "infusion", candidates=1, since=since) == [("infusion delays", False)]


def test_without_a_query_newest_first_and_an_msl_sees_own_and_shared(hub: Hub) -> None:
    assert found(hub, "msl_b", "infusion") == []  # A's meeting is not shared
    assert found(hub, "msl_b", "dosing") == [("corrected", True)]  # B's own entry, its correction shown
    newest = found(hub, "reviewer", limit=3)
    assert newest == [("corrected", True), ("corrected", True), ("infusion delays", False)]
    assert found(hub, "msl_a", "-infusion", theme="access") == [("pumps break often", True)]


def test_the_newest_matches_are_taken_across_the_recent_window_and_before_it(pg_cluster: Cluster) -> None:
    """The newest RECENT_DAYS are searched first; older matches fill up what they lack, so the
    candidates are the hub's newest matches whichever side of the window they lie."""
    from msldesk.team.insights import RECENT_DAYS

    hub = build_hub(pg_cluster)
    with hub.as_("reviewer") as connection:
        newest = connection.execute("SELECT max(recorded_at) FROM msldesk.entries").fetchone()[0]
    ages = {"today": 0, "inside": RECENT_DAYS - 1, "outside": RECENT_DAYS + 1, "oldest": 3 * RECENT_DAYS}
    with hub.as_("msl_a") as msl:
        for name, days in ages.items():
            recorded = newest - dt.timedelta(days=days)
            msl.execute(
                "INSERT INTO msldesk.entries (uid, event_uid, kind, theme, body, recorded_at) "
                "VALUES (%s, %s, 'insight', 'access', %s, %s)",
                (uuid.uuid4(), hub.ids["a_event"], f"windowed remark {name}", recorded),
            )

    def candidates(n: int) -> set[str]:
        return {text for text, _amended in found(hub, "reviewer", "windowed remark", candidates=n)}

    assert candidates(1) == {"windowed remark today"}
    assert candidates(2) == {"windowed remark today", "windowed remark inside"}
    assert candidates(3) == {"windowed remark today", "windowed remark inside", "windowed remark outside"}
    assert len(candidates(10)) == 4
