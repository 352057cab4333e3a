"""Audit verify speed: `msldesk audit verify` on a 100,000-record audit trail.

Target: at most 2 s (median of runs, each in a fresh process).

The library is encrypted (a throw-away passphrase, keyring switched off) like a user's; its audit log
is filled with --records records the way the app writes them (keyed hashes through
msldesk.protect.audit.new_record, contents of a realistic size, 1 % of them blanked by an erasure and
listed by
its record), in one transaction. Each timed run is a fresh process that opens the library (the key
derivation is outside the timing) and times AuditService.verify(), the anchor included. The baseline,
in the same processes, reads the same rows with the same query and feeds every stored byte to a plain
hashlib.sha256, so the ratio is what the keyed walk adds to reading and hashing the bytes once.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import time
from pathlib import Path

from _common import (
    child_args,
    emit,
    header,
    median,
    parser,
    progress,
    run_child,
    runs_text,
    temp_dir,
    verdict,
)

TARGET_SECONDS = 2.0


def _environment(library: Path) -> None:
    os.environ["MSLDESK_DATA_DIR"] = str(library)
    os.environ["MSLDESK_PASSPHRASE"] = "bench passphrase, not a secret"
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never the real keyring


def child_build(library: str, records: int) -> dict:
    """Fill a new library's audit log with `records` records, as the app would have written them."""
    from msldesk.app.services import App
    from msldesk.protect import audit

    app = App(Path(library))
    rng = random.Random(11)
    start = dt.datetime(2026, 1, 1, 8, 0)
    key = app.audit.key
    rows, last, blanked = [], None, []
    erase = audit.erasure_transform
    for n in range(1, records):
        title = f"Advisory board {rng.randrange(500)} - {rng.choice(['Lupus', 'Renal', 'Cardio'])} nephritis"
        before = audit.canonical({"title": title, "venue": "Lisbon", "honorarium_amount": "900.00"})
        after = audit.canonical(
            {"title": title + " (moved)", "venue": "Rome", "honorarium_amount": "1200.00"}
        )
        action = rng.choice(["event.update", "attendance.update", "note.amend", "export.attendees"])
        moment = start + dt.timedelta(seconds=17 * n)
        raw = audit.new_record(key, last, moment, "mia", action, "event", str(n % 900), before, after)
        if n % 100 == 0:  # a person's erasure blanked this one later
            after = erase(key, n, "after_json", raw[7], lambda t: t.replace("Rome", "[Erased person]"))
            raw = (*raw[:7], after, *raw[8:])
            blanked.append(n)
        rows.append(raw)
        last = (raw[0], raw[9])
    listing = audit.canonical({"records": blanked, "reason": "erasure of person 1"})
    moment = start + dt.timedelta(seconds=17 * records)
    rows.append(
        audit.new_record(key, last, moment, "mia", audit.REDACT_ACTION, "audit", "1", "null", listing)
    )
    with app.engine.begin() as connection:  # the stored values as they are, like msldesk.protect.audit.record
        connection.exec_driver_sql(f"INSERT INTO audit_log VALUES ({', '.join('?' * 10)})", rows)
    app.paths.audit_anchor.write_text(audit.anchor_text(rows[-1][0], rows[-1][9]))
    report = app.audit.verify()
    size = app.paths.database.stat().st_size
    app.close()
    return {
        "ok": report.ok,
        "problems": list(report.problems[:3]),
        "checked": report.checked,
        "db_mb": size / 1e6,
    }


def child_measure(library: str) -> dict:
    import hashlib

    from msldesk.app.services import App
    from msldesk.protect import audit

    app = App(Path(library))  # the key derivation happens here, outside the timings
    try:
        start, cpu = time.perf_counter(), time.process_time()
        report = app.audit.verify()
        verify_seconds, verify_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        with app.sessions() as session:  # the same rows, read the same way as verify reads them
            rows = audit.read_rows(session.connection().connection.driver_connection.execute)
        digest = hashlib.sha256()
        for row in rows:
            for value in row:
                digest.update(value if isinstance(value, bytes) else str(value).encode())
        baseline_seconds, baseline_cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        app.close()
    return {
        "verify": verify_seconds,
        "baseline": baseline_seconds,
        "verify_cpu": verify_cpu,
        "baseline_cpu": baseline_cpu,
        "ok": report.ok,
        "checked": report.checked,
    }


def main() -> None:
    p = parser(__doc__ or "", runs=5)
    p.add_argument("--records", type=int, default=100_000)
    args = p.parse_args()
    if args.child:
        extra = child_args(args)
        _environment(Path(extra["library"]))
        if args.child == "build":
            emit(child_build(extra["library"], extra["records"]))
        else:
            emit(child_measure(extra["library"]))
        return
    header(f"audit verify on {args.records:,} records", runs=args.runs)
    scratch = temp_dir("audit")
    try:
        library = scratch / "library"
        _environment(library)
        progress(f"building a library with {args.records:,} audit records")
        built = run_child(__file__, "build", library=str(library), records=args.records)
        if not built["ok"] or built["checked"] != args.records:
            raise SystemExit(f"the built audit trail does not verify: {built}")
        print(f"library: encrypted, {built['checked']:,} audit records, database {built['db_mb']:.0f} MB")
        runs = []
        for n in range(args.runs):
            progress(f"run {n + 1} of {args.runs}")
            result = run_child(__file__, "measure", library=str(library))
            if not result["ok"] or result["checked"] != args.records:
                raise SystemExit(f"verify found problems in the untouched trail: {result}")
            runs.append(result)
        verify_times = [r["verify"] for r in runs]
        baseline_times = [r["baseline"] for r in runs]
        verify_median, baseline_median = median(verify_times), median(baseline_times)
        print(f"  audit verify     median {verify_median:.3f} s  runs {runs_text(verify_times)}")
        print(f"  hashlib baseline median {baseline_median:.3f} s  runs {runs_text(baseline_times)}")
        print(f"  ratio verify / baseline: {verify_median / baseline_median:.2f}x")
        # Other work on a busy machine stretches wall time; CPU time says what one free core would take.
        verify_cpu = median([r["verify_cpu"] for r in runs])
        baseline_cpu = median([r["baseline_cpu"] for r in runs])
        print(
            f"  CPU time: audit verify median {verify_cpu:.3f} s, baseline {baseline_cpu:.3f} s "
            f"(ratio {verify_cpu / baseline_cpu:.2f}x)"
        )
        print(
            f"  target: audit verify <= {TARGET_SECONDS:.0f} s on {args.records:,} records: "
            f"{verdict(verify_median <= TARGET_SECONDS)}"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
