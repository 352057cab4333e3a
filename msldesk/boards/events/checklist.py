"""An event's planning checklist: steps worked out from the attendee list (invitations, contracts,
disclosures) and steps ticked by hand (EventService's checklist methods)."""

from __future__ import annotations

from sqlalchemy import select

from msldesk.boards.events.base import EventServiceBase
from msldesk.boards.events.rows import event_fields, event_row
from msldesk.boards.orm import ChecklistRow
from msldesk.boards.records import AttendanceCounts, ChecklistItem
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError

MANUAL_CHECKLIST = (("materials", "Materials approved"), ("venue", "Venue or virtual link confirmed"))


class EventChecklist(EventServiceBase):
    """The checklist methods of EventService."""

    def checklist(self, event_id: int) -> list[ChecklistItem]:
        with self.sessions() as session:
            event = event_fields(event_row(session, event_id))
            counts = self._attendee_counts(session, [event_id]).get(event_id, AttendanceCounts())
            ticked = dict(
                session.execute(
                    select(ChecklistRow.key, ChecklistRow.done).where(ChecklistRow.event_id == event_id)
                ).all()
            )

        def step(key: str, label: str, done: int, total: int, noun: str) -> ChecklistItem:
            return ChecklistItem(key, label, total > 0 and done == total, f"{done} of {total} {noun}", True)

        items = [
            step("invitations", "Invitations sent", counts.invited, counts.external, "invited"),
            step("contracts", "Contracts signed", counts.contracted, counts.accepted, "accepted attendees"),
            step("disclosures", "Conflicts of interest disclosed", counts.disclosed, counts.accepted,
                 "accepted attendees"),
        ]  # fmt: skip
        for key, label in MANUAL_CHECKLIST:
            detail = ""
            if key == "venue":
                detail = event.venue or event.virtual_link
            items.append(ChecklistItem(key, label, bool(ticked.get(key, False)), detail, False))
        return items

    def set_checklist(self, event_id: int, key: str, done: bool) -> Changes:
        if key not in dict(MANUAL_CHECKLIST):
            raise InvalidInputError(
                f"{key!r} is worked out from the attendee list and cannot be ticked by hand."
            )
        with self.sessions.begin() as session:
            event_row(session, event_id)
            row = session.get(ChecklistRow, (event_id, key))
            if row is None:
                session.add(ChecklistRow(event_id=event_id, key=key, done=done))
            else:
                row.done = done
        return Changes(events=True)
