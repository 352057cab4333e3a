"""What deleting an event or removing an agenda item takes with it, and what stops it. Payments the
Open Payments export reports and finalized meeting notes are kept: the refusal says why and what to do
instead. Notes not yet finalized go with their event; notes filed under a removed agenda item stay,
each keeping the item's title. EventService asks these in its own transactions (delete, remove_agenda_item,
remove_attendee), and reads the plans before a question is asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from msldesk.boards.events.base import EventServiceBase
from msldesk.boards.events.reportable import amounts_text, is_reported
from msldesk.boards.events.rows import attendance_snapshot, event_row, item_row
from msldesk.boards.orm import (
    AgendaItemRow,
    AttendanceRow,
    EventRow,
    NoteAmendmentRow,
    NoteEntryRow,
    PersonRow,
)
from msldesk.boards.people.service import to_person
from msldesk.boards.records import AgendaItemRemoval, EventDeletion
from msldesk.core.clock import on_clock, zone
from msldesk.core.errors import KeptRecordsError
from msldesk.core.wording import plural

NAMED = 3  # people named in a refusal; the rest are counted


class EventRemovalPlans(EventServiceBase):
    """EventService's questions before a delete: what deleting an event or removing an agenda item
    would take, or why it cannot be done; which attendees must stay. Nothing changes."""

    def deletion_plan(self, event_id: int) -> EventDeletion:
        with self.sessions() as session:
            return event_deletion(session, event_row(session, event_id))

    def agenda_removal_plan(self, item_id: int) -> AgendaItemRemoval:
        with self.sessions() as session:
            return item_removal(session, item_row(session, item_id))

    def kept_attendees(self, attendance_ids: Sequence[int]) -> list[str]:
        """Why each of these attendees stays on their event's list (a reported payment); [] when all
        can be removed. Asked before removing several, so that none goes when one stays."""
        with self.sessions() as session:
            rows = session.scalars(select(AttendanceRow).where(AttendanceRow.id.in_(attendance_ids)))
            return [reason for row in rows if (reason := kept_attendance(session, row))]


def event_deletion(session: Session, event: EventRow) -> EventDeletion:
    attendance = session.execute(
        select(AttendanceRow, PersonRow)
        .join(PersonRow, PersonRow.id == AttendanceRow.person_id)
        .where(AttendanceRow.event_id == event.id)
        .order_by(PersonRow.last_name, PersonRow.first_name, PersonRow.id)
    ).all()
    reported = [
        (row, to_person(person).display_name) for row, person in attendance if is_reported(row, event)
    ]
    notes = _count(session, NoteEntryRow, event.id, NoteEntryRow.rehearsal.is_(False))
    items = _count(session, AgendaItemRow, event.id)
    with_amounts = sum(1 for row, _ in attendance if row.has_amounts) - len(reported)
    return EventDeletion(
        event.id, event.title, items, len(attendance), with_amounts, notes,
        _count(session, NoteEntryRow, event.id, NoteEntryRow.rehearsal.is_(True)),
        _refusal(session, event, reported, notes),
    )  # fmt: skip


def _count(session: Session, table: type[NoteEntryRow | AgendaItemRow], event_id: int, *where: Any) -> int:
    """Rows of the event; meeting notes as the review lists them (merged ones inside the one kept)."""
    query = select(func.count()).select_from(table).where(table.event_id == event_id, *where)
    if table is NoteEntryRow:
        query = query.where(NoteEntryRow.merged_into_id.is_(None))
    return session.scalar(query) or 0


def _refusal(session: Session, event: EventRow, reported: list[tuple[AttendanceRow, str]], notes: int) -> str:
    """Why the event stays, and what to do instead ("" when it can be deleted)."""
    reasons = []
    if reported:
        named = "; ".join(f"{name}: {amounts_text(row)}" for row, name in reported[:NAMED])
        more = f"; and {len(reported) - NAMED} more" if len(reported) > NAMED else ""
        have = "has" if len(reported) == 1 else "have"
        reasons.append(
            f"{plural(len(reported), 'attendee')} {have} payments on it that the Open Payments export "
            f"reports ({named}{more})"
        )
    if event.finalized_at_utc is not None:
        day = on_clock(event.finalized_at_utc.replace(tzinfo=dt.UTC), zone(event.timezone)).date()
        amendments = session.scalar(
            select(func.count())
            .select_from(NoteAmendmentRow)
            .join(NoteEntryRow, NoteEntryRow.id == NoteAmendmentRow.entry_id)
            .where(NoteEntryRow.event_id == event.id)
        )
        amended = f", {plural(amendments, 'amendment')}" if amendments else ""
        reasons.append(
            f"its meeting notes were finalized on {day:%Y-%m-%d} ({plural(notes, 'note')}{amended})"
        )
    if not reasons:
        return ""
    text = f"“{event.title}” cannot be deleted: {'; and '.join(reasons)}. "
    if event.finalized_at_utc is not None:
        kept = " and its payments stay reportable" if reported else ""
        return text + (
            f"Finalized notes are the record of the meeting{kept}: they are kept. To show that it needs no "
            "more work, set its status to Closed."
        )
    return text + (
        "Transfers of value must stay reportable. If it did not take place, set its status to Cancelled "
        "instead: everything stays on record, and the export leaves it out. If the amounts were entered "
        "by mistake, clear them on its attendee list first (each change is recorded), then delete it."
    )


def take_event(session: Session, event: EventRow) -> dict[str, Any]:
    """Refuse (KeptRecordsError) to delete an event holding records that must be kept; otherwise what
    goes with it, for the audit record: its agenda, its attendee list (with any amounts), and how many
    meeting notes (their text is drafting, as an entry deleted before finalization is)."""
    plan = event_deletion(session, event)
    if plan.refusal:
        raise KeptRecordsError(plan.refusal)
    titles = session.scalars(
        select(AgendaItemRow.title).where(AgendaItemRow.event_id == event.id).order_by(AgendaItemRow.position)
    )
    attendees = [
        {"attendance_id": a.id, **attendance_snapshot(a)}
        for a in session.scalars(select(AttendanceRow).where(AttendanceRow.event_id == event.id))
    ]
    return {"agenda": list(titles), "attendees": attendees, "meeting_notes": plan.notes,
            "rehearsal_notes": plan.rehearsal_notes}  # fmt: skip


def item_removal(session: Session, item: AgendaItemRow) -> AgendaItemRemoval:
    notes = (
        session.scalar(
            select(func.count())
            .select_from(NoteEntryRow)
            .where(NoteEntryRow.agenda_item_id == item.id, NoteEntryRow.rehearsal.is_(False))
        )
        or 0
    )
    event = session.get(EventRow, item.event_id)
    refusal = ""
    if notes and event is not None and event.finalized_at_utc is not None:
        refusal = (
            f"“{item.title}” stays on the agenda: {plural(notes, 'finalized meeting note')} "
            f"{'is' if notes == 1 else 'are'} filed under it, and finalized notes are the record of the "
            "meeting. To correct what an item is called, edit its title."
        )
    return AgendaItemRemoval(item.id, item.event_id, item.title, notes, refusal)


def unfile_notes(session: Session, item: AgendaItemRow) -> list[int]:
    """Before the item goes: refuse (KeptRecordsError) when finalized notes are filed under it; otherwise
    the notes filed under it (rehearsal ones too) keep its title. Their ids, for the audit record."""
    plan = item_removal(session, item)
    if plan.refusal:
        raise KeptRecordsError(plan.refusal)
    rows = list(session.scalars(select(NoteEntryRow).where(NoteEntryRow.agenda_item_id == item.id)))
    for row in rows:
        row.removed_item = item.title[:500]
    return [row.id for row in rows if not row.rehearsal]


def keep_reported(session: Session, row: AttendanceRow) -> None:
    """Refuse (KeptRecordsError) to remove an attendee whose payment the Open Payments export reports."""
    reason = kept_attendance(session, row)
    if reason:
        raise KeptRecordsError(reason)


def kept_attendance(session: Session, row: AttendanceRow) -> str:
    """Why an attendee stays on the list ("" when they can be removed): a payment the export reports."""
    event, person = session.get(EventRow, row.event_id), session.get(PersonRow, row.person_id)
    if event is None or not is_reported(row, event):
        return ""
    name = to_person(person).display_name if person is not None else "This attendee"
    return (
        f"{name} stays on the attendee list of “{event.title}”: the Open Payments export reports their "
        f"payments ({amounts_text(row)}), and transfers of value must stay reportable. If they did not "
        "take part, set their invitation to Declined; if the amounts were entered by mistake, clear them "
        "first (each change is recorded)."
    )
