"""Erasing one person, step by step inside the erasure's transaction: what it will do (the plan), their
attendance, every free text that names them, and their directory entry (kept only as far as a
transfer-of-value report needs it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from msldesk.boards.events.reportable import is_reported
from msldesk.boards.orm import (
    AgendaItemRow,
    AttendanceRow,
    EventRow,
    EventThemeRow,
    NoteAmendmentRow,
    NoteDraftRow,
    NoteEntryRow,
    NoteThemeRow,
    PersonRow,
)
from msldesk.boards.people.names import plain
from msldesk.boards.people.search import PeopleSearchIndex
from msldesk.boards.people.service import now, to_fields, write_fields
from msldesk.boards.privacy.mentions import ERASED_LABEL, Mentions, linked_events, person_mentions, person_row
from msldesk.boards.records import PersonFields
from msldesk.protect import audit

# What an erased person's directory entry keeps when they were paid: exactly what a transfer-of-value
# report about them needs. CMS Open Payments identifies a covered recipient by name and NPI, with the
# primary type (from the credentials), the specialty and the recipient's city, state and country; it
# is what write_open_payments_csv puts in a row. The payment itself (amount, currency, date = event
# start, nature = from the event kind and the kind of amount) is the attendance row and its event.
# Everything else about them (email, phone, institution, FMV tier, notes, consent) is wiped.
RETAINED_FOR_PAYMENTS = (
    "first_name",
    "last_name",
    "credentials",
    "specialty",
    "npi",
    "city",
    "state",
    "country",
)


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing a person does, before it is done (the CLI and the UI show it)."""

    person_id: int
    display_name: str
    attendance_removed: tuple[int, ...]  # attendance ids without any reported payment
    attendance_kept: tuple[int, ...]  # kept, reduced to the payment record
    presented_items: tuple[int, ...]  # agenda items whose presenter link is cleared
    note_entries: tuple[int, ...]  # entries whose speaker/owner link or text changes
    finalized_events: tuple[int, ...]  # events whose finalized notes change

    @property
    def keeps_payment_record(self) -> bool:
        return bool(self.attendance_kept)


def plan_erasure(session: Session, person_id: int) -> ErasurePlan:
    person = person_row(session, person_id)
    fields_ = to_fields(person)
    mentions = person_mentions(fields_, linked_events(session, person_id), plain)
    removed: list[int] = []
    kept: list[int] = []
    for row, event in session.execute(
        select(AttendanceRow, EventRow)
        .join(EventRow, EventRow.id == AttendanceRow.event_id)
        .where(AttendanceRow.person_id == person_id)
        .order_by(AttendanceRow.id)
    ).all():
        (kept if is_reported(row, event) else removed).append(row.id)
    presented = tuple(
        session.scalars(
            select(AgendaItemRow.id).where(AgendaItemRow.presenter_id == person_id).order_by(AgendaItemRow.id)
        )
    )
    amended: dict[int, list[str]] = {}
    for entry_id, a_text, a_reason in session.execute(
        select(NoteAmendmentRow.entry_id, NoteAmendmentRow.text, NoteAmendmentRow.reason)
    ):
        amended.setdefault(entry_id, []).extend((a_text, a_reason))
    entries, finalized = [], set()
    finalized_ids = set(session.scalars(select(EventRow.id).where(EventRow.finalized_at_utc.is_not(None))))
    for entry in session.scalars(select(NoteEntryRow).order_by(NoteEntryRow.id)):
        if person_id in (entry.speaker_id, entry.owner_id) or any(
            mentions.names(entry.event_id, t) for t in (entry.text, entry.owner, *amended.get(entry.id, ()))
        ):
            entries.append(entry.id)
            if entry.event_id in finalized_ids:
                finalized.add(entry.event_id)
    return ErasurePlan(
        person_id, fields_.display_name, tuple(removed), tuple(kept), presented, tuple(entries),
        tuple(sorted(finalized)),
    )  # fmt: skip


def erase_attendance(session: Session, person_id: int, plan: ErasurePlan) -> None:
    for attendance_id in plan.attendance_removed:
        row = session.get(AttendanceRow, attendance_id)
        assert row is not None
        audit.record(
            session, "attendance.erase", "attendance", attendance_id,
            {"event_id": row.event_id, "person_id": person_id}, {},
        )  # fmt: skip
        session.delete(row)
    for attendance_id in plan.attendance_kept:
        row = session.get(AttendanceRow, attendance_id)
        assert row is not None
        # Presence is not part of a payment record.
        row.checked_in_at_utc, row.attended_minutes = None, None
    session.flush()


def erase_text(session: Session, person_id: int | None, mentions: Mentions, index: PeopleSearchIndex) -> None:
    """Clear links to the person and replace their names in every free text the library holds
    (the audit trail's content apart: audit.redact does that)."""
    _erase_in_agendas(session, person_id, mentions)
    _erase_in_notes(session, person_id, mentions)
    _erase_in_events(session, mentions)
    _erase_in_directory_notes(session, person_id, mentions, index)
    from msldesk.decks.assembly import erase_in_assembly_records  # loads python-pptx

    erase_in_assembly_records(session, mentions.erase_outside)
    session.flush()


def erase_directory_entry(
    session: Session, person: PersonRow, plan: ErasurePlan, index: PeopleSearchIndex
) -> None:
    old = to_fields(person)
    if plan.keeps_payment_record:
        kept = {name: getattr(old, name) for name in RETAINED_FOR_PAYMENTS}
        note = f"Erased on {dt.date.today().isoformat()}: kept only for transfer-of-value reporting."
        new = PersonFields(**kept, notes=note)
    else:
        new = PersonFields(last_name=f"{ERASED_LABEL} {person.id}")
    write_fields(person, new)
    person.updated_at = now()
    index.put(session, [(person.id, new)])
    # Merge the index so the deleted entry's words leave its b-tree too.
    session.execute(text("INSERT INTO people_fts(people_fts) VALUES ('optimize')"))


def _erase_in_agendas(session: Session, person_id: int | None, mentions: Mentions) -> None:
    for item in session.scalars(select(AgendaItemRow)):
        if person_id is not None and item.presenter_id == person_id:
            item.presenter_id = None
        item.title = mentions.replace(item.event_id, item.title)
        item.questions = mentions.replace(item.event_id, item.questions)
        # What it lost quotes collection names and deck titles: text from outside the meeting.
        item.note = mentions.erase_outside(mentions.replace(item.event_id, item.note))


def _erase_in_notes(session: Session, person_id: int | None, mentions: Mentions) -> None:
    """Note entries (speaker and owner links too), their amendments and their themes."""
    for entry in session.scalars(select(NoteEntryRow)):
        if person_id is not None and entry.speaker_id == person_id:
            entry.speaker_id = None
        if person_id is not None and entry.owner_id == person_id:
            entry.owner_id = None
            entry.owner = f"[{ERASED_LABEL}]"
        entry.text = mentions.replace(entry.event_id, entry.text)
        entry.owner = mentions.replace(entry.event_id, entry.owner)
        entry.removed_item = mentions.replace(entry.event_id, entry.removed_item)  # a removed item's title
    events_of = dict(session.execute(select(NoteEntryRow.id, NoteEntryRow.event_id)).all())
    for amendment in session.scalars(select(NoteAmendmentRow)):
        event_id = events_of[amendment.entry_id]
        amendment.text = mentions.replace(event_id, amendment.text)
        amendment.reason = mentions.replace(event_id, amendment.reason)
    for theme in session.scalars(select(NoteThemeRow)):
        renamed = mentions.replace(events_of[theme.entry_id], theme.theme)
        if renamed != theme.theme:  # part of the key: replaced by a new row
            session.delete(theme)
            session.flush()
            if session.get(NoteThemeRow, (theme.entry_id, renamed)) is None:
                session.add(NoteThemeRow(entry_id=theme.entry_id, theme=renamed))


def _erase_in_events(session: Session, mentions: Mentions) -> None:
    """Drafts, the events' own texts (executive summaries included) and their theme taxonomies."""
    for draft in session.scalars(select(NoteDraftRow)):
        draft.text = mentions.replace(draft.event_id, draft.text)
    for event in session.scalars(select(EventRow)):
        for column in ("title", "objectives", "key_questions", "venue", "executive_summary"):
            setattr(event, column, mentions.replace(event.id, getattr(event, column)))
    for event_theme in session.scalars(select(EventThemeRow)):
        event_theme.name = mentions.replace(event_theme.event_id, event_theme.name)


def _erase_in_directory_notes(
    session: Session, person_id: int | None, mentions: Mentions, index: PeopleSearchIndex
) -> None:
    """Other people's directory notes (text with no meeting around it)."""
    changed = []
    for other in session.scalars(select(PersonRow).where(PersonRow.id != (person_id or -1))):
        notes = mentions.erase_outside(other.notes)
        if notes != other.notes:
            other.notes = notes
            changed.append((other.id, to_fields(other)))
    if changed:
        index.put(session, changed)
