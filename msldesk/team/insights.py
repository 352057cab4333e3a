"""Reading the team's pushed records back from the hub: insight search (PostgreSQL full text over the
entries' `search` column) and compliance's Open Payments file for a year. The hub's row-level security
decides what each login sees (reviewers: everyone's; an MSL: their own and the shared meetings, and
only their own payments); nothing here filters by role. Each read is one read-only transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msldesk.boards.records import Payment, Person, PersonFields

if TYPE_CHECKING:
    from msldesk.team.service import TeamService

SEARCH_LIMIT = 200
# A query is ranked among its newest SEARCH_CANDIDATES matches (and every entry whose correction matches),
# not among all of them: ranking costs time in proportion to the rows ranked, and on a hub of 1,000,000
# entries a common word matches 150,000 (issue 16: p95 ≤ 50 ms).
SEARCH_CANDIDATES = 1000

# The latest correction of an entry's text stands for it (as NoteEntry.text does on the laptop).
_LATEST_BODY = """
LEFT JOIN LATERAL (
    SELECT a.changes->>'body' AS body FROM msldesk.amendments a
    WHERE a.target_table = 'entries' AND a.target_uid = e.uid AND a.changes ? 'body'
    ORDER BY a.made_at DESC, a.pushed_at DESC LIMIT 1
) latest ON true"""

# The newest matches: first among the newest RECENT_DAYS of entries (the GIN index's matches and the
# recorded_at range together, so a common word reads a few thousand rows, not every match in the hub),
# then, only when those are fewer than wanted, among the older ones; and entries whose correction
# matches (few amendments: no index needed). The result is the same as taking the newest matches of
# the whole hub. MATERIALIZED keeps each LIMIT where it is: nothing outside may be pushed into it.
RECENT_DAYS = 90
_MATCHES = """SELECT m.uid, m.recorded_at FROM msldesk.entries m
     WHERE m.search @@ websearch_to_tsquery('english', %(q)s) AND {filters}
       AND m.recorded_at {side} %(recent)s"""
_CANDIDATES = f"""
WITH recent AS MATERIALIZED (
    {_MATCHES.format(filters="{filters}", side=">=")}
    ORDER BY m.recorded_at DESC LIMIT {{candidates}}
), hits AS MATERIALIZED (
    (SELECT newest.uid FROM (
        SELECT uid, recorded_at FROM recent
        UNION ALL
        ({_MATCHES.format(filters="{filters}", side="<")}
         AND (SELECT count(*) FROM recent) < {{candidates}} ORDER BY m.recorded_at DESC LIMIT {{candidates}})
     ) newest ORDER BY newest.recorded_at DESC LIMIT {{candidates}})
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
    connection: Any, query: str = "", theme: str = "", since: dt.date | None = None,
    limit: int = SEARCH_LIMIT, candidates: int = SEARCH_CANDIDATES,
) -> list[TeamInsight]:  # fmt: skip
    """Entries the login may see, best match first (newest first without a query). `query` is read as
    a web search is (words, "a phrase", -not, or); `theme` matches one of an entry's themes in any case;
    `since`: recorded on or after that day (UTC).

    With a query, the best matches among the newest `candidates` matches (after `theme` and `since`),
    and among the entries whose latest or earlier correction matches, however old: an older entry that
    matches better is not found unless the search is narrowed (more words, a theme, a day)."""
    params = {"q": query.strip(), "theme": theme.strip().lower(), "since": since}

    def filters(alias: str) -> str:
        where = ["true"]
        if params["theme"]:
            where.append(f"%(theme)s = ANY(string_to_array(lower({alias}.theme), '; '))")
        if since is not None:
            where.append(f"{alias}.recorded_at >= %(since)s::date")
        return " AND ".join(where)

    if params["q"]:
        head = _CANDIDATES.format(filters=filters("m"), candidates=int(candidates))
        source = "hits h JOIN msldesk.entries e ON e.uid = h.uid"
        rank, order = "ts_rank(e.search, websearch_to_tsquery('english', %(q)s))", "rank DESC, "
    else:
        head, source, rank, order = "", "msldesk.entries e", "0", ""
    # Ranked and cut to `limit` first; the meeting and the latest correction only for the rows shown.
    statement = (
        f"{head} SELECT e.uid::text, e.owner, ev.title, ev.starts_at, e.shared, e.kind, e.theme, "
        "coalesce(latest.body, e.body), latest.body IS NOT NULL, e.recorded_at FROM ("
        "SELECT e.uid, e.owner, e.event_uid, e.shared, e.kind, e.theme, e.body, e.recorded_at, "
        f"{rank} AS rank FROM {source} WHERE {filters('e')} "
        f"ORDER BY {order}e.recorded_at DESC, e.uid LIMIT {int(limit)}"
        f") e JOIN msldesk.events ev ON ev.uid = e.event_uid {_LATEST_BODY} "
        "ORDER BY e.rank DESC, e.recorded_at DESC, e.uid"
    )
    with connection.transaction():
        connection.execute("SET TRANSACTION READ ONLY")
        if params["q"]:  # the window's start as a value, so that the planner can use entries_recorded
            (newest,) = connection.execute("SELECT max(recorded_at) FROM msldesk.entries").fetchone()
            params["recent"] = (newest or dt.datetime.now(dt.UTC)) - dt.timedelta(days=RECENT_DAYS)
        rows = connection.execute(statement, params).fetchall()
    return [
        TeamInsight(uid, owner, title, starts, shared, kind, tuple(t for t in theme_text.split("; ") if t),
                    text, amended, recorded)
        for uid, owner, title, starts, shared, kind, theme_text, text, amended, recorded in rows
    ]  # fmt: skip


def find_insights(
    team: TeamService,
    query: str = "",
    theme: str = "",
    since: dt.date | None = None,
    limit: int = SEARCH_LIMIT,
) -> list[TeamInsight]:
    """`search_insights` on this library's hub (`msldesk team insights`, the desktop's Team insights)."""
    from msldesk.hub.connect import hub_errors

    connection = open_team_hub(team)
    try:
        with hub_errors("search the team's insights"):
            return search_insights(connection, query, theme, since, limit)
    finally:
        connection.close()


def open_team_hub(team: TeamService) -> Any:
    """A connection to the library's hub (the caller closes it); NoHubError, in words, without one."""
    from msldesk.team.hub_link import open_hub
    from msldesk.team.service import NoHubError

    link = team.link()
    if link is None:
        raise NoHubError("This library is not connected to a team hub: run msldesk team connect DSN.")
    return open_hub(link.dsn, team.password())


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
