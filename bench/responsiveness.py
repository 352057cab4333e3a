"""Responsiveness: the longest GUI event-loop stall while the real main window imports the corpus
and renders its thumbnails (target: no stall over 50 ms). A 10 ms heartbeat timer runs on the GUI
thread; a stall is how late a beat arrives. An idle window is measured first as the baseline.

    .venv/bin/python bench/responsiveness.py [--sample N]   (N decks; default: the whole corpus)
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import check_corpus, deck_files, header, parser, percentile, progress, temp_dir, verdict
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QApplication

from msldesk.ui.app import build_window
from msldesk.ui.theme import apply_theme

BEAT_MS = 10
STALL_LIMIT_MS = 50


class Heartbeat:
    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.clock = QElapsedTimer()
        self.stalls: list[float] = []
        self._last = 0

    def start(self) -> None:
        self.stalls.clear()
        self.clock.start()
        self._last = 0
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _beat(self) -> None:
        now = self.clock.nsecsElapsed()
        if self._last:
            self.stalls.append(max(0.0, (now - self._last) / 1e6 - BEAT_MS))
        self._last = now


class GcPauses:
    """Diagnostic: how long Python's garbage collector held the interpreter, per generation."""

    def __init__(self) -> None:
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._started) * 1000)

    def describe(self) -> str:
        return "; ".join(
            f"gen {g}: {len(p)} runs, max {max(p, default=0):.1f} ms" for g, p in self.pauses.items()
        )


def describe(name: str, stalls: list[float], seconds: float) -> None:
    over = sum(s > STALL_LIMIT_MS for s in stalls)
    print(
        f"{name}: {seconds:.1f} s, {len(stalls)} beats, stall max {max(stalls, default=0):.1f} ms, "
        f"p99 {percentile(stalls, 99):.1f} ms, median {percentile(stalls, 50):.1f} ms, "
        f"beats late by > {STALL_LIMIT_MS} ms: {over}"
    )


def main() -> None:
    p = parser(__doc__ or "", runs=1)
    p.add_argument("--sample", type=int, default=0, help="import only the first N decks")
    args = p.parse_args()
    corpus = check_corpus(args.corpus)
    header("GUI responsiveness while importing and thumbnailing", corpus)
    files = deck_files(corpus)
    if args.sample:
        files = files[: args.sample]
    work = temp_dir("responsive")
    app = QApplication(sys.argv[:1])
    apply_theme(app)  # the application's look, as msldesk.ui.app gives it
    window, context = build_window(work / "library", seed_demo=False)
    window.resize(1400, 860)
    window.show()
    beat = Heartbeat()
    gc_pauses = GcPauses()
    phases: dict[str, tuple[list[float], float]] = {}
    clock = {"t": time.perf_counter()}

    def finish_phase(name: str) -> None:
        beat.stop()
        phases[name] = (list(beat.stalls), time.perf_counter() - clock["t"])
        clock["t"] = time.perf_counter()
        beat.start()

    def start_idle() -> None:
        clock["t"] = time.perf_counter()
        beat.start()
        QTimer.singleShot(3000, start_import)

    def start_import() -> None:
        finish_phase("idle window (baseline)")
        progress(f"importing {len(files)} files…")
        window.import_paths(files)

    def on_finished(name: str, summary: str) -> None:
        progress(summary)
        if name == "import":
            finish_phase(f"import of {len(files)} files")
            QTimer.singleShot(0, quit_unless_rendering)  # rendering starts right after the import
        elif name == "thumbnails":
            finish_phase("thumbnail rendering")
            app.quit()

    def quit_unless_rendering() -> None:
        if not window.jobs.running("thumbnails"):
            finish_phase("thumbnails (none to render)")
            app.quit()

    window.jobs.job_finished.connect(on_finished)
    context.ready.connect(lambda: QTimer.singleShot(500, start_idle))
    context.start()
    app.exec()
    context.close()
    slides = sum(d.slide_count for d in context.decks.list_decks()) if context.app else 0
    print(f"library: {slides} slides; soffice: {context.decks.can_render_thumbnails if context.app else '?'}")
    worst = 0.0
    for name, (stalls, seconds) in phases.items():
        describe(name, stalls, seconds)
        if not name.startswith("idle"):
            worst = max(worst, max(stalls, default=0.0))
    met = verdict(worst <= STALL_LIMIT_MS)
    print(f"longest stall while working: {worst:.1f} ms (target ≤ {STALL_LIMIT_MS} ms: {met})")
    print(f"garbage collection (all threads): {gc_pauses.describe()}")
    window.deleteLater()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
