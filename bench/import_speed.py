"""Import speed: msldesk importing the corpus (no thumbnails) vs python-pptx opening it and reading all text.

Targets: first import takes no longer than python-pptx reading the same files (ratio <= 1.0);
re-importing the unchanged corpus takes <= 5% of the first import.
"""

from __future__ import annotations

import resource
import shutil
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from _common import (
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

TARGET_RATIO = 1.0
TARGET_REIMPORT = 0.05


def _sys_seconds() -> float:
    """CPU time spent in the kernel (file copies, fsync, SQLite writes): the part that moves with
    the machine's disk load."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


def child_msldesk(corpus: Path, library: Path) -> dict:
    from msldesk.app.services import App

    app = App(library)  # creates or opens the library (migrations run here, outside the timing)
    try:
        start, cpu, sys_cpu = time.perf_counter(), time.process_time(), _sys_seconds()
        outcomes = list(app.decks.import_paths([corpus]))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        sys_cpu = _sys_seconds() - sys_cpu
    finally:
        app.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "sys": sys_cpu,
        "statuses": dict(Counter(o.status for o in outcomes)),
        "slides": sum(o.slides for o in outcomes),
        "files": len(outcomes),
    }


def _shape_texts(shapes: Iterable[Any], out: list[str]) -> None:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            _shape_texts(shape.shapes, out)
            continue
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                for cell in row.cells:
                    out.append(cell.text)


def child_pptx(files: list[str]) -> dict:
    from pptx import Presentation

    opened = read_fully = slides = chars = 0
    errors: Counter[str] = Counter()
    start, cpu, sys_cpu = time.perf_counter(), time.process_time(), _sys_seconds()
    for name in files:
        try:
            deck = Presentation(name)
        except Exception as exc:  # noqa: BLE001 - python-pptx raises many types; counting them is the point
            errors[f"open: {type(exc).__name__}"] += 1
            continue
        opened += 1
        try:
            for slide in deck.slides:
                out: list[str] = []
                _shape_texts(slide.shapes, out)
                if slide.has_notes_slide:  # never touch .notes_slide blindly: it creates one
                    frame = slide.notes_slide.notes_text_frame
                    if frame is not None:
                        out.append(frame.text)
                chars += sum(len(t) for t in out)
                slides += 1
            read_fully += 1
        except Exception as exc:  # noqa: BLE001
            errors[f"read: {type(exc).__name__}"] += 1
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "sys": _sys_seconds() - sys_cpu,
        "opened": opened,
        "read_fully": read_fully,
        "slides": slides,
        "chars": chars,
        "errors": dict(errors),
    }


def main() -> None:
    args = parser(__doc__.splitlines()[0], runs=5).parse_args()
    if args.child:
        extra = child_args(args)
        if args.child == "msldesk":
            emit(child_msldesk(Path(extra["corpus"]), Path(extra["library"])))
        else:
            emit(child_pptx(extra["files"]))
        return

    corpus = check_corpus(args.corpus)
    header("import speed (no thumbnails)", corpus, args.runs)
    files = [str(f) for f in deck_files(corpus)]
    for name in files:  # warm the page cache so neither side pays for the first disk read
        Path(name).read_bytes()

    first, again, pptx = [], [], []
    for run in range(args.runs):
        progress(f"run {run + 1}/{args.runs}: python-pptx")
        pptx.append(run_child(__file__, "pptx", files=files))
        library = temp_dir("import")
        try:
            progress(f"run {run + 1}/{args.runs}: msldesk first import (fresh library {library})")
            first.append(run_child(__file__, "msldesk", corpus=str(corpus), library=str(library)))
            progress(f"run {run + 1}/{args.runs}: msldesk re-import unchanged")
            again.append(run_child(__file__, "msldesk", corpus=str(corpus), library=str(library)))
        finally:
            shutil.rmtree(library, ignore_errors=True)

    def med(results: list[dict], key: str = "seconds") -> float:
        return median([r[key] for r in results])

    t_first, t_again, t_pptx = med(first), med(again), med(pptx)
    ms_slides, pp_slides = first[0]["slides"], pptx[0]["slides"]
    ratio = t_first / t_pptx
    paired = median([a["seconds"] / b["seconds"] for a, b in zip(first, pptx, strict=True)])
    cpu_ratio = med(first, "cpu") / med(pptx, "cpu")
    per_slide_ratio = (t_first / ms_slides) / (t_pptx / pp_slides)
    reimport = t_again / t_first

    print(f"deck files found: {len(files)}")
    print()
    print("msldesk DeckService.import_paths into a fresh library:")
    print(f"  outcomes: {first[0]['statuses']}, slides imported: {ms_slides}")
    print(f"  wall seconds per run: {runs_text([r['seconds'] for r in first])}")
    print(f"  CPU seconds per run:  {runs_text([r['cpu'] for r in first])}")
    print(f"  of which kernel:      {runs_text([r['sys'] for r in first])}")
    print(f"  median: {t_first:.3f} s ({med(first, 'cpu'):.3f} s CPU), {ms_slides / t_first:.0f} slides/s")
    print()
    print("baseline: python-pptx Presentation() + all shape/table/group text + notes:")
    print(
        f"  opened {pptx[0]['opened']}/{len(files)} files, read fully {pptx[0]['read_fully']}, "
        f"slides read: {pp_slides}"
    )
    print(f"  failures: {pptx[0]['errors']}")
    print(f"  wall seconds per run: {runs_text([r['seconds'] for r in pptx])}")
    print(f"  CPU seconds per run:  {runs_text([r['cpu'] for r in pptx])}")
    print(f"  of which kernel:      {runs_text([r['sys'] for r in pptx])}")
    print(f"  median: {t_pptx:.3f} s ({med(pptx, 'cpu'):.3f} s CPU), {pp_slides / t_pptx:.0f} slides/s")
    print()
    print(
        f"ratio msldesk / python-pptx, median wall times, same file list: {ratio:.2f}  "
        f"(target <= {TARGET_RATIO:.1f}: {verdict(ratio <= TARGET_RATIO)})"
    )
    print(f"  median of per-run paired ratios: {paired:.2f}")
    print(f"  CPU-time ratio: {cpu_ratio:.2f}")
    print(f"  per-slide ratio (msldesk s/slide / python-pptx s/slide): {per_slide_ratio:.2f}")
    print()
    print("re-import of the unchanged corpus into the same library (fresh process):")
    print(f"  outcomes: {again[0]['statuses']}")
    print(f"  wall seconds per run: {runs_text([r['seconds'] for r in again], '{:.4f}')}")
    print(
        f"  median: {t_again:.4f} s = {reimport:.1%} of the first import "
        f"(target <= {TARGET_REIMPORT:.0%}: {verdict(reimport <= TARGET_REIMPORT)})"
    )
    print("(timings exclude interpreter start-up, module imports and opening/migrating the library)")


if __name__ == "__main__":
    main()
