"""Peak memory: maximum RSS of a process importing the corpus into a fresh library (no thumbnails).

Target: peak RSS <= 300 MB. Baseline: a fresh interpreter that only imports the same modules.
"""

from __future__ import annotations

import importlib
import resource
import shutil
import sys
import time
from pathlib import Path

from _common import (
    check_corpus,
    child_args,
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

TARGET_MB = 300


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1024**2


def child_import(corpus: Path, library: Path) -> dict:
    from msldesk.app.services import App

    after_modules = peak_mb()
    app = App(library)
    after_open = peak_mb()
    try:
        start = time.perf_counter()
        outcomes = list(app.decks.import_paths([corpus]))
        seconds = time.perf_counter() - start
    finally:
        app.close()
    return {
        "peak_mb": peak_mb(),
        "after_modules_mb": after_modules,
        "after_open_mb": after_open,
        "seconds": seconds,
        "imported": sum(o.status == "imported" for o in outcomes),
        "slides": sum(o.slides for o in outcomes),
        "modules": sorted(sys.modules),
    }


def child_baseline(modules: list[str]) -> dict:
    failed = 0
    for name in modules:
        if name in sys.modules or name == "__main__":
            continue
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a few private/platform modules refuse direct import
            failed += 1
    return {"peak_mb": peak_mb(), "modules": len(sys.modules), "failed": failed}


def child_bare() -> dict:
    return {"peak_mb": peak_mb()}


def main() -> None:
    args = parser(__doc__.splitlines()[0], runs=5).parse_args()
    if args.child:
        extra = child_args(args)
        if args.child == "import":
            emit(child_import(Path(extra["corpus"]), Path(extra["library"])))
        elif args.child == "baseline":
            emit(child_baseline(extra["modules"]))
        else:
            emit(child_bare())
        return

    corpus = check_corpus(args.corpus)
    header("peak memory while importing (no thumbnails)", corpus, args.runs)
    imports, baselines, bares = [], [], []
    for run in range(args.runs):
        library = temp_dir("memory")
        try:
            progress(f"run {run + 1}/{args.runs}: import into {library}")
            imports.append(run_child(__file__, "import", corpus=str(corpus), library=str(library)))
        finally:
            shutil.rmtree(library, ignore_errors=True)
        progress(f"run {run + 1}/{args.runs}: baseline")
        baselines.append(run_child(__file__, "baseline", modules=imports[0]["modules"]))
        bares.append(run_child(__file__, "bare"))

    def med(results: list[dict], key: str = "peak_mb") -> float:
        return median([r[key] for r in results])

    peak, base, bare = med(imports), med(baselines), med(bares)
    print(
        f"import: {imports[0]['imported']} decks, {imports[0]['slides']} slides, "
        f"{med(imports, 'seconds'):.2f} s (median)"
    )
    print()
    print(
        f"peak RSS importing the corpus, MB per run: {runs_text([r['peak_mb'] for r in imports], '{:.1f}')}"
    )
    print(
        f"  median {peak:.1f} MB (target <= {TARGET_MB} MB: {verdict(peak <= TARGET_MB)}); "
        f"{peak / TARGET_MB:.0%} of the target"
    )
    print(
        f"  stages (median peak so far): msldesk.app.services imported "
        f"{med(imports, 'after_modules_mb'):.1f} MB, "
        f"library opened/migrated {med(imports, 'after_open_mb'):.1f} MB, after import {peak:.1f} MB"
    )
    print(
        f"baseline: fresh interpreter importing the same {len(imports[0]['modules'])} modules: "
        f"{runs_text([r['peak_mb'] for r in baselines], '{:.1f}')} -> median {base:.1f} MB"
    )
    print(f"bare interpreter (only this script and its stdlib imports): median {bare:.1f} MB")
    print(f"import cost over baseline: {peak - base:.1f} MB; ratio peak / baseline: {peak / base:.2f}")


if __name__ == "__main__":
    main()
