"""Fuzz figures: thousands of mutated corpus decks and people files fed to the importers.

Reports, per importer: inputs tried, imported, refused with a message, crashes (target 0), hangs
(target 0: every input under 5 s), partial writes (0), unclear messages (0) and the slowest input.
Random mutations from a fixed seed (pass --seed for another run); the hypothesis tests in
tests/fuzz run the same mutations and checks (MSLDESK_FUZZ_EXAMPLES=5000 for their long run).

    .venv/bin/python bench/fuzz.py --decks 5000 --people 5000 [--keep FOLDER]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from _common import REPO_ROOT, header, progress, verdict

sys.path.insert(0, str(REPO_ROOT / "tests"))

from fuzz.harness import TIME_LIMIT_SECONDS, FuzzRunner, deck_seeds, people_seeds, run_random  # noqa: E402

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with pptx/ and people/")
    p.add_argument("--decks", type=int, default=5000, help="mutated decks to import")
    p.add_argument("--people", type=int, default=5000, help="mutated people files to import")
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument("--keep", type=Path, help="save inputs that crash, hang or write partially here")
    args = p.parse_args()

    # An encrypted scratch library, as the app makes by default, keyed by a passphrase: never the
    # real keyring.
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    os.environ["MSLDESK_PASSPHRASE"] = "bench passphrase, not a secret"
    # Mutated workbooks lose their styles; openpyxl says so for each one.
    warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
    from msldesk.app import App

    header("Fuzzing the importers", args.corpus)
    print(f"seed {args.seed}; time limit per input {TIME_LIMIT_SECONDS:.0f} s")
    scratch = Path(tempfile.mkdtemp(prefix="msldesk-bench-fuzz-"))
    app = App(scratch / "library", today=dt.date(2026, 11, 22))
    ok = True
    try:
        runner = FuzzRunner(app, scratch / "inputs", keep=args.keep)
        if args.decks:
            seeds = deck_seeds(args.corpus)
            progress(f"{args.decks} mutated decks from {len(seeds)} corpus files")
            run_random(runner, seeds, lambda d, s, label: runner.deck(d, s, label), args.decks, args.seed)
            print(runner.decks.report("Deck importer"))
        if args.people:
            seeds = people_seeds(args.corpus)
            progress(f"{args.people} mutated people files from {len(seeds)} corpus files")
            flip = iter(range(10**9))

            def feed(data: bytes, suffix: str, label: str) -> None:
                runner.person_file(data, suffix, label, to_event=next(flip) % 2 == 1)

            run_random(runner, seeds, feed, args.people, args.seed + 1)
            print(runner.people.report("People importer"))
        for stats in (runner.decks, runner.people):
            ok = ok and not stats.findings
        print(f"no crash, no hang, no partial write, every failure a clear message: {verdict(ok)}")
    finally:
        app.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
