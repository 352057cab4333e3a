"""Turn the bytes of a delimited-text or XLSX people file into numbered rows of text cells."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from msldesk.core.errors import FileRefusedError, MsldeskError
from msldesk.core.progress import CancelToken

if TYPE_CHECKING:
    from _csv import Reader  # csv.reader's type, which has line_num

Rows = list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, cells)

DELIMITERS = (",", ";", "\t", "|")
CANCEL_EVERY = 1000
MAX_COLUMNS = 16_384  # Excel's widest sheet; a wider row is no list of people
# Cells a workbook may make us look at in all (formatting alone can make each row 16,384 cells
# wide): about a minute of parsing. A sheet that is a zip bomb of rows stops here, not in hours.
MAX_CELLS = 20_000_000
_SNIFF_CHARS = 64 * 1024
_SNIFF_ROWS = 200

_BOMS = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _latin1_for_undefined(error: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; latin-1 maps every byte, so a stray
    # one still becomes some character instead of failing the whole file.
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("msldesk-latin1", _latin1_for_undefined)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16-le", "cp1252" ...
    # Lines (1-based, as csv's line_num counts them) of a UTF-8 file that were not UTF-8 and were
    # read as Windows-1252 instead; empty when the whole file has one encoding.
    fallback_lines: tuple[int, ...] = ()


# After LF, or after a CR that is not part of CRLF: the line ends csv sees with newline="".
_LINE_ENDS = re.compile(rb"(?<=\n)|(?<=\r)(?!\n)")


def decode_text(data: bytes) -> Decoded:
    """BOM, else UTF-16 guessed from NUL bytes, else UTF-8, else Windows-1252 line by line.

    A UTF-8 file with a few Windows-1252 lines (rows pasted from an old export) keeps its UTF-8
    names: only the lines that are not UTF-8 are read as Windows-1252, and `fallback_lines` says
    which, so the import can report them instead of turning every name into mojibake.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            if name == "utf-8-sig":
                return Decoded(_strict(body, "utf-8", name), name)
            return Decoded(_strict(body, name, name), name)
    guessed = _utf16_without_bom(data)
    if guessed:
        return Decoded(_strict(data, guessed, guessed), guessed)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    parts: list[str] = []
    fallback: list[int] = []
    utf8_letters = False  # any line whose non-ASCII bytes really are UTF-8
    for number, line in enumerate(_LINE_ENDS.split(data), start=1):
        text, was_utf8 = decode_line(line)
        parts.append(text)
        if not was_utf8:
            fallback.append(number)
        elif not line.isascii():
            utf8_letters = True
    if not utf8_letters:
        return Decoded("".join(parts), "cp1252")  # a plain Windows-1252 file: nothing to report
    return Decoded("".join(parts), "utf-8", tuple(fallback))


def decode_line(line: bytes) -> tuple[str, bool]:
    """(text, True) when `line` is UTF-8, else its Windows-1252 reading and False."""
    try:
        return line.decode("utf-8"), True
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="msldesk-latin1"), False


def _strict(data: bytes, codec: str, label: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        # A BOM promised an encoding the bytes do not follow: better to say so than to show mojibake.
        raise FileRefusedError(
            f"This file says it is {label.upper()} text but its bytes are not; "
            "save it again as CSV (UTF-8) and import again.",
            details=str(exc),
        ) from exc


def _utf16_without_bom(data: bytes) -> str:
    """'utf-16-le'/'utf-16-be' when NULs sit on one side of most byte pairs (mostly-ASCII UTF-16)."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return ""
    even = sample[0 : pairs * 2 : 2].count(0)
    odd = sample[1 : pairs * 2 : 2].count(0)
    if odd >= pairs * 0.3 and even <= pairs * 0.05:
        return "utf-16-le"
    if even >= pairs * 0.3 and odd <= pairs * 0.05:
        return "utf-16-be"
    return ""


def _reader(text: str, delimiter: str) -> Reader:
    # newline="" lets csv see CR, LF and CRLF alike and keep newlines inside quoted cells.
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=False)


def declared_delimiter(text: str) -> str:
    """The delimiter of Excel's optional first line 'sep=;' ('' when there is none)."""
    first = text.lstrip("\ufeff")[:8]
    if first[:4].casefold() == "sep=" and len(first) > 4 and first[4] in DELIMITERS:
        rest = first[5:6]
        if rest in ("", "\r", "\n"):
            return first[4]
    return ""


def sniff_delimiter(text: str) -> str:
    """The delimiter that gives the longest run of consecutive rows with one column count (> 1).

    Runs, not overall agreement: report files have a short key/value block before the real table,
    and commas inside dates ("14/11/22, 09:29") must not beat the tabs that separate the columns.
    """
    sample = text[:_SNIFF_CHARS]
    complete = len(text) <= _SNIFF_CHARS
    best: tuple[int, int, int] = (0, 0, 0)
    chosen = ","
    for order, delimiter in enumerate(DELIMITERS):
        if delimiter not in sample:
            continue
        widths = []
        for cells in _reader(sample, delimiter):
            if any(c.strip() for c in cells):
                widths.append(len(cells))
            if len(widths) > _SNIFF_ROWS:
                break
        if not complete and len(widths) > 1:
            widths.pop()  # the sample may have cut the last row in half
        run = longest = 0
        previous = 0
        for width in widths:
            run = run + 1 if width == previous and width > 1 else (1 if width > 1 else 0)
            previous = width
            longest = max(longest, run)
        widest = max(widths, default=0)
        score = (longest, widest, -order)
        if longest and score > best:
            best, chosen = score, delimiter
    return chosen


def rows_on_lines(text: str, delimiter: str, lines: Iterable[int]) -> list[int]:
    """Row numbers (as read_delimited numbers them) of the rows that take up any of `lines`: a
    quoted cell can hold line breaks, so one row may span several lines."""
    wanted = sorted(set(lines))
    found: list[int] = []
    reader = _reader(text, delimiter)
    first_line = 1
    for number, _cells in enumerate(reader, start=1):
        last_line = reader.line_num
        if any(first_line <= line <= last_line for line in wanted):
            found.append(number)
        wanted = [line for line in wanted if line > last_line]
        if not wanted:
            break
        first_line = last_line + 1
    return found


def read_delimited(
    text: str, delimiter: str, *, max_rows: int, cancel: CancelToken | None = None, name: str = "This file"
) -> Rows:
    """Every row (blank ones too, so numbers match a spreadsheet's), up to `max_rows` + 1.
    FileRefusedError for a cell longer than csv takes (131,072 characters: a quote mark never
    closed swallows the rest of the file) or a row wider than MAX_COLUMNS."""
    rows: Rows = []
    reader = _reader(text, delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            if cancel is not None and number % CANCEL_EVERY == 0:
                cancel.raise_if_cancelled()
            if len(cells) > MAX_COLUMNS:
                raise _too_wide(name, number, len(cells))
            rows.append((number, cells))
            if number > max_rows:
                break
    except csv.Error as exc:
        raise FileRefusedError(
            f"{name} cannot be read as a table: row {len(rows) + 1} (line {reader.line_num}) has a cell "
            f'over {csv.field_size_limit():,} characters, perhaps a quote mark (") that is never closed. '
            "Open the file in a spreadsheet app, check that row, save it as CSV and import again.",
            details=str(exc),
        ) from exc
    return rows


def _too_wide(name: str, number: int, width: int) -> FileRefusedError:
    return FileRefusedError(
        f"{name} is not a table of people: row {number} has {width:,} cells (the most is {MAX_COLUMNS:,}). "
        "Save the list with one column per field and import again."
    )


def read_xlsx(
    data: bytes, *, max_rows: int, cancel: CancelToken | None = None, name: str = "This Excel workbook"
) -> tuple[Rows, str]:
    """Rows of the first worksheet that has any content, as text, and that sheet's name."""
    import openpyxl  # heavy; only needed for workbooks

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged package
        raise _damaged_workbook(name, exc) from exc
    try:
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "iter_rows"):
                continue  # a chart sheet
            # The size a sheet claims (A1:XFD1048576) would pad every row to it; the cells decide.
            sheet.reset_dimensions()
            rows = _sheet_rows(sheet.iter_rows(min_row=1, values_only=True), max_rows, cancel, name)
            if any(any(cells) for _, cells in rows):
                return rows, sheet.title
        return [], ""
    except MsldeskError:
        raise  # cancelled
    except Exception as exc:  # read-only mode parses each sheet as it is read: damage shows up here too
        raise _damaged_workbook(name, exc) from exc
    finally:
        workbook.close()


def _damaged_workbook(name: str, exc: Exception) -> FileRefusedError:
    return FileRefusedError(
        f"{name} is a damaged Excel workbook and cannot be read; open it in Excel, save it again "
        "and import again.",
        details=f"{type(exc).__name__}: {exc}",
    )


def _sheet_rows(
    values: Iterable[tuple[object, ...]], max_rows: int, cancel: CancelToken | None, name: str
) -> Rows:
    rows: Rows = []
    seen = 0
    for number, cells in enumerate(values, start=1):
        if cancel is not None and number % CANCEL_EVERY == 0:
            cancel.raise_if_cancelled()
        seen += len(cells)
        if seen > MAX_CELLS:
            raise FileRefusedError(
                f"{name} has more than {MAX_CELLS:,} cells by row {number:,}; a list of people is far "
                "smaller. Copy the people to a new workbook (values only) and import that."
            )
        width = len(cells)
        while width and cells[width - 1] is None:
            width -= 1  # formatting can make rows thousands of empty cells wide
        if width > MAX_COLUMNS:
            raise _too_wide(name, number, width)
        text = [cell_text(v) for v in cells[:width]]
        while text and not text[-1]:
            text.pop()
        rows.append((number, text))
        if number > max_rows:
            break
    while rows and not rows[-1][1]:
        rows.pop()
    return rows


def cell_text(value: object) -> str:
    """What a user sees in the cell: NPIs stored as 1234567893.0 read back as 1234567893."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
