"""What every part of the meeting service shares: its session factory, the events service and the
clock, the compliance guard (restricted terms flag entries), the event's theme taxonomy, and the rows
a change may touch (a finalized meeting's are read-only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from msldesk.boards.events.rows import event_row
from msldesk.boards.events.service import EventService
from msldesk.boards.meeting.guard import RestrictedTerms, load_terms, save_terms
from msldesk.boards.orm import EventRow, EventThemeRow, NoteAmendmentRow, NoteEntryRow
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.folding import fold
from msldesk.core.text_safety import LIMITS, limit

MAX_ENTRY_LENGTH = LIMITS["text"]
NOTES = Changes(notes=True)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def naive_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise InvalidInputError("A meeting time must carry its time zone.", repr(moment))
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.replace(tzinfo=dt.UTC)


class FinalizedError(InvalidInputError):
    """The event's notes were finalized: they are read-only, corrections go in as amendments."""

    kind = "finalized"


def clean_theme(name: str) -> str:
    return " ".join(limit(str(name), "name", "A theme").split()).lstrip("#").strip()


class MeetingServiceBase:
    """MeetingService is this plus its parts, each built on the one before: running.py (the agenda's
    clock, the meeting's day, rehearsals), entries.py (what was typed), then service.py (the draft,
    review, finalization, reports)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        events: EventService,
        restricted_terms_path: Path,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.sessions = sessions
        self.events = events
        self.restricted_terms_path = Path(restricted_terms_path)
        self.clock = clock  # aware UTC "now"; tests pass a fixed clock
        self._terms: RestrictedTerms | None = None

    # -- compliance guard ------------------------------------------------------------------------

    def restricted_terms(self) -> RestrictedTerms:
        if self._terms is None:
            self._terms = load_terms(self.restricted_terms_path)
        return self._terms

    def save_restricted_terms(self, terms: Sequence[str]) -> tuple[RestrictedTerms, Changes]:
        """Save the list and re-check every entry not yet finalized against it."""
        self._terms = save_terms(self.restricted_terms_path, terms)
        with self.sessions.begin() as session:
            rows = session.scalars(
                select(NoteEntryRow)
                .join(EventRow, EventRow.id == NoteEntryRow.event_id)
                .where(EventRow.finalized_at_utc.is_(None))
            )
            for row in rows:
                self._flag(session, row)
        return self._terms, NOTES

    def _flag(self, session: Session, row: NoteEntryRow) -> None:
        amended = session.scalars(
            select(NoteAmendmentRow.text)
            .where(NoteAmendmentRow.entry_id == row.id)
            .order_by(NoteAmendmentRow.id.desc())
        ).first()
        terms = "\n".join(self.restricted_terms().find(amended if amended is not None else row.text))
        if terms != row.flag_terms:  # new words found: the earlier review no longer holds
            row.flag_terms, row.flag_reviewed, row.flag_cleared = terms, False, False
            row.flag_reviewed_by, row.flag_reviewed_at_utc = "", None

    # -- theme taxonomy --------------------------------------------------------------------------

    def themes(self, event_id: int) -> list[str]:
        with self.sessions() as session:
            event_row(session, event_id)
            return list(
                session.scalars(
                    select(EventThemeRow.name)
                    .where(EventThemeRow.event_id == event_id)
                    .order_by(EventThemeRow.position)
                )
            )

    def set_themes(self, event_id: int, names: Sequence[str]) -> tuple[list[str], Changes]:
        themes: list[str] = []
        for name in names:
            theme = clean_theme(name)
            if theme and fold(theme) not in {fold(t) for t in themes}:
                themes.append(theme)
        with self.sessions.begin() as session:
            event_row(session, event_id)
            session.execute(delete(EventThemeRow).where(EventThemeRow.event_id == event_id))
            session.add_all(
                EventThemeRow(event_id=event_id, position=i, name=t) for i, t in enumerate(themes)
            )
        return themes, Changes(events=True, notes=True)

    # -- rows ------------------------------------------------------------------------------------

    def _writable_event(self, session: Session, event_id: int) -> EventRow:
        row = event_row(session, event_id)
        if row.finalized_at_utc is not None:
            raise FinalizedError(
                "This meeting's notes are finalized and read-only. Add an amendment to correct an entry."
            )
        return row

    @staticmethod
    def _entry_row(session: Session, entry_id: int) -> NoteEntryRow:
        row = session.get(NoteEntryRow, entry_id)
        if row is None:
            raise NotFoundError(f"There is no note entry with id {entry_id}.")
        return row
