"""Everything held about one person, as plain JSON-ready data: their directory entry, attendance and
payments, the agenda items they presented, the notes, drafts and summaries that name them, and the
audit records about them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import asdict, fields, is_dataclass
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from msldesk.boards.events.rows import attendance_fields, event_fields
from msldesk.boards.orm import (
    AgendaItemRow,
    AttendanceRow,
    EventRow,
    NoteAmendmentRow,
    NoteDraftRow,
    NoteEntryRow,
    NoteThemeRow,
)
from msldesk.boards.people.names import plain
from msldesk.boards.people.service import to_fields
from msldesk.boards.privacy.mentions import Mentions, linked_events, person_mentions, person_row
from msldesk.protect.audit import AuditRow

if TYPE_CHECKING:
    from msldesk.boards.events.service import EventService

EXPORT_FORMAT = "msldesk person data export, version 1"


def export_person(sessions: sessionmaker[Session], events: EventService, person_id: int) -> dict[str, Any]:
    """Everything held about one person, as plain JSON-ready data."""
    with sessions() as session:
        person = person_row(session, person_id)
        fields_ = to_fields(person)
        mentions = person_mentions(fields_, linked_events(session, person_id), plain)
        refs = _EventRefs(session)
        attendance = _attendance(session, person_id, refs)
        presented = _presented(session, person_id, refs)
        notes, note_ids = _notes(session, person_id, mentions, refs)
        drafts = [
            {"event": refs.ref(r.event_id), "text": r.text, "saved_at": _utc(r.saved_at_utc)}
            for r in session.scalars(select(NoteDraftRow))
            if mentions.names(r.event_id, r.text)
        ]
        summaries = [
            {"event": refs.ref(r.id), "executive_summary": r.executive_summary}
            for r in refs.rows.values()
            if mentions.names(r.id, r.executive_summary)
        ]
        records = _audit_about(session, person_id, [a["attendance_id"] for a in attendance], note_ids)
        starts = (a["event"]["starts_at"] for a in attendance)
        years = {start.year for start in starts if start is not None}  # local years, as payments()
    payments = [
        {
            "event_id": p.event_id,
            "event_title": p.event_title,
            "date": p.date,
            "nature": p.nature,
            "amount": p.amount,
            "currency": p.currency,
        }
        for year in sorted(years)
        for p in events.payments(year)
        if p.person.person_id == person_id
    ]
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": dt.datetime.now(dt.UTC).replace(microsecond=0),
        "person": {
            "id": person.id,
            **asdict(fields_),
            "created_at": person.created_at,
            "updated_at": person.updated_at,
        },
        "attendance": attendance,
        "payments": payments,
        "agenda_items_presented": presented,
        "note_entries": notes,
        "note_drafts": drafts,
        "executive_summaries": summaries,
        "audit_records": records,
    }
    # Through JSON and back: the caller gets exactly what the file holds.
    result: dict[str, Any] = json.loads(json.dumps(data, default=_plain, ensure_ascii=False))
    return result


class _EventRefs:
    """Every event of the library, named in the export by its id, title, kind, status and times."""

    def __init__(self, session: Session) -> None:
        self.rows = {r.id: r for r in session.scalars(select(EventRow))}

    def ref(self, event_id: int) -> dict[str, Any]:
        row = self.rows[event_id]
        f = event_fields(row)
        return {"id": row.id, "title": f.title, "kind": f.kind, "status": f.status,
                "starts_at": f.starts_at, "ends_at": f.ends_at, "timezone": f.timezone}  # fmt: skip


def _attendance(session: Session, person_id: int, refs: _EventRefs) -> list[dict[str, Any]]:
    return [
        {"attendance_id": row.id, "event": refs.ref(row.event_id), **asdict(attendance_fields(row))}
        for row in session.scalars(
            select(AttendanceRow).where(AttendanceRow.person_id == person_id).order_by(AttendanceRow.id)
        )
    ]


def _presented(session: Session, person_id: int, refs: _EventRefs) -> list[dict[str, Any]]:
    return [
        {
            "item_id": r.id,
            "event": refs.ref(r.event_id),
            "title": r.title,
            "kind": r.kind,
            "minutes": r.minutes,
            "questions": r.questions,
        }
        for r in session.scalars(
            select(AgendaItemRow).where(AgendaItemRow.presenter_id == person_id).order_by(AgendaItemRow.id)
        )
    ]


def _notes(
    session: Session, person_id: int, mentions: Mentions, refs: _EventRefs
) -> tuple[list[dict[str, Any]], list[int]]:
    """The note entries they spoke, own or are named in (amendments included), and their ids."""
    amendments: dict[int, list[NoteAmendmentRow]] = {}
    for a in session.scalars(select(NoteAmendmentRow).order_by(NoteAmendmentRow.id)):
        amendments.setdefault(a.entry_id, []).append(a)
    themes: dict[int, list[str]] = {}
    for entry_id, theme in session.execute(select(NoteThemeRow.entry_id, NoteThemeRow.theme)):
        themes.setdefault(entry_id, []).append(theme)
    notes, ids = [], []
    for row in session.scalars(select(NoteEntryRow).order_by(NoteEntryRow.created_at_utc, NoteEntryRow.id)):
        texts = [row.text, row.owner, *(t for a in amendments.get(row.id, []) for t in (a.text, a.reason))]
        why = [
            reason
            for reason, hit in (
                ("speaker", row.speaker_id == person_id),
                ("owner", row.owner_id == person_id),
                ("named", any(mentions.names(row.event_id, t) for t in texts)),
            )
            if hit
        ]
        if not why:
            continue
        ids.append(row.id)
        notes.append(
            {
                "entry_id": row.id, "event": refs.ref(row.event_id), "why": why, "kind": row.kind,
                "text": row.text, "owner": row.owner, "due": row.due, "key": row.is_key,
                "themes": sorted(themes.get(row.id, [])), "created_at": _utc(row.created_at_utc),
                "edited_at": _utc(row.edited_at_utc),
                "amendments": [
                    {"text": a.text, "reason": a.reason, "created_at": _utc(a.created_at_utc)}
                    for a in amendments.get(row.id, [])
                ],
            }
        )  # fmt: skip
    return notes, ids


def _audit_about(
    session: Session, person_id: int, attendance_ids: Iterable[int], note_ids: Iterable[int]
) -> list[dict[str, Any]]:
    """Audit records about the person, their attendance (removed places too) and their notes."""
    attendance, notes = {str(i) for i in attendance_ids}, {str(i) for i in note_ids}
    found = []
    for row in session.scalars(select(AuditRow).order_by(AuditRow.id)):
        before, after = json.loads(row.before_json), json.loads(row.after_json)
        snapshots = [s for s in (before, after) if isinstance(s, dict)]
        ours = (
            (row.entity == "person" and row.entity_id == str(person_id))
            or (row.entity == "note" and row.entity_id in notes)
            or (row.entity == "attendance" and row.entity_id in attendance)
            or (row.entity == "attendance" and any(s.get("person_id") == person_id for s in snapshots))
            or any(person_id in (s.get("added_person_ids") or ()) for s in snapshots)
        )
        if ours:
            found.append(
                {"record_id": row.id, "at": _utc(row.at_utc), "actor": row.actor, "action": row.action,
                 "entity": row.entity, "entity_id": row.entity_id, "before": before, "after": after}
            )  # fmt: skip
    return found


def _plain(value: Any) -> Any:
    """JSON for the export: exact decimals as text, ISO dates, enum values."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    raise TypeError(f"cannot export a {type(value).__name__}")


def _utc(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.replace(tzinfo=dt.UTC).isoformat()
