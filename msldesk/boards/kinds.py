"""The boards' fixed choices (event kinds, roles, invitations, entry kinds, audiences): enums the command
line's parser needs without loading the records."""

from __future__ import annotations

from enum import StrEnum


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class EventKind(_Labelled):
    ADVISORY_BOARD = "advisory-board"
    WORKSHOP = "workshop"
    ROUNDTABLE = "roundtable"
    SPEAKER_PROGRAM = "speaker-program"


class EventStatus(_Labelled):
    PLANNING = "planning"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AgendaKind(_Labelled):
    PRESENTATION = "presentation"
    DISCUSSION = "discussion"
    BREAKOUT = "breakout"
    BREAK = "break"


class AttendeeRole(_Labelled):
    CHAIR = "chair"
    ADVISOR = "advisor"
    FACULTY = "faculty"
    MODERATOR = "moderator"
    INTERNAL = "internal"
    OBSERVER = "observer"


class Invitation(_Labelled):
    NOT_SENT = "not-sent"
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"
    WAITLISTED = "waitlisted"


class EntryKind(_Labelled):
    NOTE = "note"
    INSIGHT = "insight"
    QUOTE = "quote"
    QUESTION = "question"
    ACTION = "action"


class Audience(_Labelled):
    """Who a meeting report is for; decides what it may show."""

    MEDICAL = "medical"  # everything
    COMMERCIAL = "commercial"  # no expert names (quotes attributed by role), no flagged entries
    COMPLIANCE = "compliance"  # everything, plus attendance, contracts and payments
