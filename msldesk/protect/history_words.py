"""Audit records in plain words: what was done, and what changed from before to after. No Qt."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# What each recorded action means, as a person would say it.
ACTIONS: Mapping[str, str] = {
    "event.create": "Created the event",
    "event.update": "Changed the event",
    "event.delete": "Deleted the event",
    "agenda.add": "Added an agenda item",
    "agenda.update": "Changed an agenda item",
    "agenda.remove": "Removed an agenda item",
    "agenda.reorder": "Reordered the agenda",
    "agenda.slides_removed": "Agenda lost slides of a deck removed from the library",
    "agenda.collection_deleted": "Agenda lost a saved collection that was deleted",
    "agenda.collection_replaced": "A saved collection on the agenda was replaced with other slides",
    "attendance.add": "Added to the attendee list",
    "attendance.update": "Changed attendance or payment",
    "attendance.remove": "Removed from the attendee list",
    "attendance.check_in": "Checked in",
    "attendance.import": "Imported attendees",
    "attendance.merge": "Attendance moved here by a merge",
    "notes.merge": "Meeting notes' speaker or owner moved here by a merge",
    "attendance.erase": "Attendance removed by an erasure",
    "deck.approval": "Changed the approval details",
    "deck.remove": "Removed the deck from the library",
    "collection.delete": "Deleted the saved collection",
    "collection.replace": "Replaced the saved collection's slides",
    "notes.finalize": "Finalized the meeting notes",
    "notes.erasure": "Finalized notes changed by an erasure",
    "note.amend": "Amended a finalized note",
    "note.key": "Changed a key insight mark",
    "note.flag_review": "Reviewed a flagged note",
    "person.erase": "Erased the person's data",
    "export.person_data": "Exported the person's data",
    "export.summary": "Exported the insight summary (PDF)",
    "export.readout": "Exported the readout deck",
    "export.briefing": "Exported the briefing deck",
    "export.insights": "Exported the insights",
    "export.attendees": "Exported the attendee list",
    "export.calendar": "Exported the calendar invitation",
    "export.sign_in_sheet": "Exported the sign-in sheet",
    "export.payments": "Exported the year's payments",
    "audit.redact": "Erased personal data from audit records",
    "audit.rekey": "Keyed the audit trail with this library's key",
    "team.connect": "Connected the library to the team hub",
    "team.disconnect": "Disconnected the library from the team hub",
}

# What verify found of the anchor file (msldesk.protect.audit.AuditReport.anchor), when it is not fine.
ANCHOR_WORDS: Mapping[str, str] = {
    "missing": "missing",
    "stale": "stale (it names an older record than the newest)",
    "damaged": "damaged",
}

LABELS: Mapping[str, str] = {
    "coi_disclosed": "Conflict of interest disclosed",
    "contract_signed": "Contract signed",
    "honorarium_amount": "Honorarium",
    "honorarium_hours": "Honorarium hours",
    "honorarium_rate": "Hourly rate",
    "travel_amount": "Travel",
    "expenses_amount": "Expenses",
    "checked_in_at": "Checked in",
    "attended_minutes": "Minutes attended",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "timezone": "Time zone",
    "virtual_link": "Virtual link",
    "key_questions": "Key questions",
    "budget_estimated": "Budget (estimated)",
    "budget_committed": "Budget (committed)",
    "budget_actual": "Budget (actual)",
    "therapeutic_area": "Therapeutic area",
    "person_id": "Person",
    "presenter_id": "Presenter",
    "item_id": "Agenda item",
    "event_id": "Event",
    "npi": "NPI",
    "approval_code": "Approval code",
    "approved_on": "Approved on",
    "expires_on": "Expires on",
    "file": "File",
    "sha256": "Checksum (SHA-256)",
    "minutes": "Minutes",
    "key": "Key insight",
    "finalized": "Finalized",
    "notes_sha256": "Notes checksum (SHA-256)",
    "attendance_ids": "Attendance records",
    "added_person_ids": "People added",
    "kept_for_payments": "Payment records kept",
    "attendance_removed": "Attendance records removed",
    "attendance_kept": "Attendance records kept",
    "agenda_items": "Agenda items changed",
    "linked_slides": "Slides of the deck on the agenda",
    "collection_slides": "Slides linked only through the collection",
    "linked_from": "Linked from",
    "note_entries": "Note entries changed",
    "notes_filed_under": "Meeting notes that were filed under it",
    "meeting_notes": "Meeting notes (not finalized)",
    "slides_lost": "Slides no longer linked",
    "entries": "Note entries changed",
}

# Bookkeeping that says nothing to a reader (where an item sits is shown by the reorder record).
_HIDDEN = frozenset({"event_id", "position"})
_ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")
_ENUM_VALUE = re.compile(r"^[a-z]+(-[a-z]+)+$")
MAX_VALUE = 160  # longer values are cut in the list; the full text is in the tooltip

# (what, id) -> a name, e.g. ("person", 12) -> "Ana Lee"; None when it is not known.
Lookup = Callable[[str, int], "str | None"]


def _no_lookup(_what: str, _id: int) -> str | None:
    return None


@dataclass(frozen=True)
class HistoryLine:
    """One audit record as the History dialog shows it."""

    record_id: int
    when: str  # local time
    when_detail: str  # local time with seconds and the UTC time, for the tooltip
    who: str
    about: str  # "Event", "Attendance · Ana Lee", "Note 12"
    what: str  # the action in plain words
    changes: tuple[str, ...]  # "Title: Board → Board (moved)"


def action_words(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    return action.replace(".", ": ").replace("_", " ").capitalize()


def label(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def local_time(moment: dt.datetime, seconds: bool = False) -> str:
    local = moment.astimezone()
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def value_text(key: str, value: Any, lookup: Lookup = _no_lookup) -> str:
    """A stored value as a reader would write it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and key in ("person_id", "presenter_id"):
        return lookup("person", value) or f"person {value}"
    if isinstance(value, int) and key == "item_id":
        return lookup("item", value) or f"item {value}"
    if isinstance(value, list):
        if key == "order":
            return " → ".join(
                lookup("item", v) or f"item {v}" if isinstance(v, int) else str(v) for v in value
            )
        if key == "added_person_ids":
            return ", ".join(
                lookup("person", v) or f"person {v}" if isinstance(v, int) else str(v) for v in value
            )
        return ", ".join(value_text("", v, lookup) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{label(k)} {value_text(k, v, lookup)}" for k, v in value.items())
    if isinstance(value, str):
        if key.endswith("sha256"):
            return value[:12] + "…"
        if _ISO_DATETIME.match(value):
            try:
                return dt.datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                return value
        if _ENUM_VALUE.match(value) and key in ("invitation", "role", "status", "kind"):
            return value.replace("-", " ")
        return " ".join(value.split())  # one line: a list row is no place for paragraphs
    return str(value)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def change_lines(before: Any, after: Any, lookup: Lookup = _no_lookup) -> tuple[str, ...]:
    """What changed, one line per field: "Label: old → new"; a record made from nothing lists what it
    holds, one that removed something lists what was there."""
    if isinstance(before, dict) and isinstance(after, dict) and before and after:
        keys = [k for k in {**before, **after} if k not in _HIDDEN]
        lines = []
        for k in keys:
            old, new = before.get(k), after.get(k)
            if k in before and k in after and old != new:
                lines.append(f"{label(k)}: {value_text(k, old, lookup)} → {value_text(k, new, lookup)}")
            elif k in after and k not in before:
                lines.append(f"{label(k)}: {value_text(k, new, lookup)}")
            else:  # only in before: what the change was about (e.g. which agenda item)
                lines.append(f"{label(k)}: {value_text(k, old, lookup)}")
        return tuple(_cut(line) for line in lines)
    if isinstance(after, dict) and after:
        return _listing(after, lookup)
    if isinstance(before, dict) and before:
        return tuple(f"was {line}" for line in _listing(before, lookup))
    return ()


def _listing(values: dict[str, Any], lookup: Lookup) -> tuple[str, ...]:
    shown = []
    for k, v in values.items():
        if k in _HIDDEN or v in (None, "", [], {}, False) or (isinstance(v, str) and _is_zero(v)):
            continue  # a new record's empty fields say nothing
        shown.append(_cut(f"{label(k)}: {value_text(k, v, lookup)}"))
    return tuple(shown)


def _is_zero(text: str) -> bool:
    try:
        return float(text) == 0 and any(c.isdigit() for c in text)
    except ValueError:
        return False


def history_line(record: Any, about: str, lookup: Lookup = _no_lookup) -> HistoryLine:
    """`record` is a msldesk.protect.audit.AuditRecord."""
    detail = f"{local_time(record.at, seconds=True)} (UTC {record.at.astimezone(dt.UTC):%H:%M:%S})"
    return HistoryLine(
        record.record_id,
        local_time(record.at),
        detail,
        record.actor,
        about,
        action_words(record.action),
        change_lines(record.before, record.after, lookup),
    )


def as_text(lines: list[HistoryLine]) -> str:
    """The history as plain text (Copy), one block per record."""
    blocks = []
    for line in lines:
        head = f"{line.when}  {line.who}  {line.about}: {line.what}"
        blocks.append("\n".join([head, *(f"    {c}" for c in line.changes)]))
    return "\n".join(blocks)
