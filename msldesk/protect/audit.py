"""The audit trail: an append-only, keyed hash chain of changes and exports, and its verification.

Each record's hash is an HMAC, keyed with a key derived from the library key, over every value the
record stores exactly as stored and over the previous record's hash: changing, removing, reordering
or inserting a record breaks the chain, and recomputing it needs the key. A record's content enters
by its SHA-256 digest, so that erasing a person can blank their data (`erasure_transform`): the marker
left behind keeps that digest and carries its own HMAC over what it keeps. Removing records from the
end leaves a valid chain, so the newest (id, hash) is also written to an anchor file beside the
database after each commit, and verify checks it against that record. Records are written inside the
service's own transaction: a change and its audit record commit together or not at all.

Libraries made before the chain was keyed hold records chained with plain SHA-256; when such a
library is upgraded, an "audit.rekey" record (keyed) pins them, and the same happens when the key
changes (a plain library encrypted, a backup of another library restored). Verify checks each stretch
of the chain with the scheme the re-keying record that ends it names, and the newest with this key.

This module writes records and answers for the trail; the hashing and the markers are in
`audit_chain`, the checking in `audit_verify`.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text, event, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from msldesk.core.fileio import atomic_write_bytes
from msldesk.db.base import Base
from msldesk.db.crypto import derive_audit_key
from msldesk.db.migrate import older_than
from msldesk.protect.anchor import anchor_text
from msldesk.protect.audit_chain import (
    CONTENT_COLUMNS,
    LEGACY,
    RAW_TYPES,
    REDACT_ACTION,
    REKEY_ACTION,
    canonical,
    erasure_transform,
    hashed_fields,
    key_id,
    marker_text,
    new_record,
    read_rows,
    redaction,
    segment_line,
)
from msldesk.protect.audit_verify import AuditReport, read_anchor, verify_rows

_HEAD_KEY = "msldesk.audit_head"
_KEY_INFO = "msldesk.audit_key"
KEYED_REVISION = "0008_audit_keyed"  # the schema from which the chain is keyed
PLAIN_KEY = derive_audit_key(None)  # an unencrypted library's (public) chain key


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


def current_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "unknown"


def _session_key(session: Session) -> bytes:
    key = session.info.get(_KEY_INFO)
    if not isinstance(key, bytes):
        # Never write an unkeyed record: the session factory must come through AuditService.
        raise RuntimeError("audit records need the chain key: build AuditService on this session factory")
    return key


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
    key = _session_key(session)
    last = session.execute(select(AuditRow.id, AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)).first()
    moment = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    raw = new_record(
        key, (last[0], last[1]) if last else None, moment, actor or current_actor(), action, entity,
        str(entity_id), canonical(before), canonical(after),
    )  # fmt: skip
    row = AuditRow(
        id=raw[0], at_utc=moment, actor=raw[2], action=action, entity=entity, entity_id=raw[5],
        before_json=raw[6], after_json=raw[7], prev_hash=raw[8], hash=raw[9],
    )  # fmt: skip
    session.add(row)
    session.flush()
    session.info[_HEAD_KEY] = (row.id, row.hash)


def _raw_rows(session: Session) -> list[tuple[Any, ...]]:
    # The DB-API connection itself: its rows are plain tuples, read without SQLAlchemy's per-row work.
    return read_rows(session.connection().connection.driver_connection.execute)  # type: ignore[union-attr]


def _intact_kinds(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows whose values are of the kinds the app writes (the others are verify's to report)."""
    return [raw for raw in rows if raw[10] == RAW_TYPES]


def _set_content(session: Session, record_id: int, column: str, value: str) -> None:
    assert column in CONTENT_COLUMNS
    session.execute(
        text(f"UPDATE audit_log SET {column} = :value WHERE id = :id"), {"value": value, "id": record_id}
    )


def redact(session: Session, erase: Callable[[str], str], reason: str) -> list[int]:
    """Erase personal data from the content of every record where `erase` changes it (a person's
    names and email replaced) through `erasure_transform`, so the chain still verifies; then record
    which records were redacted and why. Returns their ids."""
    key = _session_key(session)
    session.flush()
    redacted = []
    for raw in _intact_kinds(_raw_rows(session)):
        changed = False
        for index, column in ((6, "before_json"), (7, "after_json")):
            erased = erasure_transform(key, raw[0], column, raw[index], erase)
            if erased is not None:
                _set_content(session, raw[0], column, erased)
                changed = True
        if changed:
            redacted.append(raw[0])
    session.expire_all()  # the ORM's copies of the rows are stale now
    if redacted:
        record(session, REDACT_ACTION, "audit", redacted[0], None, {"records": redacted, "reason": reason})
    return redacted


def rekey(session: Session, previous: str, reason: str) -> int | None:
    """Start keying the chain with this session's key from here on: seal every marker with it, then
    append an "audit.rekey" record naming the scheme the records since the last re-keying were
    written with (`LEGACY` or a key id) and a digest of them all. Returns the new record's id."""
    key = _session_key(session)
    session.flush()
    rows = _raw_rows(session)
    if not rows:
        return None
    since = max((i for i, raw in enumerate(rows) if raw[3] == REKEY_ACTION), default=0)
    # The lines of the stretch as verify reads them.
    lines = (segment_line(hashed_fields(raw), raw) for raw in _intact_kinds(rows[since:]))
    sealed = hashlib.sha256("".join(lines).encode("utf-8"))
    for raw in _intact_kinds(rows):
        for index, column in ((6, "before_json"), (7, "after_json")):
            marker = redaction(raw[index])
            if marker is not None:
                resealed = marker_text(key, raw[0], column, marker["redacted"], marker["remaining"])
                if resealed != raw[index]:
                    _set_content(session, raw[0], column, resealed)
    session.expire_all()
    details = {"previous": previous, "records": [rows[since][0], rows[-1][0]], "sealed": sealed.hexdigest(),
               "reason": reason}  # fmt: skip
    record(session, REKEY_ACTION, "audit", rows[-1][0], None, details)
    return rows[-1][0] + 1


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


# ---- verification ------------------------------------------------------------------------------------


class AuditService:
    def __init__(self, sessions: sessionmaker[Session], anchor_path: Path, key: bytes) -> None:
        self.sessions = sessions
        self.anchor_path = Path(anchor_path)
        self.key = key
        # Every session of the library carries the chain key, so audit.record can key each record.
        sessions.configure(info={**sessions.kw.get("info", {}), _KEY_INFO: key})
        event.listen(sessions, "after_commit", self._on_commit)

    @property
    def key_id(self) -> str:
        return key_id(self.key)

    def known_keys(self) -> dict[str, bytes]:
        return {key_id(PLAIN_KEY): PLAIN_KEY, self.key_id: self.key}

    def _on_commit(self, session: Session) -> None:
        head = session.info.pop(_HEAD_KEY, None)
        if head is not None:
            atomic_write_bytes(self.anchor_path, anchor_text(*head).encode("utf-8"))

    def record(
        self, action: str, entity: str, entity_id: object, before: Any = None, after: Any = None
    ) -> None:
        """Record an event that is not part of a database change (an export)."""
        with self.sessions.begin() as session:
            record(session, action, entity, entity_id, before, after)

    def rekey(self, previous: str, reason: str) -> int | None:
        """Key the chain from here on (see `rekey`); None when the log is empty."""
        with self.sessions.begin() as session:
            return rekey(session, previous, reason)

    def key_chain_after_upgrade(self, revision_before: str | None, was_plain: bool = False) -> None:
        """Once, right after the schema upgrade that brought keying (or the encryption of a plain
        library): pin the records written without this key with a keyed "audit.rekey" record. Only
        these two moments re-key; at any other time an unkeyed record is a finding of verify."""
        if older_than(revision_before, KEYED_REVISION):
            self.rekey(
                LEGACY,
                "records written by an earlier msldesk, chained with plain SHA-256; keyed from here on",
            )
        elif was_plain and self.key != PLAIN_KEY:
            self.rekey(
                key_id(PLAIN_KEY),
                "the library was encrypted: records written while it was plain were chained with the key "
                "every plain library shares; keyed with this library's key from here on",
            )

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
        """Walk the whole chain; name each record that was altered, removed, moved or forged, and say
        whether the anchor confirms the newest one."""
        with self.sessions() as session:
            rows = _raw_rows(session)
        return verify_rows(rows, self.known_keys(), self.key_id, read_anchor(self.anchor_path))


def _content(text_: str) -> tuple[Any, bool]:
    marker = redaction(text_)
    return (marker["remaining"], True) if marker else (json.loads(text_), False)


def _to_record(row: AuditRow) -> AuditRecord:
    (before, blanked_before), (after, blanked_after) = _content(row.before_json), _content(row.after_json)
    return AuditRecord(
        row.id, row.at_utc.replace(tzinfo=dt.UTC), row.actor, row.action, row.entity, row.entity_id,
        before, after, blanked_before or blanked_after,
    )  # fmt: skip
