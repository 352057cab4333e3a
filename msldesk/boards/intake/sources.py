"""Read any people file (CSV/TSV, XLSX, vCard, iCalendar, NPPES JSON, meeting reports) into a table."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

from msldesk.boards.intake import meeting_reports, tabular
from msldesk.boards.intake.mapping import target_for_header
from msldesk.boards.intake.table import SourceTable
from msldesk.boards.records import AttendanceRecord
from msldesk.core.errors import FileRefusedError
from msldesk.core.progress import CancelToken
from msldesk.core.user_files import display_name, read_regular

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_UNZIPPED_BYTES = 1024**3  # a 50 MB workbook of real rows unpacks to a few hundred MB
# As for decks (PackageLimits): a part over 16 MB that unpacks to over 200 times its size is a bomb.
_RATIO_FLOOR = 16 * 1024**2
_MAX_RATIO = 200
_HEADER_SCAN_ROWS = 30
_CANDIDATE_HEADERS = 10  # preambles are a few lines; never pick a header deep in the data
_NAME_TARGETS = frozenset({"first_name", "last_name", "full_name"})


def read_source(path: Path, cancel: CancelToken | None = None) -> SourceTable:
    """Read a people file, whatever its extension claims; FileRefusedError (or NotARegularFileError,
    for a folder, device, pipe or socket) says why it cannot be."""
    path = Path(path)
    name = display_name(path.name)
    try:
        # Bytes are counted as they come: a device or a pipe claims a size of 0.
        data = read_regular(path, MAX_BYTES, lambda: _too_large(name))
    except OSError as exc:
        message = f"{name} cannot be read: {exc.strerror or display_name(str(exc))}."
        raise FileRefusedError(message, details=display_name(str(exc))) from exc
    return read_source_bytes(data, name, cancel)


def read_source_bytes(data: bytes, name: str, cancel: CancelToken | None = None) -> SourceTable:
    """As read_source, for bytes already in memory (`name` only helps the messages)."""
    try:
        table = _read_content(data, name, cancel)
    except FileRefusedError as refused:
        if name in refused.user_message:
            raise
        # The readers of each kind know the content, not the file: every refusal names the file.
        raise FileRefusedError(f"{name}: {refused.user_message}", refused.details) from refused
    if len(table.rows) > MAX_ROWS:  # tables, and the calendars and vCards that list people too
        raise FileRefusedError(
            f"{name} has more than {MAX_ROWS:,} rows; split it into smaller files and import them one by one."
        )
    return table


def _read_content(data: bytes, name: str, cancel: CancelToken | None) -> SourceTable:
    _check_size(len(data), name)
    if not data.strip():
        raise FileRefusedError(f"{name} is empty: it has no rows to import.")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _read_zip(data, name, cancel)
    _refuse_binary(data, name)
    decoded = tabular.decode_text(data)
    text = decoded.text.rstrip("\x00")  # some exporters pad the end of the file with NULs
    if "\x00" in text:
        raise FileRefusedError(
            f"{name} is not a text table (it contains binary data); save it as CSV and import again."
        )
    head = text.lstrip("\ufeff \t\r\n")[:200]
    upper = head[:20].upper()
    if upper.startswith("BEGIN:VCARD"):
        from msldesk.boards.intake.vcard import read_vcard

        return read_vcard(data)
    if upper.startswith("BEGIN:VCALENDAR"):
        from msldesk.boards.intake.ics_people import read_calendar_people

        return read_calendar_people(data)
    if head.startswith(("{", "[")):
        from msldesk.boards.intake.nppes import read_nppes_json

        return read_nppes_json(data)
    _refuse_markup(head, name)
    return _read_text(text, decoded, name, cancel)


def _check_size(size: int, name: str) -> None:
    if size > MAX_BYTES:
        raise _too_large(name)


def _too_large(name: str) -> FileRefusedError:
    return FileRefusedError(
        f"{name} is over {MAX_BYTES // 1024 // 1024} MB; people files that large are not imported. "
        "Split it into smaller files and import them one by one."
    )


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"{\\rtf", "a Rich Text document"),
    (b"SQLite format 3", "a database file"),
)


def _refuse_binary(data: bytes, name: str) -> None:
    lowered = name.casefold()
    if data.startswith(_OLE2):
        if lowered.endswith((".xlsx", ".xlsm")):
            raise FileRefusedError(
                f"{name} is a password-protected Excel workbook; remove the password (File > Info > "
                "Protect Workbook), save it and import again."
            )
        if lowered.endswith((".doc", ".ppt", ".msg")):
            raise FileRefusedError(f"{name} is an Office 97-2003 document, not a table of people.")
        raise FileRefusedError(
            f"{name}: This is an Excel 97-2003 .xls file; save it as .xlsx or CSV and import again."
        )
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise FileRefusedError(
                f"{name} is {what}, not a table of people; export the list as CSV or .xlsx."
            )


def _refuse_markup(head: str, name: str) -> None:
    lowered = head.casefold()
    if lowered.startswith(("<!doctype html", "<html", "<table")) or "<html" in lowered[:100]:
        raise FileRefusedError(
            f"{name} is a web page (HTML), not a table file; open it in Excel, save it as .xlsx or CSV "
            "and import again."
        )
    if lowered.startswith("<?xml"):
        raise FileRefusedError(
            f"{name} is an XML file (perhaps an Excel 2003 XML spreadsheet); save it as .xlsx or CSV "
            "and import again."
        )


def _read_zip(data: bytes, name: str, cancel: CancelToken | None) -> SourceTable:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = set(archive.namelist())
            unzipped = sum(info.file_size for info in archive.infolist())
            swollen = [
                i
                for i in archive.infolist()
                if i.file_size > _RATIO_FLOOR and i.file_size > _MAX_RATIO * i.compress_size
            ]
            mimetype = archive.read("mimetype").decode("ascii", "replace") if "mimetype" in parts else ""
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise FileRefusedError(
            f"{name} is a damaged ZIP/Office file and cannot be read.", details=f"{type(exc).__name__}: {exc}"
        ) from exc
    if swollen:  # one part of repeated bytes (a cell of 400 million "A"s): minutes of parsing
        part = swollen[0]
        raise FileRefusedError(
            f"{name} is not a workbook that can be imported safely: its part {display_name(part.filename)} "
            f"unpacks to {part.file_size // max(part.compress_size, 1):,} times its size. Save the list "
            "again as .xlsx or CSV and import that."
        )
    if unzipped > MAX_UNZIPPED_BYTES:  # a zip bomb: what it claims is checked before anything is unpacked
        raise FileRefusedError(
            f"{name} would unpack to {unzipped / 1024**3:,.1f} GB (the most is "
            f"{MAX_UNZIPPED_BYTES // 1024**3} GB); a list of people is far smaller. Save the list again "
            "as .xlsx or CSV and import that."
        )
    if "xl/workbook.xml" in parts:
        return _read_xlsx(data, name, cancel)
    if "opendocument.spreadsheet" in mimetype:
        raise FileRefusedError(
            f"{name} is an OpenDocument spreadsheet (.ods); save it as .xlsx or CSV and import again."
        )
    if any(p.startswith("word/") for p in parts):
        raise FileRefusedError(
            f"{name} is a Word document, not a table of people; export the list as CSV or .xlsx."
        )
    if any(p.startswith("ppt/") for p in parts):
        raise FileRefusedError(f"{name} is a PowerPoint file, not a table of people.")
    raise FileRefusedError(f"{name} is a ZIP archive; unpack it and import the CSV or .xlsx file inside.")


def _read_xlsx(data: bytes, name: str, cancel: CancelToken | None) -> SourceTable:
    rows, _sheet = tabular.read_xlsx(data, max_rows=MAX_ROWS + _HEADER_SCAN_ROWS, cancel=cancel, name=name)
    return _build(rows, "xlsx", name, encoding="", delimiter="")


def _read_text(text: str, decoded: tabular.Decoded, name: str, cancel: CancelToken | None) -> SourceTable:
    delimiter = tabular.declared_delimiter(text) or tabular.sniff_delimiter(text)
    rows = tabular.read_delimited(
        text, delimiter, max_rows=MAX_ROWS + _HEADER_SCAN_ROWS, cancel=cancel, name=name
    )
    if rows and tabular.declared_delimiter(text):
        rows[0] = (rows[0][0], [])  # Excel's "sep=;" hint line is not the header
    table = _build(rows, "csv", name, encoding=decoded.encoding, delimiter=delimiter)
    if not decoded.fallback_lines:
        return table
    mixed = tabular.rows_on_lines(text, delimiter, decoded.fallback_lines)
    return replace(table, warnings=(*table.warnings, _mixed_encoding_warning(mixed)))


def _mixed_encoding_warning(rows: list[int]) -> str:
    numbers = [str(n) for n in rows[:10]] + ([f"{len(rows) - 10} more"] if len(rows) > 10 else [])
    shown = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
    which = f"Row {shown} is" if len(rows) == 1 else f"Rows {shown} are"
    return (
        f"{which} not UTF-8 like the rest of the file; read as Windows-1252 (Western European). "
        "Check the names in those rows."
    )


def _blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def _build(rows: tabular.Rows, kind: str, name: str, encoding: str, delimiter: str) -> SourceTable:
    """Find the header (and a Teams/Zoom table if there is one) and line the cells up with it."""
    if not any(not _blank(cells) for _, cells in rows):
        raise FileRefusedError(f"{name} is empty: it has no rows to import.")
    warnings: list[str] = []
    attendance: tuple[AttendanceRecord, ...] = ()
    meeting_start = None
    report = meeting_reports.find_report(rows)
    if report is not None:
        kind = report.kind
        header_index, end = report.header_index, report.end_index
        attendance, meeting_start = report.attendance, report.meeting_start
        warnings.extend(report.warnings)
    else:
        header_index, end = _find_header(rows)
    headers = _unique_headers(rows[header_index][1])
    if kind in ("csv", "xlsx") and _is_open_payments(headers):
        kind = "open-payments"
    width = len(headers)
    body: list[tuple[int, tuple[str, ...]]] = []
    too_wide = 0
    for number, cells in rows[header_index + 1 : end]:
        if _blank(cells):
            continue
        if len(cells) > width:
            if any(c.strip() for c in cells[width:]):
                too_wide += 1
            cells = cells[:width]
        elif len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        body.append((number, tuple(cells)))
    if not body:
        raise FileRefusedError(f"{name} has no rows to import: it has a header row but nothing under it.")
    if too_wide:
        warnings.append(
            f"{too_wide} row{'s' if too_wide != 1 else ''} had more cells than the header row; "
            "the extra cells were ignored."
        )
    return SourceTable(
        kind=kind,
        headers=headers,
        rows=tuple(body),
        encoding=encoding,
        delimiter=delimiter,
        attendance=attendance,
        warnings=tuple(warnings),
        meeting_start=meeting_start,
    )


def _find_header(rows: tabular.Rows) -> tuple[int, int]:
    """(header index, end index): the first non-blank row, unless a later one names people better.

    Zoom puts a meeting block (Topic, Start Time, User Email ...) and a spacer row above the
    participant table; other exports put a title or a "generated on" line above the header. A table
    that follows a numbered section title ("2. Participants") ends at the next blank row.
    """
    candidates = [
        i
        for i, (_, cells) in enumerate(rows[: _HEADER_SCAN_ROWS * 2])
        if not _blank(cells) and not _is_section_title(cells)
    ] or [next(i for i, (_, cells) in enumerate(rows) if not _blank(cells))]
    candidates = candidates[:_CANDIDATE_HEADERS]
    header = candidates[0]
    for wanted in (_NAME_TARGETS, frozenset({"email"})):
        found = [i for i in candidates if {target_for_header(c) for c in rows[i][1]} & wanted]
        if found:
            header = found[0]
            break
    end = len(rows)
    above = [cells for _, cells in rows[:header] if not _blank(cells)]
    if above and _is_section_title(above[-1]):
        end = next((i for i in range(header + 1, len(rows)) if _blank(rows[i][1])), len(rows))
    return header, end


def _is_section_title(cells: list[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    return len(filled) == 1 and bool(re.match(r"^\s*\d+\s*\.\s*\S", filled[0]))


def _unique_headers(cells: list[str]) -> tuple[str, ...]:
    """Blank headers get a column name and repeats a number, so a mapping can tell them apart."""
    seen: dict[str, int] = {}
    headers = []
    for index, cell in enumerate(cells):
        header = " ".join(cell.split()) or f"Column {index + 1}"
        count = seen.get(header.casefold(), 0) + 1
        seen[header.casefold()] = count
        headers.append(header if count == 1 else f"{header} ({count})")
    while len(headers) > 1 and re.fullmatch(r"Column \d+", headers[-1]):
        headers.pop()  # a trailing delimiter on every line is not a column
    return tuple(headers)


def _is_open_payments(headers: tuple[str, ...]) -> bool:
    keys = {h.casefold() for h in headers}
    return bool(
        {"covered_recipient_npi", "covered_recipient_last_name"} & keys
        or ({"physician_profile_id", "physician_npi"} & keys and "recipient_state" in keys)
    )
