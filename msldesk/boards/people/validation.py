"""The rules a person's details must meet, shared by typed-in edits and imported rows."""

from __future__ import annotations

import re

from msldesk.boards.people.npi import is_valid_npi, normalise_npi
from msldesk.boards.records import PersonFields
from msldesk.core.text_safety import too_long

# Deliberately simple: one @, no spaces, a dot in the domain. Real validation is sending mail.
_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\".]{2,}$")


# The kind of limit (text_safety.LIMITS) each text field of a person has.
FIELD_KINDS: dict[str, str] = {
    "first_name": "name", "last_name": "name", "credentials": "name", "specialty": "line",
    "institution": "line", "city": "line", "state": "short", "country": "short", "email": "line",
    "phone": "short", "npi": "short", "tier": "short", "notes": "text",
}  # fmt: skip


def length_problems(person: PersonFields) -> list[str]:
    """'institution is 3,000 characters long (the most is 500)' for each field over its limit."""
    problems = []
    for name, kind in FIELD_KINDS.items():
        problem = too_long(getattr(person, name), kind, name.replace("_", " "))
        if problem:
            problems.append(problem)
    return problems


def email_problem(email: str) -> str:
    """'' if the address looks deliverable (or is blank), else a plain-language reason."""
    if not email:
        return ""
    if not _EMAIL.match(email) or ".." in email:
        return f"email {email!r} is not a valid address"
    return ""


def npi_problem(npi: str) -> str:
    if not npi:
        return ""
    digits = normalise_npi(npi)
    if len(digits) != 10:
        return f"NPI {npi!r} must have 10 digits"
    if not is_valid_npi(npi):
        return f"NPI {npi} fails its check digit"
    return ""


def person_problems(person: PersonFields) -> list[str]:
    """Everything wrong with a person's details, each as a short phrase ('' list: fine)."""
    problems = []
    if person.name_missing and (not person.email or email_problem(person.email)):
        problems.append("missing name")  # an e-mail address alone identifies a contact to complete
    for problem in (email_problem(person.email), npi_problem(person.npi)):
        if problem:
            problems.append(problem)
    return problems + length_problems(person)
