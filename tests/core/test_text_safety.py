"""The text-safety helpers: cleaning, length limits, formula escaping, metadata titles."""

from __future__ import annotations

import pytest
from lxml import etree

from msldesk.core.errors import InvalidInputError
from msldesk.core.text_safety import (
    LIMITS,
    clean_text,
    core_title,
    formula_safe,
    limit,
    shorten,
    too_long,
    xlsx_text,
)


def test_clean_text_drops_what_xml_and_spreadsheets_refuse() -> None:
    dirty = "a\x00b\x01\x08\x0b\x0c\x1b\x7fc\x85\x9f\ufffe\uffff\ud800\udfffd\ufdd0\U0001fffee"
    assert clean_text(dirty) == "abcde"
    etree.fromstring(f"<t>{clean_text(dirty)}</t>".encode())  # lxml takes it


def test_clean_text_keeps_letters_and_breaks_only_where_allowed() -> None:
    text = "Łukasz Müller\t山田\r\nΕλληνικά 👩‍⚕️ €"  # noqa: RUF001 — real Greek
    assert clean_text(text) == text
    assert clean_text("a\tb\nc\rd", breaks=False) == "a b c d"


def test_one_line_fields_lose_the_bidi_controls_that_reorder_what_follows() -> None:
    """'Love\u202elace' shows as 'Loveecal' in a terminal, a table or a PDF; names and titles read
    from a file keep their letters (and the marks U+200E/U+200F), not the overrides or isolates."""
    assert clean_text("Love\u202elace\u202c", breaks=False) == "Lovelace"
    assert clean_text("\u2067\u05e9\u05dc\u05d5\u05dd\u2069 \u202bAda\u202c\u200f", breaks=False) == (
        "\u05e9\u05dc\u05d5\u05dd Ada\u200f"
    )
    assert clean_text("note \u202e kept in free text") == "note \u202e kept in free text"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|'/c calc'!A1", "'=cmd|'/c calc'!A1"),
        ("+1", "'+1"),
        ("-1-1", "'-1-1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("+49 30 1234567", "'+49 30 1234567"),  # the importer takes the apostrophe off again
        ("\x00=1", "'=1"),  # cleaned first: the junk must not hide the formula
        ("Müller", "Müller"),
        ("a=1", "a=1"),
        (12, "12"),
        ("", ""),
    ],
)
def test_formula_safe(value: object, expected: str) -> None:
    assert formula_safe(value) == expected


def test_xlsx_text_is_a_text_cell_marked_when_it_looks_like_a_formula() -> None:
    import openpyxl

    sheet = openpyxl.Workbook().active
    for column, value in enumerate(("-1-1", "=cmd|'/c calc'!A1", "\x00@SUM(1)", "Müller", "x" * 100_000), 1):
        xlsx_text(sheet.cell(1, column), value)
    cells = sheet[1]
    assert [c.data_type for c in cells] == ["s"] * 5
    assert [c.value for c in cells[:4]] == ["-1-1", "=cmd|'/c calc'!A1", "@SUM(1)", "Müller"]
    assert [c.quotePrefix for c in cells] == [True, True, True, False, False]
    assert len(cells[4].value) == 32_767  # Excel's most per cell


def test_limit_refuses_a_value_over_its_kind_in_plain_words() -> None:
    assert limit("  Charité\x00 ", "line", "The institution") == "  Charité "
    assert limit("a\nb", "text", "The note") == "a\nb"
    assert limit("a\nb", "name", "The name") == "a b"
    with pytest.raises(InvalidInputError, match=r"institution is 3,000 characters long \(the most is 500\)"):
        limit("I" * 3000, "line", "The institution")
    assert too_long("x" * LIMITS["name"], "name", "name") == ""
    assert too_long("x" * (LIMITS["name"] + 1), "name", "name").startswith("name is 201 characters")


def test_shorten_and_core_title() -> None:
    assert shorten("abc", 3) == "abc"
    assert shorten("abcd", 3) == "ab…"
    assert core_title("\x00Board\n  of\tadvisors") == "Board of advisors"
    assert core_title("T" * 300) == "T" * 254 + "…"
