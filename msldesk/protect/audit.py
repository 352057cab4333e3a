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
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text, event, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from msldesk.core.fileio import atomic_write_bytes
from msldesk.db.base import Base
from msldesk.db.crypto import derive_audit_key
from msldesk.db.migrate import older_than

GENESIS = "0" * 64
REDACTED_PREFIX = '{"redacted":'
REDACT_ACTION = "audit.redact"
REKEY_ACTION = "audit.rekey"
LEGACY = "sha256"  # the scheme of records written before the chain was keyed
CONTENT_COLUMNS = ("before_json", "after_json")
_HEAD_KEY = "msldesk.audit_head"
_KEY_INFO = "msldesk.audit_key"
# Every stored value as stored, and the storage class of each. Text that is not UTF-8 cannot be read
# as text: then the values are read as their bytes (RAW_BYTES_SELECT), so that it is a finding rather
# than a decoding error.
_RAW_COLUMNS = ("id", "at_utc", "actor", "action", "entity", "entity_id", "before_json", "after_json",
                "prev_hash", "hash")  # fmt: skip
_STORAGE_CLASSES = " || ".join(f"typeof({c})" for c in _RAW_COLUMNS)
RAW_SELECT = f"SELECT {', '.join(_RAW_COLUMNS)}, {_STORAGE_CLASSES} FROM audit_log ORDER BY id"
RAW_BYTES_SELECT = (
    f"SELECT id, {', '.join(f'CAST({c} AS BLOB)' for c in _RAW_COLUMNS[1:])}, {_STORAGE_CLASSES} "
    "FROM audit_log ORDER BY id"
)
_RAW_TYPES = "integer" + "text" * (len(_RAW_COLUMNS) - 1)
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


# What verify says about the anchor file (AuditReport.anchor).
ANCHOR_OK, ANCHOR_NONE = "ok", "none"  # matches the newest record; an empty log and no anchor
ANCHOR_MISSING, ANCHOR_STALE, ANCHOR_DAMAGED = "missing", "stale", "damaged"  # incomplete
ANCHOR_REMOVED, ANCHOR_MISMATCH = "removed", "mismatch"  # tampered
_INCOMPLETE_ANCHORS = frozenset({ANCHOR_MISSING, ANCHOR_STALE, ANCHOR_DAMAGED})


@dataclass(frozen=True)
class AuditReport:
    checked: int
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # not tampering, but worth knowing
    records: tuple[int, ...] = ()  # the records found altered, moved, forged or missing
    anchor: str = ANCHOR_OK
    # Records were changed, removed or forged (else any problem is an anchor that is missing, stale or
    # damaged: the trail cannot be confirmed complete).
    tampered: bool = False

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


# One encoder, made once: json.dumps with these options would build a new one on every call.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)


def canonical(value: Any) -> str:
    """One text for one value: sorted keys, no spacing, exact decimals and ISO dates."""
    return _ENCODER.encode(value)


def key_id(key: bytes) -> str:
    """A name for a chain key that reveals nothing about it (written in re-keying records, backups)."""
    return hmac.new(key, b"msldesk audit key id", hashlib.sha256).hexdigest()[:16]


def _mac(key: bytes, data: str) -> str:
    return hmac.digest(key, data.encode("utf-8"), "sha256").hex()


class _Mac:
    """HMAC-SHA256 with one key, its padded key hashed once: about twice as fast per message as
    hmac.digest, which matters to verify (one per record)."""

    def __init__(self, key: bytes) -> None:
        padded = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def __call__(self, data: str) -> str:
        inner = self._inner.copy()
        inner.update(data.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def _preimage(prev_hash: str, fields: list[Any]) -> str:
    """What a record's keyed hash is taken over: the previous hash and the fields, each text prefixed
    by its length, so no two different records give the same text."""
    record_id, at, actor, action, entity, entity_id, before, after = fields
    return (
        f"{len(prev_hash)}:{prev_hash}|{record_id}|{len(at)}:{at}|{len(actor)}:{actor}|{len(action)}:{action}|"
        f"{len(entity)}:{entity}|{len(entity_id)}:{entity_id}|{len(before)}:{before}|{len(after)}:{after}"
    )


def _sha256(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def stored_time(moment: dt.datetime) -> str:
    """A naive UTC moment as SQLAlchemy stores a DateTime in SQLite (what the hash covers)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


# ---- the erasure transform -------------------------------------------------------------------------


def _redaction(content: str) -> dict[str, Any] | None:
    """The marker an erasure left in place of a record's content, if it is one (sealed, or an
    unsealed one written before the chain was keyed)."""
    if not content.startswith(REDACTED_PREFIX):
        return None
    try:
        marker = json.loads(content)
    except ValueError:
        return None
    if not isinstance(marker, dict) or set(marker) - {"seal"} != {"redacted", "remaining"}:
        return None
    if not isinstance(marker["redacted"], str) or not isinstance(marker.get("seal", ""), str):
        return None
    return marker


def _digest(content: str) -> str:
    """What the chain covers of a before/after content: its sha256, which a redaction marker keeps."""
    marker = _redaction(content)
    if marker is not None:
        return str(marker["redacted"])
    return _sha256(content)


def _marker_text(key: bytes, record_id: int, column: str, digest: str, remaining: Any) -> str:
    """The one form a blanked content may take: the digest the chain covers, what the erasure kept,
    and an HMAC over both (and where they stand), so what it keeps cannot be changed either."""
    seal = _mac(key, canonical(["erasure", record_id, column, digest, canonical(remaining)]))
    return canonical({"redacted": digest, "remaining": remaining, "seal": seal})


def erasure_transform(
    key: bytes, record_id: int, column: str, content: str, erase: Callable[[str], str]
) -> str | None:
    """The only change the log allows to a stored record (the trigger admits nothing else, and verify
    recomputes it): `erase` applied to what a content still holds, leaving a sealed marker with the
    original digest. None when `erase` changes nothing there."""
    marker = _redaction(content)
    remaining = canonical(marker["remaining"]) if marker else content
    erased = erase(remaining)
    if erased == remaining:
        return None
    try:
        kept = json.loads(erased)
    except ValueError:  # the replacement broke the JSON: keep nothing of it
        kept = None
    return _marker_text(key, record_id, column, _digest(content), kept)


# ---- hashes ------------------------------------------------------------------------------------------


def _fields(raw: Sequence[Any]) -> list[Any]:
    """What a record's hash covers besides the previous hash: every stored value, contents by digest."""
    before, after = raw[6], raw[7]
    # The common case first (verify calls this for every record): a content that is not a marker.
    return [
        raw[0], raw[1], raw[2], raw[3], raw[4], raw[5],
        _digest(before) if before.startswith(REDACTED_PREFIX) else _sha256(before),
        _digest(after) if after.startswith(REDACTED_PREFIX) else _sha256(after),
    ]  # fmt: skip


def record_hash(key: bytes, prev_hash: str, raw: Sequence[Any]) -> str:
    """The keyed hash of a record given its stored values in RAW_SELECT's order (hash not needed)."""
    return _mac(key, _preimage(prev_hash, _fields(raw)))


def legacy_hash(prev_hash: str, raw: Sequence[Any]) -> str:
    """The unkeyed hash msldesk wrote before the chain was keyed (the time as ISO text)."""
    return _legacy_hash(prev_hash, _fields(raw))


def _legacy_hash(prev_hash: str, fields: list[Any]) -> str:
    fields = [fields[0], dt.datetime.fromisoformat(fields[1]).isoformat(), *fields[2:]]
    return _sha256(prev_hash + canonical(fields))


def _segment_line(fields: list[Any], raw: Sequence[Any]) -> str:
    """A record's part of a re-keying seal: everything the chain covers, and its two hashes."""
    return canonical([*fields, raw[8], raw[9]]) + "\n"


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


def new_record(
    key: bytes, last: tuple[int, str] | None, moment: dt.datetime, actor: str, action: str, entity: str,
    entity_id: str, before_json: str, after_json: str,
) -> tuple[Any, ...]:  # fmt: skip
    """The stored values of the record that follows `last` (id, hash), in RAW_SELECT's order."""
    record_id, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    raw = (
        record_id,
        stored_time(moment),
        actor,
        action,
        entity,
        entity_id,
        before_json,
        after_json,
        prev_hash,
    )
    return (*raw, record_hash(key, prev_hash, raw))


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


def read_rows(execute: Callable[[str], Iterable[Sequence[Any]]]) -> list[tuple[Any, ...]]:
    """All records' stored values, through `execute(sql)` (a session's or a DB-API connection)."""
    import sqlite3

    import sqlcipher3.dbapi2 as sqlcipher

    try:
        return execute(RAW_SELECT).fetchall()  # type: ignore[attr-defined]
    except (sqlite3.OperationalError, sqlcipher.OperationalError) as exc:
        if "decode" not in str(exc).lower():  # only text that is not UTF-8 is read another way
            raise
    return decode_rows(execute(RAW_BYTES_SELECT).fetchall())  # type: ignore[attr-defined]


def decode_rows(rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows read with RAW_BYTES_SELECT as text; a value that is not UTF-8 text makes its row's storage
    classes wrong, which verify reports."""
    decoded = []
    for row in rows:
        try:
            decoded.append((row[0], *(bytes(v).decode("utf-8") for v in row[1:10]), row[10]))
        except (TypeError, UnicodeDecodeError):
            decoded.append((row[0], *("" for _ in row[1:10]), "undecodable"))
    return decoded


def _raw_rows(session: Session) -> list[tuple[Any, ...]]:
    # The DB-API connection itself: its rows are plain tuples, read without SQLAlchemy's per-row work.
    return read_rows(session.connection().connection.driver_connection.execute)  # type: ignore[union-attr]


def _intact_kinds(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows whose values are of the kinds the app writes (the others are verify's to report)."""
    return [raw for raw in rows if raw[10] == _RAW_TYPES]


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
    lines = (_segment_line(_fields(raw), raw) for raw in _intact_kinds(rows[since:]))  # as verify reads them
    sealed = hashlib.sha256("".join(lines).encode("utf-8"))
    for raw in _intact_kinds(rows):
        for index, column in ((6, "before_json"), (7, "after_json")):
            marker = _redaction(raw[index])
            if marker is not None:
                resealed = _marker_text(key, raw[0], column, marker["redacted"], marker["remaining"])
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


def _rekey_details(content: str) -> tuple[str, str]:
    try:
        details = json.loads(content)
        return str(details["previous"]), str(details["sealed"])
    except (ValueError, KeyError, TypeError):
        return "", ""


def _listed_records(content: str) -> list[int]:
    try:
        records = json.loads(content).get("records", [])
        return [int(r) for r in records]
    except (ValueError, AttributeError, TypeError):
        return []


def _span(ids: list[int]) -> str:
    return f"record {ids[0]}" if len(ids) == 1 else f"records {ids[0]}–{ids[-1]}"


class _Walk:
    """One pass over the stored records, collecting what is wrong with them."""

    def __init__(self, keys: Mapping[str, bytes], final: str) -> None:
        self.keys, self.final = keys, final
        self.macs = {name: _Mac(key) for name, key in keys.items()}
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.bad: set[int] = set()
        self.tampered = False

    def problem(self, record_id: int, message: str) -> None:
        self.problems.append(message)
        self.bad.add(record_id)

    def run(self, rows: Sequence[Sequence[Any]]) -> dict[int, str]:
        rekeys = {
            raw[0]: _rekey_details(raw[7])
            for raw in rows
            if raw[3] == REKEY_ACTION and isinstance(raw[7], str)
        }
        ends = sorted(rekeys)  # each re-keying record ends the stretch written under the scheme it names
        seal_key = self.keys.get(self.final)  # markers are always sealed with the newest key
        expected_prev, expected_id, segment = GENESIS, 1, hashlib.sha256()
        in_segment: list[int] = []
        segment_unchecked = False
        unverifiable: list[int] = []
        blanked: list[int] = []
        listed: set[int] = set()
        hashes: dict[int, str] = {}
        next_end = 0
        for raw in rows:
            record_id = raw[0]
            if not isinstance(record_id, int) or raw[10] != _RAW_TYPES:
                wrong = f"record {record_id} holds a value of the wrong kind (changed outside msldesk)"
                self.problem(record_id if isinstance(record_id, int) else -1, wrong)
                expected_prev = raw[9] if isinstance(raw[9], str) else expected_prev
                expected_id = (record_id + 1) if isinstance(record_id, int) else expected_id
                continue
            hashes[record_id] = raw[9]
            while next_end < len(ends) and ends[next_end] <= record_id:  # a re-keying record opens the next
                next_end += 1
            scheme = rekeys[ends[next_end]][0] if next_end < len(ends) else self.final
            if record_id != expected_id:
                gap = list(range(expected_id, record_id))
                self.problem(record_id, f"{_span(gap)} {'is' if len(gap) == 1 else 'are'} missing")
            if raw[8] != expected_prev:
                self.problem(
                    record_id,
                    f"record {record_id} does not follow the record before it (removed or reordered)",
                )
            if record_id in rekeys:
                if rekeys[record_id][1] != segment.hexdigest():
                    self.problems.append(
                        f"records before {record_id} were changed after the chain was re-keyed there"
                    )
                    self.bad.update(in_segment if segment_unchecked else ())  # else named one by one
                    self.tampered = True
                segment, in_segment, segment_unchecked = hashlib.sha256(), [], False
            fields = _fields(raw)
            in_segment.append(record_id)
            if scheme != LEGACY and scheme not in self.keys:
                unverifiable.append(record_id)
                segment_unchecked = True
            elif not self._hash_holds(scheme, raw, fields):
                self.problem(record_id, f"record {record_id} was altered after it was written")
            if raw[6].startswith(REDACTED_PREFIX) or raw[7].startswith(REDACTED_PREFIX):
                blanked.append(record_id)
                self._check_markers(seal_key, raw)
            if raw[3] == REDACT_ACTION:
                listed.update(_listed_records(raw[7]))
            if next_end < len(ends):  # only what a re-keying record seals needs its line
                segment.update(_segment_line(fields, raw).encode("utf-8"))
            expected_prev, expected_id = raw[9], record_id + 1
        for record_id in dict.fromkeys(blanked):
            if record_id not in listed:
                self.problem(record_id, f"record {record_id} was blanked without an erasure that says so")
        if unverifiable:
            self.notes.append(
                f"{_span(unverifiable)} were written under another library's key (a restored backup): "
                "their order and the re-keying record after them are checked, their hashes cannot be"
            )
        return hashes

    def _hash_holds(self, scheme: str, raw: Sequence[Any], fields: list[Any]) -> bool:
        if scheme == LEGACY:
            try:
                exact = stored_time(dt.datetime.fromisoformat(raw[1])) == raw[1]
                return exact and _legacy_hash(raw[8], fields) == raw[9]
            except ValueError:
                return False
        # Plain comparison: a forged hash may hold any text, and timing tells an attacker nothing here.
        return bool(self.macs[scheme](_preimage(raw[8], fields)) == raw[9])

    def _check_markers(self, seal_key: bytes | None, raw: Sequence[Any]) -> None:
        record_id = raw[0]
        for index, column in ((6, "before_json"), (7, "after_json")):
            if not raw[index].startswith(REDACTED_PREFIX):
                continue
            marker = _redaction(raw[index])
            if marker is None:
                self.problem(record_id, f"record {record_id} was blanked in a form no erasure writes")
            elif not self._marker_holds(seal_key, record_id, column, raw[index], marker):
                self.problem(
                    record_id, f"record {record_id} was altered after it was written (what an erasure kept)"
                )

    def _marker_holds(
        self, key: bytes | None, record_id: int, column: str, content: str, marker: dict[str, Any]
    ) -> bool:
        if "seal" not in marker:  # only a chain that was never keyed has unsealed markers
            return self.final == LEGACY and canonical(marker) == content
        if key is None:
            return True  # sealed with a key that is not here (a backup of another library)
        return _marker_text(key, record_id, column, marker["redacted"], marker["remaining"]) == content


def _anchor_findings(anchor_text: str | None, hashes: Mapping[int, str], last_id: int) -> tuple[str, str]:
    """(state, problem) of the anchor file against the records (problem "" when it is fine)."""
    if anchor_text is None:
        if not last_id:
            return ANCHOR_NONE, ""
        return ANCHOR_MISSING, (
            f"the anchor file is missing, so the removal of the newest records cannot be ruled out "
            f"(the log ends at record {last_id})"
        )
    try:
        data = json.loads(anchor_text)
        anchor_id, anchor_hash = data["id"], data["hash"]
        if not isinstance(anchor_id, int) or isinstance(anchor_id, bool) or not isinstance(anchor_hash, str):
            raise TypeError("id must be a whole number and hash a text")
    except (ValueError, KeyError, TypeError) as exc:
        return (
            ANCHOR_DAMAGED,
            f"the anchor file is damaged, so the newest records cannot be confirmed ({exc})",
        )
    if anchor_id > last_id:
        return ANCHOR_REMOVED, f"records after {last_id} were removed (the log had {anchor_id})"
    if hashes.get(anchor_id) != anchor_hash:
        return ANCHOR_MISMATCH, (
            f"record {anchor_id} does not match the last record the app wrote (the anchor): the chain was "
            "rewritten"
        )
    if anchor_id < last_id:
        return ANCHOR_STALE, (
            f"the anchor is stale: it names record {anchor_id} but the log goes on to {last_id} (the newest "
            "records were written without updating it, or it was replaced by an older copy)"
        )
    return ANCHOR_OK, ""


def verify_rows(
    rows: Iterable[Sequence[Any]], keys: Mapping[str, bytes], final: str, anchor_text: str | None
) -> AuditReport:
    """Check records read with `read_rows`: `keys` maps key ids to the chain
    keys at hand, `final` is the scheme the newest stretch was written with (a key id, or LEGACY for
    a log that was never keyed), `anchor_text` the anchor file's text (None when there is none)."""
    rows = list(rows)
    walk = _Walk(keys, final)
    hashes = walk.run(rows)
    last_id = max(hashes, default=0)
    state, problem = _anchor_findings(anchor_text, hashes, last_id)
    if problem:
        walk.problems.append(problem)
    tampered = walk.tampered or bool(walk.bad) or (bool(problem) and state not in _INCOMPLETE_ANCHORS)
    return AuditReport(
        len(rows), tuple(walk.problems), tuple(walk.notes), tuple(sorted(walk.bad)), state, tampered
    )


def read_anchor(path: Path) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        return f"unreadable: {exc}"  # verify reports it as damaged


def anchor_text(record_id: int, record_hash_: str) -> str:
    return json.dumps({"id": record_id, "hash": record_hash_})


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
    marker = _redaction(text_)
    return (marker["remaining"], True) if marker else (json.loads(text_), False)


def _to_record(row: AuditRow) -> AuditRecord:
    (before, blanked_before), (after, blanked_after) = _content(row.before_json), _content(row.after_json)
    return AuditRecord(
        row.id, row.at_utc.replace(tzinfo=dt.UTC), row.actor, row.action, row.entity, row.entity_id,
        before, after, blanked_before or blanked_after,
    )  # fmt: skip
