"""What the team side did and where it stands, in the plain words the command line prints and the
desktop shows (one wording for both)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from msldesk.core.wording import plural

if TYPE_CHECKING:
    from msldesk.team.pull import SyncReport, WithdrawnUse
    from msldesk.team.push import PendingRecords, PushReport
    from msldesk.team.records import TeamStatus

ARRIVED = ("imported", "updated", "withdrawn", "reinstated")  # what a pull changed in the library


def pulled_words(report: SyncReport) -> str:
    """ "Synced with the team hub: 2 decks imported, 1 deck withdrawn." """
    counts = [
        plural(report.count(what), f"deck {what}", f"decks {what}") for what in ARRIVED if report.count(what)
    ]
    return f"Synced with the team hub: {', '.join(counts) or 'already up to date'}."


def pushed_words(report: PushReport) -> str:
    """What a push sent, in one sentence."""
    meetings = plural(len(report.meetings), "meeting")
    return (
        f"Pushed {meetings}, {_later(report.payments, report.amendments, report.additions)} to the team hub."
    )


def _later(payments: int, amendments: int, additions: int) -> str:
    """ "2 transfers of value, 4 amendments and 1 agenda item or attendee added to pushed meetings"
    (the additions only when there are some)."""
    said = [f"{plural(payments, 'transfer')} of value", plural(amendments, "amendment")]
    if additions:
        added = plural(additions, "agenda item or attendee", "agenda items or attendees")
        said.append(f"{added} added to pushed meetings")
    return f"{', '.join(said[:-1])} and {said[-1]}"


def use_words(use: WithdrawnUse) -> str:
    """A saved collection or a built deck that used a deck the sync withdrew."""
    what = f"Saved collection “{use.name}”" if use.kind == "collection" else f"Deck built “{use.name}”"
    where = f" ({use.path})" if use.path else ""
    return f"{what}{where} uses slides of withdrawn {', '.join(use.decks)}."


INCOMPLETE = "Some decks could not be brought in; the next sync tries them again."


def status_lines(status: TeamStatus, later: PendingRecords) -> list[str]:
    """`msldesk team status` and the Team menu's status: the hub, who you are, the last sync, what waits."""
    link, identity = status.link, status.identity
    lines = []
    if link is None:
        lines.append("This library is not connected to a team hub (msldesk team connect DSN).")
    else:
        lines.append(f"Team hub: {link.dsn}")
        if identity is not None:
            lines.append(f"You: {identity.user_name}, role: {identity.role}")
        else:
            lines.append(f"You: {link.user_name}; hub unreachable: {status.problem}")
        lines.append(
            f"Last sync: {f'{link.last_sync.astimezone():%Y-%m-%d %H:%M}' if link.last_sync else 'never'}"
        )
    waiting = plural(len(status.pending), "finalized meeting")
    lines.append(f"Waiting to be pushed: {waiting}" + (":" if status.pending else ""))
    for p in status.pending:
        lines.append(f"  {p.event_id:5}  {p.finalized_at.astimezone():%Y-%m-%d %H:%M}  {p.title}")
    if later.payments or later.amendments or later.additions:
        lines.append(
            f"Also waiting: {_later(later.payments, later.amendments, later.additions)} (msldesk team push)."
        )
    return lines
