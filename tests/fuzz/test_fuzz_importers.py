"""Mutated corpus files, under fuzzed names and claimed kinds, fed to the deck and people importers,
and fuzzed people, notes and titles pushed through every exporter (hypothesis): no crash, no hang, no
partial rows or files, no unsafe export, and every failure a clear message.
MSLDESK_FUZZ_EXAMPLES=5000 for the long run."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import LONG_RUN, fuzz_examples
from .harness import (
    DECK_KINDS,
    PEOPLE_KINDS,
    ExportFuzzing,
    HypothesisChooser,
    Seed,
    deck_seeds,
    fuzz_file_name,
    mutate_seed,
    people_seeds,
    sweep,
)

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
    name, note = fuzz_file_name(chooser, seed.suffix, DECK_KINDS)
    findings = fuzz_runner.deck(mutated, seed.suffix, f"{label}; {note}", name=name)
    assert not findings, "\n".join(f"{f.kind}: {f.label}: {f.detail}" for f in findings)


@settings(max_examples=fuzz_examples(300), **_SETTINGS)
@given(data=st.data())
def test_mutated_people_files_import_cleanly(fuzz_runner, people_files, data) -> None:  # type: ignore[no-untyped-def]
    chooser = HypothesisChooser(data)
    seed = chooser.choice(people_files)
    mutated, label = mutate_seed(seed, chooser)
    to_event = chooser.integer(0, 1) == 1
    name, note = fuzz_file_name(chooser, seed.suffix, PEOPLE_KINDS)
    findings = fuzz_runner.person_file(mutated, seed.suffix, f"{label}; {note}", to_event=to_event, name=name)
    assert not findings, "\n".join(f"{f.kind}: {f.label}: {f.detail}" for f in findings)


def test_every_corpus_file_mutated(fuzz_runner, decks, people_files) -> None:  # type: ignore[no-untyped-def]
    """Hypothesis explores around the examples it has tried; this makes sure every corpus file is
    mutated at least once (a fixed seed, so the run is the same every time)."""
    sweep(decks, lambda d, s, label, name: fuzz_runner.deck(d, s, label, name=name), 1, 1, DECK_KINDS)
    sweep(
        people_files, lambda d, s, label, name: fuzz_runner.person_file(d, s, label, name=name), 3, 2,
        PEOPLE_KINDS,
    )  # fmt: skip
    findings = fuzz_runner.decks.findings + fuzz_runner.people.findings
    assert not findings, "\n".join(f"{f.kind}: {f.label}: {f.detail}" for f in findings)
    assert fuzz_runner.decks.tried == len(decks)
    assert fuzz_runner.people.tried == 3 * len(people_files)


@settings(max_examples=fuzz_examples(4), **_SETTINGS)
@given(data=st.data())
def test_fuzzed_text_through_every_exporter(fuzz_runner, data) -> None:  # type: ignore[no-untyped-def]
    """A board of fuzzed people, notes and titles (some rows forged past the input checks) through the
    summary and sign-in PDFs, the briefing and readout decks, the XLSX/CSV lists and the calendar."""
    findings = ExportFuzzing(fuzz_runner).round(HypothesisChooser(data))
    assert not findings, "\n".join(f"{f.kind}: {f.label}: {f.detail}" for f in findings)


def test_the_checks_can_fail(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The harness notices a crash, a hang, a partial write and an unclear message, so a clean run
    means something."""
    import time

    from msldesk.boards.records import PersonFields
    from msldesk.core.errors import FileRefusedError

    from .harness import FuzzRunner, message_problem

    assert message_problem("")
    assert message_problem("KeyError('x')")
    assert message_problem('Traceback (most recent call last):\n  File "a.py", line 1')
    assert message_problem("<msldesk.decks.ooxml.package._Package object at 0x7f3a2c>")
    assert not message_problem("The file is damaged: slide 3 is missing.")

    runner = FuzzRunner(app, tmp_path / "inputs", limit=0.5)

    class Exploding:
        def import_paths(self, paths):  # type: ignore[no-untyped-def]
            raise ZeroDivisionError("boom")

    class Faulty:
        def __init__(self, behaviour: str) -> None:
            self.behaviour = behaviour

        def import_file(self, path, event_id=None):  # type: ignore[no-untyped-def]
            if self.behaviour == "hang":
                time.sleep(5)
            if self.behaviour == "partial":
                app.people.add(PersonFields("Half", "Written"))
                raise FileRefusedError("This file could not be imported.")
            raise FileRefusedError("ValueError('bad row')")

    real_decks, real_people = app.decks, app.people_import
    try:
        app.decks = Exploding()
        (crash,) = runner.deck(b"PK\x03\x04", ".pptx", "exploding importer")
        kinds = []
        for behaviour in ("hang", "partial", "unclear"):
            app.people_import = Faulty(behaviour)
            kinds += [f.kind for f in runner.person_file(b"a,b\n", ".csv", behaviour)]
    finally:
        app.decks, app.people_import = real_decks, real_people
    assert crash.kind == "crash"
    assert "ZeroDivisionError" in crash.detail
    assert kinds == ["hang", "partial", "unclear"]

    from .harness import exported_file_problem

    (tmp_path / "live.csv").write_text("Name\r\n=1+1\r\n", encoding="utf-8")
    (tmp_path / "junk.ics").write_text("BEGIN:VCALENDAR\r\nX:\x01\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    (tmp_path / "cut.pdf").write_bytes(b"%PDF-1.4\n1 0 obj")
    assert exported_file_problem(tmp_path / "live.csv")[0] == "unsafe"
    assert exported_file_problem(tmp_path / "junk.ics")[0] == "unsafe"
    assert exported_file_problem(tmp_path / "cut.pdf")[0] == "partial"
    assert runner.people.slowest[1] == "hang"
    assert 0.4 < runner.people.slowest[0] < 2
