"""Thumbnail images against the renders made before LibreOffice was kept running (`soffice
--convert-to pdf` with LibreOffice's default options, pages rasterised by pdfium), on a seeded
sample of corpus decks, hidden slides included: msldesk's default thumbnails (the kept office
writes each slide's PNG) and its exact ones (the `exact_thumbnails` setting: the kept office writes
the PDF). For each, the mean difference per colour channel (0-255) per slide, how many slides are
pixel-identical, and the slides that differ most.

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


def render(
    name: str, work: Path, jobs: list[tuple[str, Any]], keep_office: bool, exact: bool = False
) -> tuple[Any, float]:
    from msldesk.decks.soffice import find_soffice
    from msldesk.decks.thumbnails import SlideRenderer, ThumbnailCache

    soffice = find_soffice()
    if soffice is None:
        sys.exit("LibreOffice (soffice) was not found")
    cache = ThumbnailCache(work / name / "previews", work / name / "thumbs")
    renderer = SlideRenderer(soffice, cache, work / name / "work", keep_office=keep_office, exact=exact)
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


def compare(now: Any, before: Any, jobs: list[tuple[str, Any]]) -> list[tuple[float, str, int]]:
    """(difference, deck name, slide number) for each slide both caches have."""
    rows = []
    for name, job in jobs:
        for number in range(1, job.slide_count + 1):
            found = difference(now.slide_png(job.sha256, number), before.slide_png(job.sha256, number))
            if found is not None:
                rows.append((found, name, number))
    return rows


def main() -> None:
    p = parser(__doc__ or "", runs=1)
    p.add_argument("--decks", type=int, default=30)
    p.add_argument("--seed", type=int, default=SEED)
    args = p.parse_args()
    corpus = check_corpus(args.corpus)
    header("Thumbnail images against the renders before the kept office", corpus)
    work = temp_dir("fidelity")
    try:
        store = work / "store"
        store.mkdir()
        jobs = sample(corpus, args.decks, args.seed, store)
        progress("rendering as before: soffice --convert-to pdf with LibreOffice's defaults, pdfium")
        before, before_seconds = render("before", work, jobs, keep_office=False, exact=True)
        print(f"decks: {len(jobs)}; seconds to render as before: {before_seconds:.1f}")
        for label, exact in (
            ("default thumbnails (the kept office writes each slide's PNG)", False),
            ("exact thumbnails (exact_thumbnails: the kept office writes the PDF)", True),
        ):
            progress(f"rendering {label}")
            now, now_seconds = render("exact" if exact else "default", work, jobs, True, exact)
            print()
            print(f"{label}: {now_seconds:.1f} s")
            report(compare(now, before, jobs))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(rows: list[tuple[float, str, int]]) -> None:
    values = [r[0] for r in rows]
    identical = sum(1 for v in values if v == 0)
    print(f"  slides compared (rendered both ways): {len(rows)}")
    print(
        f"  mean difference per colour channel (0-255): median {median(values):.2f}, "
        f"p90 {percentile(values, 90):.2f}, max {max(values):.2f}, mean {sum(values) / len(values):.2f}"
    )
    print(f"  slides differing by more than 8 of 255 on average: {sum(1 for v in values if v > 8)}")
    if identical < len(rows):
        print("  slides that differ most:")
        for value, name, number in sorted(rows, reverse=True)[:5]:
            print(f"    {value:5.2f}  {name} slide {number}")
    print(
        f"  pixel-identical slides: {identical} of {len(rows)} "
        f"(target all: {verdict(identical == len(rows))})"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
