"""Cut a meeting report to its audience: the commercial one names no attendee and shows no flagged entry."""

from __future__ import annotations

from dataclasses import replace

from msldesk.boards.people.names import NameFinder, person_forms
from msldesk.boards.records import (
    AgendaItem,
    Attendance,
    AttendeeRole,
    Audience,
    MeetingReport,
    MergedPart,
    NoteEntry,
    PersonFields,
)


def role_label(role: str) -> str:
    """ "advisor" -> "Advisor": how a commercial reader sees an expert."""
    try:
        return AttendeeRole(role).label
    except ValueError:
        return role.capitalize() if role else "Expert"


def cut_for_audience(report: MeetingReport, audience: Audience) -> MeetingReport:
    if audience is Audience.MEDICAL:
        return replace(report, audience=audience, payments=())
    if audience is Audience.COMPLIANCE:
        return replace(report, audience=audience)
    return _commercial(report)


class _Redactor:
    """Replaces experts' names in free text with their role, e.g. "[Advisor]": full names and last
    names in any case and with or without accents (notes are typed fast), first names alone only
    capitalised ("Will" is a name, "will" a word)."""

    def __init__(self, names: list[tuple[str, str]]) -> None:
        forms = []
        for name, label in names:
            parts = name.split()
            forms += person_forms(" ".join(parts[:-1]), " ".join(parts[-1:]), label=label)
        self.finder = NameFinder(forms)

    def __call__(self, text: str) -> str:
        return self.finder.replace(text)


def _commercial(report: MeetingReport) -> MeetingReport:
    experts: dict[int, str] = {}
    names: list[tuple[str, str]] = []
    # Every attendee, internal colleagues included, is shown by role: a commercial reader learns what
    # was said, never who at the table said it (the rule: no attendee name at all).
    for attendance in report.attendees:
        label = attendance.fields.role.label
        experts[attendance.person.person_id] = label
        fields = attendance.person.fields
        names.append((" ".join(p for p in (fields.first_name, fields.last_name) if p), label))
    for item in report.agenda:  # presenters who are not on the attendee list are experts too
        pid = item.fields.presenter_id
        if (
            pid is not None
            and pid not in experts
            and item.presenter_name
            and not any(a.person.person_id == pid for a in report.attendees)
        ):
            experts[pid] = "Presenter"
            names.append((item.presenter_name, "Presenter"))
    for entry in report.entries:  # and so are speakers named in notes but not on the list
        for pid, name in (
            (entry.fields.speaker_id, entry.speaker_name),
            (entry.fields.owner_id, entry.owner_name),
            *((part.speaker_id, part.speaker_name) for part in entry.merged_parts),
        ):
            if (
                pid is not None
                and pid not in experts
                and name
                and not any(a.person.person_id == pid for a in report.attendees)
            ):
                experts[pid] = "Expert"
                names.append((name, "Expert"))
    redact = _Redactor([(n, label) for n, label in names if n.strip()])

    entries = []
    removed = 0
    for entry in report.entries:
        if entry.flagged:
            removed += 1
            continue
        entries.append(_commercial_entry(entry, experts, redact))
    agenda = tuple(_commercial_item(item, experts, redact) for item in report.agenda)
    attendees = tuple(_anonymous(a) if a.person.person_id in experts else a for a in report.attendees)
    return replace(
        report,
        audience=Audience.COMMERCIAL,
        entries=tuple(entries),
        agenda=agenda,
        attendees=attendees,
        event=replace(
            report.event,
            fields=replace(
                report.event.fields,
                objectives=redact(report.event.fields.objectives),
                key_questions=redact(report.event.fields.key_questions),
            ),
        ),
        executive_summary=redact(report.executive_summary),
        payments=(),
        removed_flagged=removed,
    )


def _commercial_entry(entry: NoteEntry, experts: dict[int, str], redact: _Redactor) -> NoteEntry:
    speaker_id, owner_id = entry.fields.speaker_id, entry.fields.owner_id
    speaker_label = experts.get(speaker_id) if speaker_id is not None else None
    owner_label = experts.get(owner_id) if owner_id is not None else None
    fields = replace(
        entry.fields,
        text=redact(entry.fields.text),
        speaker_id=None if speaker_label else speaker_id,
        owner_id=None if owner_label else owner_id,
        owner=owner_label or redact(entry.fields.owner),
    )
    return replace(
        entry,
        fields=fields,
        speaker_name="" if speaker_label else entry.speaker_name,
        speaker_role=(speaker_label.lower() if speaker_label else entry.speaker_role),
        owner_name=owner_label or redact(entry.owner_name),
        agenda_title=redact(entry.agenda_title),
        amendments=tuple(replace(a, text=redact(a.text), reason=redact(a.reason)) for a in entry.amendments),
        merged_parts=tuple(_commercial_part(part, experts, redact) for part in entry.merged_parts),
    )


def _commercial_part(part: MergedPart, experts: dict[int, str], redact: _Redactor) -> MergedPart:
    label = experts.get(part.speaker_id) if part.speaker_id is not None else None
    if not label:
        return replace(part, text=redact(part.text))
    return replace(part, text=redact(part.text), speaker_id=None, speaker_name="", speaker_role=label.lower())


def _commercial_item(item: AgendaItem, experts: dict[int, str], redact: _Redactor) -> AgendaItem:
    presenter = item.fields.presenter_id
    label = experts.get(presenter) if presenter is not None else None
    fields = replace(
        item.fields,
        title=redact(item.fields.title),
        questions=redact(item.fields.questions),
        presenter_id=None if label else presenter,
    )
    return replace(item, fields=fields, presenter_name=label or item.presenter_name)


def _anonymous(attendance: Attendance) -> Attendance:
    """The attendee as a role and a specialty: enough to count the table, not to name anyone."""
    fields = PersonFields(specialty=attendance.person.fields.specialty)
    person = replace(attendance.person, fields=fields)
    return replace(attendance, person=person, warnings=())
