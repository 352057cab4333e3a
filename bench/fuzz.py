"""Fuzz figures: mutated corpus decks and people files (bytes, file names and claimed kinds) fed to
the importers, and boards of fuzzed people, notes and titles pushed through every exporter.

Reports, per importer and for the exporters: inputs tried, imported (written), refused with a
message, crashes (target 0), hangs (target 0: every import under 5 s, every export under 10 s),
partial writes or files (0), unclear messages (0), unsafe exports (0: a live formula or a control
character) and the slowest input. Random mutations from a fixed seed (pass --seed for another run);
the hypothesis tests in tests/fuzz run the same mutations and checks (MSLDESK_FUZZ_EXAMPLES=5000 for
their long run).

    .venv/bin/python bench/fuzz.py --decks 5000 --people 5000 --exports 300 [--keep FOLDER]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from _common import REPO_ROOT, header, progress, verdict

sys.path.insert(0, str(REPO_ROOT / "tests"))

from fuzz.harness import (
    DECK_KINDS,
    EXPORT_TIME_LIMIT_SECONDS,
    PEOPLE_KINDS,
    TIME_LIMIT_SECONDS,
    ExportFuzzing,
    FuzzRunner,
    RandomChooser,
    deck_seeds,
    people_seeds,
    run_random,
)

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with pptx/ and people/")
    p.add_argument("--decks", type=int, default=5000, help="mutated decks to import")
    p.add_argument("--people", type=int, default=5000, help="mutated people files to import")
    p.add_argument("--exports", type=int, default=300, help="fuzzed boards to push through every exporter")
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument("--keep", type=Path, help="save inputs that crash, hang or write partially here")
    args = p.parse_args()

    # An encrypted scratch library, as the app makes by default, keyed by a passphrase: never the
    # real keyring.
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    os.environ["MSLDESK_PASSPHRASE"] = "bench passphrase, not a secret"
    # Mutated workbooks lose their styles; openpyxl says so for each one.
    warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
    from msldesk.app.services import App

    header("Fuzzing the importers and exporters", args.corpus)
    print(
        f"seed {args.seed}; time limit per import {TIME_LIMIT_SECONDS:.0f} s, "
        f"per export {EXPORT_TIME_LIMIT_SECONDS:.0f} s"
    )
    scratch = Path(tempfile.mkdtemp(prefix="msldesk-bench-fuzz-"))
    app = App(scratch / "library", today=dt.date(2026, 11, 22))
    ok = True
    try:
        runner = FuzzRunner(app, scratch / "inputs", keep=args.keep)
        if args.decks:
            seeds = deck_seeds(args.corpus)
            progress(f"{args.decks} mutated decks from {len(seeds)} corpus files")
            run_random(
                runner, seeds, lambda d, s, label, name: runner.deck(d, s, label, name=name), args.decks,
                args.seed, DECK_KINDS,
            )  # fmt: skip
            print(runner.decks.report("Deck importer"))
        if args.people:
            seeds = people_seeds(args.corpus)
            progress(f"{args.people} mutated people files from {len(seeds)} corpus files")
            flip = iter(range(10**9))

            def feed(data: bytes, suffix: str, label: str, name: str) -> None:
                runner.person_file(data, suffix, label, to_event=next(flip) % 2 == 1, name=name)

            run_random(runner, seeds, feed, args.people, args.seed + 1, PEOPLE_KINDS)
            print(runner.people.report("People importer"))
        if args.exports:
            progress(f"{args.exports} fuzzed boards through 8 exporters")
            exports = ExportFuzzing(runner)
            chooser = RandomChooser(random.Random(args.seed + 2))
            for number in range(args.exports):
                exports.round(chooser, f"board {number + 1}")
            print(
                runner.exports.report(
                    "Exporters (summary PDF, sign-in PDF, briefing/readout PPTX, XLSX, CSV, ICS)"
                )
            )
        for stats in (runner.decks, runner.people, runner.exports):
            ok = ok and not stats.findings
        print(f"no crash, no hang, no partial write, every failure a clear message: {verdict(ok)}")
    finally:
        app.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
