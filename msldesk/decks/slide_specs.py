"""The slide specs of a generated deck (title, section, agenda, bullets, table, chart), checked when made."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, is_dataclass, replace
from decimal import Decimal
from typing import TypeVar

from msldesk.core.errors import InvalidInputError
from msldesk.core.text_safety import LIMITS, clean_text, shorten


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"The slide {field} must be text.", details=f"{field}={value!r}")
    return value


def _title(value: object) -> str:
    text = _text(value, "title")
    if not text.strip():
        raise InvalidInputError("Every generated slide needs a title.")
    return text


@dataclass(frozen=True)
class TitleSlide:
    title: str
    subtitle: str = ""
    date_line: str = ""

    def __post_init__(self) -> None:
        _title(self.title)
        _text(self.subtitle, "subtitle")
        _text(self.date_line, "date line")


@dataclass(frozen=True)
class SectionSlide:
    title: str
    subtitle: str = ""

    def __post_init__(self) -> None:
        _title(self.title)
        _text(self.subtitle, "subtitle")


@dataclass(frozen=True)
class AgendaEntry:
    start: str
    title: str
    presenter: str = ""
    minutes: int | None = None

    def __post_init__(self) -> None:
        _text(self.start, "agenda start time")
        _text(self.title, "agenda item")
        _text(self.presenter, "presenter")
        if self.minutes is not None and (isinstance(self.minutes, bool) or not isinstance(self.minutes, int)):
            raise InvalidInputError("An agenda item's duration must be whole minutes.")


@dataclass(frozen=True)
class AgendaSlide:
    title: str
    items: tuple[AgendaEntry, ...]

    def __post_init__(self) -> None:
        _title(self.title)
        object.__setattr__(self, "items", tuple(self.items))


@dataclass(frozen=True)
class TextSlide:
    title: str
    bullets: tuple[str, ...]
    notes: str = ""

    def __post_init__(self) -> None:
        _title(self.title)
        object.__setattr__(self, "bullets", tuple(_text(b, "bullet") for b in self.bullets))
        _text(self.notes, "notes")


@dataclass(frozen=True)
class TableSlide:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: str = ""

    def __post_init__(self) -> None:
        _title(self.title)
        header = tuple(_text(h, "column heading") for h in self.header)
        if not header:
            raise InvalidInputError("A table slide needs at least one column.")
        rows = []
        for number, row in enumerate(self.rows, start=1):
            cells = tuple(_text(c, "table cell") for c in row)
            if len(cells) > len(header):
                raise InvalidInputError(
                    f"Row {number} of the table '{self.title}' has more cells than there are columns.",
                    details=f"{len(cells)} cells, {len(header)} columns",
                )
            rows.append(cells + ("",) * (len(header) - len(cells)))  # short rows: blank cells
        object.__setattr__(self, "header", header)
        object.__setattr__(self, "rows", tuple(rows))
        _text(self.notes, "notes")


@dataclass(frozen=True)
class ChartSlide:
    """A horizontal bar chart (one series), e.g. insight counts per theme. Categories read top to
    bottom in the order given; many categories continue on more slides drawn to the same scale."""

    title: str
    categories: tuple[str, ...]
    values: tuple[float, ...]
    series_name: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        _title(self.title)
        categories = tuple(_text(c, "chart category") for c in self.categories)
        values = tuple(_number(v, self.title) for v in self.values)
        if len(categories) != len(values):
            raise InvalidInputError(
                f"The chart '{self.title}' needs one value per category.",
                details=f"{len(categories)} categories, {len(values)} values",
            )
        object.__setattr__(self, "categories", categories)
        object.__setattr__(self, "values", values)
        _text(self.series_name, "series name")
        _text(self.notes, "notes")


def _number(value: object, title: str) -> float:
    # bool is an int to Python, but True as a bar length is a caller's mistake, not a count.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InvalidInputError(f"The chart '{title}' can only show numbers.", details=f"value={value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInputError(f"The chart '{title}' cannot show {value}.", details=f"value={value!r}")
    return number


GeneratedSlide = TitleSlide | SectionSlide | AgendaSlide | TextSlide | TableSlide | ChartSlide

_Spec = TypeVar("_Spec")


def cleaned(value: _Spec) -> _Spec:
    """A spec with every text cleaned and bounded: python-pptx refuses control characters ("All strings must
    be XML compatible"), and one in a note or a name must not stop the whole deck."""
    if isinstance(value, str):
        # Cut to what input allows: measuring and paging a 100k-character value would take minutes.
        return shorten(clean_text(value), LIMITS["text"])  # type: ignore[return-value]  # str in, str out
    if isinstance(value, tuple):
        return tuple(cleaned(v) for v in value)  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: cleaned(getattr(value, f.name)) for f in fields(value) if f.init})
    return value
