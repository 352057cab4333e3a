"""The people directory's public API: add, edit, search, find duplicates and merge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from msldesk.boards.orm import AgendaItemRow, AttendanceRow, EventRow, NoteEntryRow, PersonRow
from msldesk.boards.people.npi import normalise_npi
from msldesk.boards.people.search import PeopleSearchIndex
from msldesk.boards.people.validation import person_problems
from msldesk.boards.records import PERSON_FIELD_NAMES, DuplicateGroup, Person, PersonFields
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.text_safety import clean_text
from msldesk.core.wording import plural
from msldesk.protect import audit

SEARCH_LIMIT = 200


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def clean_person(person: PersonFields) -> PersonFields:
    """Cleaned and trimmed text, lower-case email, digits-only NPI: the form stored and compared."""
    changes: dict[str, Any] = {}  # field name: cleaned value
    for name in PERSON_FIELD_NAMES:
        value = getattr(person, name)
        if isinstance(value, str):
            # No control characters (they would break every export); one-line fields lose bidi controls.
            text = clean_text(value, breaks=name == "notes")
            cleaned = text.strip() if name == "notes" else " ".join(text.split())
            if name == "email":
                cleaned = cleaned.lower().removeprefix("mailto:")
            if name == "npi" and cleaned:
                digits = normalise_npi(cleaned)
                cleaned = digits if len(digits) == 10 else cleaned
            if cleaned != value:
                changes[name] = cleaned
    return replace(person, **changes) if changes else person


def check_person(person: PersonFields) -> PersonFields:
    """The cleaned person, or InvalidInputError saying everything that is wrong."""
    person = clean_person(person)
    problems = person_problems(person)
    if problems:
        label = person.display_name or "This person"
        raise InvalidInputError(f"{label}: " + "; ".join(problems) + ".")
    return person


def to_fields(row: PersonRow) -> PersonFields:
    return PersonFields(**{name: getattr(row, name) for name in PERSON_FIELD_NAMES})


def to_person(row: PersonRow) -> Person:
    return Person(row.id, to_fields(row), row.created_at, row.updated_at)


def write_fields(row: PersonRow, person: PersonFields) -> None:
    for name in PERSON_FIELD_NAMES:
        setattr(row, name, getattr(person, name))


class PeopleService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.index = PeopleSearchIndex()

    # -- reading ---------------------------------------------------------------------------------

    def get(self, person_id: int) -> Person:
        with self.sessions() as session:
            row = session.get(PersonRow, person_id)
            if row is None:
                raise NotFoundError(f"There is no person with id {person_id}.")
            return to_person(row)

    def get_many(self, person_ids: Iterable[int]) -> list[Person]:
        ids = list(dict.fromkeys(person_ids))
        with self.sessions() as session:
            rows = {r.id: r for r in session.scalars(select(PersonRow).where(PersonRow.id.in_(ids)))}
        return [to_person(rows[i]) for i in ids if i in rows]

    def count(self, query: str = "") -> int:
        match = self.index.match_expression(query)
        with self.sessions() as session:
            if not query.strip():
                return session.scalar(select(func.count(PersonRow.id))) or 0
            if not match:
                return 0
            return session.execute(
                text("SELECT count(*) FROM people_fts WHERE people_fts MATCH :m"), {"m": match}
            ).scalar_one()

    def search(self, query: str = "", limit: int = SEARCH_LIMIT, offset: int = 0) -> list[Person]:
        """People matching every word (prefix) in any field, by last then first name; all if blank."""
        with self.sessions() as session:
            if not query.strip():
                rows = session.scalars(
                    select(PersonRow)
                    .order_by(PersonRow.last_name, PersonRow.first_name, PersonRow.id)
                    .limit(limit)
                    .offset(offset)
                )
                return [to_person(r) for r in rows]
            match = self.index.match_expression(query)
            if not match:
                return []
            ids = [
                r[0]
                for r in session.execute(
                    text(
                        "SELECT p.id FROM people_fts JOIN people p ON p.id = people_fts.rowid "
                        "WHERE people_fts MATCH :m ORDER BY p.last_name, p.first_name, p.id "
                        "LIMIT :limit OFFSET :offset"
                    ),
                    {"m": match, "limit": limit, "offset": offset},
                )
            ]
            by_id = {r.id: r for r in session.scalars(select(PersonRow).where(PersonRow.id.in_(ids)))}
            return [to_person(by_id[i]) for i in ids]

    def all_fields(self, session: Session) -> list[tuple[int, PersonFields]]:
        """Every person as (id, fields), for duplicate detection inside a unit of work."""
        return [(r.id, to_fields(r)) for r in session.scalars(select(PersonRow))]

    # -- writing ---------------------------------------------------------------------------------

    def add(self, person: PersonFields) -> tuple[Person, Changes]:
        person = check_person(person)
        with self.sessions.begin() as session:
            row = self.insert(session, person)
        return self.get(row.id), Changes(people=True)

    def insert(self, session: Session, person: PersonFields) -> PersonRow:
        """Insert an already-checked person inside the caller's unit of work."""
        stamp = now()
        row = PersonRow(created_at=stamp, updated_at=stamp)
        write_fields(row, person)
        session.add(row)
        session.flush()
        self.index.put(session, [(row.id, person)])
        return row

    def update(self, person_id: int, person: PersonFields) -> tuple[Person, Changes]:
        person = check_person(person)
        with self.sessions.begin() as session:
            row = session.get(PersonRow, person_id)
            if row is None:
                raise NotFoundError(f"There is no person with id {person_id}.")
            self.overwrite(session, row, person)
        return self.get(person_id), Changes(people=True)

    def overwrite(self, session: Session, row: PersonRow, person: PersonFields) -> None:
        write_fields(row, person)
        row.updated_at = now()
        self.index.put(session, [(row.id, person)])

    def delete(self, person_id: int) -> Changes:
        with self.sessions.begin() as session:
            row = session.get(PersonRow, person_id)
            if row is None:
                raise NotFoundError(f"There is no person with id {person_id}.")
            events = session.scalar(
                select(func.count(AttendanceRow.id)).where(AttendanceRow.person_id == person_id)
            )
            if events:
                raise InvalidInputError(
                    f"{to_fields(row).display_name} is on the attendee list of {events} event(s). "
                    "Remove them there first, or merge them into another person."
                )
            # The links would go quietly (set to nothing): an agenda without its presenter, notes
            # without their speaker. Say where they are instead.
            named = _named_in_events(session, person_id)
            if named:
                raise InvalidInputError(
                    f"{to_fields(row).display_name} {named}. Deleting the record would leave those "
                    "without a name: change them there first, merge them into another person, or use "
                    "Erase… (which takes their name out of every record)."
                )
            session.delete(row)
            self.index.remove(session, [person_id])
        return Changes(people=True)

    # -- duplicates ------------------------------------------------------------------------------

    def find_duplicates(self) -> list[DuplicateGroup]:
        from msldesk.boards.people.dedupe import find_duplicate_groups

        with self.sessions() as session:
            people = self.all_fields(session)
        return find_duplicate_groups(people)

    def merge(self, keep_id: int, other_ids: Sequence[int]) -> tuple[Person, Changes]:
        """Fold `other_ids` into `keep_id`: blanks filled from the others, their event places and
        presenter slots moved over, then the others deleted. One transaction: all or nothing."""
        others = [i for i in dict.fromkeys(other_ids) if i != keep_id]
        if not others:
            raise InvalidInputError("Choose at least one other person to merge into this one.")
        with self.sessions.begin() as session:
            keep = session.get(PersonRow, keep_id)
            if keep is None:
                raise NotFoundError(f"There is no person with id {keep_id}.")
            merged = to_fields(keep)
            for other_id in others:
                other = session.get(PersonRow, other_id)
                if other is None:
                    raise NotFoundError(f"There is no person with id {other_id}.")
                merged = merged.merged_with(to_fields(other))
                if merged.notes != to_fields(other).notes and other.notes and other.notes not in merged.notes:
                    merged = replace(merged, notes=f"{merged.notes}\n{other.notes}".strip())
                self._move_attendance(session, other_id, keep_id)
                session.execute(
                    update(AgendaItemRow)
                    .where(AgendaItemRow.presenter_id == other_id)
                    .values(presenter_id=keep_id)
                )
                self._move_note_links(session, other_id, keep_id)
                session.delete(other)
            self.index.remove(session, others)
            self.overwrite(session, keep, merged)
        return self.get(keep_id), Changes(people=True, events=True)

    @staticmethod
    def _move_note_links(session: Session, from_id: int, to_id: int) -> None:
        """Meeting notes they spoke or own an action of follow the merge (deleting the other person
        would otherwise clear those links), with an audit record: finalized notes change too."""
        moved = list(
            session.scalars(
                select(NoteEntryRow.id)
                .where((NoteEntryRow.speaker_id == from_id) | (NoteEntryRow.owner_id == from_id))
                .order_by(NoteEntryRow.id)
            )
        )
        if not moved:
            return
        audit.record(
            session, "notes.merge", "person", to_id, {"person_id": from_id, "note_entries": moved},
            {"person_id": to_id},
        )  # fmt: skip
        session.execute(
            update(NoteEntryRow).where(NoteEntryRow.speaker_id == from_id).values(speaker_id=to_id)
        )
        session.execute(update(NoteEntryRow).where(NoteEntryRow.owner_id == from_id).values(owner_id=to_id))

    @staticmethod
    def _move_attendance(session: Session, from_id: int, to_id: int) -> None:
        # Where both were on the same event, the kept person's place wins (it is the one the user
        # chose to keep); the other's place would otherwise break the one-place-per-event rule.
        moved = list(session.scalars(select(AttendanceRow.id).where(AttendanceRow.person_id == from_id)))
        if moved:
            audit.record(
                session, "attendance.merge", "person", to_id, {"person_id": from_id, "attendance_ids": moved},
                {"person_id": to_id},
            )  # fmt: skip
        kept_events = select(AttendanceRow.event_id).where(AttendanceRow.person_id == to_id)
        dropped = session.execute(
            select(AttendanceRow, EventRow.title)
            .join(EventRow, EventRow.id == AttendanceRow.event_id)
            .where(AttendanceRow.person_id == from_id, AttendanceRow.event_id.in_(kept_events))
        ).all()
        paid = [f"“{title}”" for row, title in dropped if row.has_amounts]
        if paid:  # the place that goes would take a transfer of value with it
            raise InvalidInputError(
                f"Both records are on the attendee list of {', '.join(paid)}, and the one merged away has an "
                "honorarium, travel or expenses recorded there, which the merge would drop (the kept "
                "record's place wins). Enter those amounts on the kept record's place and clear them on "
                "the other's (each change is recorded), then merge."
            )
        session.execute(
            delete(AttendanceRow).where(
                AttendanceRow.person_id == from_id, AttendanceRow.event_id.in_(kept_events)
            )
        )
        session.execute(
            update(AttendanceRow).where(AttendanceRow.person_id == from_id).values(person_id=to_id)
        )


def _named_in_events(session: Session, person_id: int) -> str:
    """ "presents “Data review” at “March board”; speaks in or owns 3 meeting notes of “March board”"
    (rehearsal entries apart: they are thrown away), or "" when no agenda or note names them."""
    parts = []
    items = session.execute(
        select(AgendaItemRow.title, EventRow.title)
        .join(EventRow, EventRow.id == AgendaItemRow.event_id)
        .where(AgendaItemRow.presenter_id == person_id)
        .order_by(EventRow.starts_at_utc, AgendaItemRow.position)
    ).all()
    if items:
        parts.append("presents " + ", ".join(f"“{item}” at “{event}”" for item, event in items))
    notes = session.execute(
        select(EventRow.title, func.count(NoteEntryRow.id))
        .join(EventRow, EventRow.id == NoteEntryRow.event_id)
        .where(
            (NoteEntryRow.speaker_id == person_id) | (NoteEntryRow.owner_id == person_id),
            NoteEntryRow.rehearsal.is_(False),
        )
        .group_by(EventRow.id, EventRow.title)
        .order_by(EventRow.title)
    ).all()
    if notes:
        total = sum(count for _, count in notes)
        events = ", ".join(f"“{event}”" for event, _ in notes)
        parts.append(f"speaks in or owns {plural(total, 'meeting note')} of {events}")
    return "; ".join(parts)
