"""Note entry rows as NoteEntry records: themes in the taxonomy's order, amendments, the parts merged
into an entry, and the names and roles of speakers and owners."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from msldesk.boards.meeting.base import aware
from msldesk.boards.orm import (
    AgendaItemRow,
    AttendanceRow,
    EventThemeRow,
    NoteAmendmentRow,
    NoteEntryRow,
    NoteThemeRow,
    PersonRow,
)
from msldesk.boards.people.service import to_person
from msldesk.boards.records import Amendment, EntryFields, EntryKind, MergedPart, NoteEntry
from msldesk.core.folding import fold


def themes_of(session: Session, entry_ids: Sequence[int]) -> dict[int, list[str]]:
    themes: dict[int, list[str]] = {}
    for entry_id, theme in session.execute(
        select(NoteThemeRow.entry_id, NoteThemeRow.theme).where(NoteThemeRow.entry_id.in_(entry_ids))
    ):
        themes.setdefault(entry_id, []).append(theme)
    return themes


@dataclass(frozen=True)
class _Around:
    """What the entries being read need from around them, each fetched once for all of them."""

    themes: dict[int, list[str]]  # entry id -> its themes
    taxonomy: dict[str, int]  # folded theme -> its place in the event's taxonomy
    amendments: dict[int, list[Amendment]]
    merged: dict[int, list[MergedPart]]  # kept entry id -> the entries merged into it
    names: dict[int, str]  # person id -> display name
    roles: dict[int, str]  # person id -> their role at the event
    titles: dict[int, str]  # agenda item id -> its title


def to_entries(session: Session, event_id: int, rows: Sequence[NoteEntryRow]) -> list[NoteEntry]:
    ids = [r.id for r in rows]
    merged_rows = list(
        session.scalars(
            select(NoteEntryRow)
            .where(NoteEntryRow.merged_into_id.in_(ids))
            .order_by(NoteEntryRow.created_at_utc, NoteEntryRow.id)
        )
    )
    person_ids = {p for r in [*rows, *merged_rows] for p in (r.speaker_id, r.owner_id) if p}
    names, roles = _people(session, event_id, person_ids)
    taxonomy = {
        fold(name): position
        for position, name in session.execute(
            select(EventThemeRow.position, EventThemeRow.name).where(EventThemeRow.event_id == event_id)
        )
    }
    titles = dict(
        session.execute(
            select(AgendaItemRow.id, AgendaItemRow.title).where(AgendaItemRow.event_id == event_id)
        ).all()
    )
    around = _Around(
        themes_of(session, ids),
        taxonomy,
        _amendments(session, ids),
        _merged_parts(merged_rows, names, roles),
        names,
        roles,
        titles,
    )
    return [_entry(row, around) for row in rows]


def _amendments(session: Session, entry_ids: Sequence[int]) -> dict[int, list[Amendment]]:
    amendments: dict[int, list[Amendment]] = {}
    for a in session.scalars(
        select(NoteAmendmentRow).where(NoteAmendmentRow.entry_id.in_(entry_ids)).order_by(NoteAmendmentRow.id)
    ):
        amendments.setdefault(a.entry_id, []).append(
            Amendment(a.id, a.text, a.reason, aware(a.created_at_utc))  # type: ignore[arg-type]
        )
    return amendments


def _people(session: Session, event_id: int, person_ids: set[int]) -> tuple[dict[int, str], dict[int, str]]:
    """The display names of these people, and their roles at the event (when on its list)."""
    names = {
        p.id: to_person(p).display_name
        for p in session.scalars(select(PersonRow).where(PersonRow.id.in_(person_ids)))
    }
    roles = dict(
        session.execute(
            select(AttendanceRow.person_id, AttendanceRow.role).where(
                AttendanceRow.event_id == event_id, AttendanceRow.person_id.in_(person_ids)
            )
        ).all()
    )
    return names, roles


def _merged_parts(
    merged_rows: Sequence[NoteEntryRow], names: dict[int, str], roles: dict[int, str]
) -> dict[int, list[MergedPart]]:
    merged: dict[int, list[MergedPart]] = {}
    for other in merged_rows:
        merged.setdefault(other.merged_into_id, []).append(  # type: ignore[arg-type]
            MergedPart(
                entry_id=other.id,
                kind=EntryKind(other.kind),
                text=other.text,
                speaker_id=other.speaker_id,
                speaker_name=names.get(other.speaker_id or 0, ""),
                speaker_role=roles.get(other.speaker_id or 0, ""),
            )
        )
    return merged


def _entry(row: NoteEntryRow, around: _Around) -> NoteEntry:
    taxonomy = around.taxonomy
    entry_themes = sorted(around.themes.get(row.id, []), key=lambda t: taxonomy.get(fold(t), len(taxonomy)))
    fields = EntryFields(
        text=row.text,
        kind=EntryKind(row.kind),
        agenda_item_id=row.agenda_item_id,
        speaker_id=row.speaker_id,
        themes=tuple(entry_themes),
        owner_id=row.owner_id,
        owner=row.owner,
        due=row.due,
        key=row.is_key,
    )
    merged = around.merged.get(row.id, ())
    return NoteEntry(
        entry_id=row.id,
        event_id=row.event_id,
        fields=fields,
        created_at=aware(row.created_at_utc),  # type: ignore[arg-type]
        edited_at=aware(row.edited_at_utc),
        speaker_name=around.names.get(row.speaker_id or 0, ""),
        speaker_role=around.roles.get(row.speaker_id or 0, ""),
        owner_name=around.names.get(row.owner_id or 0, "") or row.owner,
        # The item it is filed under; none: the one it was filed under before that item was removed.
        agenda_title=around.titles.get(row.agenda_item_id or 0, "") or row.removed_item,
        flag_terms=tuple(t for t in row.flag_terms.split("\n") if t),
        flag_reviewed=row.flag_reviewed,
        flag_cleared=row.flag_cleared,
        flag_reviewed_by=row.flag_reviewed_by,
        flag_reviewed_at=aware(row.flag_reviewed_at_utc),
        merged_ids=tuple(p.entry_id for p in merged),
        amendments=tuple(around.amendments.get(row.id, ())),
        merged_parts=tuple(merged),
    )
