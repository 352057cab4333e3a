"""SourceTable: what every people-file reader returns, whatever the file's kind (no reader logic here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from msldesk.boards.records import AttendanceRecord, RowError


@dataclass(frozen=True)
class SourceTable:
    kind: str  # "csv", "xlsx", "vcard", "nppes-json", "ics", "teams-report", "zoom-report", "open-payments"
    headers: tuple[str, ...]
    # (row number as a user counts it in the file, cells aligned with headers)
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    encoding: str = ""  # e.g. "utf-8", "utf-8-sig", "utf-16-le", "cp1252"
    delimiter: str = ""  # for delimited text
    attendance: tuple[AttendanceRecord, ...] = ()  # meeting reports only
    warnings: tuple[str, ...] = ()
    meeting_start: dt.datetime | None = None  # meeting reports: when the meeting began (wall time)
    refused: tuple[RowError, ...] = ()  # rows the reader already knows are not people, and why
