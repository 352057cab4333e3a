"""What a pushed meeting looks like on the hub: the laptop's records turned into the hub's rows
(msldesk/hub/migrations/versions/0003_records.py). The meeting is the medical audience's report
(MeetingService.report, its one set of audience rules); a transfer of value keeps what the Open Payments
export writes, so compliance's export from the hub is the same file an MSL writes locally."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from msldesk.boards.outputs.open_payments import CASH, recipient_type
from msldesk.boards.people.npi import normalise_npi
from msldesk.boards.records import Amendment, AttendanceFields, MeetingReport, NoteEntry, Payment

# The ledger's kinds (TeamUidRow.kind) and the hub table each goes to.
EVENT, AGENDA, ATTENDANCE, ENTRY, AMENDMENT = "event", "agenda_item", "attendance", "entry", "amendment"
HUB_TABLE = {
    EVENT: "events",
    AGENDA: "agenda_items",
    ATTENDANCE: "attendance",
    ENTRY: "entries",
    AMENDMENT: "amendments",
}
# A transfer of value is one amount of one attendance (its local id): the honorarium, travel or expenses.
PAYMENT_KINDS = {"Travel and Lodging": "payment.travel", "Food and Beverage": "payment.expenses"}
HONORARIUM = "payment.honorarium"
# The hub needs a reason for every amendment; a local correction may have been saved without one.
NO_REASON = "Corrected after the meeting was finalized"
# A pushed record changed on the laptop after its push: a correction of it ("fix." + its kind).
FIX = "fix."
MONEY = ("amount", "currency", "nature", "paid_on")
# The records whose later changes go as corrections (payments' kinds start with "payment."), besides
# entries, which have amendments of their own; in the ledger each keeps what the hub has for it, with
# its event and how many corrections were pushed (BOOKKEEPING: not fields of the record).
TRACKED = (EVENT, AGENDA, ATTENDANCE)
BOOKKEEPING = ("event_id", "corrections")
CHANGED = "Changed on the laptop after it was pushed"
GONE: dict[str, tuple[str, dict[str, Any]]] = {
    "payment": ("No longer a transfer of value", {"amount": "0.00"}),
    "other": ("Removed on the laptop after it was pushed", {"removed": True}),
}

Key = tuple[str, int]  # (ledger kind, local id)


def payment_kind(payment: Payment) -> str:
    return PAYMENT_KINDS.get(payment.nature, HONORARIUM)


def is_tracked(kind: str) -> bool:
    return kind in TRACKED or kind.startswith("payment.")


def hub_table(kind: str) -> str:
    if kind.startswith(FIX):
        return "amendments"
    return "payments" if kind.startswith("payment.") else HUB_TABLE[kind]


@dataclass
class RecordSet:
    """What one hub transaction inserts: a whole meeting the first time, later only what came after
    (amendments and corrections; agenda items, attendees and transfers of value added after the push).
    `rows` are in insertion order (an event
    before its parts, a record before its amendments); `uid` fills in each row's own and linked uids."""

    event_id: int
    title: str
    new_meeting: bool
    rows: list[tuple[Key, dict[str, Any]]] = field(default_factory=list)
    # Corrections of pushed records (transfers of value, the event, agenda items, attendance): their uid
    # (made from the record's uid, how many corrections it had and what changed, so a retry makes the
    # same) and what the record stands at once they are sent.
    fixes: dict[Key, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    # Pushed records the ledger kept nothing of (an older msldesk pushed them): what is taken as the
    # hub's, kept before anything is sent.
    baselines: dict[Key, dict[str, Any]] = field(default_factory=dict)

    def keys(self) -> list[Key]:
        """The records the ledger gives uids to (corrections have theirs from their record's)."""
        return [key for key, _values in self.rows if key not in self.fixes]

    def linked(self) -> list[Key]:
        """The records the rows name (an amendment's entry or corrected record, a payment's event), in the
        set or before it."""
        return [v for _key, values in self.rows for v in values.values() if isinstance(v, tuple)]

    def count(self, *kinds: str) -> int:
        return sum(1 for (kind, _id), _v in self.rows if kind in kinds or kind.split(".")[0] in kinds)

    @property
    def amendments(self) -> int:
        return self.count(AMENDMENT) + len(self.fixes)

    @property
    def additions(self) -> int:
        """Agenda items and attendees added to a meeting after its push."""
        return 0 if self.new_meeting else self.count(AGENDA, ATTENDANCE)

    def pushed_values(self) -> dict[Key, dict[str, Any]]:
        """What each tracked record of the set stands at on the hub once the set is committed."""
        found = {key: kept_values(key, values, self.event_id) for key, values in self.rows
                 if key not in self.fixes and is_tracked(key[0])}  # fmt: skip
        found.update(
            {(kind[len(FIX) :], local_id): after for (kind, local_id), (_u, after) in self.fixes.items()}
        )
        return found


def _iso(moment: dt.datetime | dt.date | None) -> str | None:
    return None if moment is None else moment.isoformat()


def meeting_rows(report: MeetingReport, shared: bool) -> list[tuple[Key, dict[str, Any]]]:
    """The event, its agenda, attendance and entries, with their entries' amendments, as the report
    shows them. Linked uids are given as keys ("event_uid": (EVENT, id)) and resolved when sent."""
    event, fields = report.event, report.event.fields
    event_key: Key = (EVENT, event.event_id)
    assert report.finalized_at is not None  # only finalized meetings are pushed (push.py checks)
    rows: list[tuple[Key, dict[str, Any]]] = [
        (event_key, {
            "shared": shared, "title": fields.title, "kind": fields.kind.value,
            "starts_at": fields.starts_at, "ends_at": fields.ends_at,
            "location": fields.venue or fields.virtual_link,
            "therapeutic_area": fields.therapeutic_area, "product": fields.product,
            "finalized_at": report.finalized_at,
            "details": {
                "timezone": fields.timezone, "objectives": fields.objectives,
                "key_questions": fields.key_questions, "executive_summary": report.executive_summary,
                "themes": list(report.themes), "audience": report.audience.value,
            },
        }),
    ]  # fmt: skip
    for item in report.agenda:
        rows.append(((AGENDA, item.item_id), {
            "event_uid": event_key, "position": item.position, "title": item.fields.title,
            "speaker": item.presenter_name,
            "details": {
                "kind": item.fields.kind.value, "minutes": item.fields.minutes,
                "questions": item.fields.questions,
                "actual_start": _iso(item.actual_start), "actual_end": _iso(item.actual_end),
            },
        }))  # fmt: skip
    for attendance in report.attendees:
        person = attendance.person.fields
        rows.append(((ATTENDANCE, attendance.attendance_id), {
            "event_uid": event_key,
            "person_name": " ".join(p for p in (person.first_name, person.last_name) if p),
            "npi": normalise_npi(person.npi), "institution": person.institution,
            "specialty": person.specialty,
            "attended": _attended(attendance.fields),
            "details": {
                "role": attendance.fields.role.value, "credentials": person.credentials,
                "invitation": attendance.fields.invitation.value,
                "attended_minutes": attendance.fields.attended_minutes,
            },
        }))  # fmt: skip
    agenda_ids = {item.item_id for item in report.agenda}
    for entry in report.entries:
        rows.append(((ENTRY, entry.entry_id), _entry_values(entry, event_key, agenda_ids)))
        rows += amendment_rows(entry.entry_id, entry.amendments)
    return rows


def _attended(fields: AttendanceFields) -> bool:
    """Checked in on the day, or in a Teams/Zoom report for some minutes."""
    return fields.checked_in_at is not None or bool(fields.attended_minutes)


def _entry_values(entry: NoteEntry, event_key: Key, agenda_ids: set[int]) -> dict[str, Any]:
    """The entry as finalized (`body`); corrections since then travel as amendments."""
    item = entry.fields.agenda_item_id
    return {
        "event_uid": event_key,
        "agenda_uid": (AGENDA, item) if item in agenda_ids else None,
        "kind": entry.kind.value,
        "theme": "; ".join(entry.fields.themes),
        "body": entry.fields.text,
        "recorded_at": entry.created_at,
        "details": {
            "speakers": [{"name": name, "role": role} for name, role in entry.speakers],
            "key": entry.fields.key, "owner": entry.owner_name, "due": _iso(entry.fields.due),
            "agenda_title": entry.agenda_title, "flag_terms": list(entry.flag_terms),
            "flag_cleared": entry.flag_cleared,
            "merged": [{"kind": p.kind.value, "text": p.text} for p in entry.merged_parts],
        },
    }  # fmt: skip


def amendment_rows(entry_id: int, amendments: tuple[Amendment, ...]) -> list[tuple[Key, dict[str, Any]]]:
    return [
        ((AMENDMENT, a.amendment_id), {
            "target_table": "entries", "target_uid": (ENTRY, entry_id),
            "reason": a.reason.strip() or NO_REASON, "changes": {"body": a.text}, "made_at": a.created_at,
        })
        for a in amendments
    ]  # fmt: skip


def payment_row(payment: Payment, attendance_id: int) -> tuple[Key, dict[str, Any]]:
    """A transfer of value with everything the Open Payments export writes about it (`details`)."""
    person = payment.person.fields
    kind, primary_type = recipient_type(person.credentials)
    return ((payment_kind(payment), attendance_id), {
        "event_uid": (EVENT, payment.event_id),
        "recipient_name": " ".join(p for p in (person.first_name, person.last_name) if p),
        "npi": normalise_npi(person.npi), "recipient_kind": kind,
        "amount": payment.amount, "currency": payment.currency.strip().upper() or "USD",
        "nature": payment.nature, "form": CASH, "paid_on": payment.date,
        "details": {
            "first_name": person.first_name, "last_name": person.last_name,
            "credentials": person.credentials, "primary_type": primary_type,
            "specialty": person.specialty, "city": person.city, "state": person.state,
            "country": person.country, "event_title": payment.event_title,
        },
    })  # fmt: skip


def _plain(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not kept in the ledger")


def kept_values(key: Key, values: dict[str, Any], event_id: int, corrections: int = 0) -> dict[str, Any]:
    """What the hub has for a tracked record once it stands at `values`, as the ledger keeps it (JSON):
    a payment's amount, currency, nature and day; a meeting record's fields (not the uids it links to).
    With its event and the number of corrections pushed."""
    if key[0].startswith("payment."):
        kept = {name: str(values[name]) for name in MONEY}
        kept["amount"] = f"{Decimal(kept['amount']):.2f}"
    else:
        named = {name: value for name, value in values.items() if not isinstance(value, tuple)}
        kept = json.loads(json.dumps(named, default=_plain))
    return {**kept, "event_id": event_id, "corrections": corrections}


def fix_row(
    key: Key, uid: str, was: dict[str, Any], now: dict[str, Any] | None
) -> tuple[Key, dict[str, Any], str, dict[str, Any]] | None:
    """The correction of a pushed record (kept_values `was`) that now stands at `now` (None: gone here;
    a payment is then corrected to 0, any other record marked removed), or None when nothing changed:
    (key, row, uid, what it stands at after). The changes hold only the fields that changed."""
    reason, gone = GONE["payment" if key[0].startswith("payment.") else "other"]
    after = {**(now or {**was, **gone}), "event_id": was["event_id"], "corrections": was["corrections"] + 1}
    changes = {
        name: value for name, value in after.items() if name not in BOOKKEEPING and was.get(name) != value
    }
    if not changes:
        return None
    # The same correction of the same record gets the same uid (a retry inserts nothing twice); one
    # that differs (changed again after a push cut off before the laptop noted it) is a new one.
    made = f"correction {after['corrections']} {json.dumps(changes, sort_keys=True)}"
    fix_uid = str(uuid.uuid5(uuid.UUID(uid), hashlib.sha256(made.encode()).hexdigest()))
    row = {"target_table": hub_table(key[0]), "target_uid": key, "reason": CHANGED if now else reason,
           "changes": changes, "made_at": dt.datetime.now(dt.UTC)}  # fmt: skip
    return (FIX + key[0], key[1]), row, fix_uid, after
