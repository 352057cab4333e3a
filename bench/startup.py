"""Start-up: time until the msldesk main window is shown with a 10,000-slide library, against a bare
PySide6 window, in the same run (target ratio ≤ 1.5), and when the first page of slides is on screen
(target ≤ 0.5 s). Each launch is a fresh process; runs alternate between the two; figures are medians.

    .venv/bin/python bench/startup.py [--runs 7] [--slides 10000]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import (
    check_corpus,
    header,
    median,
    parser,
    progress,
    runs_text,
    temp_dir,
    throwaway_library_env,
    verdict,
)

BARE_WINDOW = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1400, 860)
window.show()
def mark():
    print(f"startup shown {time.time():.6f}", file=sys.stderr, flush=True)
    window.close()
QTimer.singleShot(0, mark)
app.exec()
"""


def launch(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run a start-up and return seconds from launch to each milestone it printed."""
    started = time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    marks: dict[str, float] = {}
    for line in done.stderr.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "startup":
            marks[parts[1]] = float(parts[2]) - started
    if "shown" not in marks:
        raise RuntimeError(f"no start-up marks (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return marks


def main() -> None:
    p = parser(__doc__ or "", runs=7)
    p.add_argument("--slides", type=int, default=10_000)
    args = p.parse_args()
    corpus = check_corpus(args.corpus)
    header("Start-up with a large library", corpus, args.runs)
    work = temp_dir("startup")
    try:
        base_env = throwaway_library_env(work, keyring=True)  # the key in a throw-away file keyring
        from search_speed import build_library

        library = work / "library"
        progress(f"building a {args.slides:,}-slide library…")
        built = build_library(corpus, library, args.slides)
        print(f"library: {built.get('slides', args.slides):,} slides in {library}")
        env = {**base_env, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
        app_env = {**env, "MSLDESK_STARTUP_REPORT": "1", "MSLDESK_DATA_DIR": str(library)}
        # Warm the disk cache once for both, so neither pays a cold start the other does not.
        launch([sys.executable, "-c", BARE_WINDOW], env)
        launch([sys.executable, "-m", "msldesk", "--no-demo"], app_env)
        bare, shown, ready, slides = [], [], [], []
        for run in range(args.runs):
            progress(f"run {run + 1}/{args.runs}")
            bare.append(launch([sys.executable, "-c", BARE_WINDOW], env)["shown"])
            marks = launch([sys.executable, "-m", "msldesk", "--no-demo"], app_env)
            shown.append(marks["shown"])
            ready.append(marks.get("ready", float("nan")))
            slides.append(marks.get("slides", float("nan")))
        ratio = median(shown) / median(bare)
        print(f"bare PySide6 window shown:        median {median(bare):.3f} s  runs {runs_text(bare)}")
        print(f"msldesk main window shown:        median {median(shown):.3f} s  runs {runs_text(shown)}")
        print(f"msldesk library open (worker):    median {median(ready):.3f} s  runs {runs_text(ready)}")
        print(f"msldesk first slides on screen:   median {median(slides):.3f} s  runs {runs_text(slides)}")
        print(f"ratio shown / bare: {ratio:.2f}  (target ≤ 1.5: {verdict(ratio <= 1.5)})")
        first = median(slides)
        print(f"first slides on screen: {first:.3f} s  (target ≤ 0.5 s: {verdict(first <= 0.5)})")
        print(f"ratio first slides / bare: {first / median(bare):.2f}  (for information)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
