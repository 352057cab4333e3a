"""Text folded for matching: case and accents ignored, so "JOSÉ MÜLLER" finds "José Müller". No Qt."""

from __future__ import annotations

import unicodedata

# Letters NFKD does not split into a base letter and an accent ("Søren" ~ "Soren").
UNSPLIT_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching names and themes ("Müller" ~ "muller")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(UNSPLIT_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
