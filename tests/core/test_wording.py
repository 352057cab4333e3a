"""Counted nouns read as English: "1 key insight", "2 key insights", "0 entries"."""

from __future__ import annotations

import pytest

from msldesk.core.wording import plural


@pytest.mark.parametrize(
    ("count", "one", "expected"),
    [
        (1, "key insight", "1 key insight"),
        (2, "key insight", "2 key insights"),
        (0, "theme", "0 themes"),
        (1, "flagged entry", "1 flagged entry"),
        (3, "flagged entry", "3 flagged entries"),
        (2, "day", "2 days"),
        (2, "speech", "2 speeches"),
        (2, "box", "2 boxes"),
    ],
)
def test_plural(count: int, one: str, expected: str) -> None:
    assert plural(count, one) == expected


def test_plural_takes_an_irregular_form() -> None:
    assert plural(1, "person", "people") == "1 person"
    assert plural(4, "person", "people") == "4 people"
