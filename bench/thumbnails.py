"""Thumbnails: DeckService.render_thumbnails on the imported corpus vs LibreOffice converting the same decks.

Reports slides rendered per second for msldesk (a kept LibreOffice writing one PNG per slide; with
--exact, the `exact_thumbnails` setting: a PDF per deck rasterised by pdfium; or, without
LibreOffice's Python, a PDF per deck via soffice rasterised by pdfium), against
plain `soffice --convert-to pdf` over the same deck files: one call for all decks, and one call per
deck on a sample. Every run uses a fresh library; LibreOffice profiles are initialised before the
clock starts, for both sides (a profile is created once per library and then reused).
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import time
from pathlib import Path

from _common import (
    check_corpus,
    child_args,
    deck_files,
    emit,
    header,
    median,
    parser,
    progress,
    run_child,
    runs_text,
    temp_dir,
)

os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never the real keyring
os.environ["MSLDESK_PASSPHRASE"] = "bench passphrase, not a secret"

SEED = 20240601
SOFFICE_FLAGS = ["--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo"]


def init_profile(soffice: str, profile: Path) -> float:
    """Create a LibreOffice user profile (first start-up work), returning the seconds it took."""
    from msldesk.decks.soffice import GroupProcess

    start = time.perf_counter()
    command = [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", *SOFFICE_FLAGS]
    with GroupProcess([*command, "--terminate_after_init"]) as process:
        process.wait(120)  # then the whole group is ended, helpers included
    return time.perf_counter() - start


def run_soffice(
    soffice: str, profile: Path, out_dir: Path, files: list[str], timeout: float
) -> tuple[float, str]:
    """One soffice --convert-to pdf call; returns (seconds, error or "" — soffice exits 0 even when
    it gives up, so the error also notes the last stderr line)."""
    command = [
        soffice,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        *SOFFICE_FLAGS,
        "--convert-to",
        "pdf",
        "--outdir",
        str(out_dir),
        *files,
    ]
    from msldesk.decks.soffice import GroupProcess  # the app's launcher: same process group care

    start = time.perf_counter()
    with GroupProcess(command) as process:
        code = process.wait(timeout)
        last_line = process.stderr_tail()
    if code is None:
        return time.perf_counter() - start, f"timed out after {timeout:.0f} s"
    error = f"exit {code}" if code else ""
    if last_line and "javaldx" not in last_line:
        error = f"{error} stderr: {last_line[:200]}".strip()
    return time.perf_counter() - start, error


def children_cpu() -> float:
    """CPU seconds of this process's children (and theirs) that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def count_pages(out_dir: Path) -> tuple[int, int]:
    """(PDF files, total pages) in a folder."""
    import pypdfium2 as pdfium

    pdfs = pages = 0
    for pdf in out_dir.glob("*.pdf"):
        try:
            document = pdfium.PdfDocument(str(pdf))
        except pdfium.PdfiumError:
            continue
        pdfs += 1
        pages += len(document)
        document.close()
    return pdfs, pages


def child_msldesk(files: list[str], library: Path, exact: bool) -> dict:
    """Initialise the renderer's profiles (untimed), import the decks as the app does (LibreOffice
    starting meanwhile; untimed), then time the rendering."""
    from sqlalchemy import text

    from msldesk.app.services import App
    from msldesk.core.config import Settings

    library.mkdir(parents=True)
    Settings(exact_thumbnails=exact).save(library / "settings.json")
    app = App(library)
    try:
        renderer = app.decks.renderer
        if not renderer.available:
            return {"error": "LibreOffice (soffice) was not found"}
        profile_seconds = [
            init_profile(renderer.soffice, app.paths.cache / f"lo-profile-{n}")  # type: ignore[arg-type]
            for n in range(renderer.processes)
        ]
        app.decks.warm_up_thumbnails()  # what the app's import job does first
        outcomes = list(app.decks.import_paths([Path(f) for f in files]))
        with app.sessions() as session:
            jobs = session.execute(
                text(
                    "SELECT v.sha256, v.file_ext, v.slide_count FROM deck_versions v "
                    "WHERE v.is_current AND v.thumbnail_state = 'pending' ORDER BY v.id"
                )
            ).all()
        store_files = sorted({str(app.decks.store.path_for(sha, ext)) for sha, ext, _ in jobs})
        first_deck: list[float] = []

        def on_progress(done: int, total: int, message: str) -> None:
            if done and not first_deck:  # the first deck's PNGs are written
                first_deck.append(time.perf_counter() - start)

        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        app.decks.render_thumbnails(on_progress)
        seconds = time.perf_counter() - start
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        own_cpu = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in ("ru_utime", "ru_stime"))
        with app.sessions() as session:
            states = dict(
                session.execute(
                    text(
                        "SELECT thumbnail_state, sum(slide_count) FROM deck_versions "
                        "WHERE is_current GROUP BY thumbnail_state"
                    )
                ).all()
            )
            decks_by_state = dict(
                session.execute(
                    text("SELECT thumbnail_state, count(*) FROM deck_versions WHERE is_current GROUP BY 1")
                ).all()
            )
        pngs = sum(1 for _ in app.paths.thumbnails.rglob("*.png"))
        steps = dict(renderer.seconds)
    finally:
        app.close()
    return {
        "seconds": seconds,
        "first_deck_seconds": first_deck[0] if first_deck else None,
        "imported": sum(o.status == "imported" for o in outcomes),
        "decks": len(jobs),
        "slides": sum(count for _, _, count in jobs),
        "slides_done": states.get("done", 0),
        "decks_by_state": decks_by_state,
        "pngs": pngs,
        "profile_seconds": profile_seconds,
        "store_files": store_files,
        "processes": renderer.processes,
        "batch_size": renderer.batch_size,
        "kept_office": renderer.uno_python() is not None,
        "exact": renderer.exact,
        "steps": steps,
        "own_cpu": own_cpu,
        "load_after": os.getloadavg()[0],
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0], runs=3)
    p.add_argument("--sample", type=int, default=0, help="use N decks (seeded random sample); 0 = all")
    p.add_argument("--per-deck", type=int, default=10, help="decks in the one-call-per-deck sample")
    p.add_argument("--timeout", type=float, default=1800, help="limit for the single soffice call (s)")
    p.add_argument("--exact", action="store_true", help="with the exact_thumbnails setting on")
    args = p.parse_args()
    if args.child:
        extra = child_args(args)
        emit(child_msldesk(extra["files"], Path(extra["library"]), bool(extra["exact"])))
        return

    from msldesk.decks.soffice import find_soffice

    soffice = find_soffice()
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) was not found")
    corpus = check_corpus(args.corpus)
    header("thumbnail rendering", corpus, args.runs)
    files = [str(f) for f in deck_files(corpus)]
    if args.sample:
        files = sorted(random.Random(SEED).sample(files, min(args.sample, len(files))))
    work = temp_dir("thumbs")
    ours, single, per_deck = [], [], []
    try:
        for run in range(args.runs):
            library = work / f"library-{run}"
            progress(f"run {run + 1}/{args.runs}: msldesk render_thumbnails ({len(files)} files)")
            ours.append(
                run_child(
                    __file__,
                    "render",
                    timeout=args.timeout * 2,
                    files=files,
                    library=str(library),
                    exact=args.exact,
                )
            )
            if "error" in ours[-1]:
                raise SystemExit(ours[-1]["error"])
            decks = ours[-1]["store_files"]  # the same bytes msldesk rendered, uniquely named

            profile = work / f"profile-{run}"
            init_profile(soffice, profile)
            out_dir = work / f"single-{run}"
            out_dir.mkdir()
            progress(f"run {run + 1}/{args.runs}: one soffice call for {len(decks)} decks")
            cpu_before = children_cpu()
            seconds, error = run_soffice(soffice, profile, out_dir, decks, args.timeout)
            cpu = children_cpu() - cpu_before  # soffice and soffice.bin, reaped when they end
            pdfs, pages = count_pages(out_dir)
            single.append({"seconds": seconds, "error": error, "pdfs": pdfs, "pages": pages, "cpu": cpu})

            sample = sorted(random.Random(SEED + run).sample(decks, min(args.per_deck, len(decks))))
            progress(f"run {run + 1}/{args.runs}: one soffice call per deck for {len(sample)} decks")
            out_dir = work / f"per-deck-{run}"
            out_dir.mkdir()
            total, errors = 0.0, 0
            for deck in sample:
                seconds, error = run_soffice(soffice, profile, out_dir, [deck], 300)
                total += seconds
                errors += bool(error)
            pdfs, pages = count_pages(out_dir)
            per_deck.append(
                {"seconds": total, "errors": errors, "pdfs": pdfs, "pages": pages, "decks": len(sample)}
            )
            shutil.rmtree(library, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    first = ours[0]
    rate = median([r["slides_done"] / r["seconds"] for r in ours])
    single_rate = median([r["pages"] / r["seconds"] for r in single])
    per_deck_rate = median([r["pages"] / r["seconds"] for r in per_deck])
    print(f"deck files: {len(files)}{' (sample)' if args.sample else ''}; imported {first['imported']}")
    print()
    how = (
        "LibreOffice kept running between decks over UNO, writing each deck's PDF with its default "
        "options, pages rasterised by pdfium (exact_thumbnails)"
        if first.get("kept_office") and first.get("exact")
        else "LibreOffice kept running between decks over UNO, writing each slide's PNG"
        if first.get("kept_office")
        else f"soffice --convert-to PDF, batches of {first['batch_size']} (no LibreOffice Python/uno found)"
    )
    print(
        f"msldesk DeckService.render_thumbnails ({first['processes']} LibreOffice processes, "
        f"{how}; {first['pngs']} PNGs):"
    )
    print(
        f"  decks to render: {first['decks']} ({first['slides']} slides); "
        f"deck states after: {first['decks_by_state']}"
    )
    print(f"  slides rendered per run: {[r['slides_done'] for r in ours]}")
    print(f"  seconds per run: {runs_text([r['seconds'] for r in ours], '{:.1f}')}")
    print(f"  slides/s per run: {runs_text([r['slides_done'] / r['seconds'] for r in ours], '{:.1f}')}")
    print(f"  median: {rate:.1f} slides/s")
    firsts = [r["first_deck_seconds"] for r in ours if r.get("first_deck_seconds") is not None]
    if firsts:
        print(
            f"  first deck's thumbnails written after (s): {runs_text(firsts, '{:.2f}')} "
            f"(target <= 3 s after import: {'met' if median(firsts) <= 3 else 'NOT met'})"
        )
    print("  where the time went, run 1 (wall seconds summed over the offices and the rasterising thread):")
    steps = dict(first["steps"])
    for step, seconds in sorted(steps.items(), key=lambda item: -item[1]):
        print(f"    {step}: {seconds:.1f}")
    office_cpu = [r["steps"].get("office CPU", 0.0) for r in ours]
    own_cpu = [r["own_cpu"] for r in ours]
    per_cpu = [r["slides_done"] / max(c + o, 1e-9) for r, c, o in zip(ours, office_cpu, own_cpu, strict=True)]
    print(
        f"  CPU seconds per run: LibreOffice {runs_text(office_cpu, '{:.1f}')}, msldesk's process "
        f"{runs_text(own_cpu, '{:.1f}')} (rasterising + PNG, run 1: "
        f"{steps.get('rasterise + PNG CPU', 0.0):.1f}): {median(per_cpu):.1f} slides per CPU-second"
    )
    print(f"  load average after each run: {runs_text([r['load_after'] for r in ours], '{:.1f}')}")
    print(
        "  profile initialisation (untimed above), s: "
        f"{runs_text([s for r in ours for s in r['profile_seconds']], '{:.2f}')}"
    )
    print()
    print(
        f"baseline: one `soffice --convert-to pdf` call for the same {first['decks']} decks "
        "(one process; hidden slides not exported):"
    )
    print(f"  PDFs / pages produced per run: {[(r['pdfs'], r['pages']) for r in single]}")
    print(f"  decks left without a PDF per run: {[first['decks'] - r['pdfs'] for r in single]}")
    errors = [r["error"] for r in single if r["error"]]
    if errors:
        print(f"  soffice said: {errors}")
    print(f"  seconds per run: {runs_text([r['seconds'] for r in single], '{:.1f}')}")
    print(f"  median: {single_rate:.1f} pages/s")
    print(
        f"  CPU seconds per run: {runs_text([r['cpu'] for r in single], '{:.1f}')}: "
        f"{median([r['pages'] / max(r['cpu'], 1e-9) for r in single]):.1f} pages per CPU-second (one core)"
    )
    print()
    print(f"baseline: one soffice call per deck, {per_deck[0]['decks']} sampled decks per run (seeded):")
    print(f"  PDFs / pages per run: {[(r['pdfs'], r['pages']) for r in per_deck]}")
    print(f"  seconds per run: {runs_text([r['seconds'] for r in per_deck], '{:.1f}')}")
    print(f"  median: {per_deck_rate:.1f} pages/s")
    print()
    ratio = rate / single_rate
    print(f"msldesk slides/s: {rate:.1f} (target >= 40 on 2 cores: {'met' if rate >= 40 else 'NOT met'})")
    print(
        f"ratio msldesk slides/s / single-call pages/s: {ratio:.2f} "
        f"(target >= 2.0: {'met' if ratio >= 2.0 else 'NOT met'})"
    )
    print(f"ratio msldesk slides/s / per-deck-call pages/s: {rate / per_deck_rate:.2f}")


if __name__ == "__main__":
    main()
