"""People import: read a file, map its columns, validate and match rows, and only on confirmation
write them (new people added, known people updated, nobody duplicated), optionally onto an event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from enum import StrEnum
from pathlib import Path

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from msldesk.boards.events.days import check_report_day, refuse_other_day
from msldesk.boards.events.rows import event_fields
from msldesk.boards.events.service import EventService
from msldesk.boards.intake.table import SourceTable
from msldesk.boards.orm import AttendanceRow, EventRow, PersonRow
from msldesk.boards.people.search import indexed_text
from msldesk.boards.people.service import PeopleService, clean_person, now
from msldesk.boards.people.validation import person_problems
from msldesk.boards.records import (
    PERSON_FIELD_NAMES,
    AttendanceRecord,
    AttendeeRole,
    ImportPreview,
    ImportResult,
    ImportRow,
    Invitation,
    PersonFields,
    RowOutcome,
)
from msldesk.core.clock import to_utc, zone
from msldesk.core.errors import FileRefusedError, NotFoundError
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.core.user_files import display_name
from msldesk.protect import audit

_PERSON_COLUMNS = [getattr(PersonRow, name) for name in PERSON_FIELD_NAMES]


class PeopleImporter:
    def __init__(self, sessions: sessionmaker[Session], people: PeopleService, events: EventService) -> None:
        self.sessions = sessions
        self.people = people
        self.events = events
        # The plan of the last preview, reused by apply() when the directory has not changed since
        # (matching 10,000 rows is most of an import's time; doing it twice would double it).
        self._planned: tuple[ImportPreview, tuple[object, ...], _Plan] | None = None

    def preview(
        self,
        path: Path,
        mapping: Mapping[str, str] | None = None,
        cancel: CancelToken | None = None,
        progress: ProgressCallback = no_progress,
    ) -> ImportPreview:
        """Read and check a file without writing anything. `mapping` overrides the automatic one."""
        from msldesk.boards.intake.mapping import map_rows, suggest_mapping
        from msldesk.boards.intake.sources import read_source

        name = display_name(Path(path).name)  # shown and stored; the real path is read
        progress(0, 3, f"Reading {name}")
        table = read_source(Path(path), cancel)
        chosen = dict(mapping) if mapping is not None else suggest_mapping(table.headers, table.kind)
        progress(1, 3, "Checking rows")
        rows, errors = map_rows(table, chosen)
        if not rows and not errors:
            raise FileRefusedError(
                f"{name} has no names or email addresses to import "
                "(its rows or cards are empty, or no column holds a name or email)."
            )
        rows = [replace(r, person=clean_person(r.person)) for r in rows]
        progress(2, 3, "Looking for people already in the directory")
        with self.sessions() as session:
            plan = _Plan.build(rows, _existing_people(session))
            fingerprint = _directory_fingerprint(session)
        progress(3, 3, "Ready")
        preview = ImportPreview(
            source_kind=table.kind,
            headers=table.headers,
            mapping=chosen,
            rows=tuple(rows),
            errors=tuple(errors),
            new_count=plan.new_count,
            update_count=plan.update_count,
            duplicate_count=plan.duplicate_count,
            encoding=table.encoding,
            delimiter=table.delimiter,
            warnings=table.warnings + _nameless_warning(rows),
            attendance=table.attendance,
            source_name=name,
            unchanged_count=plan.unchanged_count,
            meeting_start=table.meeting_start,
            outcomes=plan.outcomes(),
            samples=sample_values(table),
        )
        self._planned = (preview, fingerprint, plan)
        return preview

    def attendance_estimate(self, preview: ImportPreview, event_id: int) -> int:
        """How many of a meeting report's lines apply() would record for `event_id`: the file's
        people and the event's attendees, matched by the same rule."""
        attendees = [a.person.fields for a in self.events.attendees(event_id)]
        return attendance_matches(preview.attendance, [r.person for r in preview.rows] + attendees)

    def apply(
        self,
        preview: ImportPreview,
        event_id: int | None = None,
        cancel: CancelToken | None = None,
        progress: ProgressCallback = no_progress,
        people_only: bool = False,
    ) -> ImportResult:
        """Write what `preview` showed, matched again against the directory as it is now (it may
        have changed since), in one transaction: a failure or cancel leaves the directory as it was.

        A meeting report from another day than the event is refused (DateMismatchError) unless
        `people_only`: then its people are imported and nothing is put on the event."""
        total = len(preview.rows)
        if people_only:
            event_id = None
        with self.sessions.begin() as session:
            if event_id is not None:
                event = session.get(EventRow, event_id)
                if event is None:
                    raise NotFoundError(f"There is no event with id {event_id}.")
                refuse_other_day(preview.meeting_start, event_fields(event))
            planned, self._planned = self._planned, None
            if planned and planned[0] is preview and planned[1] == _directory_fingerprint(session):
                plan = planned[2]
            else:
                plan = _Plan.build(list(preview.rows), _existing_people(session))
            if cancel:
                cancel.raise_if_cancelled()
            progress(0, total, "Saving people")
            ids = plan.write(session, self.people)
            progress(total, total, "Saving people")
            added = marked = 0
            if event_id is not None:
                added_ids = _add_to_event(session, event_id, preview.rows, ids)
                added = len(added_ids)
                marked = _mark_attendance(session, event_id, preview.attendance, plan)
                if added or marked:
                    what = {"source": preview.source_name, "added_person_ids": added_ids, "marked": marked}
                    audit.record(session, "attendance.import", "event", event_id, None, what)
            if cancel:
                cancel.raise_if_cancelled()
        return ImportResult(
            plan.new_count, plan.update_count, plan.duplicate_count, preview.errors, added, marked,
            warnings=preview.warnings, unchanged=plan.unchanged_count, people_only=people_only,
        )  # fmt: skip

    def import_file(
        self,
        path: Path,
        event_id: int | None = None,
        dry_run: bool = False,
        cancel: CancelToken | None = None,
        any_date: bool = False,
    ) -> ImportResult:
        """Preview with the automatic mapping, then apply unless `dry_run` (the CLI's path).

        A meeting report from another day than the event raises DateMismatchError, unless
        `any_date`: then only its people are imported, without attendance."""
        event = self.events.get(event_id) if event_id is not None else None  # "no such event" first
        preview = self.preview(path, cancel=cancel)
        people_only = False
        if event is not None:
            day = check_report_day(preview.meeting_start, event.fields)
            people_only = day is not None and not day.matches and any_date
            if not people_only:
                refuse_other_day(preview.meeting_start, event.fields)
        if dry_run:
            return ImportResult(
                preview.new_count, preview.update_count, preview.duplicate_count, preview.errors,
                dry_run=True, warnings=preview.warnings, unchanged=preview.unchanged_count,
                people_only=people_only,
            )  # fmt: skip
        return self.apply(preview, event_id, cancel, people_only=people_only)


def _directory_fingerprint(session: Session) -> tuple[object, ...]:
    """Changes whenever anyone is added, edited or removed (cheap next to matching everyone again)."""
    return tuple(
        session.execute(
            text("SELECT count(*), coalesce(max(id), 0), coalesce(max(updated_at), '') FROM people")
        ).one()
    )


def _existing_people(session: Session) -> list[tuple[int, PersonFields]]:
    # Core rows, not ORM objects: 50,000 people load in a fraction of the time.
    rows = session.execute(select(PersonRow.id, *_PERSON_COLUMNS))
    return [(r[0], PersonFields(*r[1:])) for r in rows]


class _Plan:
    """Which rows are new, which update whom, which repeat an earlier row of the same file."""

    def __init__(self) -> None:
        self.targets: list[int] = []  # per row: existing id (>0) or -(new slot + 1)
        self.new_people: list[PersonFields] = []
        self.updates: dict[int, PersonFields] = {}
        self.originals: dict[int, PersonFields] = {}
        self.duplicate_count = 0

    @property
    def new_count(self) -> int:
        return len(self.new_people)

    @property
    def update_count(self) -> int:
        return sum(1 for pid, p in self.updates.items() if p != self.originals[pid])

    @property
    def unchanged_count(self) -> int:
        """People already in the directory whom the file tells nothing new."""
        return len(self.updates) - self.update_count

    def outcomes(self) -> tuple[RowOutcome, ...]:
        """Per row: added, updated, skipped as unchanged, or merged into an earlier row."""
        seen: set[int] = set()
        result: list[RowOutcome] = []
        for target in self.targets:
            if target in seen:
                result.append(RowOutcome.REPEAT)
            elif target < 0:
                result.append(RowOutcome.ADD)
            elif self.updates[target] != self.originals[target]:
                result.append(RowOutcome.UPDATE)
            else:
                result.append(RowOutcome.UNCHANGED)
            seen.add(target)
        return tuple(result)

    @classmethod
    def build(cls, rows: list[ImportRow], existing: list[tuple[int, PersonFields]]) -> _Plan:
        from msldesk.boards.people.dedupe import PersonIndex

        plan = cls()
        known = dict(existing)
        index = PersonIndex(existing)
        for row in rows:
            match = index.find(row.person)
            if match is None:
                slot = -(len(plan.new_people) + 1)
                plan.new_people.append(row.person)
                index.add(slot, row.person)
                plan.targets.append(slot)
                continue
            target = match[0]
            plan.targets.append(target)
            if target < 0:  # repeats a new person from earlier in this file
                plan.duplicate_count += 1
                i = -target - 1
                plan.new_people[i] = plan.new_people[i].merged_with(row.person)
            else:
                if target in plan.updates:
                    plan.duplicate_count += 1
                current = plan.updates.get(target, known[target])
                plan.originals.setdefault(target, known[target])
                # The file is newer: its values win, blanks in it keep what the directory has.
                updated = row.person.merged_with(current)
                # A file never clears a recorded consent, and keeps the directory's notes.
                if current.notes and row.person.notes and row.person.notes not in current.notes:
                    updated = replace(updated, notes=f"{current.notes}\n{row.person.notes}")
                plan.updates[target] = updated if not person_problems(updated) else current
        return plan

    def write(self, session: Session, people: PeopleService) -> list[int]:
        """Insert and update; returns the person id of every row."""
        stamp = now()
        new_ids: list[int] = []
        if self.new_people:
            payload = [
                {**{n: getattr(p, n) for n in PERSON_FIELD_NAMES}, "created_at": stamp, "updated_at": stamp}
                for p in self.new_people
            ]
            first = (session.execute(text("SELECT coalesce(max(id), 0) FROM people")).scalar_one()) + 1
            # Explicit ids: executemany cannot return them on every driver, and one writer holds
            # the database inside this transaction, so the range is ours.
            new_ids = list(range(first, first + len(payload)))
            for pid, row in zip(new_ids, payload, strict=True):
                row["id"] = pid
            session.execute(insert(PersonRow), payload)
        changed = {pid: p for pid, p in self.updates.items() if p != self.originals[pid]}
        if changed:
            session.execute(
                update(PersonRow),
                [
                    {"id": pid, **{n: getattr(p, n) for n in PERSON_FIELD_NAMES}, "updated_at": stamp}
                    for pid, p in changed.items()
                ],
            )
        index_rows = list(zip(new_ids, self.new_people, strict=True)) + list(changed.items())
        if index_rows:
            if changed:
                people.index.remove(session, changed)
            session.execute(
                text("INSERT INTO people_fts(rowid, body) VALUES (:rowid, :body)"),
                [{"rowid": pid, "body": indexed_text(p)} for pid, p in index_rows],
            )
        self.new_ids = new_ids
        return [new_ids[-t - 1] if t < 0 else t for t in self.targets]


def _nameless_warning(rows: list[ImportRow]) -> tuple[str, ...]:
    nameless = sum(1 for r in rows if r.person.name_missing)
    if not nameless:
        return ()
    return (
        f"{nameless} contact{'s have' if nameless != 1 else ' has'} only an e-mail address: imported under "
        'it and marked "name missing" to complete later.',
    )


def _add_to_event(session: Session, event_id: int, rows: tuple[ImportRow, ...], ids: list[int]) -> list[int]:
    """Put the imported people on the event's list (those not on it yet); returns who was added."""
    on_list = set(session.scalars(select(AttendanceRow.person_id).where(AttendanceRow.event_id == event_id)))
    added: list[int] = []
    for row, person_id in zip(rows, ids, strict=True):
        if person_id in on_list:
            continue
        on_list.add(person_id)
        session.add(
            AttendanceRow(
                event_id=event_id,
                person_id=person_id,
                role=_enum_value(AttendeeRole, row.role, AttendeeRole.ADVISOR),
                invitation=_enum_value(Invitation, row.invitation, Invitation.NOT_SENT),
                contract_signed=False,
                coi_disclosed=False,
            )
        )
        added.append(person_id)
    session.flush()
    return added


def _mark_attendance(
    session: Session, event_id: int, records: tuple[AttendanceRecord, ...], plan: _Plan
) -> int:
    """Record minutes attended (and the first join as check-in) for people found in a meeting report."""
    if not records:
        return 0
    rows = session.execute(
        select(AttendanceRow, PersonRow)
        .join(PersonRow, PersonRow.id == AttendanceRow.person_id)
        .where(AttendanceRow.event_id == event_id)
    ).all()
    by_email = {p.email.lower(): a for a, p in rows if p.email}
    by_name = {_name_key(f"{p.first_name} {p.last_name}"): a for a, p in rows if not _nameless(p)}
    event = session.get(EventRow, event_id)
    report_zone = zone(event.timezone) if event is not None else dt.UTC  # a report's times are wall times
    marked = 0
    for record in records:
        attendance = by_email.get(record.email.lower()) if record.email else None
        if attendance is None:
            attendance = by_name.get(_name_key(record.name))
        if attendance is None:
            continue
        attendance.attended_minutes = (attendance.attended_minutes or 0) + record.minutes
        joined = to_utc(record.first_join, report_zone)
        if joined and (attendance.checked_in_at_utc is None or joined < attendance.checked_in_at_utc):
            attendance.checked_in_at_utc = joined
        marked += 1
    return marked


def _nameless(person: PersonRow | PersonFields) -> bool:
    return not (person.first_name or person.last_name)


SAMPLE_ROWS = 200  # enough to find a value in a sparse column, few enough to stay instant


def sample_values(table: SourceTable) -> dict[str, str]:
    """An example value per column: the first non-blank one in the first rows."""
    samples: dict[str, str] = {}
    for _number, cells in table.rows[:SAMPLE_ROWS]:
        for header, cell in zip(table.headers, cells, strict=False):
            if header not in samples and cell.strip():
                samples[header] = cell.strip()
        if len(samples) == len(table.headers):
            break
    return samples


def attendance_matches(records: Iterable[AttendanceRecord], people: Iterable[PersonFields]) -> int:
    """How many lines of a meeting report find a person among `people`, by e-mail then by name, the
    way apply() records attendance (the wizard's estimate uses it, so the two always agree)."""
    people = list(people)
    emails = {p.email.lower() for p in people if p.email}
    names = {_name_key(f"{p.first_name} {p.last_name}") for p in people if not _nameless(p)}
    return sum(1 for r in records if (r.email and r.email.lower() in emails) or _name_key(r.name) in names)


def _name_key(name: str) -> str:
    from msldesk.boards.people.dedupe import name_key

    parts = name.replace(",", " ").split()
    if "," in name:  # "Last, First"
        last, _, first = name.partition(",")
        return name_key(first.strip(), last.strip())
    return name_key(" ".join(parts[:-1]), parts[-1] if parts else "")


def _enum_value(kind: type[StrEnum], value: str, default: StrEnum) -> str:
    try:
        return kind(value).value if value else default.value
    except ValueError:
        return default.value
