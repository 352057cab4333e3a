"""Privacy requests about one person: export everything held about them, or erase them while keeping
the transfer-of-value records the law requires."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields, is_dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from msldesk.boards.erasures import Erasure, ErasureLedger, ErasureLedgerError, new_erasure_id
from msldesk.boards.events.rows import attendance_fields, event_fields
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
from msldesk.boards.people.names import (
    EMAIL,
    FAMILY,
    FULL,
    Form,
    NameFinder,
    email_key,
    name_words,
    person_forms,
    plain,
)
from msldesk.boards.people.service import now, to_fields, write_fields
from msldesk.boards.records import AttendeeRole, EventStatus, Invitation, PersonFields
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.fileio import atomic_write_bytes
from msldesk.core.user_files import storable_path
from msldesk.protect import audit
from msldesk.protect.audit import AuditRow

if TYPE_CHECKING:
    from msldesk.boards.events.service import EventService
    from msldesk.boards.people.service import PeopleService
    from msldesk.protect.audit import AuditService

EXPORT_FORMAT = "msldesk person data export, version 1"
ERASED_LABEL = "Erased person"  # what their names become in free text: "[Erased person]"

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


def _is_reported_payment(row: AttendanceRow, event: EventRow) -> bool:
    """The attendance EventService.payments() reports: an accepted external attendee of a dated event
    that was not cancelled, with an honorarium, travel or expenses."""
    return (
        row.role != AttendeeRole.INTERNAL.value
        and row.invitation == Invitation.ACCEPTED.value
        and event.status != EventStatus.CANCELLED.value
        and event.starts_at_utc is not None
        and (row.honorarium_cents > 0 or row.travel_cents > 0 or row.expenses_cents > 0)
    )


class _Mentions:
    """Finds and replaces one person's names (and email address) in free text, whatever the case and
    accents (one matcher for all of it: msldesk.boards.people.names).

    In events they are linked to (attendee, presenter, speaker or owner of a note) every form of their
    name counts, first name alone included, as in the commercial cut of a report. Elsewhere in events
    only the full name or the email address counts, so another "Ana" in an unrelated meeting is left
    alone. Text with no meeting around it (the audit trail, recorded file names, other people's notes)
    also loses their family name when it has at least three letters; a first name alone is left."""

    def __init__(self, forms: list[Form], digest: Callable[[str], str], linked_events: set[int]) -> None:
        self.everywhere = NameFinder(forms, digest)
        self.anywhere = NameFinder(forms, digest, (FULL, EMAIL))
        self.outside = NameFinder(forms, digest, (FULL, EMAIL, FAMILY))
        self.linked_events = linked_events

    def _finder(self, event_id: int) -> NameFinder:
        return self.everywhere if event_id in self.linked_events else self.anywhere

    def names(self, event_id: int, value: str) -> bool:
        return self._finder(event_id).found(value)

    def replace(self, event_id: int, value: str) -> str:
        return self._finder(event_id).replace(value, ERASED_LABEL)

    def erase_outside(self, value: str) -> str:
        return self.outside.replace(value, ERASED_LABEL)

    def erase_all(self, value: str) -> str:
        return self.everywhere.replace(value, ERASED_LABEL)


def _person_mentions(person: PersonFields, linked: set[int], digest: Callable[[str], str]) -> _Mentions:
    return _Mentions(
        person_forms(person.first_name, person.last_name, person.email, digest=digest), digest, linked
    )


def _identity(person: PersonFields, digest: Callable[[str], str]) -> tuple[str, str]:
    """Digests that tell whether a directory entry is this person: (full name, email), "" if none."""
    name = " ".join(name_words(person.first_name) + name_words(person.last_name))
    email = person.email.strip()
    return digest(name) if name else "", digest(email_key(email)) if "@" in email else ""


class PrivacyService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        people: PeopleService,
        events: EventService,
        audit_service: AuditService,
        ledger: ErasureLedger,
    ) -> None:
        self.sessions = sessions
        self.people = people
        self.events = events
        self.audit = audit_service
        self.ledger = ledger

    # -- export ----------------------------------------------------------------------------------

    def export_person(self, person_id: int) -> dict[str, Any]:
        """Everything held about one person, as plain JSON-ready data."""
        with self.sessions() as session:
            person = self._person_row(session, person_id)
            fields_ = to_fields(person)
            linked = self._linked_events(session, person_id)
            mentions = _person_mentions(fields_, linked, plain)
            event_rows = {r.id: r for r in session.scalars(select(EventRow))}

            def event_ref(event_id: int) -> dict[str, Any]:
                row = event_rows[event_id]
                f = event_fields(row)
                return {"id": row.id, "title": f.title, "kind": f.kind, "status": f.status,
                        "starts_at": f.starts_at, "ends_at": f.ends_at, "timezone": f.timezone}  # fmt: skip

            attendance = []
            attendance_ids = []
            for row in session.scalars(
                select(AttendanceRow).where(AttendanceRow.person_id == person_id).order_by(AttendanceRow.id)
            ):
                attendance_ids.append(row.id)
                attendance.append(
                    {
                        "attendance_id": row.id,
                        "event": event_ref(row.event_id),
                        **asdict(attendance_fields(row)),
                    }
                )
            presented = [
                {
                    "item_id": r.id,
                    "event": event_ref(r.event_id),
                    "title": r.title,
                    "kind": r.kind,
                    "minutes": r.minutes,
                    "questions": r.questions,
                }  # fmt: skip
                for r in session.scalars(
                    select(AgendaItemRow)
                    .where(AgendaItemRow.presenter_id == person_id)
                    .order_by(AgendaItemRow.id)
                )
            ]
            notes, note_ids = self._export_notes(session, person_id, mentions, event_ref)
            drafts = [
                {"event": event_ref(r.event_id), "text": r.text, "saved_at": _utc(r.saved_at_utc)}
                for r in session.scalars(select(NoteDraftRow))
                if mentions.names(r.event_id, r.text)
            ]
            summaries = [
                {"event": event_ref(r.id), "executive_summary": r.executive_summary}
                for r in event_rows.values()
                if mentions.names(r.id, r.executive_summary)
            ]
            records = self._audit_about(session, person_id, attendance_ids, note_ids)
            starts = (event_fields(event_rows[a["event"]["id"]]).starts_at for a in attendance)
            years = {start.year for start in starts if start is not None}  # local years, as payments()
        payments = [
            {
                "event_id": p.event_id,
                "event_title": p.event_title,
                "date": p.date,
                "nature": p.nature,
                "amount": p.amount,
                "currency": p.currency,
            }  # fmt: skip
            for year in sorted(years)
            for p in self.events.payments(year)
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
            },  # fmt: skip
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

    def write_person_export(self, person_id: int, path: Path) -> Path:
        """Write export_person() as a JSON file (atomically); the export itself is audited."""
        path = Path(path)
        if path.suffix.lower() != ".json":
            raise InvalidInputError(
                "A person's data is written as .json; choose a file name ending in .json."
            )
        data = json.dumps(self.export_person(person_id), ensure_ascii=False, indent=2).encode("utf-8")
        atomic_write_bytes(path, data)
        details = {"file": storable_path(path.resolve()), "sha256": hashlib.sha256(data).hexdigest()}
        self.audit.record("export.person_data", "person", person_id, None, details)
        return path

    def _export_notes(self, session: Session, person_id: int, mentions: _Mentions, event_ref: Any):  # type: ignore[no-untyped-def]
        amendments: dict[int, list[NoteAmendmentRow]] = {}
        for a in session.scalars(select(NoteAmendmentRow).order_by(NoteAmendmentRow.id)):
            amendments.setdefault(a.entry_id, []).append(a)
        themes: dict[int, list[str]] = {}
        for entry_id, theme in session.execute(select(NoteThemeRow.entry_id, NoteThemeRow.theme)):
            themes.setdefault(entry_id, []).append(theme)
        notes, ids = [], []
        for row in session.scalars(
            select(NoteEntryRow).order_by(NoteEntryRow.created_at_utc, NoteEntryRow.id)
        ):
            texts = [
                row.text,
                row.owner,
                *(t for a in amendments.get(row.id, []) for t in (a.text, a.reason)),
            ]
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
                    "entry_id": row.id, "event": event_ref(row.event_id), "why": why, "kind": row.kind,
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

    @staticmethod
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

    # -- erasure ---------------------------------------------------------------------------------

    def erasure_plan(self, person_id: int) -> ErasurePlan:
        with self.sessions() as session:
            return self._plan(session, person_id)

    def erase_person(self, person_id: int, reason: str) -> tuple[ErasurePlan, Changes]:
        """Erase a person, irreversibly, in one transaction:

        - the directory entry is pseudonymized ("Erased person 17", everything else wiped), or, when
          they were paid, reduced to RETAINED_FOR_PAYMENTS;
        - attendance without a reported payment is removed; attendance with one is kept as the payment
          record (check-in time and minutes attended are wiped);
        - presenter, speaker and owner links to them are cleared, and their names and email address are
          replaced by "[Erased person]" in every free text (see `_erase_text`), in any case and with
          or without accents, finalized notes included (the one change allowed there: it is audited
          per event);
        - the erasure is audited: who, when, why and what changed, by id, never the erased data;
        - it is added to the erasure ledger (as digests), so restoring an older backup makes it again.
        """
        reason = " ".join(str(reason).split())
        if not reason:
            raise InvalidInputError("Say why this person is erased (for example, the date of their request).")
        return self._erase(person_id, reason, None)

    def _erase(self, person_id: int, reason: str, again: Erasure | None) -> tuple[ErasurePlan, Changes]:
        digest = self.ledger.digest()
        erasure_id = again.erasure_id if again else new_erasure_id()
        added = False
        try:
            with self.sessions.begin() as session:
                # Deleted and overwritten records are zeroed in the file, not just unlinked.
                session.execute(text("PRAGMA secure_delete = ON"))
                plan = self._plan(session, person_id)
                person = self._person_row(session, person_id)
                fields_ = to_fields(person)
                mentions = _person_mentions(fields_, self._linked_events(session, person_id), digest)
                self._erase_attendance(session, person_id, plan)
                self._erase_text(session, person_id, mentions)
                self._erase_directory_entry(session, person, plan)
                erased_entries = select(NoteEntryRow.id, NoteEntryRow.event_id).where(
                    NoteEntryRow.id.in_(plan.note_entries)
                )
                events_of = dict(session.execute(erased_entries).all())
                for event_id in plan.finalized_events:
                    changed = [e for e in plan.note_entries if events_of.get(e) == event_id]
                    audit.record(
                        session, "notes.erasure", "event", event_id, None,
                        {"person_id": person_id, "entries": changed},
                    )  # fmt: skip
                # Their name and email also leave the audit trail's content (the chain still verifies).
                audit.redact(session, mentions.erase_outside, f"erasure of person {person_id}")
                audit.record(
                    session, "person.erase", "person", person_id, None,
                    {
                        "erasure": erasure_id,
                        "reason": mentions.erase_all(reason),  # the reason may name them: stored without
                        "kept_for_payments": plan.keeps_payment_record,
                        "attendance_removed": list(plan.attendance_removed),
                        "attendance_kept": list(plan.attendance_kept),
                        "agenda_items": list(plan.presented_items),
                        "note_entries": list(plan.note_entries),
                    },
                )  # fmt: skip
                session.execute(text("PRAGMA secure_delete = OFF"))
                if again is None:  # last, so a ledger that cannot be written leaves the library as it was
                    forms = person_forms(fields_.first_name, fields_.last_name, fields_.email, digest=digest)
                    self.ledger.add(
                        Erasure(erasure_id, person_id, dt.datetime.now(dt.UTC), _identity(fields_, digest),
                                tuple(forms))
                    )  # fmt: skip
                    added = True
        except BaseException:
            if added:  # the ledger was written but the transaction did not commit
                self.ledger.remove(erasure_id)
            raise
        self._checkpoint()
        return plan, Changes(people=True, events=True, notes=True)

    # -- after a restore -------------------------------------------------------------------------

    def reapply_erasures(self) -> int:
        """Make again every erasure in the ledger that the (just restored) database does not hold:
        the person is found by id, or by their digests when the id now names someone else, and
        erased as before; a person the backup does not know is still erased from its free text.
        Returns how many erasures were made again."""
        try:
            erasures = self.ledger.erasures()
        except ErasureLedgerError as exc:
            raise ErasureLedgerError(
                "The backup is restored, but the list of erasures is damaged, so people erased since "
                "the backup may be back in the library. Put back a good copy of erasures.json and "
                "restore the backup again.",
                exc.details,
            ) from exc
        if not erasures:
            return 0
        digest = self.ledger.digest()
        with self.sessions() as session:
            recorded = " ".join(
                session.scalars(select(AuditRow.after_json).where(AuditRow.action == "person.erase"))
            )
        made = 0
        for erasure in erasures:
            if erasure.erasure_id in recorded:  # the backup was made after this erasure
                continue
            when = erasure.erased_at.date().isoformat()
            person_id = self._find_erased(erasure, digest)
            if person_id is not None:
                self._erase(person_id, f"made again after a restore (erasure of {when})", erasure)
            else:
                self._erase_unknown(erasure, digest, when)
            made += 1
        return made

    def _find_erased(self, erasure: Erasure, digest: Callable[[str], str]) -> int | None:
        """Their directory entry in the restored library: the same id with the same name or email,
        else (a backup of another library) the entry with the same email. A namesake elsewhere is
        not them: erasing the wrong person cannot be undone."""
        name, email = erasure.identity
        with self.sessions() as session:
            row = session.get(PersonRow, erasure.person_id)
            if row is not None and {name, email} & set(_identity(to_fields(row), digest)) - {""}:
                return row.id
            for row in session.scalars(select(PersonRow).order_by(PersonRow.id)):
                if email and _identity(to_fields(row), digest)[1] == email:
                    return row.id
        return None

    def _erase_unknown(self, erasure: Erasure, digest: Callable[[str], str], when: str) -> None:
        """The backup predates the person's directory entry: their names may still be in its text."""
        mentions = _Mentions(list(erasure.forms), digest, set())
        with self.sessions.begin() as session:
            session.execute(text("PRAGMA secure_delete = ON"))
            self._erase_text(session, None, mentions)
            audit.redact(session, mentions.erase_outside, f"erasure of person {erasure.person_id}")
            audit.record(
                session, "person.erase", "person", erasure.person_id, None,
                {"erasure": erasure.erasure_id, "reason": f"made again after a restore (erasure of {when})",
                 "directory_entry": "not in the restored library"},
            )  # fmt: skip
            session.execute(text("PRAGMA secure_delete = OFF"))
        self._checkpoint()

    def _plan(self, session: Session, person_id: int) -> ErasurePlan:
        person = self._person_row(session, person_id)
        fields_ = to_fields(person)
        linked = self._linked_events(session, person_id)
        mentions = _person_mentions(fields_, linked, plain)
        removed, kept = list[int](), list[int]()  # attendance ids
        for row, event in session.execute(
            select(AttendanceRow, EventRow)
            .join(EventRow, EventRow.id == AttendanceRow.event_id)
            .where(AttendanceRow.person_id == person_id)
            .order_by(AttendanceRow.id)
        ).all():
            (kept if _is_reported_payment(row, event) else removed).append(row.id)
        presented = tuple(
            session.scalars(
                select(AgendaItemRow.id)
                .where(AgendaItemRow.presenter_id == person_id)
                .order_by(AgendaItemRow.id)
            )
        )
        amended: dict[int, list[str]] = {}
        for entry_id, a_text, a_reason in session.execute(
            select(NoteAmendmentRow.entry_id, NoteAmendmentRow.text, NoteAmendmentRow.reason)
        ):
            amended.setdefault(entry_id, []).extend((a_text, a_reason))
        entries, finalized = [], set()
        finalized_ids = set(
            session.scalars(select(EventRow.id).where(EventRow.finalized_at_utc.is_not(None)))
        )
        for note in session.scalars(select(NoteEntryRow).order_by(NoteEntryRow.id)):
            if person_id in (note.speaker_id, note.owner_id) or any(
                mentions.names(note.event_id, t) for t in (note.text, note.owner, *amended.get(note.id, ()))
            ):
                entries.append(note.id)
                if note.event_id in finalized_ids:
                    finalized.add(note.event_id)
        return ErasurePlan(
            person_id, fields_.display_name, tuple(removed), tuple(kept), presented, tuple(entries),
            tuple(sorted(finalized)),
        )  # fmt: skip

    @staticmethod
    def _erase_attendance(session: Session, person_id: int, plan: ErasurePlan) -> None:
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

    def _erase_text(self, session: Session, person_id: int | None, mentions: _Mentions) -> None:
        """Clear links to the person and replace their names in every free text the library holds
        (the audit trail's content apart: audit.redact does that)."""
        for item in session.scalars(select(AgendaItemRow)):
            if person_id is not None and item.presenter_id == person_id:
                item.presenter_id = None
            item.title = mentions.replace(item.event_id, item.title)
            item.questions = mentions.replace(item.event_id, item.questions)
            # What it lost quotes collection names and deck titles: text from outside the meeting.
            item.note = mentions.erase_outside(mentions.replace(item.event_id, item.note))
        for entry in session.scalars(select(NoteEntryRow)):
            if person_id is not None and entry.speaker_id == person_id:
                entry.speaker_id = None
            if person_id is not None and entry.owner_id == person_id:
                entry.owner_id = None
                entry.owner = f"[{ERASED_LABEL}]"
            entry.text = mentions.replace(entry.event_id, entry.text)
            entry.owner = mentions.replace(entry.event_id, entry.owner)
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
        for draft in session.scalars(select(NoteDraftRow)):
            draft.text = mentions.replace(draft.event_id, draft.text)
        for event in session.scalars(select(EventRow)):
            for column in ("title", "objectives", "key_questions", "venue", "executive_summary"):
                setattr(event, column, mentions.replace(event.id, getattr(event, column)))
        for event_theme in session.scalars(select(EventThemeRow)):
            event_theme.name = mentions.replace(event_theme.event_id, event_theme.name)
        changed = []
        for other in session.scalars(select(PersonRow).where(PersonRow.id != (person_id or -1))):
            notes = mentions.erase_outside(other.notes)
            if notes != other.notes:
                other.notes = notes
                changed.append((other.id, to_fields(other)))
        if changed:
            self.people.index.put(session, changed)
        from msldesk.decks.assembly import erase_in_assembly_records  # loads python-pptx

        erase_in_assembly_records(session, mentions.erase_outside)
        session.flush()

    def _erase_directory_entry(self, session: Session, person: PersonRow, plan: ErasurePlan) -> None:
        old = to_fields(person)
        if plan.keeps_payment_record:
            kept = {name: getattr(old, name) for name in RETAINED_FOR_PAYMENTS}
            note = f"Erased on {dt.date.today().isoformat()}: kept only for transfer-of-value reporting."
            new = PersonFields(**kept, notes=note)
        else:
            new = PersonFields(last_name=f"{ERASED_LABEL} {person.id}")
        write_fields(person, new)
        person.updated_at = now()
        self.people.index.put(session, [(person.id, new)])
        # Merge the index so the deleted entry's words leave its b-tree too.
        session.execute(text("INSERT INTO people_fts(people_fts) VALUES ('optimize')"))

    def _checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it, so the erased data does not
        linger in old log frames. Best effort: another reader may hold the log for now."""
        with self.sessions() as session:
            session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _person_row(session: Session, person_id: int) -> PersonRow:
        row = session.get(PersonRow, person_id)
        if row is None:
            raise NotFoundError(f"There is no person with id {person_id}.")
        return row

    @staticmethod
    def _linked_events(session: Session, person_id: int) -> set[int]:
        """Events they attended, presented at, or spoke at or own an action of."""
        linked = set(
            session.scalars(select(AttendanceRow.event_id).where(AttendanceRow.person_id == person_id))
        )
        linked |= set(
            session.scalars(select(AgendaItemRow.event_id).where(AgendaItemRow.presenter_id == person_id))
        )
        linked |= set(
            session.scalars(
                select(NoteEntryRow.event_id).where(
                    (NoteEntryRow.speaker_id == person_id) | (NoteEntryRow.owner_id == person_id)
                )
            )
        )
        return linked
