"""US National Provider Identifier: normalising and the Luhn check digit (prefix 80840)."""

from __future__ import annotations


def normalise_npi(value: str) -> str:
    """Digits only ("1234 567-893" -> "1234567893"); spreadsheets also turn NPIs into floats."""
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return "".join(ch for ch in text if ch.isdigit())


def is_valid_npi(value: str) -> bool:
    """True for a 10-digit NPI whose last digit is the Luhn check digit over "80840" + the first 9."""
    raw = str(value).strip().removesuffix(".0").replace(" ", "").replace("-", "")
    if len(raw) != 10 or not raw.isdigit():  # letters or a wrong length are never an NPI
        return False
    return _luhn_ok("80840" + raw)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, ch in enumerate(reversed(digits)):
        d = int(ch)
        if index % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0
