"""Command-line start-up: `msldesk --help`, `msldesk --version` (targets ≤ 0.15 s) and `msldesk decks` on
an existing 10,000-slide library whose key is in the keyring (target ≤ 0.35 s), against a bare
`python -c pass` in the same run. Each launch is a fresh process; the kinds alternate; figures are
medians. A throw-away library and file keyring (tests/msldesk_test_keyring.py) are used, never the real
ones.

    .venv/bin/python bench/cli_startup.py [--runs 15] [--slides 10000]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import (
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

TARGETS = {"--help": 0.15, "--version": 0.15, "decks": 0.35}


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command} exit {done.returncode}:\n{done.stderr[-3000:]}")
    return seconds


def main() -> None:
    p = parser(__doc__ or "", runs=15)
    p.add_argument("--slides", type=int, default=10_000)
    args = p.parse_args()
    corpus = check_corpus(args.corpus)
    header("Command-line start-up", corpus, args.runs)
    work = temp_dir("cli-startup")
    try:
        env, library = large_keyring_library(corpus, work, args.slides)
        kinds = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "msldesk --help": [sys.executable, "-m", "msldesk", "--help"],
            "msldesk --version": [sys.executable, "-m", "msldesk", "--version"],
            "msldesk decks": [sys.executable, "-m", "msldesk", "--data-dir", str(library), "decks"],
        }
        for command in kinds.values():  # warm the disk cache for all alike
            timed(command, env)
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        for run in range(args.runs):
            progress(f"run {run + 1}/{args.runs}")
            for kind, command in kinds.items():
                times[kind].append(timed(command, env))
        base = median(times["python -c pass"])
        for kind, values in times.items():
            print(
                f"{kind:22} median {median(values):.3f} s  (+{median(values) - base:.3f} over python)  "
                f"runs {runs_text(values)}"
            )
        for name, target in TARGETS.items():
            measured = median(times[f"msldesk {name}"])
            print(
                f"msldesk {name}: {measured:.3f} s (target ≤ {target:.2f} s: {verdict(measured <= target)})"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
