"""Shared helpers for the bench scripts: corpus location, child processes, medians, printing."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "pptx"
CHILD_FLAG = "--child"
RESULT_PREFIX = "BENCH-RESULT "


def parser(description: str, runs: int = 3) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of decks (default: %(default)s)"
    )
    p.add_argument("--runs", type=int, default=runs, help="timed runs per measurement (default: %(default)s)")
    p.add_argument(CHILD_FLAG, default="", help=argparse.SUPPRESS)
    p.add_argument("--child-args", default="{}", help=argparse.SUPPRESS)
    return p


def check_corpus(corpus: Path) -> Path:
    corpus = corpus.expanduser().resolve()
    if not corpus.is_dir():
        sys.exit(f"corpus folder not found: {corpus} (pass --corpus)")
    return corpus


def deck_files(corpus: Path) -> list[Path]:
    """The files the app itself would import from the corpus folder (same walk, same filter)."""
    from msldesk.decks.importer import find_deck_files

    return find_deck_files([corpus])


def temp_dir(prefix: str) -> Path:
    """A scratch folder outside the repository (callers remove it)."""
    return Path(tempfile.mkdtemp(prefix=f"msldesk-bench-{prefix}-"))


def run_child(script: str, mode: str, timeout: float = 1800, **kwargs: object) -> dict:
    """Run `script --child mode` in a fresh interpreter; it prints one JSON result line."""
    command = [
        sys.executable,
        str(Path(script).resolve()),
        CHILD_FLAG,
        mode,
        "--child-args",
        json.dumps(kwargs),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    raise RuntimeError(
        f"child {mode} failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-4000:]}"
    )


def emit(result: dict) -> None:
    """Called in the child: hand the result to the parent."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def child_args(args: argparse.Namespace) -> dict:
    return json.loads(args.child_args)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation), so p95 is a latency that really happened."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


def runs_text(values: Sequence[float], fmt: str = "{:.3f}") -> str:
    return "[" + ", ".join(fmt.format(v) for v in values) + "]"


def progress(message: str) -> None:
    """Progress goes to stderr so stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def header(title: str, corpus: Path | None = None, runs: int | None = None) -> None:
    print(f"== {title}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}"
    )
    if hasattr(os, "getloadavg"):  # other work on the machine skews the figures: show how busy it is
        print("load average at start: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    if corpus is not None:
        print(f"corpus: {corpus}")
    if runs is not None:
        print(f"runs per measurement: {runs} (each in a fresh process); figures are medians")


BENCH_PASSPHRASE = "bench passphrase, not a secret"


def throwaway_library_env(work: Path, keyring: bool = False) -> dict[str, str]:
    """Point this process (and the msldesk processes it starts) at a throw-away library: a data folder
    under `work`, and a key kept either behind a bench passphrase (the real keyring switched off) or,
    with `keyring`, in the tests' file keyring under `work`. Never the user's keyring or data folder.
    Call before msldesk opens a library; returns the environment for child processes."""
    tests = str(REPO_ROOT / "tests")
    os.environ["MSLDESK_DATA_DIR"] = str(work / "default-library")
    os.environ.pop("MSLDESK_ENCRYPTION", None)
    os.environ.pop("MSLDESK_BACKUP_PASSPHRASE", None)
    if keyring:
        os.environ.pop("MSLDESK_PASSPHRASE", None)
        os.environ["PYTHON_KEYRING_BACKEND"] = "msldesk_test_keyring.FileKeyring"
        os.environ["MSLDESK_TEST_KEYRING"] = str(work / "keyring.json")
        if tests not in sys.path:
            sys.path.append(tests)
    else:
        os.environ["MSLDESK_PASSPHRASE"] = BENCH_PASSPHRASE
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    paths = [str(REPO_ROOT), tests, os.environ.get("PYTHONPATH", "")]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(p for p in paths if p))
    return dict(os.environ)


def large_keyring_library(
    corpus: Path, work: Path, slides: int, reuse: bool = False
) -> tuple[dict[str, str], Path]:
    """A library of about `slides` slides drawn from the corpus, in `work/library`, its key in the
    tests' file keyring under `work` (the start-up benches open it as a user's laptop does). With
    `reuse`, one built there earlier is used as it is. Returns the child environment and its folder."""
    env = throwaway_library_env(work, keyring=True)
    library = work / "library"
    built_file = work / "bench-build.json"
    if reuse and built_file.exists():
        built = json.loads(built_file.read_text())
        print(f"reusing the library built earlier: {built['slides']:,} slides in {library}")
        return env, library
    from search_speed import build_library

    progress(f"building a {slides:,}-slide library…")
    count = build_library(corpus, library, slides).get("slides", slides)
    built_file.write_text(json.dumps({"slides": count}))
    print(f"library: {count:,} slides in {library}, key in a (file) keyring")
    return env, library


def _throwaway_by_default() -> None:
    """Every bench imports this module first: from then on it, and every process it starts, uses a
    throw-away data folder (removed at exit) and passphrase, so each bench runs on a headless machine
    as it is and never touches the user's keyring or library. A bench may choose otherwise after."""
    import atexit
    import shutil

    work = Path(tempfile.mkdtemp(prefix="msldesk-bench-env-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    throwaway_library_env(work)


_throwaway_by_default()
