"""Find the participant table of a Teams or Zoom attendance report and total each person's time."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from msldesk.boards.intake.tabular import Rows
from msldesk.boards.records import AttendanceRecord

_SCAN_ROWS = 80  # report preambles (summary blocks) are short
_SECTION_TITLE = re.compile(r"^\s*\d+\s*\.\s*\S")  # "2. Participants"

_NAME = ("full name", "name", "name original name", "user name original name", "participant", "display name")
_EMAIL = ("email", "user email", "e mail", "email address")
_JOIN = ("first join", "join time", "joined", "join")
_LEAVE = ("last leave", "leave time", "left", "leave")
_DURATION = (
    "in meeting duration",
    "duration minutes",
    "total duration minutes",
    "duration",
    "attendance duration",
)
_ROLE = ("role",)
_ZOOM_MARKERS = {"name original name", "user name original name", "duration minutes", "user email", "guest"}


@dataclass(frozen=True)
class ReportTable:
    kind: str  # "teams-report" or "zoom-report"
    header_index: int  # index into the rows list
    end_index: int  # one past the last table row (index into the rows list)
    attendance: tuple[AttendanceRecord, ...]
    warnings: tuple[str, ...] = ()
    # When the meeting began, as the report wrote it (wall-clock time of the computer that exported it):
    # the summary's start time, else the earliest join. None when the report has no readable time.
    meeting_start: dt.datetime | None = None


@functools.lru_cache(maxsize=8192)  # cell values repeat (RSVP, consent, roles) across thousands of rows
def header_key(text: str) -> str:
    """'Name (Original Name)' -> 'name original name': case, accents and punctuation do not matter."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def _find(keys: Sequence[str], wanted: Sequence[str]) -> int:
    for name in wanted:
        if name in keys:
            return keys.index(name)
    return -1


def find_report(rows: Rows) -> ReportTable | None:
    """The attendance table of a Teams/Zoom report among `rows`, or None for any other file."""
    for index, (_, cells) in enumerate(rows[:_SCAN_ROWS]):
        keys = [header_key(c) for c in cells]
        name = _find(keys, _NAME)
        if name < 0:
            continue
        if "user action" in keys and "timestamp" in keys:
            return _with_start(rows, _teams_actions(rows, index, keys))
        join, leave, duration = _find(keys, _JOIN), _find(keys, _LEAVE), _find(keys, _DURATION)
        zoom = bool(_ZOOM_MARKERS.intersection(keys))
        if (join >= 0 and leave >= 0) or (zoom and duration >= 0):
            return _with_start(rows, _sessions(rows, index, keys, "zoom-report" if zoom else "teams-report"))
    return None


_START_LABELS = ("start time", "meeting start time", "start date", "meeting start", "actual start time")


def _with_start(rows: Rows, table: ReportTable) -> ReportTable:
    """The report with its meeting's start: Teams' summary ("Start time  14/11/22, 09:29:07") or
    Zoom's meeting block (a "Start Time" column above the participants), else the earliest join."""
    preamble = [cells for _, cells in rows[: table.header_index]]
    stamps: list[str] = []
    for position, cells in enumerate(preamble):
        keys = [header_key(c) for c in cells]
        for column, key in enumerate(keys):
            if key not in _START_LABELS:
                continue
            if column + 1 < len(cells) and _STAMP.match(cells[column + 1].strip()):  # label, value
                stamps.append(cells[column + 1].strip())
            elif position + 1 < len(preamble) and column < len(preamble[position + 1]):  # header row
                stamps.append(preamble[position + 1][column].strip())
    joins = [r.first_join for r in table.attendance if r.first_join is not None]
    first_join = min(joins) if joins else None
    start = None
    for text in stamps:
        # The order of day and month the participant lines settled: the reading nearest their joins.
        readings = [r for r in (parse_timestamp(text, True), parse_timestamp(text, False)) if r]
        if first_join is not None:
            readings.sort(key=lambda r: abs((r - first_join).total_seconds()))
        elif readings:
            readings = [parse_timestamp(text, infer_day_first(stamps)) or readings[0]]
        if readings:
            start = readings[0]
            break
    return replace(table, meeting_start=start or first_join)


def _table_end(rows: Rows, header_index: int, stop_at_blank: bool) -> int:
    end = header_index + 1
    while end < len(rows):
        cells = rows[end][1]
        blank = not any(c.strip() for c in cells)
        if blank and stop_at_blank:
            break
        nonempty = [c for c in cells if c.strip()]
        if len(nonempty) == 1 and len(cells) <= 2 and _SECTION_TITLE.match(nonempty[0]):
            break
        end += 1
    return end


def _cell(cells: Sequence[str], index: int) -> str:
    return cells[index].strip() if 0 <= index < len(cells) else ""


def current_zoom_name(name: str) -> str:
    """'Jane (Jane Doe)' -> 'Jane': Zoom packs a renamed participant's original name in brackets."""
    match = re.match(r"^(.*\S)\s+\((.+)\)$", name.strip())
    return match.group(1) if match else name.strip()


@dataclass
class _Person:
    name: str
    email: str
    role: str
    first_join: dt.datetime | None = None
    last_leave: dt.datetime | None = None
    seconds: float = 0.0
    spans: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    timed: bool = True  # every session has a join and a leave time

    def total_seconds(self) -> float:
        """Sum of the sessions, unless they overlap (two devices at once): then the time covered."""
        if not self.timed or len(self.spans) < 2:
            return self.seconds
        spans = sorted(self.spans)
        if all(a[1] <= b[0] for a, b in itertools.pairwise(spans)):
            return self.seconds
        covered = 0.0
        start, end = spans[0]
        for s, e in spans[1:]:
            if s > end:
                covered += (end - start).total_seconds()
                start, end = s, e
            else:
                end = max(end, e)
        return covered + (end - start).total_seconds()


def _sessions(rows: Rows, header_index: int, keys: list[str], kind: str) -> ReportTable:
    """One line per session (Zoom rejoins) or per person (Teams): sum time, earliest join, latest leave."""
    name_col = _find(keys, _NAME)
    email_col, role_col = _find(keys, _EMAIL), _find(keys, _ROLE)
    join_col, leave_col, duration_col = _find(keys, _JOIN), _find(keys, _LEAVE), _find(keys, _DURATION)
    in_minutes = duration_col >= 0 and "minutes" in keys[duration_col]
    end = _table_end(rows, header_index, stop_at_blank=kind == "teams-report")
    body = [cells for _, cells in rows[header_index + 1 : end] if any(c.strip() for c in cells)]
    stamps = [_cell(c, col) for c in body for col in (join_col, leave_col) if col >= 0]
    day_first = infer_day_first(stamps)
    people: dict[str, _Person] = {}
    unreadable = 0
    for cells in body:
        name = _cell(cells, name_col)
        if keys[name_col].endswith("original name"):
            name = current_zoom_name(name)
        email = _cell(cells, email_col)
        if not (name or email):
            continue
        joined = parse_timestamp(_cell(cells, join_col), day_first)
        left = parse_timestamp(_cell(cells, leave_col), day_first)
        seconds = None
        if duration_col >= 0:
            seconds = parse_duration(_cell(cells, duration_col), in_minutes)
        if seconds is None and joined and left and left >= joined:
            seconds = (left - joined).total_seconds()
        if seconds is None:
            unreadable += 1
            seconds = 0.0
        person = people.setdefault(
            (email or name).casefold(), _Person(name=name, email=email, role=_cell(cells, role_col))
        )
        person.seconds += seconds
        if joined and left and left >= joined:
            person.spans.append((joined, left))
        else:
            person.timed = False
        person.first_join = _earliest(person.first_join, joined)
        person.last_leave = _latest(person.last_leave, left)
    warnings = (f"{unreadable} attendance lines have no readable duration.",) if unreadable else ()
    return ReportTable(kind, header_index, end, tuple(_record(p) for p in people.values()), warnings)


def _teams_actions(rows: Rows, header_index: int, keys: list[str]) -> ReportTable:
    """Older Teams layout: one 'Joined'/'Left' line per event; pair them up per person."""
    name_col, action_col, time_col = _find(keys, _NAME), keys.index("user action"), keys.index("timestamp")
    email_col, role_col = _find(keys, _EMAIL), _find(keys, _ROLE)
    end = _table_end(rows, header_index, stop_at_blank=True)
    body = [cells for _, cells in rows[header_index + 1 : end] if any(c.strip() for c in cells)]
    day_first = infer_day_first([_cell(c, time_col) for c in body])
    events: dict[str, list[tuple[dt.datetime, bool]]] = {}
    people: dict[str, _Person] = {}
    for cells in body:
        name, email = _cell(cells, name_col), _cell(cells, email_col)
        when = parse_timestamp(_cell(cells, time_col), day_first)
        if not (name or email) or when is None:
            continue
        key = (email or name).casefold()
        people.setdefault(key, _Person(name=name, email=email, role=_cell(cells, role_col)))
        joined = _cell(cells, action_col).casefold().startswith("join")
        events.setdefault(key, []).append((when, joined))
    report_end = max((w for evs in events.values() for w, _ in evs), default=None)
    for key, person in people.items():
        opened: dt.datetime | None = None
        for when, joined in sorted(events[key], key=lambda e: e[0]):
            if joined:
                opened = opened or when
                person.first_join = _earliest(person.first_join, when)
            else:
                if opened is not None:
                    person.seconds += (when - opened).total_seconds()
                opened = None
                person.last_leave = _latest(person.last_leave, when)
        if opened is not None and report_end is not None:  # still in the meeting when the report ended
            person.seconds += (report_end - opened).total_seconds()
            person.last_leave = _latest(person.last_leave, report_end)
    return ReportTable("teams-report", header_index, end, tuple(_record(p) for p in people.values()))


def _record(person: _Person) -> AttendanceRecord:
    seconds = person.total_seconds()
    minutes = math.floor(seconds / 60 + 0.5)
    if seconds > 0 and minutes == 0:
        minutes = 1  # someone who was there for 20 seconds still attended
    return AttendanceRecord(
        name=person.name,
        email=person.email,
        first_join=person.first_join,
        last_leave=person.last_leave,
        minutes=minutes,
        role=person.role,
    )


def _earliest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else max(a, b)


_STAMP = re.compile(
    r"^\s*(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})(?:\s*,\s*|\s+|T)"
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(?:([AaPp])\.?\s*[Mm]\.?)?\s*$"
)


def infer_day_first(stamps: Sequence[str]) -> bool:
    """Reports use the exporting PC's locale: a part above 12 settles it; else AM/PM means US order."""
    ampm = False
    dotted = False
    for text in stamps:
        match = _STAMP.match(text)
        if not match or len(match.group(1)) == 4:
            continue
        first, second = int(match.group(1)), int(match.group(3))
        if first > 12:
            return True
        if second > 12:
            return False
        ampm = ampm or bool(match.group(8))
        dotted = dotted or match.group(2) == "."
    return dotted or not ampm


def parse_timestamp(text: str, day_first: bool) -> dt.datetime | None:
    """'14/11/22, 09:29:07', '11/19/2021 09:54:15 AM', '2022-11-14 09:29' -> naive datetime."""
    match = _STAMP.match(text)
    if not match:
        return None
    a, _, b, c, hour, minute, second, half = match.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    else:
        day, month = (int(a), int(b)) if day_first else (int(b), int(a))
        year = int(c) + (2000 if len(c) <= 2 else 0)
    h = int(hour)
    if half:
        h = h % 12 + (12 if half in "Pp" else 0)
    try:
        return dt.datetime(year, month, day, h, int(minute), int(second or 0))
    except ValueError:
        return None


_DURATION_PARTS = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hours?|m|min|mins|minutes?|s|sec|secs|seconds?)\b"
)


def parse_duration(text: str, minutes: bool = False) -> float | None:
    """Seconds from '19m 26s', '1h 5m', '45s', '01:05:00', or a number of minutes (Zoom)."""
    text = text.strip().casefold()
    if not text:
        return None
    if minutes or re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        try:
            return float(text.replace(",", ".")) * 60
        except ValueError:
            return None
    clock = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", text)
    if clock:
        h, m, s = clock.groups()
        return int(h or 0) * 3600 + int(m) * 60 + int(s)
    parts = _DURATION_PARTS.findall(text)
    if not parts:
        return None
    total = 0.0
    for number, unit in parts:
        value = float(number.replace(",", "."))
        total += value * (3600 if unit.startswith("h") else 60 if unit.startswith("m") else 1)
    return total
