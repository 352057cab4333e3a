"""The queue a render shares between its LibreOffice offices and the caller's thread: the order
decks are taken in (wanted first, decks imported meanwhile ahead of the rest), and when it ends."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from msldesk.decks import render_queue
from msldesk.decks.render_queue import RenderQueue


@dataclass(frozen=True)
class Deck:
    sha256: str
    slide_count: int = 1


def queue(names: str, **options: object) -> RenderQueue[Deck, list[Deck]]:
    """Batches of one deck; an office hands back the batch itself."""
    return RenderQueue([Deck(n) for n in names], 1, lambda count: count, 1, lambda batch: batch, **options)  # type: ignore[arg-type]


def convert_next(work: RenderQueue[Deck, list[Deck]]) -> str:
    """One office step: take a batch and hand it back converted; the deck's name."""
    batch = work.take()
    assert batch is not None
    work.put(batch)
    return batch[0].sha256


def test_decks_are_taken_in_order_and_the_queue_ends_when_all_are_handed_back() -> None:
    work = queue("abc")
    taken = [convert_next(work) for _ in range(3)]
    handed = [work.next_converted() for _ in range(3)]
    assert taken == ["a", "b", "c"]
    assert [h[0].sha256 if h else None for h in handed] == ["a", "b", "c"]
    assert work.next_converted() is None  # nothing queued, nothing converting: over
    assert work.take() is None  # and the offices are told to end


def test_a_wanted_deck_is_taken_and_handed_back_first() -> None:
    wanted: set[str] = {"c"}
    work = queue("abcd", first=lambda: set(wanted))
    assert convert_next(work) == "c"
    wanted.clear()
    assert convert_next(work) == "a"
    wanted.add("a")
    handed = work.next_converted()
    assert handed is not None
    assert handed[0].sha256 == "a"  # rasterised first, though converted second


def test_decks_imported_meanwhile_go_ahead_of_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_queue, "MORE_SECONDS", 0.0)
    imported: list[list[Deck]] = [[Deck("x"), Deck("y")]]
    work = queue("abc", more=lambda: imported.pop() if imported else [])
    assert convert_next(work) == "a"
    assert work.total_slides == 3
    handed = work.next_converted()  # the caller's thread asks for new decks while it waits
    assert handed is not None
    assert handed[0].sha256 == "a"
    assert work.total_slides == 5
    assert [convert_next(work) for _ in range(4)] == ["x", "y", "b", "c"]


def test_decks_imported_after_the_last_one_still_join() -> None:
    """When all is done the caller asks once more at once (not after MORE_SECONDS) before ending."""
    imported = [[Deck("late")]]
    work = queue("a", more=lambda: imported.pop() if imported else [])

    def office() -> None:
        while (batch := work.take()) is not None:
            work.put(batch)
        work.office_ended()

    thread = threading.Thread(target=office)
    thread.start()
    handed = []
    while (item := work.next_converted()) is not None:
        handed.append(item[0].sha256)
    thread.join(5)
    assert handed == ["a", "late"]
    assert not thread.is_alive()


def test_a_halted_render_ends_with_decks_left_and_hands_back_what_was_converted() -> None:
    stop = threading.Event()
    work = queue("abc", halted=stop.is_set)
    convert_next(work)
    stop.set()
    assert work.take() is None  # offices take nothing more
    handed = work.next_converted()
    assert handed is not None
    assert handed[0].sha256 == "a"  # converted before the stop: kept
    assert work.next_converted() is None


def test_offices_that_all_ended_end_the_render() -> None:
    """An office that dies of an unexpected error must not leave the caller waiting forever."""
    work = queue("abc")
    work.office_ended()
    assert work.next_converted() is None
