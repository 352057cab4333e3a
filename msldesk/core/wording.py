"""Counted nouns in plain English: "1 key insight", "2 key insights", "3 flagged entries" (no Qt; the
library, boards, command line and every view count with it)."""

from __future__ import annotations

_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "`count` `one`" with the noun's plural unless the count is exactly 1 (0 takes the plural).

    Only the last word changes ("key insight" -> "key insights"); pass `many` for irregular nouns."""
    if count == 1:
        return f"{count} {one}"
    return f"{count:,} {many or _plural_noun(one)}"  # "1,148 slides"


def _plural_noun(noun: str) -> str:
    if noun.endswith("y") and len(noun) > 1 and noun[-2].lower() not in "aeiou":
        return noun[:-1] + "ies"  # entry -> entries, but day -> days
    if noun.endswith(_SIBILANT_ENDINGS):
        return noun + "es"
    return noun + "s"
