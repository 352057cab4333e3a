"""Verifying the audit trail: one walk over the stored records (order, keyed hashes, re-keying
seals, erasure markers) and the anchor file that names the newest record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msldesk.protect.anchor import (
    AT_HEAD,
    BEHIND_HEAD,
    CUT_OFF,
    REWRITTEN,
    anchor_position,
    parse_anchor,
    read_anchor_file,
)
from msldesk.protect.audit_chain import (
    GENESIS,
    LEGACY,
    RAW_TYPES,
    REDACT_ACTION,
    REDACTED_PREFIX,
    REKEY_ACTION,
    Mac,
    canonical,
    hashed_fields,
    legacy_fields_hash,
    marker_text,
    preimage,
    redaction,
    segment_line,
    stored_time,
)

# What verify says about the anchor file (AuditReport.anchor).
ANCHOR_OK, ANCHOR_NONE = AT_HEAD, "none"  # matches the newest record; an empty log and no anchor
ANCHOR_MISSING, ANCHOR_STALE, ANCHOR_DAMAGED = "missing", BEHIND_HEAD, "damaged"  # incomplete
ANCHOR_REMOVED, ANCHOR_MISMATCH = CUT_OFF, REWRITTEN  # tampered
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
        self.macs = {name: Mac(key) for name, key in keys.items()}
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.bad: set[int] = set()
        self.tampered = False

    def problem(self, record_id: int, message: str) -> None:
        self.problems.append(message)
        self.bad.add(record_id)

    def run(self, rows: Sequence[Sequence[Any]]) -> dict[int, str]:
        """Check every record in order; returns each well-formed record's stored hash by id."""
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
            if not isinstance(record_id, int) or raw[10] != RAW_TYPES:
                expected_prev, expected_id = self._wrong_kind(raw, expected_prev, expected_id)
                continue
            hashes[record_id] = raw[9]
            while next_end < len(ends) and ends[next_end] <= record_id:  # a re-keying record opens the next
                next_end += 1
            scheme = rekeys[ends[next_end]][0] if next_end < len(ends) else self.final
            if record_id != expected_id or raw[8] != expected_prev:
                self._out_of_place(raw, expected_id, expected_prev)
            if record_id in rekeys:
                self._check_seal(
                    record_id, rekeys[record_id][1], segment.hexdigest(), in_segment, segment_unchecked
                )
                segment, in_segment, segment_unchecked = hashlib.sha256(), [], False
            fields = hashed_fields(raw)
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
                segment.update(segment_line(fields, raw).encode("utf-8"))
            expected_prev, expected_id = raw[9], record_id + 1
        self._check_blanked_are_listed(blanked, listed)
        if unverifiable:
            self.notes.append(
                f"{_span(unverifiable)} were written under another library's key (a restored backup): "
                "their order and the re-keying record after them are checked, their hashes cannot be"
            )
        return hashes

    def _wrong_kind(self, raw: Sequence[Any], expected_prev: str, expected_id: int) -> tuple[str, int]:
        """Report a record holding a value the app never writes; returns what the next record should
        follow (this one's hash and id, where they are usable)."""
        record_id = raw[0]
        wrong = f"record {record_id} holds a value of the wrong kind (changed outside msldesk)"
        self.problem(record_id if isinstance(record_id, int) else -1, wrong)
        expected_prev = raw[9] if isinstance(raw[9], str) else expected_prev
        expected_id = (record_id + 1) if isinstance(record_id, int) else expected_id
        return expected_prev, expected_id

    def _out_of_place(self, raw: Sequence[Any], expected_id: int, expected_prev: str) -> None:
        record_id = raw[0]
        if record_id != expected_id:
            gap = list(range(expected_id, record_id))
            self.problem(record_id, f"{_span(gap)} {'is' if len(gap) == 1 else 'are'} missing")
        if raw[8] != expected_prev:
            self.problem(
                record_id,
                f"record {record_id} does not follow the record before it (removed or reordered)",
            )

    def _check_seal(
        self, record_id: int, sealed: str, found: str, in_segment: list[int], segment_unchecked: bool
    ) -> None:
        """A re-keying record's digest of the stretch it ends must match the records there now."""
        if sealed != found:
            self.problems.append(
                f"records before {record_id} were changed after the chain was re-keyed there"
            )
            self.bad.update(in_segment if segment_unchecked else ())  # else named one by one
            self.tampered = True

    def _check_blanked_are_listed(self, blanked: list[int], listed: set[int]) -> None:
        for record_id in dict.fromkeys(blanked):
            if record_id not in listed:
                self.problem(record_id, f"record {record_id} was blanked without an erasure that says so")

    def _hash_holds(self, scheme: str, raw: Sequence[Any], fields: list[Any]) -> bool:
        if scheme == LEGACY:
            try:
                exact = stored_time(dt.datetime.fromisoformat(raw[1])) == raw[1]
                return exact and legacy_fields_hash(raw[8], fields) == raw[9]
            except ValueError:
                return False
        # Plain comparison: a forged hash may hold any text, and timing tells an attacker nothing here.
        return bool(self.macs[scheme](preimage(raw[8], fields)) == raw[9])

    def _check_markers(self, seal_key: bytes | None, raw: Sequence[Any]) -> None:
        record_id = raw[0]
        for index, column in ((6, "before_json"), (7, "after_json")):
            if not raw[index].startswith(REDACTED_PREFIX):
                continue
            marker = redaction(raw[index])
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
        return marker_text(key, record_id, column, marker["redacted"], marker["remaining"]) == content


def _anchor_findings(anchor_text: str | None, hashes: Mapping[int, str], last_id: int) -> tuple[str, str]:
    """(state, problem) of the anchor file against the records (problem "" when it is fine)."""
    if anchor_text is None:
        if not last_id:
            return ANCHOR_NONE, ""
        return ANCHOR_MISSING, (
            f"the anchor file is missing, so the removal of the newest records cannot be ruled out "
            f"(the log ends at record {last_id})"
        )
    if anchor_text.startswith(_UNREADABLE):
        return ANCHOR_DAMAGED, (
            "the anchor file cannot be read, so the newest records cannot be confirmed "
            f"({anchor_text.removeprefix(_UNREADABLE)})"
        )
    try:
        anchor = parse_anchor(anchor_text)
    except ValueError as exc:
        return (
            ANCHOR_DAMAGED,
            f"the anchor file is damaged, so the newest records cannot be confirmed ({exc})",
        )
    state = anchor_position(anchor, last_id, hashes.get(anchor.id))
    if state == ANCHOR_REMOVED:
        return state, f"records after {last_id} were removed (the log had {anchor.id})"
    if state == ANCHOR_MISMATCH:
        return state, (
            f"record {anchor.id} does not match the last record the app wrote (the anchor): the chain was "
            "rewritten"
        )
    if state == ANCHOR_STALE:
        return state, (
            f"the anchor is stale: it names record {anchor.id} but the log goes on to {last_id} (the newest "
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


_UNREADABLE = "unreadable: "  # what read_anchor returns for a file it cannot read (never JSON)


def read_anchor(path: Path) -> str | None:
    try:
        return read_anchor_file(path)
    except (OSError, UnicodeDecodeError) as exc:
        return f"{_UNREADABLE}{exc}"  # verify reports it as damaged
