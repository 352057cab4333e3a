"""Reads the people in an iCalendar file (its ATTENDEE and ORGANIZER lines) into a SourceTable."""

# Why not the `icalendar` library: it parses whole calendars and rejects real exports for reasons that
# have nothing to do with who was invited (an empty TZID, DTEND before DTSTART, an unescaped multi-line
# DESCRIPTION pasted from a Zoom invite, Latin-1 bytes). Only ATTENDEE/ORGANIZER lines and the
# BEGIN/END/DTSTAMP lines around them matter here, so this reader unfolds lines itself and parses just
# those properties (quoted parameter values may hold commas, colons and semicolons). One tolerant path
# gives the same answer whether or not the rest of the calendar is valid; the corpus tests compare it
# with icalendar on the files icalendar can parse.

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from msldesk.boards.intake.table import SourceTable
from msldesk.boards.intake.tabular import decode_line
from msldesk.boards.intake.vcard import (
    header_end,
    parse_params,
    physical_lines,
    split_outside_quotes,
    text_bytes,
)
from msldesk.core.errors import FileRefusedError

HEADERS: tuple[str, ...] = ("Full Name", "Email", "Role", "Invitation")

_PROPERTY_START = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")
# RFC 5545 ROLE. REQ-/OPT-PARTICIPANT say nothing about the part a person plays at an advisory board
# (an invitee may be an advisor, faculty or a colleague), so they leave the role to the user.
_ROLES = {"CHAIR": "chair", "NON-PARTICIPANT": "observer"}
_INVITATIONS = {
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "tentative",
    "NEEDS-ACTION": "invited",
    "DELEGATED": "declined",  # passed the invitation on: this person is not coming
}
_NOT_PEOPLE = frozenset({"ROOM", "RESOURCE", "GROUP"})
# Google Calendar addresses of shared/group calendars and rooms, and its stand-in organiser.
_CALENDAR_DOMAINS = ("calendar.google.com",)
_ROLE_RANK = {"": 0, "observer": 1, "chair": 2}
_INVITATION_RANK = {"": 0, "invited": 1, "accepted": 2, "declined": 2, "tentative": 2}
_EMAIL_IN_NAME = re.compile(r"<[^<>]*@[^<>]*>|\([^()]*@[^()]*\)")


@dataclass
class _Component:
    name: str
    dtstamp: str = ""  # UTC "YYYYMMDDTHHMMSSZ": sorts as text; filled in when its line is seen


@dataclass
class _Person:
    line: int  # where the person first appears (1-based physical line)
    name: str
    email: str
    role: str
    invitation: str
    component: _Component | None  # the component the invitation state came from
    position: int  # order of that line in the file


def _decode(line: bytes) -> str:
    """UTF-8 per line, else Windows-1252: one Latin-1 name must not spoil the rest of the file."""
    return decode_line(line)[0]


def _logical_lines(content: bytes) -> list[tuple[int, str]]:
    """Unfolded content lines with the 1-based physical line each starts on."""
    logical: list[tuple[int, list[bytes]]] = []
    for number, line in enumerate(physical_lines(content), start=1):
        if line[:1] in (b" ", b"\t") and logical:
            logical[-1][1].append(line[1:])
        elif line.strip():
            logical.append((number, [line]))
    return [(number, _decode(b"".join(parts))) for number, parts in logical]


def _param_text(value: str) -> str:
    """RFC 6868 caret escapes in parameter values: ^n line break, ^' double quote, ^^ caret."""
    if "^" not in value:
        return value
    return re.sub(r"\^(['n^])", lambda m: {"'": '"', "n": " ", "^": "^"}[m.group(1)], value)


def clean_name(common_name: str, email: str) -> str:
    """The CN as a person's name: quotes and e-mail addresses stripped ("Page, Larry <l.page@x>
    (l.page@x)" -> "Page, Larry"); a name that is only the address or only a bracketed remark
    ("(omitted)") is no name. "Last, First" is left as it is for the mapper to turn round."""
    name = _EMAIL_IN_NAME.sub(" ", _param_text(common_name.replace('"', " ")))
    name = " ".join(name.split()).strip(" ,;")
    if not name or name.casefold() == email.casefold() or re.fullmatch(r"\(.*\)|\[.*\]", name):
        return ""
    return name


def address_of(value: str, params: dict[str, list[str]]) -> str:
    """The e-mail address of a calendar user: the mailto: value (any case), a bare address, or the
    RFC 7986 EMAIL parameter when the value is another kind of URI."""
    text = "".join(value.split())  # folding sometimes lands inside the address ("hcabot@ example.com")
    if text.lower().startswith("mailto:"):
        text = text[7:]
    elif "@" not in text or ":" in text.split("@", 1)[0]:
        text = (params.get("email") or [""])[0]
    text = urllib.parse.unquote(text).strip().strip("<>")
    return text if "@" in text else ""


def _is_calendar_address(email: str) -> bool:
    domain = email.rpartition("@")[2].lower()
    return any(domain == d or domain.endswith("." + d) for d in _CALENDAR_DOMAINS)


def _better(new: _Person, old: _Person) -> bool:
    """Whether `new` says more about the invitation than `old`: a reply beats "invited", which beats
    nothing; between equals the later stamp (DTSTAMP), then the later line, wins."""

    def key(person: _Person) -> tuple[int, str, int]:
        stamp = person.component.dtstamp if person.component else ""
        return (_INVITATION_RANK.get(person.invitation, 0), stamp, person.position)

    return key(new) > key(old)


def read_calendar_people(data: bytes) -> SourceTable:
    """One row per distinct person (by e-mail, else by name) across all events, at the line where the
    person first appears. Rooms, resources, group calendars and alarm recipients are not people."""

    content, container = text_bytes(data)
    lines = _logical_lines(content)
    if not any(text.strip().upper() in ("BEGIN:VCALENDAR", "BEGIN:VEVENT") for _, text in lines):
        raise FileRefusedError(
            "This file is not an iCalendar file: it has no BEGIN:VCALENDAR line.",
            f"{len(data)} bytes",
        )
    people: dict[str, _Person] = {}
    stack: list[_Component] = []
    skipped: set[str] = set()
    events = 0
    for position, (number, text) in enumerate(lines):
        match = _PROPERTY_START.match(text)
        if match is None:
            continue  # a raw line of an unescaped DESCRIPTION, or other junk
        name = match.group(1).upper()
        colon = header_end(text)
        if colon < 0:
            continue
        value = text[colon + 1 :]
        if name == "BEGIN":
            stack.append(_Component(value.strip().upper()))
            events += stack[-1].name == "VEVENT"
        elif name == "END":
            if stack:
                stack.pop()
        elif name == "DTSTAMP" and stack:
            stack[-1].dtstamp = value.strip()
        elif name in ("ATTENDEE", "ORGANIZER") and not (stack and stack[-1].name == "VALARM"):
            # (an alarm's ATTENDEE is who gets the reminder e-mail, not an invitee)
            person = _calendar_user(
                name, text, colon, stack[-1] if stack else None, number, position, skipped
            )
            if person is not None:
                _add(people, person)
    if not people:
        reason = "This calendar file lists no attendees or organiser"
        if skipped:
            reason += " (only rooms, resources or group calendars)"
        raise FileRefusedError(reason + ".", f"{events} event(s); skipped: {sorted(skipped)[:10]}")
    warnings = []
    if skipped:
        warnings.append(
            f"{len(skipped)} room(s), resource(s) or group calendar(s) invited to these events were left out."
        )
    ordered = sorted(people.values(), key=lambda p: p.line)
    rows = tuple((p.line, (p.name, p.email, p.role, p.invitation)) for p in ordered)
    return SourceTable(
        kind="ics", headers=HEADERS, rows=rows, encoding=container or "utf-8", warnings=tuple(warnings)
    )


def _calendar_user(
    name: str,
    text: str,
    colon: int,
    component: _Component | None,
    number: int,
    position: int,
    skipped: set[str],
) -> _Person | None:
    """The person an ATTENDEE or ORGANIZER line names; None for a line that names nobody, or a room,
    resource or group calendar (added to `skipped`)."""
    params = parse_params(split_outside_quotes(text[:colon], ";")[1:], lower_values=False)
    email = address_of(text[colon + 1 :], params)
    cutype = (params.get("cutype") or [""])[0].upper()
    if cutype in _NOT_PEOPLE or (email and _is_calendar_address(email)):
        skipped.add(email or cutype.lower())
        return None
    full_name = clean_name(", ".join(params.get("cn", [])), email)
    if not email and not full_name:
        return None
    if name == "ATTENDEE":
        role = _ROLES.get((params.get("role") or [""])[0].upper(), "")
        invitation = _INVITATIONS.get((params.get("partstat") or ["NEEDS-ACTION"])[0].upper(), "")
    else:  # the organiser sent the invitation; their own role is not stated
        role = invitation = ""
    return _Person(number, full_name, email, role, invitation, component, position)


def _add(people: dict[str, _Person], person: _Person) -> None:
    """Add `person`, or merge them into the same person met before (by e-mail, else by name)."""
    key = person.email.casefold() if person.email else "name:" + person.name.casefold()
    known = people.get(key)
    if known is None:
        people[key] = person
        return
    known.name = known.name or person.name
    if _ROLE_RANK.get(person.role, 0) > _ROLE_RANK.get(known.role, 0):
        known.role = person.role
    if _better(person, known):
        known.invitation, known.component, known.position = (
            person.invitation,
            person.component,
            person.position,
        )
