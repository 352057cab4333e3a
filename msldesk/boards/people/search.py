"""Directory search on SQLite FTS5 (table `people_fts`, rowid = people.id), behind a small interface."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from msldesk.boards.records import PersonFields
from msldesk.decks.search import build_match_query, index_text

_INDEXED = ("first_name", "last_name", "credentials", "specialty", "institution", "city", "state",
            "country", "email", "phone", "npi", "tier", "notes")  # fmt: skip


def indexed_text(person: PersonFields) -> str:
    """Every searchable field in one string; CJK characters as separate tokens like slide text."""
    return index_text(" ".join(getattr(person, name) for name in _INDEXED if getattr(person, name)))


class PeopleSearchIndex:
    def put(self, session: Session, people: Iterable[tuple[int, PersonFields]]) -> None:
        """Add or replace the index rows of these people."""
        payload = [{"rowid": pid, "body": indexed_text(p)} for pid, p in people]
        if payload:
            session.execute(text("DELETE FROM people_fts WHERE rowid = :rowid"), payload)
            session.execute(text("INSERT INTO people_fts(rowid, body) VALUES (:rowid, :body)"), payload)

    def remove(self, session: Session, person_ids: Iterable[int]) -> None:
        payload = [{"rowid": pid} for pid in person_ids]
        if payload:
            session.execute(text("DELETE FROM people_fts WHERE rowid = :rowid"), payload)

    @staticmethod
    def match_expression(query: str) -> str:
        """User text -> FTS5 MATCH ('' if nothing searchable): every word required, prefix-matched."""
        return build_match_query(query)
