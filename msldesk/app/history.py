"""Which audit records belong to an item's history (an event with its attendance, agenda and notes; a
deck; a person), read through the services on a worker and turned into lines. No Qt."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from msldesk.core.errors import NotFoundError
from msldesk.protect.history_words import HistoryLine, history_line

if TYPE_CHECKING:
    from msldesk.app.services import App
    from msldesk.protect.audit import AuditRecord

RECENT_LIMIT = 500
_EVERYTHING = 10**9  # AuditService.recent's limit for "the whole log"


@dataclass(frozen=True)
class Subject:
    """What a History dialog is about: kind "event", "deck", "person", or "recent" (the whole log)."""

    kind: str
    entity_id: int | None
    title: str


def gather(app: App, subject: Subject) -> list[HistoryLine]:
    """The subject's history, oldest first ("recent": newest first). Runs on the db lane."""
    if subject.kind == "recent":
        return _recent(app)
    assert subject.entity_id is not None
    if subject.kind == "deck":
        records = app.audit.history("deck", subject.entity_id)
        return [history_line(r, "Deck") for r in records]
    if subject.kind == "event":
        return _event(app, subject.entity_id)
    if subject.kind == "person":
        return _person(app, subject.entity_id)
    raise ValueError(f"no history for {subject.kind!r}")


class _Names:
    """People and agenda items named by id in the records, looked up once per dialog."""

    def __init__(self, app: App, person_ids: Iterable[int], items: dict[int, str] | None = None) -> None:
        ids = sorted({i for i in person_ids if isinstance(i, int)})
        self.people = {p.person_id: p.display_name for p in app.people.get_many(ids)} if ids else {}
        self.items = items or {}

    def __call__(self, what: str, key: int) -> str | None:
        if what == "person":
            return self.people.get(key)
        if what == "item":
            return self.items.get(key)
        return None


def _all(app: App) -> list[AuditRecord]:
    # The audit service looks records up by (entity, id) only: a place on an attendee list is found by
    # the event and person its own records name, so the log is read through once, oldest first.
    return list(reversed(app.audit.recent(_EVERYTHING)))


def _attendance_owners(records: list[AuditRecord]) -> dict[int, tuple[Any, Any]]:
    """record id -> (event id, person id) of the attendance it is about, following the log in order:
    an update names neither, and an id SQLite reuses after a removal starts a new place."""
    current: dict[str, tuple[Any, Any]] = {}
    owners: dict[int, tuple[Any, Any]] = {}
    for r in records:
        if r.entity == "attendance":
            for snapshot in (r.after, r.before):
                if isinstance(snapshot, dict) and "event_id" in snapshot:
                    current[r.entity_id] = (snapshot.get("event_id"), snapshot.get("person_id"))
                    break
            if r.entity_id in current:
                owners[r.record_id] = current[r.entity_id]
        elif r.action == "attendance.merge" and isinstance(r.before, dict) and isinstance(r.after, dict):
            for moved in r.before.get("attendance_ids") or ():
                if str(moved) in current:
                    current[str(moved)] = (current[str(moved)][0], r.after.get("person_id"))
    return owners


def _event(app: App, event_id: int) -> list[HistoryLine]:
    records = _all(app)
    owners = _attendance_owners(records)
    try:
        entries = {str(e.entry_id) for e in app.meetings.entries(event_id, include_merged=True)}
        items = {i.item_id: i.fields.title for i in app.events.agenda(event_id)}
    except NotFoundError:  # deleted since the dialog was asked for: what the log holds is still shown
        entries, items = set(), {}
    mine: list[tuple[AuditRecord, str]] = []
    for r in records:
        if r.entity == "event" and r.entity_id == str(event_id):
            about = "Agenda" if r.action.startswith("agenda.") else "Event"
            if isinstance(r.after, dict) and r.action == "agenda.add" and r.after.get("title"):
                about = f"Agenda · {r.after['title']}"
            mine.append((r, about))
        elif r.entity == "attendance" and owners.get(r.record_id, (None,))[0] == event_id:
            mine.append((r, "Attendance"))
        elif r.entity == "note" and r.entity_id in entries:
            mine.append((r, f"Note {r.entity_id}"))
    names = _Names(app, (owners[r.record_id][1] for r, _ in mine if r.record_id in owners), items)
    names = _with_snapshot_people(app, names, [r for r, _ in mine])
    lines = []
    for r, about in mine:
        if about == "Attendance":
            person = owners[r.record_id][1]
            about = f"Attendance · {names('person', person) or f'person {person}'}"
        lines.append(history_line(r, about, names))
    return lines


def _person(app: App, person_id: int) -> list[HistoryLine]:
    records = _all(app)
    owners = _attendance_owners(records)
    events = {e.event_id: e.fields.title for e in app.events.list_events("all")}
    mine: list[tuple[AuditRecord, str]] = []
    for r in records:
        if r.entity == "person" and r.entity_id == str(person_id):
            mine.append((r, "Person"))
        elif r.entity == "attendance" and owners.get(r.record_id, (None, None))[1] == person_id:
            event_id = owners[r.record_id][0]
            mine.append((r, f"Attendance · {events.get(event_id) or f'event {event_id}'}"))
    names = _with_snapshot_people(app, _Names(app, [person_id]), [r for r, _ in mine])
    return [history_line(r, about, names) for r, about in mine]


def _with_snapshot_people(app: App, names: _Names, records: list[AuditRecord]) -> _Names:
    """Add the people the records' own fields name (a presenter, people added by an import)."""
    wanted: set[int] = set()
    for r in records:
        for snapshot in (r.before, r.after):
            if isinstance(snapshot, dict):
                for key in ("person_id", "presenter_id"):
                    if isinstance(snapshot.get(key), int):
                        wanted.add(snapshot[key])
                wanted.update(i for i in snapshot.get("added_person_ids") or () if isinstance(i, int))
    missing = wanted - set(names.people)
    if missing:
        names.people.update({p.person_id: p.display_name for p in app.people.get_many(sorted(missing))})
    return names


def _recent(app: App) -> list[HistoryLine]:
    records = app.audit.recent(RECENT_LIMIT)
    events = {str(e.event_id): e.fields.title for e in app.events.list_events("all")}
    decks = {str(d.deck_id): d.title for d in app.decks.list_decks()}
    person_ids = [int(r.entity_id) for r in records if r.entity == "person" and r.entity_id.isdigit()]
    names = _with_snapshot_people(app, _Names(app, person_ids), records)
    lines = []
    for r in records:
        if r.entity == "event":
            about = f"Event · {events.get(r.entity_id) or f'event {r.entity_id} (deleted)'}"
        elif r.entity == "deck":
            about = f"Deck · {decks.get(r.entity_id) or f'deck {r.entity_id}'}"
        elif r.entity == "person" and r.entity_id.isdigit():
            about = f"Person · {names('person', int(r.entity_id)) or f'person {r.entity_id}'}"
        elif r.entity == "collection" and isinstance(r.before, dict) and r.before.get("name"):
            about = f"Collection · {r.before['name']}"  # its deletion and replacement record the name
        elif r.entity == "payments":
            about = f"Payments {r.entity_id}"
        else:
            about = f"{r.entity.capitalize()} {r.entity_id}"
        lines.append(history_line(r, about, names))
    return lines
