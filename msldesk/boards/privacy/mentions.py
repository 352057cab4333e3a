"""One person as privacy requests find them: their names and email address in free text, their
directory entry, and the events they are linked to."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from msldesk.boards.orm import AgendaItemRow, AttendanceRow, NoteEntryRow, PersonRow
from msldesk.boards.people.names import (
    EMAIL,
    FAMILY,
    FULL,
    Form,
    NameFinder,
    email_key,
    name_words,
    person_forms,
)
from msldesk.boards.records import PersonFields
from msldesk.core.errors import NotFoundError

ERASED_LABEL = "Erased person"  # what their names become in free text: "[Erased person]"


class Mentions:
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


def person_mentions(person: PersonFields, linked: set[int], digest: Callable[[str], str]) -> Mentions:
    return Mentions(
        person_forms(person.first_name, person.last_name, person.email, digest=digest), digest, linked
    )


def identity(person: PersonFields, digest: Callable[[str], str]) -> tuple[str, str]:
    """Digests that tell whether a directory entry is this person: (full name, email), "" if none."""
    name = " ".join(name_words(person.first_name) + name_words(person.last_name))
    email = person.email.strip()
    return digest(name) if name else "", digest(email_key(email)) if "@" in email else ""


def person_row(session: Session, person_id: int) -> PersonRow:
    row = session.get(PersonRow, person_id)
    if row is None:
        raise NotFoundError(f"There is no person with id {person_id}.")
    return row


def linked_events(session: Session, person_id: int) -> set[int]:
    """Events they attended, presented at, or spoke at or own an action of."""
    linked = set(session.scalars(select(AttendanceRow.event_id).where(AttendanceRow.person_id == person_id)))
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
