"""Mutated corpus files fed to the deck and people importers (hypothesis): no crash, no hang, no
partial rows, and every failure a clear message. MSLDESK_FUZZ_EXAMPLES=5000 for the long run."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import LONG_RUN, fuzz_examples
from .harness import HypothesisChooser, Seed, deck_seeds, mutate_seed, people_seeds

# The default run keeps to the smaller decks (most of the corpus) so it stays well under a minute.
SMALL_DECK_BYTES = None if LONG_RUN else 200_000
_SETTINGS = dict(
    deadline=None,
    database=None,
    derandomize=not LONG_RUN,  # the default run is the same every time; the long run explores
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


@pytest.fixture(scope="module")
def decks(corpus_dir: Path) -> list[Seed]:
    return deck_seeds(corpus_dir, SMALL_DECK_BYTES)


@pytest.fixture(scope="module")
def people_files(corpus_dir: Path) -> list[Seed]:
    return people_seeds(corpus_dir)


@settings(max_examples=fuzz_examples(150), **_SETTINGS)
@given(data=st.data())
def test_mutated_decks_import_cleanly(fuzz_runner, decks, data) -> None:  # type: ignore[no-untyped-def]
    chooser = HypothesisChooser(data)
    seed = chooser.choice(decks)
    mutated, label = mutate_seed(seed, chooser)
    findings = fuzz_runner.deck(mutated, seed.suffix, label)
    assert not findings, "\n".join(f"{f.kind}: {f.label}: {f.detail}" for f in findings)


@settings(max_examples=fuzz_examples(300), **_SETTINGS)
@given(data=st.data())
def test_mutated_people_files_import_cleanly(fuzz_runner, people_files, data) -> None:  # type: ignore[no-untyped-def]
    chooser = HypothesisChooser(data)
    seed = chooser.choice(people_files)
    mutated, label = mutate_seed(seed, chooser)
    to_event = chooser.integer(0, 1) == 1
    findings = fuzz_runner.person_file(mutated, seed.suffix, label, to_event=to_event)
    assert not findings, "\n".join(f"{f.kind}: {f.label}: {f.detail}" for f in findings)


def test_the_checks_can_fail(fuzz_runner) -> None:  # type: ignore[no-untyped-def]
    """The harness notices a crash, a partial write and an unclear message (so a clean run means
    something)."""
    from .harness import message_problem

    assert message_problem("") and message_problem("KeyError('x')")
    assert message_problem('Traceback (most recent call last):\n  File "a.py", line 1')
    assert not message_problem("The file is damaged: slide 3 is missing.")

    class Exploding:
        def import_paths(self, paths):  # type: ignore[no-untyped-def]
            raise ZeroDivisionError("boom")

    real = fuzz_runner.app.decks
    fuzz_runner.app.decks = Exploding()
    try:
        (finding,) = fuzz_runner.deck(b"PK\x03\x04", ".pptx", "exploding importer")
    finally:
        fuzz_runner.app.decks = real
    assert finding.kind == "crash" and "ZeroDivisionError" in finding.detail
