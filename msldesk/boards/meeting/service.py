"""Meeting capture's public API: the running agenda, time-stamped entries, the autosaved draft,
review (key insights, merges, flagged entries, executive summary), finalization and amendments.
MeetingService is built in layers, one module each: base.py (guard, themes), running.py (the agenda's
clock, rehearsals), entries.py (what was typed), and here the draft, finalization and reports."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace

from sqlalchemy import select

from msldesk.boards.events.rows import event_row
from msldesk.boards.meeting.base import MAX_ENTRY_LENGTH, NOTES, aware, naive_utc
from msldesk.boards.meeting.entries import MeetingEntries
from msldesk.boards.orm import NoteDraftRow, NoteEntryRow
from msldesk.boards.records import Audience, Draft, EntryFields, MeetingReport, NoteEntry
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError
from msldesk.core.folding import fold
from msldesk.core.text_safety import clean_text, limit
from msldesk.protect import audit


class MeetingService(MeetingEntries):
    """The draft, review, finalization and report methods here; the rest come from the layers below."""

    # -- the draft -------------------------------------------------------------------------------

    def save_draft(self, event_id: int, text: str, agenda_item_id: int | None = None) -> None:
        """Keep what is typed but not yet entered; an empty text removes the draft. Cheap enough to
        call on every pause in typing."""
        with self.sessions.begin() as session:
            row = session.get(NoteDraftRow, event_id)
            if not text.strip():
                if row is not None:
                    session.delete(row)
                return
            if row is None:
                event_row(session, event_id)
                row = NoteDraftRow(event_id=event_id)
                session.add(row)
            row.text, row.agenda_item_id = clean_text(text)[:MAX_ENTRY_LENGTH], agenda_item_id
            row.saved_at_utc = naive_utc(self.clock())

    def draft(self, event_id: int) -> Draft | None:
        with self.sessions() as session:
            row = session.get(NoteDraftRow, event_id)
            if row is None:
                return None
            return Draft(event_id, row.text, row.agenda_item_id, aware(row.saved_at_utc))  # type: ignore[arg-type]

    # -- review and finalization -----------------------------------------------------------------

    def executive_summary(self, event_id: int) -> str:
        with self.sessions() as session:
            return event_row(session, event_id).executive_summary

    def set_executive_summary(self, event_id: int, text: str) -> Changes:
        with self.sessions.begin() as session:
            summary = limit(text, "text", "The executive summary").strip()
            event_row(session, event_id).executive_summary = summary
        return NOTES

    def finalized_at(self, event_id: int) -> dt.datetime | None:
        with self.sessions() as session:
            return aware(event_row(session, event_id).finalized_at_utc)

    def finalize(self, event_id: int) -> Changes:
        """Make the notes read-only; later corrections are amendments. The running item ends and the
        draft, if any, is kept as an entry so nothing typed is lost."""
        if self.meeting_day(event_id).rehearsing:
            raise InvalidInputError(
                "A rehearsal of this meeting is running. Delete the rehearsal (or start the real meeting "
                "on its day) before finalizing the notes."
            )
        draft = self.draft(event_id)
        if draft is not None:
            self.add_entry(event_id, draft.text, agenda_item_id=draft.agenda_item_id)
        if self.current_item(event_id) is not None:
            self.start_item(event_id, None)
        with self.sessions.begin() as session:
            event = self._writable_event(session, event_id)
            moment = self.clock()
            event.finalized_at_utc = naive_utc(moment)
            # A digest of what was finalized: a later change to the stored notes shows against it.
            notes = [
                [r.id, r.kind, r.text, r.speaker_id, r.is_key, r.merged_into_id]
                for r in session.scalars(
                    select(NoteEntryRow)
                    .where(NoteEntryRow.event_id == event_id, NoteEntryRow.rehearsal.is_(False))
                    .order_by(NoteEntryRow.id)
                )
            ]
            digest = hashlib.sha256(audit.canonical(notes).encode("utf-8")).hexdigest()
            after = {"finalized": True, "entries": len(notes), "notes_sha256": digest}
            audit.record(
                session, "notes.finalize", "event", event_id, {"finalized": False}, after, when=moment
            )
        return Changes(events=True, notes=True)

    def report(self, event_id: int, audience: Audience = Audience.MEDICAL) -> MeetingReport:
        """The meeting as a summary, readout deck or export shows it to `audience`."""
        from msldesk.boards.meeting.audience import cut_for_audience

        event = self.events.get(event_id)
        entries = self.entries(event_id)
        themes = self.themes(event_id)
        for entry in entries:  # themes typed on the fly join the taxonomy's order, at its end
            for theme in entry.fields.themes:
                if fold(theme) not in {fold(t) for t in themes}:
                    themes.append(theme)
        starts = event.fields.starts_at
        # Only compliance's report shows the transfers of value (the cut drops them for the others), and
        # reading a year's payments is most of a report's time: a team push reads every pushed meeting's.
        wanted = starts is not None and Audience(audience) is Audience.COMPLIANCE
        paid = self.events.payments(starts.year) if wanted and starts is not None else []
        payments = tuple(p for p in paid if p.event_id == event_id)
        agenda = self.events.agenda(event_id)
        rehearsal = self.meeting_day(event_id).rehearsal_started
        if rehearsal is not None:  # times recorded in a running rehearsal are not the meeting's
            agenda = [
                replace(i, actual_start=None, actual_end=None)
                if i.actual_start is not None and i.actual_start >= rehearsal
                else i
                for i in agenda
            ]
        full = MeetingReport(
            event=event,
            audience=Audience.MEDICAL,
            agenda=tuple(agenda),
            attendees=tuple(self.events.attendees(event_id)),
            entries=tuple(entries),
            themes=tuple(themes),
            executive_summary=self.executive_summary(event_id),
            finalized_at=self.finalized_at(event_id),
            generated_at=self.clock(),
            payments=payments,
        )
        return cut_for_audience(full, Audience(audience))


def with_fields(entry: NoteEntry, **changes: object) -> EntryFields:
    """The entry's fields with some changed: what an edit dialog hands to update_entry."""
    return replace(entry.fields, **changes)  # type: ignore[arg-type]
