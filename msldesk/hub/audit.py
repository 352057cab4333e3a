"""Checking the hub's audit chain from outside the database: the hashes are recomputed here, so a
tampered record (or a tampered hashing function on the server) does not vouch for itself."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class HubAuditReport:
    checked: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def record_hash(
    seq: int, at: dt.datetime, actor: str, action: str, subject: str, subject_id: str, details: str, prev: str
) -> str:
    """The hash msldesk.audit_append() stores, from the same fields (`details` as the server prints jsonb)."""
    stamp = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    text = _SEPARATOR.join((str(seq), stamp, actor, action, subject, subject_id, details, prev))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify_chain(connection: Any) -> HubAuditReport:
    """Every record in order: numbered without a gap, linked to the one before, and hashing to its hash."""
    rows = connection.execute(
        "SELECT seq, at, actor, action, subject, subject_id, details::text, prev_hash, hash "
        "FROM msldesk.audit ORDER BY seq"
    ).fetchall()
    problems: list[str] = []
    expected_seq, expected_prev = 1, GENESIS
    for seq, at, actor, action, subject, subject_id, details, prev, stored in rows:
        if seq != expected_seq:
            problems.append(f"records {expected_seq} to {seq - 1} are missing")
        if prev != expected_prev:
            problems.append(f"record {seq} does not follow the record before it")
        if record_hash(seq, at, actor, action, subject, subject_id, details, prev) != stored:
            problems.append(f"record {seq} was altered after it was written")
        expected_seq, expected_prev = seq + 1, stored
    return HubAuditReport(len(rows), tuple(problems))
