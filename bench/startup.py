"""Start-up: time until the msldesk main window is shown with a 10,000-slide library, against a bare
PySide6 window, in the same run (target ratio ≤ 1.5), and when the first page of slides is painted
(target ≤ 0.5 s). Each launch is a fresh process; runs alternate between the two; figures are medians.
Both run from compiled bytecode, as an installed app does (pip and PyInstaller compile it): it is kept
in a throw-away folder and made by the warm-up launch, even where PYTHONDONTWRITEBYTECODE is set
(`--no-bytecode`: as a checkout run with PYTHONDONTWRITEBYTECODE, the way figures measured before this
option were).

    .venv/bin/python bench/startup.py [--runs 7] [--slides 10000] [--keep DIR]

`--keep DIR` builds the library (and its throw-away keyring) in DIR and reuses it on later runs.
`--compare CHECKOUT` also starts the msldesk of another checkout (say, main's) in the same runs, on the
same library: a before/after of a change, each as a ratio to the same bare windows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import (
    REPO_ROOT,
    check_corpus,
    header,
    large_keyring_library,
    median,
    parser,
    progress,
    runs_text,
    temp_dir,
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


def launch(command: list[str], env: dict[str, str], cwd: Path | None = None) -> dict[str, float]:
    """Run a start-up and return seconds from launch to each milestone it printed. `-m msldesk` finds
    the package in `cwd` first (then on PYTHONPATH)."""
    started = time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=cwd)
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
    p.add_argument("--keep", type=Path, help="build the library in this folder and keep it (reused if built)")
    p.add_argument("--compare", type=Path, help="also start the msldesk of this checkout, in the same runs")
    p.add_argument("--no-bytecode", action="store_true", help="write no bytecode for the checkouts")
    args = p.parse_args()
    corpus = check_corpus(args.corpus)
    header("Start-up with a large library", corpus, args.runs)
    work = args.keep.resolve() if args.keep else temp_dir("startup")
    try:
        work.mkdir(parents=True, exist_ok=True)
        base_env, library = large_keyring_library(corpus, work, args.slides, reuse=bool(args.keep))
        env = {**base_env, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
        if args.no_bytecode:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            env.pop("PYTHONPYCACHEPREFIX", None)
            print("--no-bytecode: the checkout's modules compiled at every start (no __pycache__ written)")
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(work / "bytecode")  # not in the repository or the venv
        app_env = {**env, "MSLDESK_STARTUP_REPORT": "1", "MSLDESK_DATA_DIR": str(library)}
        apps = {"msldesk": (app_env, REPO_ROOT)}
        if args.compare:
            # The other checkout's msldesk first on the path; the tests' keyring stays this one's.
            other = args.compare.resolve()
            paths = [str(other), *env["PYTHONPATH"].split(os.pathsep)[1:]]
            apps[f"msldesk of {args.compare}"] = ({**app_env, "PYTHONPATH": os.pathsep.join(paths)}, other)
        app_command = [sys.executable, "-m", "msldesk", "--no-demo"]
        # Warm the disk cache (and make the bytecode) once for each, so none pays a cold start alone.
        launch([sys.executable, "-c", BARE_WINDOW], env)
        for each_env, checkout in apps.values():
            launch(app_command, each_env, checkout)
        bare: list[float] = []
        marks: dict[str, dict[str, list[float]]] = {name: {} for name in apps}
        for run in range(args.runs):
            progress(f"run {run + 1}/{args.runs}")
            bare.append(launch([sys.executable, "-c", BARE_WINDOW], env)["shown"])
            for name, (each_env, checkout) in apps.items():
                reached = launch(app_command, each_env, checkout)
                for mark in ("shown", "ready", "slides"):
                    marks[name].setdefault(mark, []).append(reached.get(mark, float("nan")))
        print(f"bare PySide6 window shown:        median {median(bare):.3f} s  runs {runs_text(bare)}")
        for name in apps:
            _report(name, marks[name], median(bare), verdicts=name == "msldesk")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _report(name: str, marks: dict[str, list[float]], bare: float, verdicts: bool) -> None:
    shown, ready, slides = marks["shown"], marks["ready"], marks["slides"]
    print(f"{name} main window shown:        median {median(shown):.3f} s  runs {runs_text(shown)}")
    print(f"{name} library open (worker):    median {median(ready):.3f} s  runs {runs_text(ready)}")
    print(f"{name} first slides painted:     median {median(slides):.3f} s  runs {runs_text(slides)}")
    ratio, first = median(shown) / bare, median(slides)
    if verdicts:
        print(f"ratio shown / bare: {ratio:.2f}  (target ≤ 1.5: {verdict(ratio <= 1.5)})")
        print(f"first slides painted: {first:.3f} s  (target ≤ 0.5 s: {verdict(first <= 0.5)})")
    else:
        print(f"{name}: ratio shown / bare {ratio:.2f}, first slides {first:.3f} s")
    print(f"{name}: ratio first slides / bare {first / bare:.2f}  (for information)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
