"""Typing latency in meeting mode: the longest GUI stall while ~2,000 characters are typed into the
note field with autosave running, on a meeting that already has a few hundred entries (target: no
stall over 30 ms). A 5 ms heartbeat timer runs on the GUI thread; a stall is how late a beat comes.
Keys go through QTest into the real field (highlighter, completion, kind label, autosave timers);
every ~120 characters Enter files the entry (a db-lane write, the list and a reload of the meeting).
The idle window is measured first as the baseline.

    .venv/bin/python bench/typing_latency.py [--entries 300] [--chars 2000] [--pace-ms 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import shutil
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# An encrypted library, as users get by default, unlocked with a passphrase: no keyring is touched.
os.environ.setdefault("MSLDESK_PASSPHRASE", "bench passphrase, not a secret")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from _common import header, percentile, progress, temp_dir, verdict
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

BEAT_MS = 5
STALL_LIMIT_MS = 30
# What an MSL types: plain notes, markers, a speaker, a theme, now and then a restricted word.
PHRASES = (
    "Second-line choice depends on PD-L1 status and on how fast the disease progressed. ",
    "! Re-challenge is rare after early progression on immunotherapy. ",
    "@Avery Lindqvist: we would need registry data before changing practice #Treatment sequencing ",
    "? What dose do community oncologists use in elderly patients ",
    "> send the subgroup analysis to the panel due:+7d ",
    "They called the combination a cure for some patients, which is not what the label says. ",
    "Biomarker testing turnaround is still two to three weeks in most centres #Unmet need ",
)


class Heartbeat:
    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.clock = QElapsedTimer()
        self.gaps: list[float] = []
        self._last = 0

    def start(self) -> None:
        self.gaps.clear()
        self._last = 0
        self.clock.start()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return list(self.gaps)

    def _beat(self) -> None:
        now = self.clock.nsecsElapsed()
        if self._last:
            self.gaps.append((now - self._last) / 1e6)
        self._last = now


class GcPauses:
    """How long each garbage collection took (any thread: a collection holds the GIL, so the GUI
    thread waits too), to tell a collector pause from other stalls."""

    def __init__(self) -> None:
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._started) * 1000)

    def summary(self) -> str:
        return "; ".join(
            f"gen {g}: {len(p)} collections, max {max(p, default=0.0):.1f} ms" for g, p in self.pauses.items()
        )


def build_library(folder: Path, entries: int) -> int:
    """A running advisory board with attendees, themes and `entries` entries; returns its id."""
    from msldesk.app.services import App
    from msldesk.boards.records import AgendaItemFields, AttendanceFields, EventFields, PersonFields

    app = App(folder)
    try:
        berlin = ZoneInfo("Europe/Berlin")
        start = dt.datetime.combine(dt.datetime.now(berlin).date(), dt.time(9), berlin)  # Berlin's today
        event = app.events.create(
            EventFields(
                title="Typing bench board",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=6),
                timezone="Europe/Berlin",
            )
        )[0]
        names = [("Avery", "Lindqvist"), ("Jonas", "Weber"), ("Hana", "Sato"), ("Ravi", "Natarajan"),
                 ("Marta", "Kowalczyk"), ("Lena", "Okafor"), ("Sam", "Rivera")]  # fmt: skip
        for first, last in names:
            person = app.people.add(PersonFields(first, last, email=f"{last}@example.org"))[0]
            app.events.add_attendee(event.event_id, person.person_id, AttendanceFields())
        for n in range(8):
            app.events.add_agenda_item(event.event_id, AgendaItemFields(f"Session {n + 1}", 45))
        app.meetings.set_themes(event.event_id, ["Treatment sequencing", "Unmet need", "Dosing"])
        app.meetings.next_item(event.event_id)
        for n in range(entries):
            if n and n % (entries // 6 or 1) == 0:
                app.meetings.next_item(event.event_id)
            app.meetings.add_entry(event.event_id, f"{PHRASES[n % len(PHRASES)].strip()} (earlier entry {n})")
        return event.event_id
    finally:
        app.close()


def describe(name: str, gaps: list[float], seconds: float) -> float:
    stalls = [max(0.0, g - BEAT_MS) for g in gaps]
    over = sum(s > STALL_LIMIT_MS for s in stalls)
    worst = max(stalls, default=0.0)
    print(
        f"{name}: {seconds:.1f} s, {len(gaps)} beats; stall max {worst:.1f} ms, p99 "
        f"{percentile(stalls, 99):.1f} ms, median {percentile(stalls, 50):.2f} ms; longest gap between "
        f"beats {max(gaps, default=0.0):.1f} ms; beats late by > {STALL_LIMIT_MS} ms: {over}"
    )
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=300, help="entries already in the meeting")
    parser.add_argument("--chars", type=int, default=2000, help="characters to type")
    parser.add_argument("--pace-ms", type=int, default=20, help="ms between keystrokes (66 = 15 chars/s)")
    parser.add_argument("--keep", type=Path, default=None, help="build the library here and keep it")
    parser.add_argument(
        "--plain", action="store_true", help="a plain SQLite library (MSLDESK_ENCRYPTION=off)"
    )
    args = parser.parse_args()
    os.environ["MSLDESK_ENCRYPTION"] = "off" if args.plain else "on"
    header("Typing latency in meeting mode with autosave")
    print(f"library: {'plain SQLite' if args.plain else 'encrypted (SQLCipher, passphrase)'}")
    work = args.keep or temp_dir("typing")
    progress(f"building a meeting with {args.entries} entries…")
    event_id = build_library(work / "library", args.entries)

    import msldesk.decks.thumbnails as thumbnails
    from msldesk.ui.app import build_window
    from msldesk.ui.theme import apply_theme

    thumbnails.find_soffice = lambda configured="": None  # type: ignore[assignment]
    app = QApplication(sys.argv[:1])
    apply_theme(app)  # the application's look, as msldesk.ui.app gives it
    window, context = build_window(work / "library", seed_demo=False)
    window.resize(1400, 860)
    window.show()
    beat = Heartbeat()
    gc_pauses = GcPauses()
    text = "".join(PHRASES[n % len(PHRASES)] for n in range(args.chars // 40 + 2))[: args.chars]
    state: dict[str, object] = {"typed": 0, "since_enter": 0, "keys_ms": [], "entries": 0}
    results: dict[str, tuple[list[float], float]] = {}
    clock = {"t": 0.0}

    def open_meeting() -> None:
        meeting = window.boards.meetings.open(event_id, window)
        assert meeting is not None
        state["meeting"] = meeting
        meeting.entry_filed.connect(lambda _entry: state.__setitem__("entries", int(state["entries"]) + 1))

        def when_loaded() -> None:
            if meeting.bundle is None or context.runner.active:
                QTimer.singleShot(50, when_loaded)
                return
            progress(f"meeting mode open with {meeting.entries_model.rowCount()} entries; idle baseline…")
            clock["t"] = time.perf_counter()
            beat.start()
            QTimer.singleShot(2000, start_typing)

        when_loaded()

    def start_typing() -> None:
        results["idle meeting window (baseline)"] = (beat.stop(), time.perf_counter() - clock["t"])
        progress(f"typing {len(text)} characters, one every {args.pace_ms} ms…")
        meeting = state["meeting"]
        meeting.field.setFocus()  # type: ignore[attr-defined]
        clock["t"] = time.perf_counter()
        gc.callbacks.append(gc_pauses)
        beat.start()
        QTimer.singleShot(args.pace_ms, type_one)

    def type_one() -> None:
        meeting = state["meeting"]
        field = meeting.field  # type: ignore[attr-defined]
        typed = int(state["typed"])
        if typed >= len(text):
            clock["typing"] = time.perf_counter() - clock["t"]
            QTimer.singleShot(1500, finish)  # the last draft save lands
            return
        ch = text[typed]
        started = time.perf_counter()
        if field.popup_visible() and ch == " ":
            QTest.keyClick(field, Qt.Key.Key_Escape)  # typing on past a suggestion
        if ch == " " and int(state["since_enter"]) >= 120:
            QTest.keyClick(field, Qt.Key.Key_Return)
            state["since_enter"] = 0
        else:
            QTest.keyClicks(field, ch)
            state["since_enter"] = int(state["since_enter"]) + 1
        state["keys_ms"].append((time.perf_counter() - started) * 1000)  # type: ignore[attr-defined]
        state["typed"] = typed + 1
        QTimer.singleShot(args.pace_ms, type_one)

    def finish() -> None:
        results["typing with autosave"] = (beat.stop(), time.perf_counter() - clock["t"])
        gc.callbacks.remove(gc_pauses)
        app.quit()

    context.ready.connect(lambda: QTimer.singleShot(300, open_meeting))
    context.start()
    app.exec()
    meeting = state["meeting"]
    saver = meeting.autosaver  # type: ignore[attr-defined]
    seconds = clock["typing"]
    typed = int(state["typed"])
    print(
        f"meeting: {args.entries} entries before typing; typed {typed} characters in {seconds:.1f} s "
        f"({typed / seconds:.0f} chars/s), {state['entries']} entries filed with Enter"
    )
    worst = 0.0
    for name, (gaps, secs) in results.items():
        stall = describe(name, gaps, secs)
        if not name.startswith("idle"):
            worst = stall
    keys = state["keys_ms"]
    print(
        f"handling one keystroke (GUI thread): max {max(keys):.1f} ms, p99 {percentile(keys, 99):.2f} ms, "  # type: ignore[arg-type]
        f"median {percentile(keys, 50):.2f} ms"  # type: ignore[arg-type]
    )
    print(f"draft saves: {saver.saves_done} done ({saver.saves_submitted} submitted), one in flight at most")
    print(f"garbage collections while typing: {gc_pauses.summary()}")
    met = verdict(worst <= STALL_LIMIT_MS)
    print(f"longest stall while typing: {worst:.1f} ms (target ≤ {STALL_LIMIT_MS} ms: {met})")
    window.close()
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
