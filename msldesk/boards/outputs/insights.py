"""Write a meeting's entries and actions as CSV or XLSX for colleagues' systems (CRM, insight trackers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from msldesk.boards.meeting.audience import role_label
from msldesk.boards.records import EntryKind, MeetingReport, NoteEntry
from msldesk.core import clock, tables
from msldesk.core.errors import InvalidInputError

ENTRY_COLUMNS: tuple[str, ...] = (
    "Event", "Date", "Time", "Agenda Item", "Kind", "Text", "Speaker", "Speaker Role", "Themes",
    "Key Insight", "Flagged Terms", "Owner", "Due", "Entry Id",
)  # fmt: skip
ACTION_COLUMNS: tuple[str, ...] = ("Event", "Action", "Owner", "Due", "Agenda Item", "Raised At", "Entry Id")


def _local(report: MeetingReport, moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(clock.zone(report.event.fields.timezone))


def _speaker(entry: NoteEntry) -> tuple[str, str]:
    """Speaker and role columns: every speaker credited (merged entries' too), "; " between them."""
    names = "; ".join(dict.fromkeys(name for name, _role in entry.speakers if name))
    roles = "; ".join(dict.fromkeys(role_label(role) for _name, role in entry.speakers if role))
    return names, roles


def entry_rows(report: MeetingReport) -> list[list[str]]:
    rows = []
    for entry in report.entries:
        local = _local(report, entry.created_at)
        speaker, role = _speaker(entry)
        rows.append(
            [
                report.event.title,
                local.date().isoformat(),
                local.strftime("%H:%M:%S"),
                entry.agenda_title,
                entry.kind.label,
                entry.text,
                speaker,
                role,
                "; ".join(entry.fields.themes),
                "yes" if entry.fields.key else "",
                "; ".join(entry.flag_terms) if entry.flagged else "",
                entry.owner_name,
                entry.fields.due.isoformat() if entry.fields.due else "",
                str(entry.entry_id),
            ]
        )
    return rows


def action_rows(report: MeetingReport) -> list[list[str]]:
    return [
        [
            report.event.title,
            entry.text,
            entry.owner_name,
            entry.fields.due.isoformat() if entry.fields.due else "",
            entry.agenda_title,
            _local(report, entry.created_at).strftime("%Y-%m-%d %H:%M"),
            str(entry.entry_id),
        ]
        for entry in report.of_kind(EntryKind.ACTION)
    ]


def write_insights(report: MeetingReport, path: Path) -> Path:
    """Every entry (CSV), or entries and actions on two sheets (XLSX), as the audience may see them."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        tables.write_csv(path, ENTRY_COLUMNS, entry_rows(report))
    elif suffix == ".xlsx":
        # Long notes wrap in wide columns; a note starting with "=" is never a live formula.
        tables.write_xlsx(path, [
            tables.Sheet("Entries", ENTRY_COLUMNS, entry_rows(report), wrap_text=True, max_width=80),
            tables.Sheet("Actions", ACTION_COLUMNS, action_rows(report), wrap_text=True, max_width=80),
        ])  # fmt: skip
    else:
        raise InvalidInputError("Insights are written as .csv or .xlsx; choose one of those names.")
    return path
