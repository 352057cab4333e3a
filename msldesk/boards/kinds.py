"""The boards' fixed choices (event kinds, roles, invitations, entry kinds, audiences): enums the command
line's parser needs without loading the records."""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A choice whose label is its value in words ("advisory-board" → "Advisory board")."""

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class EventKind(Labelled):
    ADVISORY_BOARD = "advisory-board"
    WORKSHOP = "workshop"
    ROUNDTABLE = "roundtable"
    SPEAKER_PROGRAM = "speaker-program"


class EventStatus(Labelled):
    PLANNING = "planning"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AgendaKind(Labelled):
    PRESENTATION = "presentation"
    DISCUSSION = "discussion"
    BREAKOUT = "breakout"
    BREAK = "break"


class AttendeeRole(Labelled):
    CHAIR = "chair"
    ADVISOR = "advisor"
    FACULTY = "faculty"
    MODERATOR = "moderator"
    INTERNAL = "internal"
    OBSERVER = "observer"


class Invitation(Labelled):
    NOT_SENT = "not-sent"
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"
    WAITLISTED = "waitlisted"


class EntryKind(Labelled):
    NOTE = "note"
    INSIGHT = "insight"
    QUOTE = "quote"
    QUESTION = "question"
    ACTION = "action"


class Audience(Labelled):
    """Who a meeting report is for; decides what it may show."""

    MEDICAL = "medical"  # everything
    COMMERCIAL = "commercial"  # no attendee names (roles instead), no flagged entries
    COMPLIANCE = "compliance"  # everything, plus attendance, contracts and payments
