"""Search speed: DeckService.search on a synthetic 100,000-slide library vs a LIKE scan of the slides table.

Targets: p95 latency <= 20 ms, and at least 20x faster than LIKE (median of per-query ratios).

The library is the imported corpus, replicated: synthetic decks copy a corpus deck's slides, with
some slides swapped for slides of other decks (decks assembled from library slides), and a mix of
approval states so the default filter (no expired or withdrawn decks) has work to do. FTS rows go
through SlideSearchIndex.add, the importer's own code path.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
import statistics
import time
from collections.abc import Callable
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

TARGET_P95_MS = 20.0
TARGET_SPEEDUP = 20.0
SEED = 20240601
LIKE_SQL = (
    "SELECT id, deck_id, number, title FROM slides "
    "WHERE title LIKE :q OR text LIKE :q OR notes LIKE :q LIMIT 50"
)
# Diagnostics, not targets: the FTS5 ranking alone (no joins, filters, snippets or records), and a
# LIKE scan without LIMIT (what any scan must do to rank, filter or count its matches).
INDEX_ONLY_SQL = (
    "SELECT rowid FROM slide_fts WHERE slide_fts MATCH :m AND rank MATCH :r ORDER BY rank LIMIT 50"
)
LIKE_ALL_SQL = "SELECT count(*) FROM slides WHERE title LIKE :q OR text LIKE :q OR notes LIKE :q"
QUERY_MIX = {"word": 80, "phrase": 50, "prefix": 40, "cjk": 30}
_LATIN_WORD = re.compile(r"[^\W\d_]{3,}")
_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


# ---- building the library --------------------------------------------------------------------


def _deck_status_columns(rng: random.Random, today: dt.date) -> dict[str, object]:
    """Approval data for one synthetic deck: mostly approved, some draft, expiring, expired, withdrawn."""
    roll = rng.random()
    approved = today - dt.timedelta(days=rng.randint(30, 700))
    columns: dict[str, object] = {
        "approval_code": f"MED-{rng.randint(10000, 99999)}",
        "approved_on": approved.isoformat(),
        "expires_on": (today + dt.timedelta(days=rng.randint(60, 700))).isoformat(),
        "withdrawn": False,
    }
    if roll < 0.15:  # draft
        columns.update(approval_code="", approved_on=None, expires_on=None)
    elif roll < 0.20:  # expiring within 30 days
        columns["expires_on"] = (today + dt.timedelta(days=rng.randint(0, 29))).isoformat()
    elif roll < 0.30:  # expired
        columns["expires_on"] = (today - dt.timedelta(days=rng.randint(1, 400))).isoformat()
    elif roll < 0.35:  # withdrawn
        columns["withdrawn"] = True
    return columns


def build_library(corpus: Path, library: Path, target_slides: int) -> dict:
    from sqlalchemy import text

    from msldesk.app.services import App
    from msldesk.decks.search import SlideSearchIndex

    rng = random.Random(SEED)
    started = time.perf_counter()
    app = App(library)
    outcomes = list(app.decks.import_paths([corpus]))
    import_seconds = time.perf_counter() - started
    with app.sessions() as session:
        decks = session.execute(
            text(
                "SELECT d.id, d.title, v.sha256, v.file_name, v.file_ext, v.size, v.kind "
                "FROM decks d JOIN deck_versions v ON v.deck_id = d.id AND v.is_current "
                "WHERE v.slide_count > 0 ORDER BY d.id"
            )
        ).all()
        slide_rows = session.execute(
            text(
                "SELECT deck_id, number, title, text, notes, layout, hidden, has_chart, has_table, "
                "has_picture, has_media, content_hash FROM slides ORDER BY deck_id, number"
            )
        ).mappings()
        slides_of: dict[int, list[dict]] = {}
        for row in slide_rows:
            slides_of.setdefault(row["deck_id"], []).append(dict(row))
        next_deck = int(session.execute(text("SELECT coalesce(max(id), 0) FROM decks")).scalar()) + 1
        next_version = (
            int(session.execute(text("SELECT coalesce(max(id), 0) FROM deck_versions")).scalar()) + 1
        )
        next_slide = int(session.execute(text("SELECT coalesce(max(id), 0) FROM slides")).scalar()) + 1
        existing = int(session.execute(text("SELECT count(*) FROM slides")).scalar())
    all_slides = [s for deck_slides in slides_of.values() for s in deck_slides]

    index = SlideSearchIndex()
    today = dt.date.today()
    now = dt.datetime.now().strftime(_DATETIME)
    total = existing
    copy = 0
    while total < target_slides:
        deck_rows: list[dict] = []
        version_rows: list[dict] = []
        new_slides: list[dict] = []
        index_rows: list[dict] = []
        for _ in range(100):  # commit every 100 decks, as a library grows deck by deck
            if total >= target_slides:
                break
            copy += 1
            source = rng.choice(decks)
            title = f"{source.title} {copy}"
            deck_rows.append(
                {
                    "id": next_deck,
                    "title": title,
                    "therapeutic_area": rng.choice(["Oncology", "Cardiology", "Immunology", "Neurology"]),
                    "created_at": now,
                    "updated_at": now,
                    **_deck_status_columns(rng, today),
                }
            )
            source_slides = slides_of[source.id][: target_slides - total]
            version_rows.append(
                {
                    "id": next_version,
                    "deck_id": next_deck,
                    "sha256": source.sha256,
                    "file_name": source.file_name,
                    "file_ext": source.file_ext,
                    "size": source.size,
                    "imported_at": now,
                    "kind": source.kind,
                    "slide_count": len(source_slides),
                }
            )
            for number, slide in enumerate(source_slides, start=1):
                if rng.random() < 0.3:  # a slide reused from elsewhere in the library
                    slide = rng.choice(all_slides)
                row = {**slide, "id": next_slide, "deck_id": next_deck, "version_id": next_version}
                row["number"] = number
                new_slides.append(row)
                index_rows.append({**row, "slide_id": next_slide, "deck_title": title, "tags": ()})
                next_slide += 1
            total += len(source_slides)
            next_deck += 1
            next_version += 1
        with app.sessions.begin() as session:
            session.execute(
                text(
                    "INSERT INTO decks (id, title, approval_code, approved_on, expires_on, withdrawn, "
                    "therapeutic_area, product, audience, created_at, updated_at) VALUES (:id, :title, "
                    ":approval_code, :approved_on, :expires_on, :withdrawn, :therapeutic_area, '', '', "
                    ":created_at, :updated_at)"
                ),
                deck_rows,
            )
            session.execute(
                text(
                    "INSERT INTO deck_versions (id, deck_id, number, is_current, sha256, file_name, "
                    "file_ext, size, imported_at, kind, macro_enabled, strict, warnings, slide_count, "
                    "slides_added, slides_changed, slides_removed, thumbnail_state, thumbnail_error) "
                    "VALUES (:id, :deck_id, 1, 1, :sha256, :file_name, :file_ext, :size, :imported_at, "
                    ":kind, 0, 0, '', :slide_count, 0, 0, 0, 'pending', '')"
                ),
                version_rows,
            )
            session.execute(
                text(
                    "INSERT INTO slides (id, deck_id, version_id, number, title, text, notes, layout, "
                    "hidden, has_chart, has_table, has_picture, has_media, content_hash, change, warning) "
                    "VALUES (:id, :deck_id, :version_id, :number, :title, :text, :notes, :layout, :hidden, "
                    ":has_chart, :has_table, :has_picture, :has_media, :content_hash, '', '')"
                ),
                new_slides,
            )
            index.add(session, index_rows)
    with app.sessions() as session:
        counts = session.execute(
            text(
                "SELECT (SELECT count(*) FROM slides), (SELECT count(*) FROM slide_fts), "
                "(SELECT count(*) FROM decks)"
            )
        ).one()
    app.close()
    database = library / "library.sqlite3"
    return {
        "seconds": time.perf_counter() - started,
        "import_seconds": import_seconds,
        "imported": sum(o.status == "imported" for o in outcomes),
        "corpus_slides": existing,
        "slides": counts[0],
        "fts_rows": counts[1],
        "decks": counts[2],
        "db_mb": sum(p.stat().st_size for p in library.glob("library.sqlite3*")) / 1024**2
        if database.exists()
        else 0.0,
        "queries": make_queries(all_slides),
    }


# ---- queries ----------------------------------------------------------------------------------


def make_queries(slides: list[dict]) -> list[dict]:
    """~200 queries sampled (seeded) from corpus slide text: each has the search text and a LIKE pattern."""
    from msldesk.decks.search import _CJK

    rng = random.Random(SEED)
    texts = [" ".join((s["title"], s["text"], s["notes"])) for s in slides]
    occurrences = [w for t in texts for w in _LATIN_WORD.findall(t)]
    vocabulary = sorted(set(occurrences))
    cjk_runs = [run for t in texts for run in re.findall(f"[{_CJK}]{{2,}}", t)]
    queries: list[dict] = []
    for i in range(QUERY_MIX["word"]):
        # Half weighted by frequency (what people type most), half from the distinct vocabulary.
        word = rng.choice(occurrences) if i % 2 == 0 else rng.choice(vocabulary)
        queries.append({"kind": "word", "query": word, "like": word})
    lines = [line for t in texts for line in t.splitlines()]
    while sum(q["kind"] == "phrase" for q in queries) < QUERY_MIX["phrase"]:
        words = re.findall(r"[^\W\d_]{2,}(?: [^\W\d_]{2,})", rng.choice(lines))
        if words:
            phrase = rng.choice(words)
            queries.append({"kind": "phrase", "query": f'"{phrase}"', "like": phrase})
    long_words = [w for w in vocabulary if len(w) >= 6]
    for _ in range(QUERY_MIX["prefix"]):
        prefix = rng.choice(long_words)[: rng.randint(3, 5)]
        queries.append({"kind": "prefix", "query": prefix, "like": prefix})
    for _ in range(QUERY_MIX["cjk"] if cjk_runs else 0):
        run = rng.choice(cjk_runs)
        size = rng.randint(2, min(4, len(run)))
        start = rng.randint(0, len(run) - size)
        queries.append({"kind": "cjk", "query": run[start : start + size], "like": run[start : start + size]})
    return queries


# ---- measuring --------------------------------------------------------------------------------


def measure(library: Path, queries: list[dict], repeats: int) -> dict:
    """Per-query latency (median of `repeats` after one warm-up) of each way of searching."""
    from sqlalchemy import text

    from msldesk.app.services import App
    from msldesk.decks.search import BM25_WEIGHTS, build_match_query

    app = App(library)

    def fts(q: dict) -> int:
        return len(app.decks.search(q["query"]))

    def like(q: dict) -> int:
        with app.sessions() as session:
            return len(session.execute(text(LIKE_SQL), {"q": f"%{q['like']}%"}).all())

    def fts_index(q: dict) -> int:  # diagnostic: ranking in the index alone
        with app.sessions() as session:
            return len(
                session.execute(
                    text(INDEX_ONLY_SQL), {"m": build_match_query(q["query"]), "r": f"bm25({BM25_WEIGHTS})"}
                ).all()
            )

    def like_all(q: dict) -> int:  # diagnostic: a scan that has to see every row
        with app.sessions() as session:
            return int(session.execute(text(LIKE_ALL_SQL), {"q": f"%{q['like']}%"}).scalar() or 0)

    result: dict[str, list] = {}
    for name, run in (("fts", fts), ("like", like), ("fts_index", fts_index), ("like_all", like_all)):
        hits = [run(q) for q in queries]  # warm-up, and the hit counts
        latencies = []
        for q in queries:
            samples = []
            for _ in range(repeats):
                start = time.perf_counter()
                run(q)
                samples.append((time.perf_counter() - start) * 1000)
            latencies.append(statistics.median(samples))
        result[name] = latencies
        result[f"{name}_hits"] = hits
    with app.sessions() as session:  # how many slides each query matches (untimed, no filters)
        result["matches"] = [
            session.execute(
                text("SELECT count(*) FROM slide_fts WHERE slide_fts MATCH :m"),
                {"m": build_match_query(q["query"])},
            ).scalar()
            for q in queries
        ]
    app.close()
    return result


def main() -> None:
    p = parser(__doc__.splitlines()[0], runs=3)
    p.add_argument("--slides", type=int, default=100_000, help="library size (default: %(default)s)")
    p.add_argument("--repeats", type=int, default=3, help="timings per query per run (default: %(default)s)")
    p.add_argument("--library", type=Path, help="build into this folder and keep it (reused if built)")
    args = p.parse_args()
    if args.child:
        extra = child_args(args)
        if args.child == "build":
            emit(build_library(Path(extra["corpus"]), Path(extra["library"]), extra["slides"]))
        else:
            emit(measure(Path(extra["library"]), extra["queries"], extra["repeats"]))
        return

    corpus = check_corpus(args.corpus)
    header("search speed", corpus, args.runs)
    library = args.library.resolve() if args.library else temp_dir("search")
    try:
        built_file = library / "bench-build.json"
        if args.library and built_file.exists():
            build = json.loads(built_file.read_text())
            print(f"reusing the library built earlier in {library}")
        else:
            progress(f"building a {args.slides:,}-slide library in {library}")
            build = run_child(__file__, "build", corpus=str(corpus), library=str(library), slides=args.slides)
            if args.library:
                built_file.write_text(json.dumps(build))
        queries = build["queries"]
        print(
            f"library: {build['slides']:,} slides ({build['fts_rows']:,} in slide_fts), "
            f"{build['decks']:,} decks, "
            f"{build['db_mb']:.0f} MB; built in {build['seconds']:.1f} s "
            f"(corpus import {build['import_seconds']:.1f} s: {build['imported']} decks, "
            f"{build['corpus_slides']} slides)"
        )
        kinds = {k: sum(q["kind"] == k for q in queries) for k in QUERY_MIX}
        print(f"queries: {len(queries)} {kinds}, seed {SEED}; {args.repeats} timings per query per run")
        runs = []
        for run in range(args.runs):
            progress(f"run {run + 1}/{args.runs}: measuring in a fresh process")
            runs.append(
                run_child(__file__, "measure", library=str(library), queries=queries, repeats=args.repeats)
            )
    finally:
        if not args.library:
            shutil.rmtree(library, ignore_errors=True)
    report(queries, runs)


def report(queries: list[dict], runs: list[dict]) -> None:
    def stat(name: str, fn: Callable[[list[float]], float]) -> float:
        return median([fn(r[name]) for r in runs])

    def p95_of(values: list[float]) -> float:
        return percentile(values, 95)

    def speedup(slow: str, fast: str) -> float:
        """Median over runs of the median per-query ratio slow/fast."""
        return median([statistics.median(b / a for a, b in zip(r[fast], r[slow], strict=True)) for r in runs])

    p95 = stat("fts", p95_of)
    ratio = speedup("like", "fts")
    print()
    print("latency in ms (per query: median of its timings; figures: median over runs)")
    print(f"{'':34}{'p50':>8}{'p95':>8}{'max':>8}{'mean':>8}")
    rows = (
        ("fts", "DeckService.search (FTS5)"),
        ("like", "LIKE ... LIMIT 50 (baseline)"),
        ("fts_index", "diagnostic: FTS5 ranking alone"),
        ("like_all", "diagnostic: LIKE without LIMIT"),
    )
    for name, label in rows:
        print(
            f"{label:34}{stat(name, statistics.median):8.2f}{stat(name, p95_of):8.2f}"
            f"{stat(name, max):8.2f}{stat(name, statistics.mean):8.2f}"
        )
    print(f"p95 per run, DeckService.search: {runs_text([p95_of(r['fts']) for r in runs], '{:.2f}')} ms")
    print()
    met = verdict(p95 <= TARGET_P95_MS)
    print(f"p95 DeckService.search: {p95:.2f} ms (target <= {TARGET_P95_MS:.0f} ms: {met})")
    scan_ratio = speedup("like_all", "fts")
    # The issue asks for ">= 20x faster than a LIKE scan of the same table". A scan that finds what
    # search finds reads the whole table (no LIMIT); LIKE ... LIMIT 50 stops at its 50th unranked
    # hit, which for common words is after a few hundred rows. Both are reported.
    print(
        f"speed-up over a LIKE scan of the table (all matches), median of per-query ratios: "
        f"{scan_ratio:.1f}x (target >= {TARGET_SPEEDUP:.0f}x: {verdict(scan_ratio >= TARGET_SPEEDUP)})"
    )
    print(
        f"speed-up over LIKE ... LIMIT 50 (stops at 50 unranked hits), median of per-query ratios: "
        f"{ratio:.1f}x (target >= {TARGET_SPEEDUP:.0f}x: {verdict(ratio >= TARGET_SPEEDUP)})"
    )
    print(
        f"  ratio of p50s: {stat('like', statistics.median) / stat('fts', statistics.median):.1f}x, "
        f"ratio of p95s: {stat('like', p95_of) / p95:.1f}x"
    )
    first = runs[0]
    early = sum(n >= 50 for n in first["like_all_hits"])
    quick = sum(median([r["like"][i] for r in runs]) < 1.0 for i in range(len(queries)))
    print(
        f"  LIKE stops at its 50th hit: {early} of {len(queries)} queries match >= 50 slides; "
        f"{quick} LIKE queries took < 1 ms"
    )
    print(
        f"  diagnostics: LIKE / FTS5 ranking alone {speedup('like', 'fts_index'):.1f}x; "
        f"LIKE without LIMIT / DeckService.search {speedup('like_all', 'fts'):.1f}x "
        "(medians of per-query ratios)"
    )
    print()
    print("by query kind (median over runs of the kind's p50 / p95, ms; hits: mean FTS / LIKE, max 50)")
    for kind in QUERY_MIX:
        idx = [i for i, q in enumerate(queries) if q["kind"] == kind]
        if not idx:
            continue
        p50k = stat("fts", lambda v, idx=idx: statistics.median([v[i] for i in idx]))
        p95k = stat("fts", lambda v, idx=idx: percentile([v[i] for i in idx], 95))
        l50k = stat("like", lambda v, idx=idx: statistics.median([v[i] for i in idx]))
        hits_f = statistics.mean(first["fts_hits"][i] for i in idx)
        hits_l = statistics.mean(first["like_hits"][i] for i in idx)
        print(
            f"  {kind:7} n={len(idx):3}  FTS p50 {p50k:6.2f} p95 {p95k:6.2f}   LIKE p50 {l50k:6.2f}   "
            f"hits {hits_f:5.1f} / {hits_l:5.1f}"
        )
    worst = sorted(range(len(queries)), key=lambda i: -median([r["fts"][i] for r in runs]))[:10]
    print()
    print("slowest queries: DeckService.search ms, LIKE ms (medians over runs), slides matching in the index")
    for i in worst:
        print(
            f"  {median([r['fts'][i] for r in runs]):8.2f}  {median([r['like'][i] for r in runs]):8.2f}  "
            f"{first['matches'][i]:7,}  {queries[i]['kind']:6} {queries[i]['query']!r}"
        )


if __name__ == "__main__":
    main()
