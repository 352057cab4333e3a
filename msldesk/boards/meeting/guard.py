"""The compliance guard: a configurable list of restricted words and phrases, found in note text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from msldesk.core.errors import InvalidInputError
from msldesk.core.fileio import atomic_write_bytes
from msldesk.core.user_files import parse_json, read_small_file

# Promotional and off-label language an MSL's notes should not carry unreviewed. A company replaces
# this list with its own (Settings › Restricted terms, or the JSON file in the library folder).
DEFAULT_TERMS: tuple[str, ...] = (
    "off-label",
    "unapproved indication",
    "unapproved use",
    "cure",
    "cures",
    "miracle",
    "guarantee",
    "guaranteed",
    "best-in-class",
    "safest",
    "safer than",
    "no side effects",
    "completely safe",
    "superior to",
    "breakthrough",
    "market share",
    "sales target",
    "kickback",
)
MAX_TERM_LENGTH = 200
_SEPARATOR = r"[\s\-\u2010-\u2015_]+"  # "off label", "off-label" and "off–label" are one term


def _term_pattern(term: str) -> str:
    words = [re.escape(w) for w in re.split(r"[\s\-\u2010-\u2015_]+", term) if w]
    # Lookarounds rather than \b: a term may start or end with punctuation, and \b needs a word char.
    return r"(?<!\w)" + _SEPARATOR.join(words) + r"(?!\w)"


def clean_terms(terms: Iterable[str]) -> tuple[str, ...]:
    """Trimmed, de-duplicated (case-insensitively), non-empty terms in the order given."""
    seen: set[str] = set()
    result = []
    for raw in terms:
        if not isinstance(raw, str):
            raise InvalidInputError("Each restricted term must be text.", repr(raw))
        term = " ".join(raw.split())
        if not term or term.casefold() in seen:
            continue
        if len(term) > MAX_TERM_LENGTH:
            raise InvalidInputError(f"A restricted term may be at most {MAX_TERM_LENGTH} characters.")
        seen.add(term.casefold())
        result.append(term)
    return tuple(result)


@dataclass(frozen=True)
class RestrictedTerms:
    terms: tuple[str, ...] = DEFAULT_TERMS
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        terms = clean_terms(self.terms)
        object.__setattr__(self, "terms", terms)
        if terms:
            # Longest first, so "safer than" wins over a shorter term inside it.
            ordered = sorted(terms, key=len, reverse=True)
            pattern = "|".join(f"(?P<t{terms.index(t)}>{_term_pattern(t)})" for t in ordered)
            object.__setattr__(self, "_regex", re.compile(pattern, re.IGNORECASE))

    def find(self, text: str) -> tuple[str, ...]:
        """The configured terms that occur in `text`, each once, in the order they first occur."""
        if self._regex is None or not text:
            return ()
        found: dict[str, None] = {}
        for match in self._regex.finditer(text):
            found[self.terms[int(match.lastgroup[1:])]] = None  # type: ignore[index]
        return tuple(found)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the terms occur (start, end): for highlighting as the user types."""
        if self._regex is None or not text:
            return []
        return [m.span() for m in self._regex.finditer(text)]


def load_terms(path: Path) -> RestrictedTerms:
    """The saved list, or the defaults when none was saved. A damaged file is an error, not a silent
    fallback: the guard must not switch itself off."""
    try:
        raw = parse_json(read_small_file(path))
    except FileNotFoundError:
        return RestrictedTerms()
    except (OSError, ValueError) as exc:
        raise InvalidInputError(
            f"The restricted-terms file {Path(path).name} cannot be read. Fix or delete it.", repr(exc)
        ) from exc
    terms = raw.get("terms") if isinstance(raw, dict) else None
    if not isinstance(terms, list):
        raise InvalidInputError(
            f"The restricted-terms file {Path(path).name} has no list of terms. Fix or delete it."
        )
    return RestrictedTerms(tuple(terms))


def save_terms(path: Path, terms: Sequence[str]) -> RestrictedTerms:
    guard = RestrictedTerms(tuple(terms))
    data = json.dumps({"terms": list(guard.terms)}, indent=2, ensure_ascii=False)
    atomic_write_bytes(Path(path), data.encode("utf-8"))
    return guard
