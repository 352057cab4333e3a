"""The change cursor for pulls: a pull reads one consistent snapshot, and the next one reads exactly
what was committed since, even when the transactions that wrote it overlapped the previous pull.

The cursor is the previous pull's snapshot (`pg_current_snapshot()` as text). Every published row
carries the transaction that last wrote it (`change_xid`). New since the cursor: written by a
transaction the old snapshot could not see — still running then (its id is at least the snapshot's
xmin) or started after it. A sequence number could not do this: numbers are handed out before commit,
so a pull could pass a number whose transaction commits later and never see its row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DECK_COLUMNS = (
    "uid, title, file_name, file_sha256, slide_count, approval_code, approved_on, expires_on, "
    "therapeutic_area, product, audience, tags, companions, withdrawn, withdrawn_at, withdrawn_reason, "
    "published_by, published_at, updated_at, revision"
)


@dataclass(frozen=True)
class DeckChanges:
    decks: tuple[dict[str, Any], ...]
    cursor: str
    full: bool  # True: everything was read (first pull, or a cursor this server cannot continue)


def read_deck_changes(connection: Any, cursor: str | None) -> DeckChanges:
    """Published decks changed since `cursor` (None: all), and the cursor for the next pull. Runs in
    one read-only repeatable-read transaction of its own, so `connection` must be idle (no transaction
    open)."""
    from psycopg.rows import dict_row

    with connection.transaction():
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        row = connection.execute("SELECT pg_current_snapshot()::text").fetchone()
        snapshot = row[0]
        full = cursor is None or _from_elsewhere(connection, cursor)
        with connection.cursor(row_factory=dict_row) as rows:
            if full:
                rows.execute(f"SELECT {DECK_COLUMNS} FROM msldesk.decks ORDER BY change_xid")
            else:
                rows.execute(
                    f"SELECT {DECK_COLUMNS} FROM msldesk.decks "
                    "WHERE change_xid >= pg_snapshot_xmin(%(c)s::pg_snapshot) "
                    "AND NOT pg_visible_in_snapshot(change_xid, %(c)s::pg_snapshot) ORDER BY change_xid",
                    {"c": cursor},
                )
            decks = tuple(rows.fetchall())
    return DeckChanges(decks, snapshot, full)


def _from_elsewhere(connection: Any, cursor: str) -> bool:
    """A cursor ahead of this server's transactions came from another server (a restored dump numbers
    its transactions afresh): only a full pull is safe then."""
    row = connection.execute(
        "SELECT pg_snapshot_xmin(%s::pg_snapshot) > pg_snapshot_xmax(pg_current_snapshot())", (cursor,)
    ).fetchone()
    return bool(row[0])
