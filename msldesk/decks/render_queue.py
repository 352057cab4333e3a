"""One render's queue: the decks its LibreOffice offices take a batch at a time (a deck wanted now
first; decks imported meanwhile ahead of the rest) and the PDFs they hand back for the caller's
thread to rasterise (a wanted deck's first), all under one lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from typing import Generic, Protocol, TypeVar

POLL_SECONDS = 0.2  # how soon a cancel or a finished deck is noticed by a waiting thread
MORE_SECONDS = 1.0  # how often a render asks for decks imported meanwhile


class Keyed(Protocol):
    @property
    def sha256(self) -> str: ...


class Job(Keyed, Protocol):
    @property
    def slide_count(self) -> int: ...


J = TypeVar("J", bound=Job)
R = TypeVar("R")  # what an office hands back for a batch


def wanted_index(batches: Sequence[Sequence[Keyed]], first: Callable[[], Collection[str]] | None) -> int:
    """The index of the first batch holding a deck wanted now (by sha256), else 0."""
    wanted = first() if first is not None else ()
    if wanted:
        for index, batch in enumerate(batches):
            if any(job.sha256 in wanted for job in batch):
                return index
    return 0


class RenderQueue(Generic[J, R]):
    """Offices call take() and put() (and office_ended() when they stop); the caller's thread
    calls next_converted() until it returns None."""

    def __init__(
        self,
        jobs: Sequence[J],
        size: int,
        pages_for: Callable[[int], int],
        offices: int,
        keys_of: Callable[[R], Sequence[Keyed]],
        first: Callable[[], Collection[str]] | None = None,
        more: Callable[[], Sequence[J]] | None = None,
        halted: Callable[[], bool] = lambda: False,
    ) -> None:
        self.size = size
        self.pages_for = pages_for
        self.keys_of = keys_of
        self.first = first
        self.more = more
        self.halted = halted
        self.queue: list[list[J]] = []
        self.converted: list[R] = []  # handed back, not yet taken by the caller
        self.total_slides = 0
        self.slides_of: dict[str, int] = {}  # by sha256: the slides a deck counts for in progress
        self.busy = 0  # offices converting a batch
        self.offices = offices  # offices still taking batches
        self.over = False  # nothing more will be queued: offices end
        self.changed = threading.Condition()
        self.asked = time.monotonic()
        self._add(jobs, front=False)

    def _add(self, jobs: Sequence[J], front: bool) -> None:
        batches = [list(jobs[i : i + self.size]) for i in range(0, len(jobs), self.size)]
        if front:
            self.queue[:0] = batches
        else:
            self.queue.extend(batches)
        for job in jobs:
            self.slides_of[job.sha256] = self.pages_for(job.slide_count)
            self.total_slides += self.slides_of[job.sha256]

    def _ask_more(self, now: bool = False) -> bool:
        """Queue the decks `more` returns ahead of the rest (they are the newest), at most every
        MORE_SECONDS unless `now`. Runs under the lock, so never at the same time as `first`."""
        if self.more is None or self.halted() or (not now and time.monotonic() - self.asked < MORE_SECONDS):
            return False
        self.asked = time.monotonic()
        added = self.more()
        if added:
            self._add(added, front=True)
            self.changed.notify_all()
        return bool(added)

    def take(self) -> list[J] | None:
        """An office's next batch (one with a deck wanted now first); None when it may end."""
        with self.changed:
            while not self.queue and not self.over and not self.halted():
                self.changed.wait(POLL_SECONDS)
            if not self.queue or self.halted():
                return None
            self.busy += 1
            return self.queue.pop(wanted_index(self.queue, self.first))

    def put(self, converted: R | None) -> None:
        """An office is done with its batch (None: it failed without a result)."""
        with self.changed:
            self.busy -= 1
            if converted is not None:
                self.converted.append(converted)
            self.changed.notify_all()

    def office_ended(self) -> None:
        with self.changed:
            self.offices -= 1
            self.changed.notify_all()

    def next_converted(self) -> R | None:
        """The caller's next batch to rasterise (one with a wanted deck first); None once every
        deck is done, or the render was stopped and nothing handed back is left."""
        with self.changed:
            while True:
                self._ask_more()
                if self.converted:
                    batches = [self.keys_of(item) for item in self.converted]
                    return self.converted.pop(wanted_index(batches, self.first))
                idle = self.busy == 0 and (not self.queue or self.halted())
                if (idle and not self._ask_more(now=True)) or self.offices == 0:
                    self.over = True
                    self.changed.notify_all()
                    return None
                self.changed.wait(POLL_SECONDS)
