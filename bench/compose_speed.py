"""Deck assembly: compose_deck building 50 slides from 10 corpus decks vs python-pptx opening and saving them.

Targets: compose time <= 1.5x the python-pptx baseline (medians, each run in a fresh process);
output size <= 1.1x the distinct source parts the new deck uses (their compressed sizes in the
source zips, each content counted once).

--mixed-sizes: 5 slides from each of up to 5 decks of the corpus's most common slide size and up to 5
of the next (the dev corpus has only 4 of the second size with 5 slides or more: 45 slides),
the first slide from the first size, so those of the second size are scaled to fit; compose with scaling vs
without (fit_sizes=False) in the same run, alternating. Target: scaling costs <= 10 % (medians).
"""

from __future__ import annotations

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

TARGET_RATIO = 1.5
TARGET_SIZE = 1.1
TARGET_FIT_COST = 1.10
DECKS = 10
SLIDES_PER_DECK = 5
SEED = 20261122


def child_compose(picks: list[tuple[str, int]], out: str, fit_sizes: bool = True) -> dict:
    from msldesk.decks.ooxml.compose import SourceSlide, compose_deck

    slides = [SourceSlide(Path(deck), number) for deck, number in picks]
    start, cpu = time.perf_counter(), time.process_time()
    result = compose_deck(slides, Path(out), fit_sizes=fit_sizes)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "slides": result.slides,
        "parts": result.parts,
        "warnings": len(result.warnings),
        "bytes": Path(out).stat().st_size,
    }


def child_pptx(decks: list[str], folder: str) -> dict:
    import pptx

    start, cpu = time.perf_counter(), time.process_time()
    slides = 0
    for index, deck in enumerate(decks):
        presentation = pptx.Presentation(deck)
        slides += len(presentation.slides)
        presentation.save(str(Path(folder) / f"{index}.pptx"))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "slides": slides}


def _candidates(files: list[Path]) -> dict[Path, int]:
    """Decks msldesk reads and python-pptx opens, with their slide counts."""
    import pptx

    from msldesk.decks.ooxml.package import read_deck

    counts: dict[Path, int] = {}
    for path in files:
        try:
            count = len(read_deck(path).slides)
            pptx.Presentation(str(path))
        except Exception:  # noqa: BLE001 - python-pptx raises many types; such decks are not candidates
            continue
        if count:
            counts[path] = count
    return counts


def choose(files: list[Path]) -> tuple[list[Path], list[tuple[str, int]]]:
    """10 decks (seeded) that msldesk reads and python-pptx opens, with >= 5 slides where the
    corpus has enough of them; 5 different slides from each, shuffled."""
    counts = _candidates(files)
    rng = random.Random(SEED)
    large = sorted(p for p, n in counts.items() if n >= SLIDES_PER_DECK)
    decks = rng.sample(large, min(DECKS, len(large)))
    if len(decks) < DECKS:  # not enough large decks: the largest of the rest
        rest = sorted((p for p in counts if p not in decks), key=lambda p: -counts[p])
        decks += rest[: DECKS - len(decks)]
    picks = []
    for deck in decks:
        numbers = rng.sample(range(1, counts[deck] + 1), min(SLIDES_PER_DECK, counts[deck]))
        picks += [(str(deck), n) for n in numbers]
    rng.shuffle(picks)
    return decks, picks


def choose_mixed(files: list[Path]) -> tuple[list[Path], list[tuple[str, int]]]:
    """Up to 5 decks (seeded) of the most common slide size and up to 5 of the next, 5 slides from each,
    shuffled with a slide of the first size first (its deck sets the new deck's size)."""
    from collections import Counter

    from msldesk.decks.ooxml.slide_size import deck_slide_size

    counts = _candidates(files)
    sizes = {path: deck_slide_size(path) for path in counts}
    common = [size for size, _ in Counter(s for s in sizes.values() if s).most_common(2)]
    rng = random.Random(SEED)
    decks, picks = [], []
    for size in common:
        group = sorted(p for p in counts if sizes[p] == size and counts[p] >= SLIDES_PER_DECK)
        chosen = rng.sample(group, min(DECKS // 2, len(group)))
        decks += chosen
        for deck in chosen:
            numbers = rng.sample(range(1, counts[deck] + 1), SLIDES_PER_DECK)
            picks += [(str(deck), n) for n in numbers]
    rng.shuffle(picks)
    first = next(i for i, (deck, _) in enumerate(picks) if sizes[Path(deck)] == common[0])
    picks.insert(0, picks.pop(first))
    return decks, picks


def mixed_sizes(corpus: Path, runs: int) -> None:
    from msldesk.decks.ooxml.slide_size import deck_slide_size, size_label

    header("deck assembly with slides of two sizes: scaling to fit vs not", corpus, runs)
    decks, picks = choose_mixed(deck_files(corpus))
    for deck in decks:
        deck.read_bytes()
    first_size = deck_slide_size(Path(picks[0][0]))
    scaled = sum(1 for deck, _ in picks if deck_slide_size(Path(deck)) != first_size)
    scratch = temp_dir("compose-mixed")
    fitted, plain = [], []
    try:
        out = scratch / "composed.pptx"
        for run in range(runs):
            progress(f"run {run + 1}/{runs}: compose_deck scaling slides to fit")
            fitted.append(run_child(__file__, "compose", picks=picks, out=str(out), fit_sizes=True))
            progress(f"run {run + 1}/{runs}: compose_deck leaving sizes as they are")
            plain.append(run_child(__file__, "compose", picks=picks, out=str(out), fit_sizes=False))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"decks ({len(decks)}), seed {SEED}:")
    for deck in decks:
        numbers = sorted(n for d, n in picks if d == str(deck))
        print(f"  {deck.name} ({size_label(deck_slide_size(deck) or (0, 0))}): slides {numbers}")
    print()
    print(
        f"{len(picks)} slides; the deck is {size_label(first_size or (0, 0))}; {scaled} slides scaled to fit"
    )
    t_fit, t_plain = median([r["seconds"] for r in fitted]), median([r["seconds"] for r in plain])
    print(f"  with scaling, wall seconds per run:    {runs_text([r['seconds'] for r in fitted])}")
    print(f"  without scaling, wall seconds per run: {runs_text([r['seconds'] for r in plain])}")
    print(f"  medians: with {t_fit:.3f} s, without {t_plain:.3f} s")
    ratio = t_fit / t_plain
    paired = median([a["seconds"] / b["seconds"] for a, b in zip(fitted, plain, strict=True)])
    print(
        f"time ratio with / without scaling, median wall times: {ratio:.3f}  "
        f"(target <= {TARGET_FIT_COST:.2f}: {verdict(ratio <= TARGET_FIT_COST)})"
    )
    print(f"  median of per-run paired ratios: {paired:.3f}")
    c_fit, c_plain = median([r["cpu"] for r in fitted]), median([r["cpu"] for r in plain])
    print(f"CPU seconds, medians: with {c_fit:.3f} s, without {c_plain:.3f} s, ratio {c_fit / c_plain:.3f}")
    print("(timings exclude interpreter start-up and module imports)")


def main() -> None:
    arguments = parser(__doc__.splitlines()[0], runs=5)
    arguments.add_argument(
        "--mixed-sizes", action="store_true", help="compose slides of two sizes with and without scaling"
    )
    args = arguments.parse_args()
    if args.child:
        extra = child_args(args)
        if args.child == "compose":
            picks = [(d, n) for d, n in extra["picks"]]
            emit(child_compose(picks, extra["out"], extra.get("fit_sizes", True)))
        else:
            emit(child_pptx(extra["decks"], extra["folder"]))
        return

    corpus = check_corpus(args.corpus)
    if args.mixed_sizes:
        mixed_sizes(corpus, args.runs)
        return
    header("deck assembly speed and size", corpus, args.runs)
    decks, picks = choose(deck_files(corpus))
    for deck in decks:  # warm the page cache so neither side pays for the first disk read
        deck.read_bytes()

    scratch = temp_dir("compose")
    composed, saved = [], []
    try:
        out = scratch / "composed.pptx"
        for run in range(args.runs):
            progress(f"run {run + 1}/{args.runs}: compose_deck")
            composed.append(run_child(__file__, "compose", picks=picks, out=str(out)))
            progress(f"run {run + 1}/{args.runs}: python-pptx open + save")
            saved.append(run_child(__file__, "pptx", decks=[str(d) for d in decks], folder=str(scratch)))

        sys.path.insert(0, str(REPO_ROOT))  # the tests' independent package reading
        from msldesk.decks.ooxml.validate import validate_package
        from tests.compose_reference import distinct_parts_used

        used = distinct_parts_used([(Path(d), n) for d, n in picks])
        report = validate_package(out)
        out_bytes = out.stat().st_size
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    t_compose, t_pptx = median([r["seconds"] for r in composed]), median([r["seconds"] for r in saved])
    ratio = t_compose / t_pptx
    paired = median([a["seconds"] / b["seconds"] for a, b in zip(composed, saved, strict=True)])
    size_ratio = out_bytes / used.compressed
    print(f"decks ({len(decks)}), seed {SEED}:")
    for deck in decks:
        numbers = sorted(n for d, n in picks if d == str(deck))
        print(f"  {deck.name}: slides {numbers}")
    print()
    print(f"compose_deck, {len(picks)} slides in shuffled order, written atomically (fsync):")
    first = composed[0]
    print(
        f"  slides {first['slides']}, parts {first['parts']}, warnings {first['warnings']}, "
        f"output valid: {report.ok}"
    )
    print(f"  wall seconds per run: {runs_text([r['seconds'] for r in composed])}")
    print(f"  CPU seconds per run:  {runs_text([r['cpu'] for r in composed])}")
    print(f"  median: {t_compose:.3f} s")
    print()
    print(f"baseline: python-pptx Presentation() + save() of the same {len(decks)} decks:")
    print(f"  slides in those decks: {saved[0]['slides']}")
    print(f"  wall seconds per run: {runs_text([r['seconds'] for r in saved])}")
    print(f"  CPU seconds per run:  {runs_text([r['cpu'] for r in saved])}")
    print(f"  median: {t_pptx:.3f} s")
    print()
    print(
        f"time ratio compose / python-pptx, median wall times: {ratio:.2f}  "
        f"(target <= {TARGET_RATIO:.1f}: {verdict(ratio <= TARGET_RATIO)})"
    )
    print(f"  median of per-run paired ratios: {paired:.2f}")
    print()
    print("output size vs the distinct source parts it uses (each slide with everything it links to,")
    print("used layouts, masters, themes, notes, the first deck's presentation-level parts; by content):")
    print(f"  output: {out_bytes:,} bytes; parts used: {used.parts}, {used.compressed:,} bytes compressed")
    print(
        f"  size ratio: {size_ratio:.3f}  (target <= {TARGET_SIZE:.1f}: {verdict(size_ratio <= TARGET_SIZE)})"
    )
    print(f"  counting the parts' zip headers too ({used.stored:,} bytes): {out_bytes / used.stored:.3f}")
    print("(timings exclude interpreter start-up and module imports)")


if __name__ == "__main__":
    main()
