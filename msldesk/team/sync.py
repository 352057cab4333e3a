"""A team sync goes both ways: the published decks come down (team/pull.py), then what waits goes up
(team/push.py). `msldesk team sync` and the desktop's Team menu and timer run this one function, and
say what it did with the same words (team/words.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from msldesk.core.changes import Changes
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.team.hub_link import KeptHub, Opener, open_hub
from msldesk.team.pull import DeckPull, SyncReport
from msldesk.team.push import PushReport, push_pending
from msldesk.team.words import ARRIVED

if TYPE_CHECKING:
    from msldesk.boards.meeting.service import MeetingService
    from msldesk.decks.service import DeckService
    from msldesk.team.service import TeamService


@dataclass(frozen=True)
class TeamSync:
    pulled: SyncReport
    pushed: PushReport

    @property
    def complete(self) -> bool:
        return self.pulled.complete and not self.pushed.problem

    @property
    def changes(self) -> Changes:
        """Decks came in, changed or were withdrawn: the library's views refresh."""
        if any(self.pulled.count(what) for what in ARRIVED):
            return Changes(decks=True, slides=True, metadata=True)
        return Changes()


def sync_team(
    team: TeamService,
    decks: DeckService,
    meetings: MeetingService,
    downloads: Path,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    opener: Opener | None = None,
) -> TeamSync:
    """Pull, then push, on one connection: the desktop's kept between its syncs (`opener`), or, for the
    CLI, one logged in for this sync and closed at its end (a login costs more than an up-to-date
    sync). A cancel stops between decks or a file's chunks (the next sync resumes: nothing twice,
    nothing missed) or before the push."""
    if opener is None:
        this_sync = KeptHub(open_hub)
        try:
            return sync_team(team, decks, meetings, downloads, progress, cancel, this_sync.open)
        finally:
            this_sync.close()
    pulled = DeckPull(team, decks, downloads, opener=opener).sync(progress, cancel)
    if cancel is not None:
        cancel.raise_if_cancelled()
    progress(0, 0, "Sending finalized meetings to the team hub")
    return TeamSync(pulled, push_pending(team, meetings, opener))
