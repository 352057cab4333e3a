"""How the Boards section writes times, durations and amounts for people to read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from msldesk.boards.records import EventFields
from msldesk.core.clock import short_date, short_weekday, zone_abbreviation
from msldesk.core.wording import plural

DASH = "–"  # en dash between the ends of a range


def clock(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.strftime("%H:%M")


def time_range(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """ "09:00–09:30"; the end day is named when the range crosses midnight."""
    if start is None or end is None:
        return ""
    tail = clock(end) if end.date() == start.date() else f"{short_weekday(end)} {clock(end)}"
    return f"{clock(start)}{DASH}{tail}"


def event_when(fields: EventFields) -> str:
    """ "Tue 14 Oct 2025, 09:00–17:00 CEST", in the event's own zone; "Date not set" if undated."""
    start, end = fields.starts_at, fields.ends_at
    if start is None:
        return "Date not set"
    day = short_date(start, weekday=True)
    if end is None:
        return f"{day}, {clock(start)} {zone_abbreviation(start)}"
    if end.date() == start.date():
        return f"{day}, {time_range(start, end)} {zone_abbreviation(start)}"
    until = short_date(end, weekday=True, year=False)
    return f"{day}, {clock(start)} {DASH} {until}, {clock(end)} {zone_abbreviation(end)}"


def duration(minutes: int) -> str:
    """ "45 min", "2 h", "1 h 30 min" """
    hours, rest = divmod(max(int(minutes), 0), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


def money(amount: Decimal, currency: str = "") -> str:
    text = f"{Decimal(amount).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    return f"{currency} {text}" if currency else text


def money_by_currency(amounts: Iterable[tuple[Decimal, str]], default_currency: str = "") -> str:
    """Sum amounts per currency: "USD 4,500.00 + EUR 300.00"; zero in `default_currency` if none."""
    totals: dict[str, Decimal] = {}
    for amount, currency in amounts:
        if amount:
            totals[currency] = totals.get(currency, Decimal("0")) + Decimal(amount)
    if not totals:
        return money(Decimal("0"), default_currency)
    return " + ".join(money(total, currency) for currency, total in sorted(totals.items()))


def linked_text(slides: int, collections: int) -> str:
    """ "3 slides, 1 collection": what agenda items link from the library ("" for nothing)."""
    parts = [plural(slides, "slide")] if slides else []
    return ", ".join(parts + ([plural(collections, "collection")] if collections else []))
