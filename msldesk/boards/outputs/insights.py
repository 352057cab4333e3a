"""Write a meeting's entries and actions as CSV or XLSX for colleagues' systems (CRM, insight trackers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from msldesk.boards.meeting.audience import role_label
from msldesk.boards.outputs.attendee_lists import sheet_title, write_csv_table
from msldesk.boards.records import EntryKind, MeetingReport, NoteEntry
from msldesk.core.errors import InvalidInputError
from msldesk.core.fileio import atomic_writer
from msldesk.core.text_safety import xlsx_text

ENTRY_COLUMNS: tuple[str, ...] = (
    "Event", "Date", "Time", "Agenda Item", "Kind", "Text", "Speaker", "Speaker Role", "Themes",
    "Key Insight", "Flagged Terms", "Owner", "Due", "Entry Id",
)  # fmt: skip
ACTION_COLUMNS: tuple[str, ...] = ("Event", "Action", "Owner", "Due", "Agenda Item", "Raised At", "Entry Id")


def _local(report: MeetingReport, moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(ZoneInfo(report.event.fields.timezone))


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
        write_csv_table(path, ENTRY_COLUMNS, entry_rows(report))
    elif suffix == ".xlsx":
        _write_xlsx(path, [("Entries", ENTRY_COLUMNS, entry_rows(report)),
                           ("Actions", ACTION_COLUMNS, action_rows(report))])  # fmt: skip
    else:
        raise InvalidInputError("Insights are written as .csv or .xlsx; choose one of those names.")
    return path


def _write_xlsx(path: Path, sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[str]]]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(sheet_title(title))
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        widths = [len(h) for h in header]
        for row_number, row in enumerate(rows, start=2):
            for col, text in enumerate(row, start=1):
                if not text:
                    continue
                cell = sheet.cell(row=row_number, column=col)
                xlsx_text(cell, text)  # a note starting with "=" must never become a live formula
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                widths[col - 1] = max(widths[col - 1], min(len(text), 80))
        for col, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 80)
    with atomic_writer(path) as handle:
        workbook.save(handle)
