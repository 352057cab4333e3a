"""EventBundle: everything the event editor shows, read together in one db-lane job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from msldesk.boards.records import AgendaItem, Attendance, ChecklistItem, Event

if TYPE_CHECKING:  # the service module loads SQLAlchemy; the GUI starts without it
    from msldesk.boards.events.service import EventService


@dataclass(frozen=True)
class EventBundle:
    event: Event
    agenda: tuple[AgendaItem, ...]
    attendees: tuple[Attendance, ...]
    checklist: tuple[ChecklistItem, ...]

    @property
    def event_id(self) -> int:
        return self.event.event_id


def load_bundle(events: EventService, event_id: int) -> EventBundle:
    """Runs in a worker: the event, its agenda with clock times, attendees with FMV warnings, checklist."""
    return EventBundle(
        events.get(event_id),
        tuple(events.agenda(event_id)),
        tuple(events.attendees(event_id)),
        tuple(events.checklist(event_id)),
    )
