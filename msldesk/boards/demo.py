"""Demo board content for a new library: clearly fictional people, an upcoming advisory board with
its agenda (linked to demo slides) and attendee list, and a past workshop with its meeting notes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from msldesk.boards.events.service import EventService
from msldesk.boards.meeting.service import MeetingService
from msldesk.boards.people.service import PeopleService
from msldesk.boards.records import (
    AgendaItemFields,
    AgendaKind,
    AttendanceFields,
    AttendeeRole,
    EntryKind,
    EventFields,
    EventKind,
    EventStatus,
    Invitation,
    PersonFields,
)

DEMO_NOTE = "Demo person (fictional)"
# (first, last, credentials, specialty, institution, city, state, country, tier)
DEMO_PEOPLE = (
    (
        "Avery",
        "Demo-Lindqvist",
        "MD, PhD",
        "Medical Oncology",
        "Example University Hospital",
        "Boston",
        "MA",
        "US",
        "1",
    ),
    ("Ravi", "Demo-Natarajan", "MD", "Thoracic Oncology", "Sample Cancer Center", "Houston", "TX", "US", "2"),
    ("Marta", "Demo-Kowalczyk", "MD", "Pulmonology", "Fictional Lung Institute", "Chicago", "IL", "US", "2"),
    (
        "Jonas",
        "Demo-Weber",
        "Dr. med.",
        "Medical Oncology",
        "Beispiel-Klinikum",
        "Berlin",
        "",
        "Germany",
        "1",
    ),
    (
        "Hana",
        "Demo-Sato",
        "MD",
        "Radiation Oncology",
        "Example Medical University",
        "Tokyo",
        "",
        "Japan",
        "2",
    ),
    (
        "Lena",
        "Demo-Okafor",
        "PharmD",
        "Oncology Pharmacy",
        "Sample Health System",
        "Seattle",
        "WA",
        "US",
        "3",
    ),
    ("Sam", "Demo-Rivera", "PhD", "Medical Affairs", "msldesk Demo Pharma", "Basel", "", "Switzerland", ""),
)


def seed_demo_boards(people: PeopleService, events: EventService, demo_slide_ids: list[int]) -> int:
    """Add the demo people and events to an empty directory. Returns events added."""
    if people.count() or events.list_events():
        return 0
    ids = []
    for first, last, creds, specialty, institution, city, state, country, tier in DEMO_PEOPLE:
        email = f"{first}.{last}@example.org".lower()
        fields = PersonFields(first, last, creds, specialty, institution, city, state, country, email)
        person, _ = people.add(replace(fields, tier=tier, notes=DEMO_NOTE, consent_to_contact=True))
        ids.append(person.person_id)
    _seed_board(events, ids, demo_slide_ids)
    _seed_workshop(events, ids)
    return 2


def _seed_board(events: EventService, ids: list[int], demo_slide_ids: list[int]) -> None:
    """An upcoming advisory board: agenda with slides, attendees at every stage of the checklist."""
    berlin = ZoneInfo("Europe/Berlin")
    start = dt.datetime.combine(events.today + dt.timedelta(days=45), dt.time(9, 0), berlin)
    board, _ = events.create(
        EventFields(
            kind=EventKind.ADVISORY_BOARD,
            title="Demo: NSCLC second-line advisory board",
            objectives="Understand how thoracic oncologists choose second-line therapy after immunotherapy.",
            key_questions="Which patients are re-challenged?\nWhat evidence gaps matter most?",
            therapeutic_area="Oncology",
            product="Demo product",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=4),
            timezone="Europe/Berlin",
            venue="Demo Hotel, Conference room 2, Berlin",
            status=EventStatus.CONFIRMED,
            currency="USD",
            budget_estimated=Decimal("25000"),
            budget_committed=Decimal("18500"),
        )
    )
    agenda = [
        ("Welcome and objectives", 15, AgendaKind.PRESENTATION, ids[6], demo_slide_ids[:1]),
        ("Second-line data review", 45, AgendaKind.PRESENTATION, ids[0], demo_slide_ids[1:3]),
        ("Coffee break", 15, AgendaKind.BREAK, None, []),
        ("Discussion: treatment sequencing", 60, AgendaKind.DISCUSSION, ids[3], []),
        ("Breakout: evidence gaps", 45, AgendaKind.BREAKOUT, None, []),
        ("Summary and next steps", 20, AgendaKind.DISCUSSION, ids[6], []),
    ]
    for title, minutes, kind, presenter, slides in agenda:
        events.add_agenda_item(
            board.event_id, AgendaItemFields(title, minutes, kind, presenter, slide_ids=tuple(slides))
        )
    plan = [
        (ids[0], AttendeeRole.CHAIR, Invitation.ACCEPTED, True, True, "4"),
        (ids[1], AttendeeRole.ADVISOR, Invitation.ACCEPTED, True, False, "4"),
        (ids[2], AttendeeRole.ADVISOR, Invitation.TENTATIVE, False, False, "4"),
        (ids[3], AttendeeRole.ADVISOR, Invitation.ACCEPTED, False, True, "4"),
        (ids[4], AttendeeRole.ADVISOR, Invitation.DECLINED, False, False, "0"),
        (ids[5], AttendeeRole.OBSERVER, Invitation.INVITED, False, False, "0"),
        (ids[6], AttendeeRole.INTERNAL, Invitation.ACCEPTED, False, False, "0"),
    ]
    for person_id, role, invitation, contract, coi, hours in plan:
        events.add_attendee(
            board.event_id,
            person_id,
            AttendanceFields(
                role=role,
                invitation=invitation,
                contract_signed=contract,
                coi_disclosed=coi,
                honorarium_hours=Decimal(hours),
                travel_amount=Decimal("650") if hours != "0" else Decimal(0),
            ),
        )


def _seed_workshop(events: EventService, ids: list[int]) -> None:
    """A past online workshop."""
    past = dt.datetime.combine(
        events.today - dt.timedelta(days=60), dt.time(13, 0), ZoneInfo("America/Chicago")
    )
    workshop, _ = events.create(
        EventFields(
            kind=EventKind.WORKSHOP,
            title="Demo: Biomarker testing workshop",
            starts_at=past,
            ends_at=past + dt.timedelta(hours=2),
            timezone="America/Chicago",
            virtual_link="https://example.org/demo-meeting",
            status=EventStatus.COMPLETED,
        )
    )
    events.add_agenda_item(
        workshop.event_id, AgendaItemFields("Testing pathways", 60, AgendaKind.PRESENTATION)
    )
    events.add_agenda_item(workshop.event_id, AgendaItemFields("Case discussion", 60, AgendaKind.DISCUSSION))
    for person_id in ids[1:3]:
        events.add_attendee(workshop.event_id, person_id, AttendanceFields(invitation=Invitation.ACCEPTED))
    events.add_attendee(
        workshop.event_id,
        ids[6],
        AttendanceFields(role=AttendeeRole.INTERNAL, invitation=Invitation.ACCEPTED),
    )


DEMO_THEMES = ("Testing turnaround", "Access and reimbursement", "Unmet need", "Education")
# (minutes after the start, agenda position, typed text): entered as an MSL would type them.
DEMO_NOTES = (
    (4, 0, "Attendees want a single-page testing algorithm #Education"),
    (
        9,
        0,
        "! Turnaround over 10 days pushes oncologists to start chemo first @Demo-Natarajan "
        "#Testing turnaround",
    ),
    (17, 0, '"We lose patients to first-line chemo while we wait for results" @Demo-Kowalczyk'),
    (
        26,
        0,
        "! Reflex testing at diagnosis is not funded in two of the three regions #Access and reimbursement",
    ),
    (38, 0, "? Is liquid biopsy acceptable when tissue is insufficient? #Testing turnaround"),
    (63, 1, "! Community sites lack a molecular tumour board #Unmet need"),
    (71, 1, "! Demand for case-based education on rare fusions #Education"),
    (84, 1, "Some called the new assay a cure for delays #Testing turnaround"),
    (97, 1, "> send the reflex-testing cost model @Demo-Rivera due:+14d"),
    (109, 1, "> share the regional testing guideline summary with attendees due:+7d"),
)
DEMO_SUMMARY = (
    "Participants agreed that testing turnaround, not access to therapy, is the main barrier to "
    "biomarker-driven first-line treatment. Reflex testing funding and community education are the "
    "two areas where medical affairs can help."
)


def seed_demo_notes(meetings: MeetingService, events: EventService) -> None:
    """Themes for the demo events, and the past workshop's notes as they were typed, reviewed."""
    for event in events.list_events():
        meetings.set_themes(event.event_id, DEMO_THEMES)
    workshop = next((e for e in events.list_events("past") if e.fields.kind is EventKind.WORKSHOP), None)
    if workshop is None or workshop.fields.starts_at is None or meetings.entries(workshop.event_id):
        return
    start = workshop.fields.starts_at.astimezone(dt.UTC)
    agenda = events.agenda(workshop.event_id)
    meetings.start_item(workshop.event_id, agenda[0].item_id, when=start)
    for minutes, position, text in DEMO_NOTES:
        when = start + dt.timedelta(minutes=minutes)
        current = meetings.current_item(workshop.event_id)
        if current is None or current.position != position:
            meetings.start_item(workshop.event_id, agenda[position].item_id, when=when)
        entry, _ = meetings.add_entry(workshop.event_id, text, when=when)
        if entry.kind is EntryKind.INSIGHT and "Turnaround" in entry.text:
            meetings.set_key(entry.entry_id)
        if entry.needs_review:  # reviewed: promotional wording, kept out of commercial outputs
            meetings.review_flag(entry.entry_id, acceptable=False)
    meetings.start_item(workshop.event_id, None, when=start + dt.timedelta(minutes=124))
    meetings.set_executive_summary(workshop.event_id, DEMO_SUMMARY)
