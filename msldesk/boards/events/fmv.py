"""Fair-market-value rate card: hourly rates by tier and specialty, honoraria, caps and their file."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from msldesk.core.errors import InvalidInputError
from msldesk.core.fileio import atomic_write_bytes
from msldesk.core.user_files import display_name, parse_json, read_small_file

CENT = Decimal("0.01")
FILE_VERSION = 1

TIER_LABELS: dict[str, str] = {
    "1": "National or international KOL",
    "2": "Regional KOL",
    "3": "Local expert",
    "4": "Community practitioner",
}


def _words(text: str) -> list[str]:
    return "".join(ch if ch.isalnum() else " " for ch in text.casefold()).split()


def _tier_key(tier: object) -> str:
    """ "Tier 1", "tier1" and " 1 " are all tier "1"."""
    text = " ".join(str(tier).split())
    if text[:4].casefold() == "tier":
        text = text[4:].strip()
    return text


def _decimal(value: object, what: str) -> Decimal:
    # bool is an int, and Decimal would read a tuple as sign/digits/exponent: neither is an amount.
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise InvalidInputError(f"{what} must be a number.", repr(value))
    try:
        number = Decimal(value) if isinstance(value, Decimal | int) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInputError(f"{what} must be a number, not “{value}”.", repr(exc)) from exc
    if not number.is_finite():
        raise InvalidInputError(f"{what} must be a number, not “{value}”.")
    return number


def _money(value: object, what: str) -> Decimal:
    number = _decimal(value, what)
    if number < 0:
        raise InvalidInputError(f"{what} cannot be negative ({number}).")
    return number


@dataclass(frozen=True)
class Rate:
    tier: str
    specialty: str  # "" = any specialty for that tier
    hourly_rate: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "tier", _tier_key(self.tier))
        object.__setattr__(self, "specialty", " ".join(str(self.specialty).split()))
        if not self.tier:
            raise InvalidInputError("Every FMV rate needs a tier.", repr(self))
        rate = _money(self.hourly_rate, f"The hourly rate for tier {self.tier}")
        object.__setattr__(self, "hourly_rate", rate)


# Placeholder figures so that a new installation can plan at all. They are plausible US hourly rates,
# not advice: each company replaces them with the rate card its compliance team has approved.
DEFAULT_RATES: tuple[Rate, ...] = (
    Rate("1", "", Decimal("450")),
    Rate("2", "", Decimal("350")),
    Rate("3", "", Decimal("275")),
    Rate("4", "", Decimal("200")),
    Rate("1", "Oncology", Decimal("550")),
    Rate("2", "Oncology", Decimal("425")),
    Rate("3", "Oncology", Decimal("325")),
    Rate("4", "Oncology", Decimal("225")),
    Rate("1", "Cardiology", Decimal("525")),
    Rate("2", "Cardiology", Decimal("400")),
    Rate("3", "Cardiology", Decimal("300")),
    Rate("1", "Neurology", Decimal("500")),
    Rate("2", "Neurology", Decimal("375")),
)


@dataclass(frozen=True)
class RateCard:
    currency: str = "USD"
    rates: tuple[Rate, ...] = DEFAULT_RATES
    cap_per_engagement: Decimal = Decimal("5000")
    cap_per_person_year: Decimal = Decimal("25000")
    _lookup: dict[tuple[str, str], Rate] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        currency = str(self.currency).strip().upper()
        if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
            raise InvalidInputError(
                f"The currency must be a three-letter code such as USD or EUR, not “{self.currency}”."
            )
        object.__setattr__(self, "currency", currency)
        object.__setattr__(self, "rates", tuple(self.rates))
        caps = (("cap_per_engagement", "cap per engagement"), ("cap_per_person_year", "yearly cap"))
        for name, label in caps:
            object.__setattr__(self, name, _money(getattr(self, name), f"The {label}"))
        lookup: dict[tuple[str, str], Rate] = {}
        for rate in self.rates:
            if not isinstance(rate, Rate):
                raise InvalidInputError("The rate card holds something that is not a rate.", repr(rate))
            key = (rate.tier.casefold(), rate.specialty.casefold())
            if key in lookup:
                what = rate.specialty or "any specialty"
                raise InvalidInputError(f"The rate card has two rates for tier {rate.tier}, {what}.")
            lookup[key] = rate
        object.__setattr__(self, "_lookup", lookup)

    def hourly_rate(self, tier: str, specialty: str) -> Decimal | None:
        """The rate for this tier and specialty; a tier's "any specialty" rate if there is no
        specific one; None if the tier has no rate at all.

        A specialty matches exactly (ignoring case and spacing), else when all its words appear in
        the person's specialty ("Oncology" matches "Medical Oncology"); if several do, the one with
        the most words, then the first on the card.
        """
        tier_key = _tier_key(tier).casefold()
        wanted = " ".join(str(specialty).split()).casefold()
        exact = self._lookup.get((tier_key, wanted)) if wanted else None
        if exact is not None:
            return exact.hourly_rate
        if wanted:
            words = set(_words(wanted))
            partial = [
                r
                for r in self.rates
                if r.tier.casefold() == tier_key and r.specialty and set(_words(r.specialty)) <= words
            ]
            if partial:
                return max(partial, key=lambda r: len(_words(r.specialty))).hourly_rate
        general = self._lookup.get((tier_key, ""))
        return general.hourly_rate if general is not None else None

    def honorarium(self, tier: str, specialty: str, hours: Decimal) -> Decimal:
        """Rate times hours, to the cent (half up); InvalidInputError if the tier has no rate."""
        hours = _decimal(hours, "The number of hours")
        if hours < 0:
            raise InvalidInputError(f"The number of hours cannot be negative ({hours}).")
        rate = self.hourly_rate(tier, specialty)
        if rate is None:
            tier_text = _tier_key(tier) or "(none)"
            raise InvalidInputError(
                f"The rate card has no hourly rate for tier {tier_text}. Set the person's tier, or add "
                "a rate for that tier to the rate card."
            )
        return (rate * hours).quantize(CENT, rounding=ROUND_HALF_UP)

    def warnings(
        self, amount: Decimal, year_total_before: Decimal, year: int | None = None
    ) -> tuple[str, ...]:
        """Plain sentences for each cap this honorarium goes over (none when it stays within both)."""
        amount = _money(amount, "The honorarium")
        before = _money(year_total_before, "The amount already paid this year")
        found = []
        money = self.format_amount
        if amount > self.cap_per_engagement:
            found.append(
                f"Honorarium {money(amount)} is above the cap of {money(self.cap_per_engagement)} "
                "per engagement"
            )
        total = before + amount
        if amount > 0 and total > self.cap_per_person_year:
            which = f"the {year} total" if year is not None else "the yearly total"
            found.append(
                f"Honorarium {money(amount)} brings {which} for this person to {money(total)}, "
                f"above the yearly cap of {money(self.cap_per_person_year)}"
            )
        return tuple(found)

    def format_amount(self, amount: Decimal) -> str:
        """ "USD 6,000.00" """
        return f"{self.currency} {Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def yearly_totals(payments: Iterable[tuple[int, dt.date, Decimal]]) -> dict[tuple[int, int], Decimal]:
    """(person id, calendar year) -> the sum paid; refunds (negative amounts) reduce it."""
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for person_id, date, amount in payments:
        totals[(person_id, date.year)] += _decimal(amount, "A payment amount")
    return dict(totals)


def load_rate_card(path: Path) -> RateCard:
    """The card saved at `path`; the defaults if there is no file yet.

    A file that cannot be read is an error, never a silent return to the defaults: the caps and rates
    are a compliance setting.
    """
    path = Path(path)
    try:
        raw = read_small_file(path)
    except FileNotFoundError:
        return RateCard()
    except OSError as exc:
        raise _damaged(path, f"it could not be read ({exc.strerror or exc}).", exc) from exc
    try:
        data = parse_json(raw.decode("utf-8-sig"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _damaged(path, "it is not a valid rate card file (JSON).", exc) from exc
    if not isinstance(data, dict):
        raise _damaged(path, "it does not hold a rate card.", repr(type(data)))
    missing = [k for k in ("currency", "cap_per_engagement", "cap_per_person_year", "rates") if k not in data]
    if missing:
        raise _damaged(path, f"it has no {', '.join(missing)}.", repr(sorted(data)))
    version = data.get("version", FILE_VERSION)
    if version != FILE_VERSION:
        raise _damaged(path, f"it was written by a newer version of the app (format {version}).", "")
    if not isinstance(data["rates"], list):
        raise _damaged(path, "its rates are not a list.", repr(data["rates"]))
    try:
        rates = tuple(_rate_from_json(entry, number) for number, entry in enumerate(data["rates"], 1))
        return RateCard(
            currency=_text(data["currency"], "currency"),
            rates=rates,
            cap_per_engagement=_decimal(data["cap_per_engagement"], "The cap per engagement"),
            cap_per_person_year=_decimal(data["cap_per_person_year"], "The yearly cap"),
        )
    except InvalidInputError as exc:
        raise _damaged(path, exc.user_message, exc.details) from exc


def save_rate_card(card: RateCard, path: Path) -> None:
    """Write the card as JSON in one step (amounts as strings, so no rounding creeps in)."""
    data: dict[str, Any] = {
        "version": FILE_VERSION,
        "currency": card.currency,
        "cap_per_engagement": str(card.cap_per_engagement),
        "cap_per_person_year": str(card.cap_per_person_year),
        "rates": [
            {"tier": r.tier, "specialty": r.specialty, "hourly_rate": str(r.hourly_rate)} for r in card.rates
        ],
    }
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    atomic_write_bytes(Path(path), text.encode("utf-8"))


def _rate_from_json(entry: object, number: int) -> Rate:
    if not isinstance(entry, dict) or "tier" not in entry or "hourly_rate" not in entry:
        raise InvalidInputError(f"entry {number} of the rates needs a tier and an hourly_rate.", repr(entry))
    return Rate(
        tier=_text(entry["tier"], f"tier in entry {number} of the rates"),
        specialty=_text(entry.get("specialty", ""), f"specialty in entry {number} of the rates"),
        hourly_rate=_decimal(entry["hourly_rate"], f"The hourly rate in entry {number} of the rates"),
    )


def _text(value: object, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInputError(f"the {what} is not text.", repr(value))
    return str(value)


def _damaged(path: Path, why: str, details: object) -> InvalidInputError:
    if why[1:2].islower():  # "The cap ..." reads on after a colon as "the cap ..."; "FMV ..." stays
        why = why[:1].lower() + why[1:]
    return InvalidInputError(
        f"The FMV rate card {display_name(path.name)} cannot be used: {why} Fix or replace the file; the "
        "rates and caps were not changed.",
        f"{display_name(str(path))}: {details}",
    )
