"""Thumbnail images: msldesk's (a kept LibreOffice writing each slide's PNG) against the renders
made before it (the same LibreOffice converting the deck to PDF, pages rasterised by pdfium, which
is still the path where LibreOffice's Python is missing), on a seeded sample of corpus decks, hidden
slides included. Prints the mean difference per colour channel (0-255) per slide, how many slides
are pixel-identical, and the slides that differ most.

    .venv/bin/python bench/thumbnail_fidelity.py [--decks 30] [--seed N]
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from _common import (
    check_corpus,
    deck_files,
    header,
    median,
    parser,
    percentile,
    progress,
    temp_dir,
    verdict,
)

SEED = 20261205


def sample(corpus: Path, decks: int, seed: int, store: Path) -> list[tuple[str, Any]]:
    """RenderJobs for `decks` seeded corpus decks that python-pptx opens (copied into `store`)."""
    from pptx import Presentation

    from msldesk.decks.thumbnails import RenderJob

    files = deck_files(corpus)
    random.Random(seed).shuffle(files)
    jobs = []
    for path in files:
        try:
            slides = len(Presentation(str(path)).slides)
        except Exception:  # noqa: BLE001 - broken, encrypted or Strict decks: not in the sample
            continue
        if not 1 <= slides <= 60:
            continue
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        copy = store / f"{sha}{path.suffix.lower()}"
        shutil.copyfile(path, copy)
        jobs.append((path.name, RenderJob(sha, copy, slides)))
        if len(jobs) == decks:
            break
    return jobs


def render(name: str, work: Path, jobs: list[tuple[str, Any]], keep_office: bool) -> tuple[Any, float]:
    from msldesk.decks.thumbnails import SlideRenderer, ThumbnailCache, find_soffice

    soffice = find_soffice()
    if soffice is None:
        sys.exit("LibreOffice (soffice) was not found")
    cache = ThumbnailCache(work / name / "previews", work / name / "thumbs")
    renderer = SlideRenderer(soffice, cache, work / name / "work", keep_office=keep_office)
    started = time.perf_counter()
    try:
        failed = [r.sha256[:12] for r in renderer.render([job for _, job in jobs]) if not r.ok]
    finally:
        renderer.close()
    if failed:
        progress(f"{name}: {len(failed)} decks not rendered ({', '.join(failed)})")
    return cache, time.perf_counter() - started


def difference(first: Path, second: Path) -> float | None:
    """Mean difference per colour channel; None when either image is missing. Heights may differ
    by a pixel of rounding: the first is then resized to the second's."""
    from PIL import Image, ImageChops, ImageStat

    if not (first.exists() and second.exists()):
        return None
    with Image.open(first) as one, Image.open(second) as other:
        a, b = one.convert("RGB"), other.convert("RGB")
        if a.size != b.size:
            a = a.resize(b.size)
        return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def main() -> None:
    p = parser(__doc__ or "", runs=1)
    p.add_argument("--decks", type=int, default=30)
    p.add_argument("--seed", type=int, default=SEED)
    args = p.parse_args()
    corpus = check_corpus(args.corpus)
    header("Thumbnail images against the PDF renders", corpus)
    work = temp_dir("fidelity")
    try:
        store = work / "store"
        store.mkdir()
        jobs = sample(corpus, args.decks, args.seed, store)
        progress("rendering through PDF and pdfium (the renders before the kept office)")
        before, before_seconds = render("pdf", work, jobs, keep_office=False)
        progress("rendering with the kept office (each slide's PNG)")
        now, now_seconds = render("kept", work, jobs, keep_office=True)
        rows = []
        for name, job in jobs:
            for number in range(1, job.slide_count + 1):
                found = difference(now.slide_png(job.sha256, number), before.slide_png(job.sha256, number))
                if found is not None:
                    rows.append((found, name, number))
        report(rows, len(jobs), before_seconds, now_seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(rows: list[tuple[float, str, int]], decks: int, before: float, now: float) -> None:
    values = [r[0] for r in rows]
    identical = sum(1 for v in values if v == 0)
    print(f"decks: {decks}; slides compared (rendered both ways): {len(rows)}")
    print(f"seconds to render: through PDF {before:.1f}, kept office {now:.1f}")
    print(
        f"mean difference per colour channel (0-255): median {median(values):.2f}, "
        f"p90 {percentile(values, 90):.2f}, max {max(values):.2f}, mean {sum(values) / len(values):.2f}"
    )
    print(f"slides differing by more than 8 of 255 on average: {sum(1 for v in values if v > 8)}")
    print("slides that differ most:")
    for value, name, number in sorted(rows, reverse=True)[:5]:
        print(f"  {value:5.2f}  {name} slide {number}")
    print(
        f"pixel-identical slides: {identical} of {len(rows)} (target all: {verdict(identical == len(rows))})"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
