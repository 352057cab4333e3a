"""Deck status rules (Python and their SQL mirror) and the records the service hands out."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3

import pytest

from msldesk.decks.records import DeckStatus, ImportOutcome, derive_status
from msldesk.decks.search import status_sql

TODAY = dt.date(2026, 11, 22)
DAY = dt.timedelta(days=1)


def status(code="MED-001", approved=TODAY - 100 * DAY, expires=TODAY + 200 * DAY, withdrawn=False, days=30):
    return derive_status(code, approved, expires, withdrawn, TODAY, days)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, DeckStatus.APPROVED),
        ({"expires": None}, DeckStatus.APPROVED),  # no expiry date: approved for good
        ({"code": ""}, DeckStatus.DRAFT),  # a date without a code is not an approval
        ({"approved": None}, DeckStatus.DRAFT),  # a code without a date neither
        ({"code": "", "approved": None, "expires": None}, DeckStatus.DRAFT),
        ({"approved": TODAY}, DeckStatus.APPROVED),  # approved today counts
        ({"approved": TODAY + DAY}, DeckStatus.DRAFT),  # approval not yet in force
        ({"expires": TODAY}, DeckStatus.EXPIRING),  # still usable on its last day
        ({"expires": TODAY - DAY}, DeckStatus.EXPIRED),
        ({"expires": TODAY + 30 * DAY}, DeckStatus.EXPIRING),  # window edge is inclusive
        ({"expires": TODAY + 31 * DAY}, DeckStatus.APPROVED),
        ({"expires": TODAY + 31 * DAY, "days": 31}, DeckStatus.EXPIRING),
        ({"expires": TODAY + DAY, "days": 0}, DeckStatus.APPROVED),
        ({"expires": TODAY - DAY, "code": ""}, DeckStatus.EXPIRED),  # an expired draft is expired
        ({"withdrawn": True}, DeckStatus.WITHDRAWN),
        ({"withdrawn": True, "expires": TODAY - DAY}, DeckStatus.WITHDRAWN),  # withdrawn wins
        ({"withdrawn": True, "code": ""}, DeckStatus.WITHDRAWN),
    ],
)
def test_derive_status(kwargs: dict, expected: DeckStatus) -> None:
    assert status(**kwargs) is expected


def test_derive_status_defaults_to_the_real_date() -> None:
    real_today = dt.date.today()
    assert derive_status("X", real_today, real_today + 365 * DAY, False) is DeckStatus.APPROVED
    assert derive_status("X", real_today - 10 * DAY, real_today - DAY, False) is DeckStatus.EXPIRED


def test_blocked_statuses_and_labels() -> None:
    assert {s for s in DeckStatus if s.blocked} == {DeckStatus.EXPIRED, DeckStatus.WITHDRAWN}
    labels = [s.label for s in DeckStatus]
    assert all(labels)
    assert len(set(labels)) == len(labels)


def test_status_sql_mirrors_derive_status() -> None:
    """Search filters status in SQL: every combination must agree with the Python rule."""
    dates = [None, TODAY - 40 * DAY, TODAY - DAY, TODAY, TODAY + DAY, TODAY + 30 * DAY, TODAY + 31 * DAY]
    cases = list(itertools.product(["", "MED-7"], dates, dates, [False, True]))
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE decks (id INTEGER PRIMARY KEY, approval_code TEXT NOT NULL, approved_on DATE, "
        "expires_on DATE, withdrawn BOOLEAN NOT NULL)"
    )
    # Stored the way SQLAlchemy's Date and Boolean store them on SQLite: ISO text and 0/1.
    db.executemany(
        "INSERT INTO decks VALUES (?, ?, ?, ?, ?)",
        [
            (n, code, a and a.isoformat(), e and e.isoformat(), int(w))
            for n, (code, a, e, w) in enumerate(cases)
        ],
    )
    got = dict(db.execute(f"SELECT id, {status_sql(TODAY, 30)} FROM decks d"))
    mismatches = [
        (case, got[n])
        for n, case in enumerate(cases)
        if got[n] != derive_status(case[0], case[1], case[2], case[3], TODAY, 30).value
    ]
    assert mismatches == []


def test_import_outcome_json() -> None:
    ok = ImportOutcome("/d/a.pptx", "imported", 3, 12)
    assert ok.as_json() == {"path": "/d/a.pptx", "status": "imported", "deck_id": 3, "slides": 12}
    failed = ImportOutcome("/d/b.pptx", "failed", error_kind="damaged", message="The file is damaged.")
    assert failed.as_json() == {
        "path": "/d/b.pptx",
        "status": "failed",
        "deck_id": None,
        "slides": 0,
        "error_kind": "damaged",
        "message": "The file is damaged.",
    }
    updated = ImportOutcome("/d/c.pptx", "updated", 4, 5, slides_added=1, slides_changed=2, slides_removed=3)
    assert updated.as_json()["slides_added"] == 1
    assert updated.as_json()["slides_changed"] == 2
    assert updated.as_json()["slides_removed"] == 3
    warned = ImportOutcome("/d/d.pptx", "imported", 5, 2, message="Slide 2 could not be read")
    assert warned.as_json()["message"] == "Slide 2 could not be read"
