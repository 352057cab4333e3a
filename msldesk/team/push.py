"""Pushing to the hub: finalized meetings (as the medical audience sees them), their transfers of value
and later corrections, never anything unfinalized.

Every record gets its uid in the library's ledger (team_uids) before it is sent, and is marked pushed
only after the hub committed it: a push cut off anywhere is sent again with the same uids and the hub
inserts nothing twice (ON CONFLICT DO NOTHING). One hub transaction per record set (one meeting, or
what came after it), at READ COMMITTED: the hub's audit trigger takes its lock, then reads the chain's
last record, which a repeatable-read snapshot taken before the lock could not see."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from msldesk.boards.events.rows import event_row
from msldesk.boards.kinds import Audience
from msldesk.boards.meeting.service import MeetingService
from msldesk.boards.orm import AttendanceRow, EventRow
from msldesk.boards.records import Payment
from msldesk.core import clock
from msldesk.core.errors import InvalidInputError, MsldeskError
from msldesk.protect import audit
from msldesk.team.hub_link import Opener, open_hub
from msldesk.team.orm import TeamShareRow, TeamUidRow
from msldesk.team.push_rows import (
    EVENT,
    Key,
    RecordSet,
    fix_row,
    hub_table,
    is_tracked,
    kept_values,
    meeting_rows,
    payment_row,
)
from msldesk.team.service import NoHubError, TeamService

Kept = tuple[str, dict[str, Any]]  # a pushed record's uid and what the hub has for it (kept_values)


@dataclass(frozen=True)
class PushReport:
    """What one push sent: meetings (their titles), transfers of value, amendments (corrections) and
    additions (agenda items and attendees added to meetings after their push); `problem` is the one
    sentence that stopped it (what was sent before it stays sent)."""

    meetings: tuple[str, ...] = ()
    payments: int = 0
    amendments: int = 0
    problem: str = ""
    additions: int = 0

    @property
    def nothing(self) -> bool:
        return not (self.meetings or self.payments or self.amendments or self.additions)


@dataclass(frozen=True)
class PendingRecords:
    meetings: int
    payments: int
    amendments: int
    additions: int = 0


# -- what waits ----------------------------------------------------------------------------------


def pending_sets(team: TeamService, meetings: MeetingService) -> list[RecordSet]:
    """Every record set not yet (wholly) on the hub, oldest finalization first. Reads the library only."""
    with team.sessions() as session:
        pushed = _pushed(session)
        kept = _kept(session)
        finalized = session.execute(
            select(EventRow.id, EventRow.title, EventRow.starts_at_utc)
            .where(EventRow.finalized_at_utc.is_not(None))
            .order_by(EventRow.finalized_at_utc, EventRow.id)
        ).all()
        event_ids = [event_id for event_id, _t, _s in finalized]
        shares = dict(session.execute(select(TeamShareRow.event_id, TeamShareRow.shared)).all())
        attendance_ids = _attendance_ids(session, event_ids)
    # A payment is dated on the event's local start day: its year is the UTC start's, or one either side.
    years = {start.year + k for _i, _t, start in finalized if start is not None for k in (-1, 0, 1)}
    payments = _payments_by_event(meetings, set(event_ids), years)
    sets = []
    for event_id, title, _start in finalized:
        paid = [
            payment_row(p, attendance_ids[(event_id, p.person.person_id)]) for p in payments.get(event_id, [])
        ]
        report = meetings.report(event_id, Audience.MEDICAL)
        rows = meeting_rows(report, shares.get(event_id, False)) + paid
        if (EVENT, event_id) not in pushed:
            sets.append(RecordSet(event_id, title, True, rows))
            continue
        later = _since_push(RecordSet(event_id, title, False), rows, pushed, kept)
        if later.rows or later.baselines:
            sets.append(later)
    return sets


def _since_push(
    later: RecordSet, rows: list[tuple[Key, dict[str, Any]]], pushed: set[Key], kept: dict[Key, Kept]
) -> RecordSet:
    """What of a pushed meeting the hub does not have yet: records added since (agenda items, attendees,
    transfers of value, entries' amendments) as new rows; the event, agenda items, attendance and
    transfers of value changed or gone since, as corrections (only what changed)."""
    now = dict(rows)
    later.rows = [(key, values) for key, values in rows if key not in pushed]
    for key, (uid, was) in sorted(kept.items()):
        if was["event_id"] == later.event_id:
            fix = fix_row(key, uid, was, kept_values(key, now[key], later.event_id) if key in now else None)
            if fix is not None:
                fix_key, row, fix_uid, after = fix
                later.rows.append((fix_key, row))
                later.fixes[fix_key] = (fix_uid, after)
    # Pushed by an older msldesk, which kept nothing of what it sent: what is here now is taken as what
    # the hub has (no correction sent, since nobody knows what changed), and corrected from there on.
    later.baselines = {
        key: kept_values(key, values, later.event_id)
        for key, values in rows
        if key in pushed and key not in kept and is_tracked(key[0])
    }
    return later


def pending_records(team: TeamService, meetings: MeetingService) -> PendingRecords:
    sets = pending_sets(team, meetings)
    return PendingRecords(
        sum(1 for s in sets if s.new_meeting),
        sum(s.count("payment") for s in sets),
        sum(s.amendments for s in sets),
        sum(s.additions for s in sets),
    )


def _pushed(session: Session) -> set[Key]:
    rows = session.execute(
        select(TeamUidRow.kind, TeamUidRow.local_id).where(TeamUidRow.pushed_at_utc.is_not(None))
    ).all()
    return {(kind, local_id) for kind, local_id in rows}


def _attendance_ids(session: Session, event_ids: list[int]) -> dict[tuple[int, int], int]:
    rows = session.execute(
        select(AttendanceRow.event_id, AttendanceRow.person_id, AttendanceRow.id).where(
            AttendanceRow.event_id.in_(event_ids)
        )
    ).all()
    return {(event_id, person_id): attendance_id for event_id, person_id, attendance_id in rows}


def _kept(session: Session) -> dict[Key, Kept]:
    """Every pushed record the ledger keeps values of: its uid and what the hub has for it."""
    rows = session.execute(
        select(TeamUidRow.kind, TeamUidRow.local_id, TeamUidRow.uid, TeamUidRow.pushed_values).where(
            TeamUidRow.pushed_at_utc.is_not(None), TeamUidRow.pushed_values.is_not(None)
        )
    ).all()
    return {(kind, local_id): (uid, json.loads(values or "{}")) for kind, local_id, uid, values in rows}


def _payments_by_event(
    meetings: MeetingService, event_ids: set[int], years: set[int]
) -> dict[int, list[Payment]]:
    """The transfers of value of these events, as EventService.payments (the Open Payments rule) has
    them: read once per calendar year."""
    found: dict[int, list[Payment]] = {}
    for year in sorted(years):
        for payment in meetings.events.payments(year):
            if payment.event_id in event_ids:
                found.setdefault(payment.event_id, []).append(payment)
    return found


# -- sending -------------------------------------------------------------------------------------


def push_pending(team: TeamService, meetings: MeetingService, opener: Opener = open_hub) -> PushReport:
    """Send everything that waits, one record set per hub transaction. A hub that cannot be reached
    raises before anything is sent; a failure later stops the push and is the report's `problem`."""
    link = team.link()
    if link is None:
        raise NoHubError("This library is not connected to a team hub: run msldesk team connect DSN.")
    sets = pending_sets(team, meetings)
    _keep(team.sessions, {key: values for s in sets for key, values in s.baselines.items()})
    sets = [s for s in sets if s.rows]
    if not sets:
        return PushReport()
    connection = opener(link.dsn, team.password())
    sent: list[RecordSet] = []
    problem = ""
    try:
        for record_set in sets:
            uids = _uids(team.sessions, record_set.keys() + record_set.linked())
            uids.update({key: uid for key, (uid, _after) in record_set.fixes.items()})
            send(connection, record_set, uids)
            mark_pushed(team.sessions, record_set)
            sent.append(record_set)
    except MsldeskError as exc:
        problem = exc.user_message
    finally:
        connection.close()
    return PushReport(
        tuple(s.title for s in sent if s.new_meeting),
        sum(s.count("payment") for s in sent),
        sum(s.amendments for s in sent),
        problem,
        sum(s.additions for s in sent),
    )


def _uids(sessions: sessionmaker[Session], keys: Iterable[Key]) -> dict[Key, str]:
    """The ledger's uid of every record, made (and committed) now for those that have none yet, so a
    retry after a cut sends the same ones."""
    keys = list(keys)
    with sessions.begin() as session:
        found = {
            (row.kind, row.local_id): row.uid
            for row in session.scalars(select(TeamUidRow).where(TeamUidRow.kind.in_({k for k, _i in keys})))
        }
        for kind, local_id in keys:
            if (kind, local_id) not in found:
                uid = str(uuid.uuid4())
                session.add(TeamUidRow(kind=kind, local_id=local_id, uid=uid, pushed_at_utc=None))
                found[(kind, local_id)] = uid
    return found


def send(connection: Any, record_set: RecordSet, uids: dict[Key, str]) -> None:
    """One hub transaction (READ COMMITTED, the connection's default) inserting the set's rows; a row
    already there (a retry) is left as it is."""
    from psycopg import sql
    from psycopg.types.json import Jsonb

    from msldesk.hub.connect import hub_errors, make_durable

    def value(name: str, given: Any) -> Any:
        if isinstance(given, tuple):  # a linked record, named by its ledger key
            return uids[given]
        return Jsonb(given) if name in ("details", "changes") else given

    with hub_errors(f"push “{record_set.title}”"), connection.transaction():
        make_durable(connection)  # the library notes the set as pushed once the commit returns
        for key, values in record_set.rows:
            names = ["uid", *values]
            statement = sql.SQL(
                "INSERT INTO msldesk.{} ({}) VALUES ({}) ON CONFLICT (uid) DO NOTHING"
            ).format(
                sql.Identifier(hub_table(key[0])),
                sql.SQL(", ").join(map(sql.Identifier, names)),
                sql.SQL(", ").join(sql.Placeholder() * len(names)),
            )
            connection.execute(statement, [uids[key], *(value(n, v) for n, v in values.items())])


def mark_pushed(sessions: sessionmaker[Session], record_set: RecordSet) -> None:
    """After the hub committed: the set's records are on the hub (and the library's trail says so)."""
    now = clock.utc_now()
    with sessions.begin() as session:
        for row in _ledger_rows(session, record_set.keys()):
            if row.pushed_at_utc is None:
                row.pushed_at_utc = now
        _write_kept(session, record_set.pushed_values())
        audit.record(session, "team.push", "event", record_set.event_id, None, {
            "meeting": record_set.new_meeting, "records": len(record_set.keys()),
            "payments": record_set.count("payment"), "amendments": record_set.amendments,
            "additions": record_set.additions,
        })  # fmt: skip


def _keep(sessions: sessionmaker[Session], baselines: dict[Key, dict[str, Any]]) -> None:
    if baselines:
        with sessions.begin() as session:
            _write_kept(session, baselines)


def _write_kept(session: Session, values: dict[Key, dict[str, Any]]) -> None:
    """What the hub has for these records, kept in the ledger for the next push to compare with."""
    for row in _ledger_rows(session, values):
        row.pushed_values = json.dumps(values[(row.kind, row.local_id)], sort_keys=True)


def _ledger_rows(session: Session, keys: Iterable[Key]) -> list[TeamUidRow]:
    keys = set(keys)
    query = select(TeamUidRow).where(TeamUidRow.kind.in_({kind for kind, _i in keys}))
    return [row for row in session.scalars(query) if (row.kind, row.local_id) in keys]


# -- sharing -------------------------------------------------------------------------------------


def set_shared(team: TeamService, event_id: int, shared: bool) -> None:
    """Whether this meeting goes to the hub shared with the other MSLs. Refused once it is pushed: the
    hub keeps a pushed meeting as it was."""
    with team.sessions.begin() as session:
        event = event_row(session, event_id)
        pushed = session.scalars(
            select(TeamUidRow.pushed_at_utc).where(TeamUidRow.kind == EVENT, TeamUidRow.local_id == event_id)
        ).first()
        row = session.get(TeamShareRow, event_id)
        was = bool(row and row.shared)
        if pushed is not None:
            if was == shared:
                return
            raise InvalidInputError(
                f"“{event.title}” is already on the team hub as {'shared' if was else 'private'}; "
                "the hub never changes a pushed meeting."
            )
        if row is None:
            row = TeamShareRow(event_id=event_id)
            session.add(row)
        row.shared, row.decided_at_utc = shared, clock.utc_now()
        audit.record(session, "team.share", "event", event_id, {"shared": was}, {"shared": shared})


def is_shared(team: TeamService, event_id: int) -> bool:
    with team.sessions() as session:
        row = session.get(TeamShareRow, event_id)
        return bool(row and row.shared)
