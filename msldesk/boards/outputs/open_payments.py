"""Write a year's payments as a CSV shaped like the CMS Open Payments General Payments file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from msldesk.boards.people.npi import normalise_npi
from msldesk.boards.records import Payment
from msldesk.core import tables
from msldesk.core.errors import InvalidInputError

# The columns we can fill, named and ordered as in CMS's published General Payments files
# (OP_DTL_GNRL_PGYR<year>_P<date>.csv). Columns we have nothing for are left out rather than blank.
COLUMNS: tuple[str, ...] = (
    "Covered_Recipient_Type",
    "Covered_Recipient_NPI",
    "Covered_Recipient_First_Name",
    "Covered_Recipient_Last_Name",
    "Recipient_City",
    "Recipient_State",
    "Recipient_Country",
    "Covered_Recipient_Primary_Type_1",
    "Covered_Recipient_Specialty_1",
    "Total_Amount_of_Payment_USDollars",
    "Date_of_Payment",
    "Number_of_Payments_Included_in_Total_Amount",
    "Form_of_Payment_or_Transfer_of_Value",
    "Nature_of_Payment_or_Transfer_of_Value",
    "Contextual_Information",
    "Program_Year",
)

PHYSICIAN = "Covered Recipient Physician"
NON_PHYSICIAN = "Covered Recipient Non-Physician Practitioner"
CASH = "Cash or cash equivalent"

# Credential -> CMS "Primary Type". Physicians as the Sunshine Act defines them; NPs, PAs and the
# other advanced practice nurses became covered recipients from program year 2021.
_PHYSICIAN_TYPES = {
    "MD": "Medical Doctor",
    "DO": "Doctor of Osteopathy",
    "DDS": "Doctor of Dentistry",
    "DMD": "Doctor of Dentistry",
    "DPM": "Doctor of Podiatric Medicine",
    "OD": "Doctor of Optometry",
    "DC": "Chiropractor",
}
_NON_PHYSICIAN_TYPES = {
    "NP": "Nurse Practitioner",
    "FNP": "Nurse Practitioner",
    "APRN": "Nurse Practitioner",
    "PA": "Physician Assistant",
    "PA-C": "Physician Assistant",
    "CRNA": "Certified Registered Nurse Anesthetist",
    "CNS": "Clinical Nurse Specialist",
    "CNM": "Certified Nurse-Midwife",
}
_US_NAMES = {"", "US", "USA", "U.S.", "U.S.A.", "UNITED STATES", "UNITED STATES OF AMERICA"}


def recipient_type(credentials: str) -> tuple[str, str]:
    """(Covered_Recipient_Type, Covered_Recipient_Primary_Type_1) from free-text credentials.

    "MD, PhD" -> physician / Medical Doctor; "PA-C" -> non-physician / Physician Assistant. A
    physician degree wins over a practitioner one; unknown or empty credentials count as a physician
    (advisory boards are mostly physicians) with no primary type: compliance reviews the draft.
    """
    tokens = [t for t in re.split(r"[\s,;/()]+", credentials.upper().replace(".", "")) if t]
    for token in tokens:
        if token in _PHYSICIAN_TYPES:
            return PHYSICIAN, _PHYSICIAN_TYPES[token]
    for token in tokens:
        if token in _NON_PHYSICIAN_TYPES:
            return NON_PHYSICIAN, _NON_PHYSICIAN_TYPES[token]
    return PHYSICIAN, ""


def _country(value: str) -> str:
    return "United States" if value.strip().upper() in _US_NAMES else value.strip()


def write_open_payments_csv(payments: Sequence[Payment], path: Path, year: int) -> int:
    """Write the payments dated in `year`, one row each (date, then last name); return the row count.

    Open Payments is reported in US dollars only: a non-USD payment in `year` is refused rather than
    converted, because the exchange rate to use is the payer's documented choice, not ours. Zero
    amounts are not a transfer of value and are left out; negative amounts are refused.
    """
    in_year = [p for p in payments if p.date.year == year]
    foreign = sorted({p.currency.upper() for p in in_year if p.currency.strip().upper() != "USD"})
    if foreign:
        raise InvalidInputError(
            f"Open Payments reports are in US dollars, but some {year} payments are in "
            f"{', '.join(foreign)}. Record those payments in USD (the amount actually paid, converted "
            "at your company's documented rate) before exporting.",
        )
    negative = [p for p in in_year if p.amount < 0]
    if negative:
        raise InvalidInputError(
            f"{len(negative)} payment(s) in {year} have a negative amount; correct them before exporting.",
        )
    rows = sorted(
        (p for p in in_year if p.amount > 0),
        key=lambda p: (p.date, p.person.fields.last_name.casefold(), p.person.fields.first_name.casefold()),
    )

    table: list[list[str]] = []
    for payment in rows:
        person = payment.person.fields
        kind, primary_type = recipient_type(person.credentials)
        amount = Decimal(payment.amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        values = [
            kind,
            normalise_npi(person.npi),
            person.first_name,
            person.last_name,
            person.city,
            person.state,
            _country(person.country),
            primary_type,
            person.specialty,
            f"{amount:f}",
            f"{payment.date:%m/%d/%Y}",
            "1",
            CASH,
            payment.nature,
            payment.event_title,
            str(year),
        ]
        table.append(values)
    # CMS publishes plain UTF-8 without a byte-order mark; keep the same shape.
    tables.write_csv(Path(path), COLUMNS, table, byte_order_mark=False)
    return len(rows)
