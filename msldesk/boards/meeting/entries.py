"""What was typed in a meeting: filing entries (markers read by entry_text), editing, deleting,
amending finalized ones, key insights, the review of flagged entries, and merging duplicates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from msldesk.boards.events.rows import event_row
from msldesk.boards.meeting.base import NOTES, clean_theme, naive_utc
from msldesk.boards.meeting.entry_rows import themes_of, to_entries
from msldesk.boards.meeting.entry_text import parse_entry
from msldesk.boards.meeting.running import MeetingRunning
from msldesk.boards.orm import (
    AgendaItemRow,
    AttendanceRow,
    EventRow,
    NoteAmendmentRow,
    NoteDraftRow,
    NoteEntryRow,
    NoteThemeRow,
    PersonRow,
)
from msldesk.boards.people.service import to_person
from msldesk.boards.records import EntryFields, EntryKind, NoteEntry, merge_differences
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.folding import fold
from msldesk.core.text_safety import clean_text, limit
from msldesk.protect import audit

_KEEP = object()  # "not given": the entry goes under the agenda item running now


class MergeNeedsConfirmationError(InvalidInputError):
    """The entries to merge have different speakers or kinds: the caller must confirm first."""

    kind = "merge-needs-confirmation"


class MeetingEntries(MeetingRunning):
    """The entry methods of MeetingService."""

    def add_entry(
        self,
        event_id: int,
        text: str,
        *,
        kind: EntryKind | None = None,
        agenda_item_id: int | object | None = _KEEP,
        speaker_id: int | None = None,
        themes: Sequence[str] = (),
        owner: str = "",
        due: dt.date | None = None,
        when: dt.datetime | None = None,
        clear_draft: bool = True,
    ) -> tuple[NoteEntry, Changes]:
        """File a typed entry. Markers in `text` (see entry_text) set the kind, speaker, themes,
        owner and due date; the keyword arguments win over them. Without `agenda_item_id` the entry
        goes under the item running now."""
        moment = when or self.clock()
        people = self._mentionable(event_id)
        taxonomy = self.themes(event_id)
        # Cleaned before parsing: U+0085 and form feeds would otherwise split the entry into lines.
        parsed = parse_entry(self._checked_text(text), people, taxonomy, today=moment.date(), kind=kind)
        if agenda_item_id is _KEEP:
            current = self.current_item(event_id)
            agenda_item_id = current.item_id if current else None
        fields = EntryFields(
            text=parsed.text,
            kind=kind or parsed.kind or EntryKind.NOTE,
            agenda_item_id=agenda_item_id,  # type: ignore[arg-type]
            speaker_id=speaker_id if speaker_id is not None else parsed.speaker_id,
            themes=(*parsed.themes, *themes),
            owner_id=parsed.owner_id,
            owner=owner or parsed.owner,
            due=due or parsed.due,
        )
        rehearsal = self._rehearsing(event_id, moment)
        with self.sessions.begin() as session:
            self._writable_event(session, event_id)
            row = NoteEntryRow(event_id=event_id, created_at_utc=naive_utc(moment), rehearsal=rehearsal)
            self._write_entry(session, row, fields, event_id)
            if clear_draft:
                session.execute(delete(NoteDraftRow).where(NoteDraftRow.event_id == event_id))
            entry_id = row.id
        return self.entry(entry_id), NOTES

    def update_entry(self, entry_id: int, fields: EntryFields) -> tuple[NoteEntry, Changes]:
        """Edit an entry before the event is finalized; the time of the edit is kept."""
        with self.sessions.begin() as session:
            row = self._entry_row(session, entry_id)
            self._writable_event(session, row.event_id)
            self._write_entry(session, row, fields, row.event_id)
            row.edited_at_utc = naive_utc(self.clock())
        return self.entry(entry_id), NOTES

    def delete_entry(self, entry_id: int) -> Changes:
        with self.sessions.begin() as session:
            row = self._entry_row(session, entry_id)
            self._writable_event(session, row.event_id)
            session.execute(
                update(NoteEntryRow)
                .where(NoteEntryRow.merged_into_id == entry_id)
                .values(merged_into_id=None)
            )
            session.delete(row)
        return NOTES

    def amend_entry(self, entry_id: int, text: str, reason: str = "") -> tuple[NoteEntry, Changes]:
        """A correction to a finalized entry: kept beside the original, which is not changed."""
        text = self._checked_text(text)
        reason = limit(reason, "line", "The reason for the correction").strip()
        with self.sessions.begin() as session:
            row = self._entry_row(session, entry_id)
            event = event_row(session, row.event_id)
            if event.finalized_at_utc is None:
                raise InvalidInputError("This meeting is not finalized yet: edit the entry instead.")
            previous = session.scalars(
                select(NoteAmendmentRow.text)
                .where(NoteAmendmentRow.entry_id == entry_id)
                .order_by(NoteAmendmentRow.id.desc())
            ).first()
            moment = self.clock()
            session.add(
                NoteAmendmentRow(
                    entry_id=entry_id, text=text, reason=reason, created_at_utc=naive_utc(moment)
                )
            )
            session.flush()
            self._flag(session, row)
            before = {"text": previous if previous is not None else row.text}
            after = {"text": text, "reason": reason}
            audit.record(session, "note.amend", "note", entry_id, before, after, when=moment)
        return self.entry(entry_id), NOTES

    def set_key(self, entry_id: int, key: bool = True) -> tuple[NoteEntry, Changes]:
        """Mark or unmark a key insight (review metadata: allowed after finalization)."""
        with self.sessions.begin() as session:
            row = self._entry_row(session, entry_id)
            if row.is_key != bool(key):
                self._audit_if_finalized(session, row, "note.key", {"key": row.is_key}, {"key": bool(key)})
            row.is_key = bool(key)
        return self.entry(entry_id), NOTES

    def review_flag(self, entry_id: int, acceptable: bool) -> tuple[NoteEntry, Changes]:
        """Record the review of a flagged entry: acceptable (the flag is cleared) or not (it stays
        flagged and is left out of the commercial summary)."""
        with self.sessions.begin() as session:
            row = self._entry_row(session, entry_id)
            if not row.flag_terms:
                raise InvalidInputError("That entry is not flagged.")
            before = {"reviewed": row.flag_reviewed, "cleared": row.flag_cleared}
            after = {"reviewed": True, "cleared": bool(acceptable)}
            self._audit_if_finalized(session, row, "note.flag_review", before, after)
            row.flag_reviewed, row.flag_cleared = True, bool(acceptable)
            # who decided and when: the compliance summary lists it for every flagged entry
            row.flag_reviewed_by = audit.current_actor()[:200]
            row.flag_reviewed_at_utc = naive_utc(self.clock())
        return self.entry(entry_id), NOTES

    def merge_entries(
        self, keep_id: int, other_ids: Sequence[int], *, confirmed: bool = False
    ) -> tuple[NoteEntry, Changes]:
        """Fold duplicates into `keep_id`: their themes join it, they leave the report's lists and
        stay stored (linked to the kept entry), and their speakers stay credited on it
        (NoteEntry.merged_parts). Entries of different speakers or kinds are merged only when
        `confirmed` (MergeNeedsConfirmationError says what differs)."""
        others = [i for i in dict.fromkeys(other_ids) if i != keep_id]
        if not others:
            raise InvalidInputError("Pick at least two entries to merge.")
        if not confirmed:
            differences = merge_differences([self.entry(i) for i in [keep_id, *others]])
            if differences:
                raise MergeNeedsConfirmationError(
                    "These entries differ: " + "; ".join(differences) + ". Merge them only if they "
                    "say the same thing; every speaker stays credited on the kept entry.",
                    "\n".join(differences),
                )
        with self.sessions.begin() as session:
            keep = self._entry_row(session, keep_id)
            self._writable_event(session, keep.event_id)
            themes = themes_of(session, [keep_id]).get(keep_id, [])
            for other_id in others:
                other = self._entry_row(session, other_id)
                if other.event_id != keep.event_id:
                    raise InvalidInputError("Only entries of the same meeting can be merged.")
                for theme in themes_of(session, [other_id]).get(other_id, []):
                    if fold(theme) not in {fold(t) for t in themes}:
                        themes.append(theme)
                        session.add(NoteThemeRow(entry_id=keep_id, theme=theme))
                keep.is_key = keep.is_key or other.is_key
                other.merged_into_id = keep_id
                session.execute(
                    update(NoteEntryRow)
                    .where(NoteEntryRow.merged_into_id == other_id)
                    .values(merged_into_id=keep_id)
                )
        return self.entry(keep_id), NOTES

    def entry(self, entry_id: int) -> NoteEntry:
        with self.sessions() as session:
            row = self._entry_row(session, entry_id)
            return to_entries(session, row.event_id, [row])[0]

    def entries(
        self, event_id: int, include_merged: bool = False, rehearsal: bool = False
    ) -> list[NoteEntry]:
        """The meeting's entries in the order they were typed; with `rehearsal`, those typed in
        rehearsals instead (which nothing else lists, reports or exports)."""
        with self.sessions() as session:
            event_row(session, event_id)
            query = select(NoteEntryRow).where(
                NoteEntryRow.event_id == event_id, NoteEntryRow.rehearsal.is_(bool(rehearsal))
            )
            if not include_merged:
                query = query.where(NoteEntryRow.merged_into_id.is_(None))
            rows = list(session.scalars(query.order_by(NoteEntryRow.created_at_utc, NoteEntryRow.id)))
            return to_entries(session, event_id, rows)

    # -- helpers ---------------------------------------------------------------------------------

    def _mentionable(self, event_id: int) -> list[tuple[int, str]]:
        """Who "@" may name: the event's attendees and agenda presenters."""
        with self.sessions() as session:
            people = session.scalars(
                select(PersonRow)
                .join(AttendanceRow, AttendanceRow.person_id == PersonRow.id)
                .where(AttendanceRow.event_id == event_id)
            ).all()
            presenters = session.scalars(
                select(PersonRow)
                .join(AgendaItemRow, AgendaItemRow.presenter_id == PersonRow.id)
                .where(AgendaItemRow.event_id == event_id)
            ).all()
        seen: dict[int, str] = {}
        for row in (*people, *presenters):
            seen.setdefault(row.id, to_person(row).display_name)
        return list(seen.items())

    def _checked_text(self, text: str) -> str:
        text = limit(text, "text", "An entry").strip() if isinstance(text, str) else ""
        if not text:
            raise InvalidInputError("An entry needs some text.")
        return text

    def _write_entry(self, session: Session, row: NoteEntryRow, fields: EntryFields, event_id: int) -> None:
        row.text = self._checked_text(fields.text)
        try:
            row.kind = EntryKind(fields.kind).value
        except ValueError as exc:
            raise InvalidInputError(f"Unknown entry kind {fields.kind!r}.") from exc
        if fields.agenda_item_id is not None:
            item = session.get(AgendaItemRow, fields.agenda_item_id)
            if item is None or item.event_id != event_id:
                raise NotFoundError(f"The agenda item {fields.agenda_item_id} is not on this event's agenda.")
        for person_id in (fields.speaker_id, fields.owner_id):
            if person_id is not None and session.get(PersonRow, person_id) is None:
                raise NotFoundError(f"There is no person with id {person_id}.")
        row.agenda_item_id, row.speaker_id = fields.agenda_item_id, fields.speaker_id
        row.owner_id, row.owner = fields.owner_id, " ".join(clean_text(fields.owner).split())[:300]
        row.due, row.is_key = fields.due, bool(fields.key)
        if row.id is None:
            session.add(row)
            session.flush()
        else:
            session.execute(delete(NoteThemeRow).where(NoteThemeRow.entry_id == row.id))
        kept: list[str] = []
        for name in fields.themes:
            theme = clean_theme(name)
            if theme and fold(theme) not in {fold(t) for t in kept}:
                kept.append(theme)
        session.add_all(NoteThemeRow(entry_id=row.id, theme=t) for t in kept)
        self._flag(session, row)

    @staticmethod
    def _audit_if_finalized(
        session: Session,
        row: NoteEntryRow,
        action: str,
        before: Mapping[str, object],
        after: Mapping[str, object],
    ) -> None:
        """Review changes to finalized notes are audited; before finalization they are drafting."""
        event = session.get(EventRow, row.event_id)
        if event is not None and event.finalized_at_utc is not None:
            audit.record(session, action, "note", row.id, before, after)
