"""NPI check digit (Luhn over the 80840 prefix) and normalising."""

from __future__ import annotations

import pytest

from msldesk.boards.people.npi import is_valid_npi, normalise_npi
from msldesk.boards.people.validation import npi_problem


def luhn_check_digit(nine: str) -> str:
    """Independent reference: CMS's worked method (double alternate digits from the right, add 24)."""
    total = 24  # the constant CMS gives for the 80840 prefix
    for index, ch in enumerate(reversed(nine)):
        d = int(ch) * (2 if index % 2 == 0 else 1)
        total += d // 10 + d % 10
    return str((10 - total % 10) % 10)


@pytest.mark.parametrize(
    "nine", ["123456789", "100000000", "999999999", "124531959", "164321789", "000000000"]
)
def test_only_the_right_check_digit_is_valid(nine: str) -> None:
    good = luhn_check_digit(nine)
    assert is_valid_npi(nine + good)
    for digit in "0123456789":
        if digit != good:
            assert not is_valid_npi(nine + digit)


def test_cms_example_and_formats() -> None:
    assert is_valid_npi("1234567893")  # the example in the CMS NPI check digit paper
    assert is_valid_npi(" 1234 567-893 ")
    assert is_valid_npi("1234567893.0")  # typed / spreadsheet forms
    assert normalise_npi("1234567893.0") == "1234567893"
    for bad in ("", "123456789", "12345678930", "12345A7893", "abcdefghij", "1234567890"):
        assert not is_valid_npi(bad), bad


def test_problems_are_plain_words() -> None:
    assert npi_problem("") == ""
    assert "10 digits" in npi_problem("12345")
    assert "check digit" in npi_problem("1234567890")
