"""Encryption speed: the encrypted (SQLCipher) library vs a plain SQLite one, in the same run.

Target: library import and search each at most 1.3x slower encrypted than plain.

Three kinds of library: "plain" is what MSLDESK_ENCRYPTION=off gives (the stdlib sqlite3, as every
library was before encryption); "sqlcipher" is the same sqlcipher3 build the encrypted library uses,
opened without a key (its SQLite is newer and compiled differently: bigger page cache, no
SECURE_DELETE), so encrypted/sqlcipher is the cost of the encryption alone; "encrypted" is the default.
The target is judged on encrypted/plain, what a user gets compared with before.

Import: the corpus decks (or --decks N of them, seeded) into a fresh library, no thumbnails, each run
in a fresh process, the two kinds alternating (plain, encrypted, encrypted, plain, ...) so that drift
of the machine's load hits both. Search: one library of --slides slides per kind, built like
bench/search_speed.py (the corpus replicated), then the same ~200 queries through DeckService.search in
fresh processes. The encrypted libraries use a passphrase (MSLDESK_PASSPHRASE, keyring switched off
for the children), so no keyring is touched; its key derivation happens when the library opens, which
is outside every timing (as it is once per start of the app).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
from pathlib import Path

from _common import (
    check_corpus,
    child_args,
    emit,
    header,
    median,
    parser,
    percentile,
    progress,
    run_child,
    runs_text,
    temp_dir,
    verdict,
)

TARGET_RATIO = 1.3
KINDS = ("plain", "sqlcipher", "encrypted")


def _set_kind(kind: str) -> None:
    """Environment for the children: only the database driver and the key differ between kinds."""
    os.environ["MSLDESK_ENCRYPTION"] = "on" if kind == "encrypted" else "off"
    os.environ["MSLDESK_PASSPHRASE"] = "bench passphrase, not a secret"
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never the real keyring


def _use_sqlcipher_without_key() -> None:
    """In a child: plain libraries open through sqlcipher3 (no key) instead of the stdlib sqlite3."""
    import sqlcipher3.dbapi2 as sqlcipher
    from sqlalchemy import create_engine, event

    import msldesk.db.engine as engine_module
    from msldesk.db import crypto

    def make_engine(database: Path, key: bytes | None = None, read_only: bool = False):  # type: ignore[no-untyped-def]
        engine = create_engine(
            f"sqlite:///{database}",
            module=sqlcipher,
            creator=lambda: crypto.connect(database, key, read_only=read_only),
        )
        event.listen(engine, "connect", engine_module._set_sqlite_pragmas)
        return engine

    engine_module.make_engine = make_engine  # App imports it from the module when it is built


def child_import(files: list[str], library: str) -> dict:
    import time

    from msldesk.app.services import App

    app = App(Path(library))  # key derivation and schema creation happen here, outside the timing
    try:
        start, cpu = time.perf_counter(), time.process_time()
        outcomes = list(app.decks.import_paths([Path(f) for f in files]))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        encrypted = app.library_key.encrypted
    finally:
        app.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "encrypted": encrypted,
        "imported": sum(o.status == "imported" for o in outcomes),
        "slides": sum(o.slides for o in outcomes),
    }


def child_check(library: str) -> dict:
    from msldesk.app.services import App
    from msldesk.db import crypto

    app = App(Path(library))
    try:
        driver = type(app.engine.raw_connection().driver_connection).__module__
        return {"state": crypto.database_state(app.paths.database), "driver": driver}
    finally:
        app.close()


def _check(kind: str, library: Path) -> None:
    found = run_child(__file__, "check", kind=kind, library=str(library))
    expected = {
        "plain": ("plain", "sqlite3"),
        "sqlcipher": ("plain", "sqlcipher3.dbapi2"),
        "encrypted": ("encrypted", "sqlcipher3.dbapi2"),
    }[kind]
    if (found["state"], found["driver"]) != expected:
        raise SystemExit(f"the {kind} library is {found}, expected {expected}")


def _pick(corpus: Path, decks: int) -> list[str]:
    from _common import deck_files

    files = sorted(str(p) for p in deck_files(corpus))
    if decks and decks < len(files):
        files = sorted(random.Random(20261201).sample(files, decks))
    return files


def main() -> None:
    p = parser(__doc__.splitlines()[0], runs=5)
    p.add_argument("--decks", type=int, default=0, help="import this many corpus decks (default: all)")
    p.add_argument("--slides", type=int, default=20_000, help="search library size (default: %(default)s)")
    p.add_argument("--repeats", type=int, default=3, help="timings per query per run (default: %(default)s)")
    p.add_argument("--search-runs", type=int, default=3, help="search runs per kind (default: %(default)s)")
    args = p.parse_args()
    if args.child:
        extra = child_args(args)
        _set_kind(extra["kind"])
        if extra["kind"] == "sqlcipher":
            _use_sqlcipher_without_key()
        if args.child == "import":
            emit(child_import(extra["files"], extra["library"]))
        elif args.child == "build":
            from search_speed import build_library

            emit(build_library(Path(extra["corpus"]), Path(extra["library"]), extra["slides"]))
        elif args.child == "measure":
            from search_speed import measure

            emit(measure(Path(extra["library"]), extra["queries"], extra["repeats"]))
        else:
            emit(child_check(extra["library"]))
        return

    corpus = check_corpus(args.corpus)
    header("encryption speed: SQLCipher vs plain SQLite", corpus, args.runs)
    import sqlcipher3.dbapi2 as sqlcipher

    cipher = sqlcipher.connect(":memory:").execute("PRAGMA cipher_version").fetchone()[0]
    print(f"SQLCipher {cipher} (SQLite {sqlcipher.sqlite_version}) via sqlcipher3; plain: stdlib sqlite3")
    files = _pick(corpus, args.decks)
    scratch = temp_dir("encryption")
    try:
        imports = _measure_imports(files, scratch, args.runs)
        searches = _measure_search(corpus, scratch, args.slides, args.repeats, args.search_runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _report(files, imports, searches)


def _order(run: int) -> tuple[str, ...]:
    """Rotate the order between runs, so drift in the machine's load does not favour one kind."""
    shift = run % len(KINDS)
    return KINDS[shift:] + KINDS[:shift]


def _measure_imports(files: list[str], scratch: Path, runs: int) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {k: [] for k in KINDS}
    for run in range(runs):
        for kind in _order(run):
            progress(f"import run {run + 1}/{runs}: {kind}")
            library = scratch / f"import-{kind}-{run}"
            _set_kind(kind)
            outcome = run_child(__file__, "import", kind=kind, files=files, library=str(library))
            if run == 0:
                _check(kind, library)
            results[kind].append(outcome)
            shutil.rmtree(library, ignore_errors=True)
    return results


def _measure_search(corpus: Path, scratch: Path, slides: int, repeats: int, runs: int) -> dict[str, dict]:
    out: dict[str, dict] = {}
    queries = None
    libraries = {}
    for kind in KINDS:
        progress(f"search: building a {slides:,}-slide {kind} library")
        library = scratch / f"search-{kind}"
        _set_kind(kind)
        build = run_child(
            __file__, "build", kind=kind, corpus=str(corpus), library=str(library), slides=slides
        )
        _check(kind, library)
        queries = queries or build["queries"]
        libraries[kind] = library
        out[kind] = {"build": build, "runs": []}
    for run in range(runs):
        for kind in _order(run):
            progress(f"search run {run + 1}/{runs}: {kind}")
            _set_kind(kind)
            measured = run_child(
                __file__, "measure", kind=kind, library=str(libraries[kind]), queries=queries, repeats=repeats
            )
            out[kind]["runs"].append(measured["fts"])
    out["queries"] = {"count": len(queries or [])}
    return out


def _report(files: list[str], imports: dict[str, list[dict]], searches: dict[str, dict]) -> None:
    print()
    first = imports["plain"][0]
    print(
        f"import: {len(files)} decks ({first['imported']} imported, {first['slides']} slides), "
        "a fresh library per run; seconds"
    )
    medians = {}
    for kind in KINDS:
        seconds = [r["seconds"] for r in imports[kind]]
        medians[kind] = median(seconds)
        print(
            f"  {kind:10} median {medians[kind]:6.2f} s  runs {runs_text(seconds, '{:.2f}')}  "
            f"cpu median {median([r['cpu'] for r in imports[kind]]):.2f} s"
        )
    import_ratio = medians["encrypted"] / medians["plain"]
    print(
        f"  encrypted / plain: {import_ratio:.2f}x "
        f"(target <= {TARGET_RATIO}x: {verdict(import_ratio <= TARGET_RATIO)}); "
        f"encrypted / sqlcipher (the encryption alone): {medians['encrypted'] / medians['sqlcipher']:.2f}x"
    )

    print()
    build = searches["plain"]["build"]
    print(
        f"search: DeckService.search, {searches['queries']['count']} queries on {build['slides']:,} slides "
        "(per query: median of its timings; p50/p95 over queries, median over runs)"
    )
    p50, p95, per_query = {}, {}, {}
    for kind in KINDS:
        runs = searches[kind]["runs"]
        p50[kind] = median([statistics.median(r) for r in runs])
        p95[kind] = median([percentile(r, 95) for r in runs])
        per_query[kind] = [statistics.median(col) for col in zip(*runs, strict=True)]
        print(
            f"  {kind:10} p50 {p50[kind]:6.2f} ms  p95 {p95[kind]:6.2f} ms  "
            f"(database {searches[kind]['build']['db_mb']:.0f} MB)"
        )

    def per_query_ratio(slow: str, fast: str) -> float:
        return statistics.median(
            e / p for e, p in zip(per_query[slow], per_query[fast], strict=True) if p > 0
        )

    search_ratio = per_query_ratio("encrypted", "plain")
    print(
        f"  encrypted / plain: median of per-query ratios {search_ratio:.2f}x "
        f"(target <= {TARGET_RATIO}x: {verdict(search_ratio <= TARGET_RATIO)}); "
        f"p50 {p50['encrypted'] / p50['plain']:.2f}x, p95 {p95['encrypted'] / p95['plain']:.2f}x"
    )
    print(
        f"  encrypted / sqlcipher (the encryption alone): median of per-query ratios "
        f"{per_query_ratio('encrypted', 'sqlcipher'):.2f}x; "
        f"p50 {p50['encrypted'] / p50['sqlcipher']:.2f}x, p95 {p95['encrypted'] / p95['sqlcipher']:.2f}x"
    )


if __name__ == "__main__":
    main()
