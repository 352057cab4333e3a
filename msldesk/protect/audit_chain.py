"""The audit chain's arithmetic: a record's stored values, their canonical text, the keyed hashes
that chain records together, and the sealed markers the erasure transform leaves (no sessions, no
files: `audit` writes records with it, `audit_verify` checks them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
REDACTED_PREFIX = '{"redacted":'
REDACT_ACTION = "audit.redact"
REKEY_ACTION = "audit.rekey"
LEGACY = "sha256"  # the scheme of records written before the chain was keyed
CONTENT_COLUMNS = ("before_json", "after_json")


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


class Mac:
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


def preimage(prev_hash: str, fields: list[Any]) -> str:
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


def redaction(content: str) -> dict[str, Any] | None:
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
    marker = redaction(content)
    if marker is not None:
        return str(marker["redacted"])
    return _sha256(content)


def marker_text(key: bytes, record_id: int, column: str, digest: str, remaining: Any) -> str:
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
    marker = redaction(content)
    remaining = canonical(marker["remaining"]) if marker else content
    erased = erase(remaining)
    if erased == remaining:
        return None
    try:
        kept = json.loads(erased)
    except ValueError:  # the replacement broke the JSON: keep nothing of it
        kept = None
    return marker_text(key, record_id, column, _digest(content), kept)


# ---- hashes ------------------------------------------------------------------------------------------


def hashed_fields(raw: Sequence[Any]) -> list[Any]:
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
    return _mac(key, preimage(prev_hash, hashed_fields(raw)))


def legacy_hash(prev_hash: str, raw: Sequence[Any]) -> str:
    """The unkeyed hash msldesk wrote before the chain was keyed (the time as ISO text)."""
    return legacy_fields_hash(prev_hash, hashed_fields(raw))


def legacy_fields_hash(prev_hash: str, fields: list[Any]) -> str:
    fields = [fields[0], dt.datetime.fromisoformat(fields[1]).isoformat(), *fields[2:]]
    return _sha256(prev_hash + canonical(fields))


def segment_line(fields: list[Any], raw: Sequence[Any]) -> str:
    """A record's part of a re-keying seal: everything the chain covers, and its two hashes."""
    return canonical([*fields, raw[8], raw[9]]) + "\n"


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


# ---- stored values ---------------------------------------------------------------------------------

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
RAW_TYPES = "integer" + "text" * (len(_RAW_COLUMNS) - 1)


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
