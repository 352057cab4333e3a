"""What the team service returns: the remembered hub, who this user is on it, and what waits to be pushed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The hub's group roles (msldesk hub init creates them) and the word each is shown as.
HUB_GROUPS = {"msldesk_publisher": "publisher", "msldesk_msl": "msl", "msldesk_reviewer": "reviewer"}


@dataclass(frozen=True)
class HubIdentity:
    """Who the hub says this login is: its user name and msldesk roles ("publisher", "msl", "reviewer")."""

    user_name: str
    roles: tuple[str, ...]

    @property
    def role(self) -> str:
        """The roles in one word or a few ("msl", "publisher, reviewer"); "none" outside every group."""
        return ", ".join(self.roles) or "none"


@dataclass(frozen=True)
class TeamLink:
    """The hub this library is connected to. `dsn` never holds the password; `password_in` says where
    it is kept: "keyring", "library" (in the encrypted database, where there is no keyring) or "none"
    (libpq finds it itself: ~/.pgpass, $PGPASSWORD)."""

    dsn: str
    user_name: str
    password_in: str
    connected_at: dt.datetime
    last_sync: dt.datetime | None
    pull_cursor: str | None


@dataclass(frozen=True)
class PendingEvent:
    """A finalized meeting not yet pushed to the hub."""

    event_id: int
    title: str
    finalized_at: dt.datetime


@dataclass(frozen=True)
class TeamStatus:
    """`link` None: a solo library. `identity` is what the hub said just now, or None with `problem`
    (one sentence: unreachable, refused) when it could not be asked, or when it was not asked."""

    link: TeamLink | None
    identity: HubIdentity | None
    problem: str
    pending: tuple[PendingEvent, ...]
    pushed_events: int
