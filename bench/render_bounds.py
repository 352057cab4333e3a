"""Rendering is bounded: a small deck that lists one slide thousands of times, imported and rendered
with the default settings in a throw-away library.

Reports the file's size, how many slides it lists, how many were imported and rendered (with the
notes the user sees), the seconds each step took, LibreOffice's peak memory (the largest resident
size among the finished child processes) and the processes left behind afterwards (target 0).
The field's figure for the same file without the bounds: LibreOffice grew past 5 GB.
"""

from __future__ import annotations

import io
import os
import re
import resource
import shutil
import sys
import time
import zipfile
from pathlib import Path

from _common import child_args, emit, header, parser, progress, run_child, temp_dir, verdict

os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never the real keyring
os.environ["MSLDESK_PASSPHRASE"] = "bench passphrase, not a secret"


def hostile_deck(path: Path, times: int) -> None:
    """A one-slide python-pptx deck whose slide list names that slide `times` times."""
    import pptx

    presentation = pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = "The same slide"
    slide.placeholders[1].text_frame.text = "listed again and again"
    buffer = io.BytesIO()
    presentation.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "ppt/presentation.xml":
                xml = data.decode("utf-8")
                entry = re.search(r'<p:sldId id="\d+" r:id="([^"]+)"/>', xml)
                assert entry is not None
                listed = "".join(f'<p:sldId id="{256 + n}" r:id="{entry.group(1)}"/>' for n in range(times))
                data = xml.replace(entry.group(0), listed).encode("utf-8")
            out.writestr(info.filename, data)


def live_processes_naming(folder: Path) -> int:
    """Processes (not zombies) whose command line names `folder`: LibreOffice and its helpers get
    their profile and output folders under the library's (Linux /proc)."""
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
                named = str(folder).encode() in (entry / "cmdline").read_bytes()
            except OSError:
                continue
            count += state != "Z" and named
    return count


def child(times: int, work: Path) -> dict:
    from msldesk.app.services import App

    deck = work / "hostile.pptx"
    hostile_deck(deck, times)
    app = App(work / "library")
    try:
        if not app.decks.can_render_thumbnails:
            return {"error": "LibreOffice (soffice) was not found"}
        clock = time.perf_counter()
        (outcome,) = app.decks.import_paths([deck])
        import_seconds = time.perf_counter() - clock
        clock = time.perf_counter()
        app.decks.render_thumbnails()
        render_seconds = time.perf_counter() - clock
        info = app.decks.deck(outcome.deck_id or 0)
        pngs = sum(1 for _ in app.paths.thumbnails.rglob("*.png"))
    finally:
        app.close()
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "bytes": deck.stat().st_size,
        "listed": times,
        "imported": outcome.slides,
        "import_note": outcome.message,
        "import_seconds": import_seconds,
        "state": info.thumbnail_state,
        "pngs": pngs,
        "render_note": info.thumbnail_note or info.thumbnail_error,
        "render_seconds": render_seconds,
        "peak_mb": peak_kb / 1024,
        "left": live_processes_naming(work),
    }


def main() -> None:
    p = parser(__doc__ or "", runs=1)
    p.add_argument("--times", type=int, default=15_000, help="how often the deck lists its slide")
    args = p.parse_args()
    if args.child:
        work = Path(child_args(args)["work"])
        emit(child(child_args(args)["times"], work))
        return
    if not sys.platform.startswith("linux"):
        sys.exit("this bench reads /proc: run it on Linux")
    header("Rendering is bounded: one slide listed many times, default settings")
    work = temp_dir("render-bounds")
    try:
        progress(f"importing and rendering a deck that lists one slide {args.times:,} times")
        r = run_child(__file__, "render", timeout=3600, times=args.times, work=str(work))
        r["left_after_exit"] = live_processes_naming(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if "error" in r:
        sys.exit(r["error"])
    print(f"deck: {r['bytes'] / 1024:.0f} KB listing {r['listed']:,} slides")
    print(f"import: {r['imported']:,} slides in {r['import_seconds']:.1f} s; note: {r['import_note']}")
    print(
        f"render: {r['state']}, {r['pngs']:,} thumbnails in {r['render_seconds']:.1f} s; "
        f"note: {r['render_note']}"
    )
    print(f"LibreOffice peak resident memory: {r['peak_mb']:,.0f} MB (field, unbounded: > 5 GB)")
    left = (r["left"], r["left_after_exit"])
    print(
        f"LibreOffice processes left after rendering / after msldesk exited: {left[0]} / {left[1]} "
        f"(target 0) — {verdict(left == (0, 0))}"
    )


if __name__ == "__main__":
    main()
