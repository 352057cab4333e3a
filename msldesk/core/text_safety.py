"""Text that every writer can hold: control characters removed, lengths limited, formulas defused."""

from __future__ import annotations

import re
from typing import Any

from msldesk.core.errors import InvalidInputError

# XML 1.0 cannot hold C0 controls other than tab, LF and CR, lone surrogates, U+FFFE or U+FFFF;
# openpyxl, lxml and python-pptx refuse them. C1 controls (U+0080-U+009F) and DEL are legal XML but
# invisible junk from mis-decoded files, and the other noncharacters have no business in a name.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_UNWANTED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
_BREAKS = re.compile(r"[\t\n\r]")
# Bidi embeddings, overrides and isolates: one in a name or a title read from a file reorders what
# follows it wherever it is shown ("Love\u202elace" reads "Loveecal"; Trojan Source, CVE-2021-42574).
# A one-line field has no use for them; the letters' own direction needs none.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

# Longest value each kind of field takes at input (characters). Generous for real data, small
# enough that one cell cannot swamp a table, a sheet or a slide.
LIMITS: dict[str, int] = {
    "name": 200,  # first/last name, credentials, a theme, deck metadata (approval code, product ...)
    "short": 100,  # phone, NPI, state, country, tier, a time zone
    "line": 500,  # institution, specialty, city, email, venue, an event, agenda item or deck title
    "link": 2_000,  # a meeting link
    "text": 20_000,  # notes, objectives, a meeting entry, an executive summary (~8 printed pages)
}
# The spreadsheet apps run a cell that starts with one of these as a formula (or a DDE call):
# "-1-1" and "+1" as much as "=cmd|'/c calc'!A1". OWASP: prefix every such cell with an apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32_767  # Excel's most characters per cell; it cuts or refuses longer ones


def clean_text(value: str, *, breaks: bool = True) -> str:
    """`value` without control characters, lone surrogates or XML-illegal code points.

    With `breaks` tab, line feed and carriage return survive; without, each becomes a space and the
    bidi controls go too (a one-line field such as a name or a title).
    """
    cleaned = _UNWANTED.sub("", value)
    return cleaned if breaks else _BREAKS.sub(" ", _BIDI_CONTROLS.sub("", cleaned))


def too_long(value: str, kind: str, what: str) -> str:
    """'' when `value` fits the limit for `kind`, else a plain phrase saying what is too long."""
    most = LIMITS[kind]
    if len(value) <= most:
        return ""
    return f"{what} is {len(value):,} characters long (the most is {most:,})"


def limit(value: str, kind: str, what: str) -> str:
    """`value` cleaned of unwanted characters, or InvalidInputError when it is longer than `kind` allows."""
    cleaned = clean_text(value, breaks=kind in ("text",))
    problem = too_long(cleaned, kind, what)
    if problem:
        raise InvalidInputError(f"{problem[0].upper()}{problem[1:]}; shorten it and try again.")
    return cleaned


def shorten(text: str, most: int) -> str:
    """`text` cut to at most `most` characters, ending in an ellipsis when it was cut."""
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def formula_risk(text: str) -> bool:
    """True when a spreadsheet would run `text` (already cleaned) as a formula."""
    return text.startswith(FORMULA_STARTS)


def formula_safe(value: object) -> str:
    """The text of a CSV cell: cleaned, and with a leading ' when a spreadsheet would run it.

    Cleaning comes first: "\\x00=1" must not reach the sheet as "=1" unescaped.
    """
    text = clean_text(str(value))
    return "'" + text if formula_risk(text) else text


def xlsx_text(cell: Any, value: object) -> None:
    """Put `value` in an openpyxl cell as text: cleaned, cut to what a cell holds, and when a
    spreadsheet would run it, marked with Excel's own hidden apostrophe (quotePrefix) so it stays
    text even after someone edits the cell; the value itself stays exact ("+49 30 1234567")."""
    text = shorten(clean_text(str(value)), XLSX_CELL_LIMIT)
    cell.value = text
    cell.data_type = "s"  # never a live formula, whatever the text starts with
    if formula_risk(text):
        cell.quotePrefix = True


CORE_TITLE_LIMIT = 255  # OOXML core properties: python-pptx refuses a longer title, Office cuts it


def core_title(title: str) -> str:
    """A title for a document's metadata (PPTX core properties, PDF info): one clean line, ≤ 255."""
    return shorten(" ".join(clean_text(title, breaks=False).split()), CORE_TITLE_LIMIT)
