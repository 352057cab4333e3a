"""Reading the team's pushed records back from the hub: insight search (PostgreSQL full text over the
entries' `search` column) and compliance's Open Payments file for a year. The hub's row-level security
decides what each login sees (reviewers: everyone's; an MSL: their own and the shared meetings, and
only their own payments); nothing here filters by role. Each read is one read-only transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from msldesk.boards.records import Payment, Person, PersonFields

SEARCH_LIMIT = 200

# The latest correction of an entry's text stands for it (as NoteEntry.text does on the laptop).
_LATEST_BODY = """
LEFT JOIN LATERAL (
    SELECT a.changes->>'body' AS body FROM msldesk.amendments a
    WHERE a.target_table = 'entries' AND a.target_uid = e.uid AND a.changes ? 'body'
    ORDER BY a.made_at DESC, a.pushed_at DESC LIMIT 1
) latest ON true"""

# Entries whose words match, or whose correction's words match (few amendments: no index needed).
_HITS = """
e.uid IN (
    SELECT m.uid FROM msldesk.entries m WHERE m.search @@ websearch_to_tsquery('english', %(q)s)
    UNION
    SELECT a.target_uid FROM msldesk.amendments a
    WHERE a.target_table = 'entries'
      AND to_tsvector('english', coalesce(a.changes->>'body', '')) @@ websearch_to_tsquery('english', %(q)s)
)"""


@dataclass(frozen=True)
class TeamInsight:
    uid: str
    owner: str  # the MSL who pushed it
    event_title: str
    event_starts: dt.datetime | None
    shared: bool
    kind: str
    themes: tuple[str, ...]
    text: str  # as it now stands: the latest amendment, else as finalized
    amended: bool
    recorded_at: dt.datetime


def search_insights(
    connection: Any, query: str = "", theme: str = "", since: dt.date | None = None, limit: int = SEARCH_LIMIT
) -> list[TeamInsight]:
    """Entries the login may see, best match first (newest first without a query). `query` is read as
    a web search is (words, "a phrase", -not, or); `theme` matches one of an entry's themes in any case;
    `since`: recorded on or after that day (UTC)."""
    where, params = ["true"], {"q": query.strip(), "theme": theme.strip().lower(), "since": since}
    if params["q"]:
        where.append(_HITS)
    if params["theme"]:
        where.append("%(theme)s = ANY(string_to_array(lower(e.theme), '; '))")
    if since is not None:
        where.append("e.recorded_at >= %(since)s::date")
    order = "e.recorded_at DESC"
    if params["q"]:
        order = "ts_rank(e.search, websearch_to_tsquery('english', %(q)s)) DESC, " + order
    statement = (
        "SELECT e.uid::text, e.owner, ev.title, ev.starts_at, e.shared, e.kind, e.theme, "
        "coalesce(latest.body, e.body), latest.body IS NOT NULL, e.recorded_at "
        f"FROM msldesk.entries e JOIN msldesk.events ev ON ev.uid = e.event_uid {_LATEST_BODY} "
        f"WHERE {' AND '.join(where)} ORDER BY {order}, e.uid LIMIT {int(limit)}"
    )
    with connection.transaction():
        connection.execute("SET TRANSACTION READ ONLY")
        rows = connection.execute(statement, params).fetchall()
    return [
        TeamInsight(uid, owner, title, starts, shared, kind, tuple(t for t in theme_text.split("; ") if t),
                    text, amended, recorded)
        for uid, owner, title, starts, shared, kind, theme_text, text, amended, recorded in rows
    ]  # fmt: skip


@dataclass(frozen=True)
class TeamPayments:
    payments: tuple[Payment, ...]
    owners: tuple[str, ...]  # the MSLs they came from
    everyone: bool  # read as a reviewer (every MSL's), not only the login's own


def read_payments(connection: Any, year: int) -> TeamPayments:
    """The year's transfers of value the login may see, each with its latest corrections applied, as
    the Open Payments writer takes them."""
    with connection.transaction():
        connection.execute("SET TRANSACTION READ ONLY")
        everyone = bool(
            connection.execute("SELECT pg_has_role(current_user, 'msldesk_reviewer', 'MEMBER')").fetchone()[0]
        )
        rows = connection.execute(
            "SELECT p.owner, p.npi, p.amount, p.currency, p.nature, p.paid_on, p.details, p.pushed_at, "
            "coalesce((SELECT jsonb_agg(a.changes ORDER BY a.made_at, a.pushed_at) FROM msldesk.amendments a "
            "WHERE a.target_table = 'payments' AND a.target_uid = p.uid), '[]') "
            "FROM msldesk.payments p WHERE p.paid_on >= make_date(%(y)s, 1, 1) "
            "AND p.paid_on < make_date(%(y)s + 1, 1, 1) ORDER BY p.paid_on, p.uid",
            {"y": year},
        ).fetchall()
    payments = [_payment(*row) for row in rows]
    return TeamPayments(tuple(payments), tuple(sorted({row[0] for row in rows})), everyone)


def _payment(
    owner: str, npi: str, amount: Decimal, currency: str, nature: str, paid_on: dt.date,
    details: dict[str, Any], pushed_at: dt.datetime, amendments: list[dict[str, Any]],
) -> Payment:  # fmt: skip
    values = {
        **details,
        "npi": npi,
        "amount": amount,
        "currency": currency,
        "nature": nature,
        "paid_on": paid_on,
    }
    for changes in amendments:  # later corrections win
        values.update(changes)

    def text(name: str) -> str:
        return str(values.get(name) or "")

    fields = PersonFields(
        first_name=text("first_name"), last_name=text("last_name"), credentials=text("credentials"),
        specialty=text("specialty"), city=text("city"), state=text("state"), country=text("country"),
        npi=text("npi"),
    )  # fmt: skip
    paid = values["paid_on"]
    return Payment(
        event_id=0,
        event_title=str(values.get("event_title", "")),
        date=paid if isinstance(paid, dt.date) else dt.date.fromisoformat(str(paid)),
        person=Person(0, fields, pushed_at, pushed_at),
        nature=str(values["nature"]),
        amount=Decimal(str(values["amount"])),
        currency=str(values["currency"]).strip(),
    )


def export_payments(connection: Any, year: int, out: Path) -> tuple[int, TeamPayments]:
    """Write the year's team payments with the app's one Open Payments writer (atomically)."""
    from msldesk.boards.outputs.open_payments import write_open_payments_csv

    found = read_payments(connection, year)
    return write_open_payments_csv(found.payments, out, year), found
