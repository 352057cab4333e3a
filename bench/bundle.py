"""The PyInstaller bundle: its size, its self-test, and the frozen app's cold start to the main window.

Targets (issue 6): bundle <= 250 MB; frozen app start to main window <= 1.5 s. Baseline in the same
run: a bare PySide6 window started from the source checkout's Python. Each launch is a fresh process
on a new, empty library (first run: the database is created, no demo content); the first launch after
the build is reported on its own (the closest to a cold start this machine allows), then the median.

    .venv/bin/python bench/bundle.py [--runs 7] [--dist DIR]   # builds into a temp folder unless --dist
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import header, median, parser, progress, runs_text, temp_dir, verdict
from startup import BARE_WINDOW, launch

REPO = Path(__file__).resolve().parents[1]
SIZE_TARGET_MB = 250
START_TARGET_S = 1.5


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build(work: Path) -> tuple[Path, float]:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(REPO / "installer.spec")],
        check=True, cwd=REPO, timeout=1800,
    )  # fmt: skip
    return work / "dist" / "msldesk", time.perf_counter() - started


def main() -> None:
    p = parser(__doc__ or "", runs=7)
    p.add_argument("--dist", type=Path, default=None, help="an existing dist/msldesk folder")
    args = p.parse_args()
    header("PyInstaller bundle", None, args.runs)
    work = temp_dir("bundle")
    try:
        if args.dist:
            bundle, seconds = args.dist, float("nan")
        else:
            progress("building the bundle…")
            bundle, seconds = build(work)
        exe = bundle / ("msldesk.exe" if os.name == "nt" else "msldesk")
        size = folder_size(bundle) / 1e6
        print(f"bundle: {bundle}  built in {seconds:.1f} s")
        print(
            f"bundle size: {size:.1f} MB  (target <= {SIZE_TARGET_MB} MB: {verdict(size <= SIZE_TARGET_MB)})"
        )
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
        test = subprocess.run([str(exe), "--self-test"], env=env, capture_output=True, text=True, timeout=300)
        print(test.stdout.rstrip())
        print(f"self-test exit code: {test.returncode}")

        def app_run(n: int) -> float:
            library = work / f"library-{n}"
            # An empty library never shows slides: quit once it has opened.
            app_env = {
                **env,
                "MSLDESK_STARTUP_REPORT": "1",
                "MSLDESK_QUIT_AFTER_MS": "0",
                "MSLDESK_DATA_DIR": str(library),
            }
            return launch([str(exe), "--no-demo"], app_env)["shown"]

        first = app_run(0)
        launch([sys.executable, "-c", BARE_WINDOW], env)
        bare, shown = [], []
        for run in range(args.runs):
            progress(f"run {run + 1}/{args.runs}")
            bare.append(launch([sys.executable, "-c", BARE_WINDOW], env)["shown"])
            shown.append(app_run(run + 1))
        print(f"bare PySide6 window (source Python):   median {median(bare):.3f} s  runs {runs_text(bare)}")
        print(f"frozen msldesk, first launch:          {first:.3f} s")
        print(f"frozen msldesk main window shown:      median {median(shown):.3f} s  runs {runs_text(shown)}")
        print(f"ratio frozen / bare: {median(shown) / median(bare):.2f}")
        met = max(first, median(shown)) <= START_TARGET_S
        print(f"start to main window <= {START_TARGET_S} s: {verdict(met)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
