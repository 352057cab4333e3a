"""Briefing deck: write_briefing_deck with 30 linked library slides vs composing the same 30 slides alone.

Target: the briefing deck (generated cover, objectives, agenda, participants and questions, then 30
library slides from 10 corpus decks linked across six agenda items, bill of materials, package
check) in <= 3 s, median wall time, each run in a fresh process. The baseline, timed in the same
run, is AssemblyService.compose of the same 30 slides without the generated slides; the difference
is what the briefing adds.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
import time
from pathlib import Path

from _common import (
    REPO_ROOT,
    check_corpus,
    child_args,
    deck_files,
    emit,
    header,
    median,
    parser,
    progress,
    run_child,
    runs_text,
    temp_dir,
    verdict,
)

TARGET_SECONDS = 3.0
DECKS = 10
SLIDES_PER_DECK = 3
AGENDA_ITEMS = 6
ATTENDEES = 24
SEED = 20261122


def _warm_imports() -> None:
    """Load what both sides use before the clock starts (start-up cost is the startup bench's)."""
    import pptx  # noqa: F401
    from pptx.chart.data import CategoryChartData  # noqa: F401

    import msldesk.boards.outputs.briefing
    import msldesk.decks.ooxml.compose
    import msldesk.decks.ooxml.validate  # noqa: F401


def child_briefing(library: str, event_id: int, out: str) -> dict:
    from msldesk.app.services import App
    from msldesk.boards.outputs.briefing import write_briefing_deck

    _warm_imports()
    app = App(Path(library))
    try:
        start, cpu = time.perf_counter(), time.process_time()
        result = write_briefing_deck(app.events, app.assembly, event_id, Path(out))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        app.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "slides": result.slides,
        "library_slides": result.library_slides,
        "warnings": len(result.warnings),
        "bytes": Path(out).stat().st_size,
    }


def child_compose(library: str, slide_ids: list[int], out: str) -> dict:
    from msldesk.app.services import App

    _warm_imports()
    app = App(Path(library))
    try:
        start, cpu = time.perf_counter(), time.process_time()
        result = app.assembly.compose(slide_ids, Path(out), title="Same slides, no briefing")
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        app.close()
    return {"seconds": seconds, "cpu": cpu, "slides": result.slides, "bytes": Path(out).stat().st_size}


def build_library(folder: Path, files: list[Path]) -> tuple[int, list[int], list[str]]:
    """A temp library with 10 seeded corpus decks (>= 3 slides each) and an advisory board whose six
    agenda items link 3 slides from each deck (the last item through a saved collection).
    Returns the event id, the linked slide ids in deck order, and the deck names."""
    from zoneinfo import ZoneInfo

    from msldesk.app.services import App
    from msldesk.boards.outputs.briefing import linked_slide_ids
    from msldesk.boards.records import (
        AgendaItemFields,
        AgendaKind,
        AttendanceFields,
        AttendeeRole,
        EventFields,
        Invitation,
        PersonFields,
    )

    rng = random.Random(SEED)
    app = App(folder)
    try:
        candidates = files[:]
        rng.shuffle(candidates)
        decks: list[tuple[str, list[int]]] = []
        for path in candidates:
            if len(decks) == DECKS:
                break
            outcome = next(iter(app.decks.import_paths([path])))
            if outcome.status != "imported" or outcome.deck_id is None or outcome.slides < SLIDES_PER_DECK:
                continue
            ids = [s.slide_id for s in app.decks.list_slides(outcome.deck_id)]
            decks.append((path.name, sorted(rng.sample(ids, SLIDES_PER_DECK))))
        if len(decks) < DECKS:
            sys.exit(f"only {len(decks)} corpus decks with >= {SLIDES_PER_DECK} slides imported")
        picks = [slide for _, ids in decks for slide in ids]

        start = dt.datetime(2027, 3, 12, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
        event, _ = app.events.create(
            EventFields(
                title="Bench: heart failure advisory board",
                objectives="Understand second-line choices\nIdentify evidence gaps\nAgree next steps",
                key_questions="Which patients are re-challenged?\nWhat evidence is missing?",
                therapeutic_area="Cardiology",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=6),
                timezone="Europe/Berlin",
                venue="Conference hotel, Munich",
            )
        )
        for n in range(ATTENDEES):
            person, _ = app.people.add(
                PersonFields(
                    f"Expert{n:02d}",
                    f"Bench{n:02d}",
                    credentials="MD, PhD",
                    specialty="Cardiology",
                    institution=f"University Hospital {n}",
                    city="Munich",
                    country="Germany",
                )
            )
            role = AttendeeRole.CHAIR if n == 0 else AttendeeRole.INTERNAL if n > 20 else AttendeeRole.ADVISOR
            app.events.add_attendee(
                event.event_id, person.person_id, AttendanceFields(role=role, invitation=Invitation.ACCEPTED)
            )
        per_item = len(picks) // AGENDA_ITEMS
        app.assembly.save_collection("Bench collection", picks[per_item * (AGENDA_ITEMS - 1) :])
        (collection,) = app.assembly.collections()
        for n in range(AGENDA_ITEMS):
            last = n == AGENDA_ITEMS - 1
            app.events.add_agenda_item(
                event.event_id,
                AgendaItemFields(
                    f"Session {n + 1}",
                    50,
                    AgendaKind.DISCUSSION if n % 2 else AgendaKind.PRESENTATION,
                    questions="What do you see in practice?\nWhat would change your mind?",
                    slide_ids=() if last else tuple(picks[n * per_item : (n + 1) * per_item]),
                    collection_ids=(collection.collection_id,) if last else (),
                ),
            )
        linked = linked_slide_ids(app.events.agenda(event.event_id), app.assembly)
        assert linked == picks, "the agenda should link the picks in order"
        return event.event_id, linked, [name for name, _ in decks]
    finally:
        app.close()


def main() -> None:
    args = parser(__doc__.splitlines()[0], runs=5).parse_args()
    if args.child:
        extra = child_args(args)
        if args.child == "briefing":
            emit(child_briefing(extra["library"], extra["event_id"], extra["out"]))
        else:
            emit(child_compose(extra["library"], extra["slide_ids"], extra["out"]))
        return

    corpus = check_corpus(args.corpus)
    header("briefing deck speed", corpus, args.runs)
    scratch = temp_dir("briefing")
    briefings, composes = [], []
    try:
        progress("building the temp library (10 corpus decks, an event linking 30 slides)")
        library = scratch / "library"
        event_id, slide_ids, names = build_library(library, deck_files(corpus))
        out_briefing, out_compose = scratch / "briefing.pptx", scratch / "compose.pptx"
        for run in range(args.runs):
            progress(f"run {run + 1}/{args.runs}: write_briefing_deck")
            briefings.append(
                run_child(
                    __file__, "briefing", library=str(library), event_id=event_id, out=str(out_briefing)
                )
            )
            progress(f"run {run + 1}/{args.runs}: compose, same slides, no briefing slides")
            composes.append(
                run_child(
                    __file__, "compose", library=str(library), slide_ids=slide_ids, out=str(out_compose)
                )
            )
        sys.path.insert(0, str(REPO_ROOT))
        from msldesk.decks.ooxml.validate import validate_package

        valid = validate_package(out_briefing).ok and validate_package(out_compose).ok
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    t_briefing = median([r["seconds"] for r in briefings])
    t_compose = median([r["seconds"] for r in composes])
    print(f"decks ({len(names)}, {SLIDES_PER_DECK} slides each, seed {SEED}): {', '.join(names)}")
    print()
    first = briefings[0]
    print(
        f"write_briefing_deck: {first['slides']} slides ({first['library_slides']} library slides with "
        f"companions, the rest generated), {first['bytes']:,} bytes, warnings {first['warnings']}, "
        f"both outputs valid: {valid}"
    )
    print(f"  wall seconds per run: {runs_text([r['seconds'] for r in briefings])}")
    print(f"  CPU seconds per run:  {runs_text([r['cpu'] for r in briefings])}")
    met = verdict(t_briefing <= TARGET_SECONDS)
    print(f"  median: {t_briefing:.3f} s  (target <= {TARGET_SECONDS:.1f} s: {met})")
    print()
    print(f"baseline: AssemblyService.compose of the same 30 slides alone ({composes[0]['slides']} slides):")
    print(f"  wall seconds per run: {runs_text([r['seconds'] for r in composes])}")
    print(f"  CPU seconds per run:  {runs_text([r['cpu'] for r in composes])}")
    print(f"  median: {t_compose:.3f} s")
    print()
    added, ratio = t_briefing - t_compose, t_briefing / t_compose
    print(f"the briefing slides add {added:.3f} s (ratio briefing / compose: {ratio:.2f})")
    print("(timings exclude interpreter start-up, module imports and opening the library)")


if __name__ == "__main__":
    main()
