"""Checking the hub's audit chain from outside the database: the hashes are recomputed here, so a
tampered record (or a tampered hashing function on the server) does not vouch for itself. Cutting off
the newest records leaves a chain that verifies: an anchor file the administrator keeps away from the
database (its owner cannot write it) names the head last seen, and a later check finds it gone."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msldesk.core.errors import InvalidInputError, MsldeskError
from msldesk.core.fileio import atomic_write_bytes
from msldesk.core.user_files import display_name
from msldesk.protect.anchor import (
    CUT_OFF,
    REWRITTEN,
    Anchor,
    anchor_position,
    anchor_text,
    parse_anchor,
    read_anchor_file,
)

GENESIS = "0" * 64
_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class HubAuditReport:
    checked: int
    problems: tuple[str, ...]
    head: int = 0  # the newest record's number (0: none yet) and hash
    head_hash: str = GENESIS
    kept_hash: str | None = None  # the hash of the record verify_chain was asked to keep (None: not there)

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


def verify_chain(connection: Any, keep: int = 0) -> HubAuditReport:
    """Every record in order: numbered without a gap, linked to the one before, and hashing to its hash.
    The report names the newest record and the hash of record `keep` (an anchor's; 0: the genesis)."""
    rows = connection.execute(
        "SELECT seq, at, actor, action, subject, subject_id, details::text, prev_hash, hash "
        "FROM msldesk.audit ORDER BY seq"
    ).fetchall()
    problems: list[str] = []
    expected_seq, expected_prev = 1, GENESIS
    kept = GENESIS if keep == 0 else None
    for seq, at, actor, action, subject, subject_id, details, prev, stored in rows:
        if seq != expected_seq:
            problems.append(f"records {expected_seq} to {seq - 1} are missing")
        if prev != expected_prev:
            problems.append(f"record {seq} does not follow the record before it")
        if record_hash(seq, at, actor, action, subject, subject_id, details, prev) != stored:
            problems.append(f"record {seq} was altered after it was written")
        expected_seq, expected_prev = seq + 1, stored
        kept = stored if seq == keep else kept
    head = rows[-1][0] if rows else 0
    return HubAuditReport(len(rows), tuple(problems), head, expected_prev, kept)


# ---- the administrator's anchor: the head of the trail as last seen, kept away from the database -------


@dataclass(frozen=True)
class AnchorCheck:
    """What `verify --anchor` found: `previous` None when the file did not exist (a first anchor);
    `state` one of msldesk.protect.anchor's positions ("ok", "stale": the trail grew since, "removed",
    "mismatch") or "first"; `problem` says what is missing or rewritten ("" when nothing is)."""

    previous: Anchor | None
    state: str
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def load_anchor(path: Path) -> Anchor | None:
    """The anchor kept in `path` (None: no such file yet). A file that is not one msldesk wrote is
    refused before anything is checked against it, and it is left as it is."""
    shown = display_name(str(path))
    try:
        text = read_anchor_file(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidInputError(
            f"The anchor file {shown} cannot be used ({reason}): nothing was checked."
        ) from exc
    if text is None:
        return None
    try:
        return parse_anchor(text)
    except ValueError as exc:
        raise InvalidInputError(
            f"The anchor file {shown} does not hold an anchor msldesk wrote ({exc}): nothing was checked, "
            "and it was left as it is."
        ) from exc


def compare_anchor(report: HubAuditReport, anchor: Anchor | None, path: Path) -> AnchorCheck:
    """Is the record the anchor names still in the trail, unchanged? (`report` from verify_chain, asked
    to keep that record's hash.)"""
    if anchor is None:
        return AnchorCheck(None, "first")
    state = anchor_position(anchor, report.head, report.kept_hash)
    seen, shown = _seen_words(anchor.seen), display_name(str(path))
    if state == CUT_OFF:
        problem = (
            f"the hub's audit trail ends at record {report.head}, but record {anchor.id} was seen {seen} "
            f"(anchor {shown}): the newest records were removed"
        )
    elif state == REWRITTEN:
        problem = (
            f"record {anchor.id} of the hub's audit trail is not the one seen {seen} (anchor {shown}): the "
            "trail was rewritten from there"
        )
    else:
        problem = ""
    return AnchorCheck(anchor, state, problem)


def write_anchor(path: Path, report: HubAuditReport, now: dt.datetime) -> None:
    """Keep the trail's newest record as the anchor (in one step: a crash leaves the old one or the new)."""
    seen = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    try:
        atomic_write_bytes(path, anchor_text(report.head, report.head_hash, seen).encode("utf-8"))
    except MsldeskError:
        raise  # the disk is full: said as such
    except OSError as exc:
        raise MsldeskError(
            f"The audit trail verified, but the anchor file {display_name(str(path))} could not be written "
            f"({exc.strerror or exc}): it still names the record it named before.",
            str(exc),
        ) from exc


def _seen_words(seen: str) -> str:
    try:
        return "on " + dt.datetime.fromisoformat(seen).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return "at an earlier check"
