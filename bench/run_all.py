"""Run every bench in this folder, one after another, each as it is (its own throw-away library and
passphrase, its default sizes), show each one's report, then one summary table: bench, figure, target,
measured, met. A bench that stops with an error is a row saying so; the exit status is 1 then, or when a
target is missed.

    .venv/bin/python bench/run_all.py [--corpus-root DIR] [--only startup cli_startup] [--skip fuzz]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

from _common import DEFAULT_CORPUS, REPO_ROOT, header

BENCH_DIR = Path(__file__).resolve().parent
NOT_BENCHES = {"run_all"}  # and the helpers, whose names start with _
CORPUS_IS_ROOT = {"fuzz"}  # takes the folder holding pptx/ and people/, not pptx/ itself
# "<figure> … (target <what>: MET)" as the benches print it; lines without "(target" keep the verdict.
_WITH_TARGET = re.compile(r"^(?P<figure>.*?)\s*\(target (?P<target>[^)]*?):\s*(?P<met>MET|MISSED)\)")
_VERDICT = re.compile(r"\b(MET|MISSED)\b")


def benches() -> list[str]:
    return sorted(
        p.stem for p in BENCH_DIR.glob("*.py") if p.stem not in NOT_BENCHES and not p.stem.startswith("_")
    )


def takes_corpus(script: Path) -> bool:
    done = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120
    )
    return "--corpus" in done.stdout


def rows_of(name: str, report: str) -> list[tuple[str, str, str, str, str]]:
    """(bench, figure, target, measured, met) for each line of a report that carries a verdict."""
    rows = []
    for line in report.splitlines():
        if not _VERDICT.search(line):
            continue
        text = " ".join(line.split())
        found = _WITH_TARGET.search(text)
        if found:
            figure, _, measured = found["figure"].rpartition(":")
            rows.append(
                (name, figure.strip() or found["figure"], found["target"], measured.strip(), found["met"])
            )
        else:
            figure, _, met = text.rpartition(":")
            rows.append((name, figure.strip(), "", "", _VERDICT.findall(met or text)[-1]))
    return rows


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--corpus-root", type=Path, default=DEFAULT_CORPUS.parent, help="holds pptx/ and people/")
    p.add_argument("--only", nargs="*", default=None, help="bench names (file names without .py)")
    p.add_argument("--skip", nargs="*", default=[], help="bench names to leave out")
    p.add_argument("--timeout", type=float, default=3600, help="seconds per bench (default: %(default)s)")
    args = p.parse_args()
    chosen = [b for b in (args.only or benches()) if b not in args.skip]
    header("All benches")
    table: list[tuple[str, str, str, str, str]] = []
    for name in chosen:
        script = BENCH_DIR / f"{name}.py"
        command = [sys.executable, str(script)]
        if name in CORPUS_IS_ROOT:
            command += ["--corpus", str(args.corpus_root)]
        elif takes_corpus(script):
            command += ["--corpus", str(args.corpus_root / "pptx")]
        print(f"\n######## {name}: {' '.join(command[1:])}", flush=True)
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=args.timeout, cwd=REPO_ROOT
            )
        except subprocess.TimeoutExpired:
            table.append((name, f"stopped after {args.timeout:.0f} s", "", "", "ERROR"))
            continue
        print(done.stdout, end="", flush=True)
        rows = rows_of(name, done.stdout)
        if done.returncode not in (0, 1) or not rows:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            rows.append((name, f"exit {done.returncode}: {last}", "", "", "ERROR"))
        table.extend(rows)
        print(f"({name}: {time.perf_counter() - started:.0f} s)", flush=True)

    widths = (16, 58, 22, 26, 6)
    titles = ("bench", "figure", "target", "measured", "met")
    print("\n" + "  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in table:
        print("  ".join(shorten(c, w).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return 0 if all(row[4] == "MET" for row in table) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH_DIR))
    sys.exit(main())
