"""The audit trail: an append-only, hash-chained log of changes and exports, and its verification.

Each record's hash covers its own content and the previous record's hash, so changing, removing or
reordering any record breaks the chain from there on. Removing records from the end leaves a valid
chain, so the newest (id, hash) is also written to an anchor file beside the database after each
commit. Records are written inside the service's own transaction: a change and its audit record
commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from msldesk.db.base import Base
from msldesk.fileio import atomic_write_bytes

GENESIS = "0" * 64
REDACTED_PREFIX = '{"redacted":'
REDACT_ACTION = "audit.redact"
_HEAD_KEY = "msldesk.audit_head"


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at_utc: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(100))
    before_json: Mapped[str] = mapped_column(Text)
    after_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


@dataclass(frozen=True)
class AuditRecord:
    record_id: int
    at: dt.datetime  # aware, UTC
    actor: str
    action: str  # e.g. "event.update", "attendance.update", "export.summary"
    entity: str  # e.g. "event", "attendance", "deck", "note"
    entity_id: str
    before: Any
    after: Any
    redacted: bool = False  # personal data was erased from it (a person's erasure)


@dataclass(frozen=True)
class AuditReport:
    checked: int
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)  # not tampering, but worth knowing

    @property
    def ok(self) -> bool:
        return not self.problems


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"cannot audit a {type(value).__name__}")


def canonical(value: Any) -> str:
    """One text for one value: sorted keys, no spacing, exact decimals and ISO dates."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)


def _redaction(content: str) -> dict[str, Any] | None:
    """The marker an erasure left in place of a record's content, if it is one."""
    if not content.startswith(REDACTED_PREFIX):
        return None
    try:
        marker = json.loads(content)
    except ValueError:
        return None
    if not isinstance(marker, dict) or set(marker) != {"redacted", "remaining"}:
        return None
    return marker


def _digest(content: str) -> str:
    """What the chain covers of a before/after content: its sha256, which a redaction marker keeps."""
    marker = _redaction(content)
    if marker is not None:
        return str(marker["redacted"])
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _hash(prev_hash: str, row: AuditRow) -> str:
    # The content enters by digest, so a person's data can later be erased from it (see `redact`)
    # without breaking the chain.
    content = canonical(
        [row.id, row.at_utc.isoformat(), row.actor, row.action, row.entity, row.entity_id,
         _digest(row.before_json), _digest(row.after_json)]
    )  # fmt: skip
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def current_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "unknown"


def record(
    session: Session,
    action: str,
    entity: str,
    entity_id: object,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    actor: str | None = None,
    when: dt.datetime | None = None,
) -> None:
    """Append one record in the caller's transaction. Only fields that changed are worth passing
    (see `changed`), but whole snapshots are fine."""
    last = session.execute(select(AuditRow.id, AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)).first()
    moment = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    row = AuditRow(
        id=(last.id + 1) if last else 1,
        at_utc=moment,
        actor=actor or current_actor(),
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before_json=canonical(before),
        after_json=canonical(after),
        prev_hash=last.hash if last else GENESIS,
    )
    row.hash = _hash(row.prev_hash, row)
    session.add(row)
    session.flush()
    session.info[_HEAD_KEY] = (row.id, row.hash)


def redact(session: Session, erase: Callable[[str], str], reason: str) -> list[int]:
    """Erase personal data from the content of every record where `erase` changes it (a person's
    names and email replaced), leaving a marker with the original digest, so the chain still
    verifies; then record which records were redacted and why. Returns their ids."""
    redacted = []
    for row in session.scalars(select(AuditRow).order_by(AuditRow.id)):
        changes = {}
        for column in ("before_json", "after_json"):
            content: str = getattr(row, column)
            marker = _redaction(content)
            remaining = canonical(marker["remaining"]) if marker else content
            erased = erase(remaining)
            if erased == remaining:
                continue
            try:
                kept = json.loads(erased)
            except ValueError:  # the replacement broke the JSON: keep nothing of it
                kept = None
            changes[column] = canonical({"redacted": _digest(content), "remaining": kept})
        if changes:
            for column, value in changes.items():
                setattr(row, column, value)
            redacted.append(row.id)
    session.flush()
    if redacted:
        record(session, REDACT_ACTION, "audit", redacted[0], None, {"records": redacted, "reason": reason})
    return redacted


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


class AuditService:
    def __init__(self, sessions: sessionmaker[Session], anchor_path: Path) -> None:
        self.sessions = sessions
        self.anchor_path = Path(anchor_path)
        event.listen(sessions, "after_commit", self._on_commit)

    def _on_commit(self, session: Session) -> None:
        head = session.info.pop(_HEAD_KEY, None)
        if head is not None:
            data = json.dumps({"id": head[0], "hash": head[1]}).encode("utf-8")
            atomic_write_bytes(self.anchor_path, data)

    def record(
        self, action: str, entity: str, entity_id: object, before: Any = None, after: Any = None
    ) -> None:
        """Record an event that is not part of a database change (an export)."""
        with self.sessions.begin() as session:
            record(session, action, entity, entity_id, before, after)

    def history(self, entity: str, entity_id: object) -> list[AuditRecord]:
        with self.sessions() as session:
            rows = session.scalars(
                select(AuditRow)
                .where(AuditRow.entity == entity, AuditRow.entity_id == str(entity_id))
                .order_by(AuditRow.id)
            ).all()
        return [_to_record(r) for r in rows]

    def recent(self, limit: int = 200) -> list[AuditRecord]:
        with self.sessions() as session:
            rows = session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)).all()
        return [_to_record(r) for r in rows]

    def verify(self) -> AuditReport:
        """Walk the whole chain; name each record that was altered, removed or moved."""
        problems: list[str] = []
        notes: list[str] = []
        expected_prev, expected_id, checked = GENESIS, 1, 0
        blanked: list[int] = []
        listed: set[int] = set()
        with self.sessions() as session:
            # Read in storage order too: an UPDATE of ids would otherwise be invisible.
            for row in session.scalars(select(AuditRow).order_by(AuditRow.id)):
                checked += 1
                if row.id != expected_id:
                    problems.append(f"records {expected_id}–{row.id - 1} are missing")
                if row.prev_hash != expected_prev:
                    problems.append(
                        f"record {row.id} does not follow the record before it (removed or reordered)"
                    )
                if _hash(row.prev_hash, row) != row.hash:
                    problems.append(f"record {row.id} was altered after it was written")
                if _redaction(row.before_json) or _redaction(row.after_json):
                    blanked.append(row.id)
                if row.action == REDACT_ACTION:
                    listed.update(_listed_records(row.after_json))
                expected_prev, expected_id = row.hash, row.id + 1
        for record_id in blanked:
            if record_id not in listed:
                problems.append(f"record {record_id} was blanked without an erasure that says so")
        anchor = self._anchor()
        last_id = expected_id - 1
        if anchor is not None:
            if anchor[0] > last_id:
                problems.append(f"records after {last_id} were removed (the log had {anchor[0]})")
            elif anchor[0] == last_id and anchor[1] != expected_prev:
                problems.append(f"record {last_id} does not match the last record the app wrote")
            elif anchor[0] < last_id:
                notes.append(
                    "the newest records were written after the last anchor (e.g. an interrupted save)"
                )
        elif last_id:
            notes.append("no anchor file: removal of the newest records cannot be ruled out")
        return AuditReport(checked, tuple(problems), tuple(notes))

    def _anchor(self) -> tuple[int, str] | None:
        try:
            data = json.loads(self.anchor_path.read_text(encoding="utf-8"))
            return int(data["id"]), str(data["hash"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return (10**12, "")  # a damaged anchor is itself a finding: verify reports removal


def _listed_records(content: str) -> list[int]:
    try:
        records = json.loads(content).get("records", [])
        return [int(r) for r in records]
    except (ValueError, AttributeError, TypeError):
        return []


def _content(text: str) -> tuple[Any, bool]:
    marker = _redaction(text)
    return (marker["remaining"], True) if marker else (json.loads(text), False)


def _to_record(row: AuditRow) -> AuditRecord:
    (before, blanked_before), (after, blanked_after) = _content(row.before_json), _content(row.after_json)
    return AuditRecord(
        row.id, row.at_utc.replace(tzinfo=dt.UTC), row.actor, row.action, row.entity, row.entity_id,
        before, after, blanked_before or blanked_after,
    )  # fmt: skip
