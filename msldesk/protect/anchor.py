"""The anchor of a hash chain: the newest record's number and hash, kept outside the chain's own store.
Cutting off a chain's newest records leaves a chain that still verifies; only a copy of its head kept
elsewhere notices. The library keeps one beside its database (msldesk.protect.audit); an administrator
keeps one for the hub's trail (msldesk.hub.audit). Both read, write and compare it here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from msldesk.core.user_files import parse_json, read_small_file

# Where the anchored record stands in the chain as it is now (anchor_position).
AT_HEAD, BEHIND_HEAD = "ok", "stale"  # the newest record; an older one, still there unchanged
CUT_OFF, REWRITTEN = "removed", "mismatch"  # no longer in the chain; in it with another hash


@dataclass(frozen=True)
class Anchor:
    id: int
    hash: str
    seen: str = ""  # when it was written (ISO 8601, UTC), where the writer says so (the hub's anchors)


def anchor_text(record_id: int, record_hash: str, seen: str = "") -> str:
    data: dict[str, object] = {"id": record_id, "hash": record_hash}
    if seen:
        data["seen"] = seen
    return json.dumps(data)


def parse_anchor(text: str) -> Anchor:
    """The anchor an anchor file's text names; ValueError (saying what is wrong) when it names none."""
    try:
        data = parse_json(text)
        anchor_id, anchor_hash, seen = data["id"], data["hash"], data.get("seen", "")
        if not isinstance(anchor_id, int) or isinstance(anchor_id, bool) or not isinstance(anchor_hash, str):
            raise TypeError("id must be a whole number and hash a text")
        if not isinstance(seen, str):
            raise TypeError("seen must be a text")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from exc
    return Anchor(anchor_id, anchor_hash, seen)


def read_anchor_file(path: Path) -> str | None:
    """The anchor file's text, None when there is none. Ordinary files only (a pipe planted under its
    name neither blocks nor fills memory): anything else, or text that is not UTF-8, is an OSError or a
    UnicodeDecodeError for the caller to word."""
    try:
        return read_small_file(path).decode("utf-8")
    except FileNotFoundError:
        return None


def anchor_position(anchor: Anchor, last_id: int, hash_there: str | None) -> str:
    """Where the anchored record is in a chain ending at `last_id` whose record `anchor.id` has the hash
    `hash_there` (None: no such record)."""
    if anchor.id > last_id:
        return CUT_OFF
    if hash_there != anchor.hash:
        return REWRITTEN
    return BEHIND_HEAD if anchor.id < last_id else AT_HEAD
