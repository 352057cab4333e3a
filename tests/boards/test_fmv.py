"""FMV rate card: rate look-up, honoraria, cap warnings, validation, the card's file, yearly totals."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from msldesk.boards.events.fmv import (
    DEFAULT_RATES,
    TIER_LABELS,
    Rate,
    RateCard,
    load_rate_card,
    save_rate_card,
    yearly_totals,
)
from msldesk.core.errors import InvalidInputError

D = Decimal


def card(**kw: object) -> RateCard:
    rates = (
        Rate("1", "", D("400")),
        Rate("1", "Oncology", D("500")),
        Rate("1", "Radiation Oncology", D("520")),
        Rate("2", "", D("300")),
        Rate("3", "Cardiology", D("260")),  # tier 3 has no general rate
    )
    return RateCard(**{"rates": rates, **kw})  # type: ignore[arg-type]


# ---- defaults -------


def test_default_card_covers_every_tier_and_pays_specialists_more() -> None:
    default = RateCard()
    assert default.currency == "USD"
    assert default.rates == DEFAULT_RATES
    general = [default.hourly_rate(tier, "") for tier in ("1", "2", "3", "4")]
    assert all(rate is not None and rate > 0 for rate in general)
    assert general == sorted(general, reverse=True)  # a national KOL is paid more than a local one
    for tier in ("1", "2", "3", "4"):
        assert default.hourly_rate(tier, "Oncology") > default.hourly_rate(tier, "")
    assert set(TIER_LABELS) == {"1", "2", "3", "4"}
    assert default.cap_per_engagement == D("5000")
    assert default.cap_per_person_year == D("25000")


# ---- rates and honoraria -------


@pytest.mark.parametrize(
    ("tier", "specialty", "expected"),
    [
        ("1", "Oncology", D("500")),  # specific beats the tier's general rate
        ("1", "ONCOLOGY", D("500")),  # case-insensitive
        ("1", "  oncology ", D("500")),
        ("1", "Medical Oncology", D("500")),  # the card's words all appear in the person's specialty
        ("1", "Hematology/Oncology", D("500")),
        ("1", "Radiation Oncology", D("520")),  # exact beats contained
        ("1", "Pediatric Radiation Oncology", D("520")),  # more words beat fewer
        ("1", "Oncologist", D("400")),  # whole words only
        ("1", "Dermatology", D("400")),  # no specific rate: the tier's general rate
        ("1", "", D("400")),
        ("Tier 1", "oncology", D("500")),
        ("tier2", "", D("300")),
        ("3", "cardiology", D("260")),
        ("3", "Neurology", None),  # tier 3 has only a cardiology rate
        ("5", "", None),  # an unknown tier
        ("", "Oncology", None),
    ],
)
def test_hourly_rate(tier: str, specialty: str, expected: Decimal | None) -> None:
    assert card().hourly_rate(tier, specialty) == expected


def test_honorarium_is_rate_times_hours_rounded_half_up_to_cents() -> None:
    rates = (Rate("1", "", D("100.25")), Rate("2", "", D("333.33")))
    c = RateCard(rates=rates)
    assert c.honorarium("1", "", D("0.5")) == D("50.13")  # 50.125: half up, not half even (50.12)
    assert c.honorarium("2", "", D("1.5")) == D("500.00")  # 499.995
    assert c.honorarium("2", "", D("3")) == D("999.99")
    assert c.honorarium("1", "", D("0")) == D("0.00")
    assert c.honorarium("1", "any", 2) == D("200.50")  # type: ignore[arg-type]
    assert c.honorarium("1", "any", "2.5") == D("250.63")  # type: ignore[arg-type]
    assert str(c.honorarium("1", "", D("4"))) == "401.00"


@pytest.mark.parametrize("hours", [D("-1"), "abc", None, True, D("NaN"), D("Infinity"), [1]])
def test_honorarium_refuses_bad_hours(hours: object) -> None:
    with pytest.raises(InvalidInputError):
        card().honorarium("1", "", hours)  # type: ignore[arg-type]


def test_honorarium_without_a_rate_says_so() -> None:
    with pytest.raises(InvalidInputError, match="no hourly rate for tier 9"):
        card().honorarium("9", "", D("2"))
    with pytest.raises(InvalidInputError, match=r"tier \(none\)"):
        card().honorarium("", "", D("2"))


# ---- warnings -------


def test_no_warning_within_the_caps_including_exactly_at_them() -> None:
    c = RateCard()
    assert c.warnings(D("1000"), D("0"), 2027) == ()
    assert c.warnings(D("5000"), D("20000"), 2027) == ()  # exactly at both caps


def test_warning_above_the_cap_per_engagement() -> None:
    assert RateCard().warnings(D("6000"), D("0"), 2027) == (
        "Honorarium USD 6,000.00 is above the cap of USD 5,000.00 per engagement",
    )


def test_warning_above_the_yearly_cap_names_the_year_and_the_new_total() -> None:
    assert RateCard().warnings(D("4000"), D("22000"), 2027) == (
        "Honorarium USD 4,000.00 brings the 2027 total for this person to USD 26,000.00, "
        "above the yearly cap of USD 25,000.00",
    )
    (without_year,) = RateCard().warnings(D("0.01"), D("25000"))
    assert "brings the yearly total for this person to USD 25,000.01" in without_year


def test_both_warnings_at_once_in_the_cards_currency() -> None:
    c = RateCard(currency="eur", cap_per_engagement=D("1000"), cap_per_person_year=D("1500.5"))
    assert c.currency == "EUR"
    assert c.warnings(D("1234.565"), D("300")) == (
        "Honorarium EUR 1,234.57 is above the cap of EUR 1,000.00 per engagement",
        "Honorarium EUR 1,234.57 brings the yearly total for this person to EUR 1,534.57, "
        "above the yearly cap of EUR 1,500.50",
    )


def test_nothing_paid_now_brings_nothing_over_the_cap() -> None:
    assert RateCard().warnings(D("0"), D("30000"), 2027) == ()


def test_warnings_refuse_negative_amounts() -> None:
    with pytest.raises(InvalidInputError):
        RateCard().warnings(D("-1"), D("0"))
    with pytest.raises(InvalidInputError):
        RateCard().warnings(D("1"), D("-1"))


# ---- validation -------


@pytest.mark.parametrize("currency", ["US", "EURO", "12$", "", "US D", "ÜSD"])
def test_currency_must_be_three_letters(currency: str) -> None:
    with pytest.raises(InvalidInputError, match="three-letter"):
        RateCard(currency=currency)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cap_per_engagement": D("-0.01")},
        {"cap_per_person_year": D("-5")},
        {"cap_per_engagement": "lots"},
        {"rates": (Rate("1", "", D("1")), "not a rate")},
        {"rates": (Rate("1", "Oncology", D("1")), Rate("1", "oncology ", D("2")))},  # two rates, one slot
        {"rates": (Rate("1", "", D("1")), Rate("Tier 1", "", D("2")))},
    ],
)
def test_bad_cards_are_refused(kwargs: dict) -> None:
    with pytest.raises(InvalidInputError):
        RateCard(**kwargs)


@pytest.mark.parametrize(
    ("tier", "rate"), [("1", D("-100")), ("", D("100")), ("  ", D("1")), ("1", "x"), ("1", D("NaN"))]
)
def test_bad_rates_are_refused(tier: str, rate: Decimal) -> None:
    with pytest.raises(InvalidInputError):
        Rate(tier, "", rate)


def test_zero_is_a_valid_rate_and_cap() -> None:
    c = RateCard(rates=(Rate("4", "", D("0")),), cap_per_engagement=D("0"))
    assert c.honorarium("4", "", D("3")) == D("0.00")
    assert c.warnings(D("0"), D("0")) == ()
    assert len(c.warnings(D("0.01"), D("0"))) == 1


# ---- the file -------


def test_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_rate_card(tmp_path / "nowhere" / "fmv.json") == RateCard()


def test_save_and_load_round_trip_exactly(tmp_path: Path) -> None:
    path = tmp_path / "settings" / "fmv.json"
    original = RateCard(
        currency="CHF",
        rates=(Rate("A", "", D("410.10")), Rate("A", "Neurologie", D("512.345"))),
        cap_per_engagement=D("4000.00"),
        cap_per_person_year=D("20000"),
    )
    save_rate_card(original, path)
    loaded = load_rate_card(path)
    assert loaded == original
    assert str(loaded.rates[0].hourly_rate) == "410.10"  # no float rounding on the way
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["cap_per_engagement"] == "4000.00"
    assert data["rates"][1]["hourly_rate"] == "512.345"
    assert [p.name for p in path.parent.iterdir()] == ["fmv.json"]  # no temporary file left behind
    save_rate_card(RateCard(), path)  # replaces the previous card
    assert load_rate_card(path) == RateCard()


def test_a_hand_edited_file_with_numbers_and_a_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "fmv.json"
    text = (
        '{"currency": "usd", "cap_per_engagement": 5000, "cap_per_person_year": 25000.50,'
        ' "rates": [{"tier": 1, "hourly_rate": 450.10}, {"tier": "2", "specialty": "Oncology",'
        ' "hourly_rate": "400"}]}'
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    loaded = load_rate_card(path)
    assert loaded.currency == "USD"
    assert loaded.cap_per_person_year == D("25000.50")
    assert loaded.hourly_rate("1", "") == D("450.10")
    assert loaded.hourly_rate("2", "oncology") == D("400")


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b'{"currency": "USD", "rates": [', "not a valid rate card"),  # cut off while saving
        (b"", "not a valid rate card"),
        (b"\xff\xfe\x00garbage\x80", "not a valid rate card"),
        (b"[1, 2, 3]", "does not hold a rate card"),
        (b'{"currency": "USD", "rates": []}', "has no cap_per_engagement, cap_per_person_year"),
        (
            b'{"currency": "USD", "cap_per_engagement": "5000", "cap_per_person_year": "1", "rates": {}}',
            "rates are not a list",
        ),
        (
            b'{"currency": "USD", "cap_per_engagement": "-5", "cap_per_person_year": "1", "rates": []}',
            "cannot be negative",
        ),
        (
            b'{"currency": "DOLLARS", "cap_per_engagement": "5", "cap_per_person_year": "1", "rates": []}',
            "three-letter",
        ),
        (
            b'{"currency": "USD", "cap_per_engagement": "5", "cap_per_person_year": "1",'
            b' "rates": [{"tier": "1", "hourly_rate": "-450"}]}',
            "cannot be negative",
        ),
        (
            b'{"currency": "USD", "cap_per_engagement": "5", "cap_per_person_year": "1",'
            b' "rates": [{"tier": "1", "hourly_rate": "a lot"}]}',
            "the hourly rate in entry 1 of the rates must be a number",
        ),
        (
            b'{"currency": "USD", "cap_per_engagement": "5", "cap_per_person_year": "1",'
            b' "rates": [{"tier": "1"}]}',
            "entry 1 of the rates needs a tier and an hourly_rate",
        ),
        (
            b'{"currency": "USD", "cap_per_engagement": true, "cap_per_person_year": "1", "rates": []}',
            "must be a number",
        ),
        (
            b'{"currency": "USD", "cap_per_engagement": "5", "cap_per_person_year": "1",'
            b' "rates": [{"tier": ["1"], "hourly_rate": "4"}]}',
            "the tier in entry 1 of the rates is not text",
        ),
        (
            b'{"version": 2, "currency": "USD", "cap_per_engagement": "5", "cap_per_person_year": "1",'
            b' "rates": []}',
            "newer version",
        ),
    ],
)
def test_a_damaged_file_is_an_error_not_a_silent_reset(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "fmv.json"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError) as caught:
        load_rate_card(path)
    message = caught.value.user_message
    assert message.startswith("The FMV rate card fmv.json cannot be used: ")
    assert why in message
    assert "were not changed" in message
    assert str(path) in caught.value.details
    assert path.read_bytes() == content  # loading never rewrites the file


def test_a_folder_where_the_file_should_be_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "fmv.json").mkdir()
    with pytest.raises(InvalidInputError, match="could not be read"):
        load_rate_card(tmp_path / "fmv.json")


# ---- yearly totals -------


def test_yearly_totals_per_person_and_calendar_year() -> None:
    payments = [
        (1, dt.date(2026, 12, 31), D("1000.10")),
        (1, dt.date(2027, 1, 1), D("500")),
        (1, dt.date(2027, 6, 30), D("250.25")),
        (2, dt.datetime(2027, 3, 1, 9, 30), D("99.99")),
        (1, dt.date(2027, 7, 1), D("-50")),  # a refund
    ]
    assert yearly_totals(payments) == {
        (1, 2026): D("1000.10"),
        (1, 2027): D("700.25"),
        (2, 2027): D("99.99"),
    }
    assert yearly_totals([]) == {}


def test_yearly_totals_feed_the_warnings() -> None:
    totals = yearly_totals([(7, dt.date(2027, 2, 1), D("24000"))])
    assert RateCard().warnings(D("2000"), totals.get((7, 2027), D("0")), 2027)
    assert RateCard().warnings(D("2000"), totals.get((7, 2028), D("0")), 2028) == ()


def test_a_damaged_rate_card_in_an_oddly_named_library_folder_is_named_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "lib\u202eabc\nx"
    folder.mkdir()
    (folder / "fmv.json").write_bytes(b"[" * 100_000)
    with pytest.raises(InvalidInputError) as caught:
        load_rate_card(folder / "fmv.json")
    assert "lib\\u202eabc\\nx" in caught.value.details
    assert not set(caught.value.details) & {"\u202e", "\n"}
