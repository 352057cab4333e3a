"""Render slide thumbnails with LibreOffice (headless). Everything is cached by the deck file's SHA-256.

LibreOffice is kept running (over UNO, one office per process slot) from its first need (a render,
or `warm_up()` when an import starts) until `close()`, recycled after many decks, a growth in
memory or a hang. Each office's thread takes the next deck (decks on screen first, then decks
imported meanwhile) and has the office write each slide straight to a PNG: at thumbnail size that
export costs LibreOffice about half the CPU of a PDF export and leaves nothing to rasterise. The
large preview's PDF is made when the user first looks at one of the deck's slides
(`preview_pdf()`). Without LibreOffice's Python, soffice --convert-to converts batches of decks to
PDF (it exits 0 even when it could not convert, so success is judged by the PDF), pdfium
rasterises their pages and the PDF is kept as the preview. An `exact` renderer has every deck go
through a PDF with LibreOffice's default options, as all did before the office was kept.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from msldesk.core.errors import DeckImportError
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.decks.listing import preview_pdf_path, slide_png_path
from msldesk.decks.ooxml.package import write_first_slides
from msldesk.decks.render_queue import RenderQueue
from msldesk.decks.slide_images import keep_pngs, pdf_page_count, rasterise_pdf
from msldesk.decks.soffice import GroupProcess
from msldesk.decks.uno_bridge import WORKER_SCRIPT, BridgeError, UnoBridge, find_uno_python

log = logging.getLogger(__name__)

# Hidden slides are part of the deck: export them so page N is always slide N. Pictures are not
# downsampled to 300 dpi: thumbnails are 320 px and the preview 960 px wide, and LibreOffice 7.4
# scales a picture again on every page that shows it (a corpus deck with a 3,072-px master picture
# on 48 slides spent 43 of its 45 s doing so; 9 s without). Both ways of converting use these.
PDF_EXPORT_OPTIONS: dict[str, object] = {"ExportHiddenSlides": True, "ReduceImageResolution": False}
# The `exact` renderer's: LibreOffice's own defaults (pictures reduced to 300 dpi), which drew the
# thumbnails before LibreOffice was kept running. Rasterised by pdfium, its slides are
# pixel-identical to those; bench/thumbnail_fidelity.py compares, bench/thumbnails.py --exact times it.
EXACT_PDF_EXPORT_OPTIONS: dict[str, object] = {"ExportHiddenSlides": True}
# The kept office's slide PNGs: zlib level 1 (LibreOffice's default 6 took a quarter more export
# time for files ~15 % smaller; ~27 KB a slide at 320 px, as pdfium's PNGs were).
PNG_EXPORT_OPTIONS: dict[str, object] = {"Compression": 1}
INSTALL_HINT = (
    "Install LibreOffice (Impress) to get real slide thumbnails: "
    "https://www.libreoffice.org, or 'sudo apt install libreoffice-impress' on Debian/Ubuntu. "
    "Until then slides show their titles."
)
# A deck's time limit is timeout_seconds plus this per slide (one 48-slide deck took 17 s).
SECONDS_PER_SLIDE = 1.0
POLL_SECONDS = 0.2  # how soon a cancel, a finished deck or a time limit is noticed
# After a render, an office grown past this is ended rather than kept idle (a fresh one is ~90 MB).
IDLE_OFFICE_BYTES = 512 * 1024**2
CLOSE_WAIT_SECONDS = 10  # close() waits this long for a render to notice it and stop


def pdf_filter(options: dict[str, object]) -> str:
    """soffice --convert-to's filter argument for impress_pdf_Export with boolean `options`."""
    typed = {name: {"type": "boolean", "value": str(value).lower()} for name, value in options.items()}
    return "pdf:impress_pdf_Export:" + json.dumps(typed, separators=(",", ":"))


@dataclass(frozen=True)
class RenderJob:
    sha256: str
    source: Path  # the deck file in the store, named <sha256>.<ext>
    slide_count: int


@dataclass(frozen=True)
class RenderResult:
    sha256: str
    ok: bool
    pages: int = 0
    error: str = ""
    note: str = ""  # on success: what the user should know (only some slides were rendered)


class ThumbnailCache:
    """thumbnails/<aa>/<sha>/<n>.png, and previews/<aa>/<sha>.pdf once made (for the large preview)."""

    def __init__(self, previews: Path, thumbnails: Path) -> None:
        self.previews = Path(previews)
        self.thumbnails = Path(thumbnails)

    def preview_pdf(self, sha256: str) -> Path:
        return preview_pdf_path(self.previews, sha256)

    def slide_png(self, sha256: str, number: int) -> Path:
        return slide_png_path(self.thumbnails, sha256, number)

    def remove(self, sha256: str) -> int:
        """Delete the preview PDF and slide images of a content hash; how many of the two existed."""
        removed = 0
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.preview_pdf(sha256))
            removed += 1
        folder = self.slide_png(sha256, 1).parent
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)
            removed += 1
        return removed

    def is_complete(self, sha256: str, slide_count: int) -> bool:
        """Every slide's thumbnail is there (the preview PDF is made when first needed)."""
        return all(self.slide_png(sha256, n).is_file() for n in range(1, slide_count + 1))


@dataclass(frozen=True)
class _Prepared:
    """A job as handed to LibreOffice: the file to convert (a copy cut to the first `pages`
    slides when the deck lists more) and the note to show when not every slide is rendered."""

    job: RenderJob
    source: Path
    pages: int
    note: str = ""


_Converted = tuple[list[_Prepared], Path, dict[str, str]]  # decks, their PDF folder, errors by sha256


@dataclass
class _Slot:
    """One LibreOffice at a time per profile: the batch command's, or a kept office (`bridge`)."""

    profile: Path
    bridge: UnoBridge | None = None


class SlideRenderer:
    def __init__(
        self,
        soffice: str | None,
        cache: ThumbnailCache,
        work_dir: Path,
        width: int = 320,
        timeout_seconds: float = 120,
        batch_size: int = 8,
        processes: int = 2,
        max_slides: int = 500,
        memory_limit_bytes: int = 0,
        keep_office: bool = True,
        exact: bool = False,
    ) -> None:
        self.soffice = soffice
        self.cache = cache
        self.work_dir = Path(work_dir)
        self.width = width
        self.timeout_seconds = timeout_seconds
        self.batch_size = max(1, batch_size)
        self.processes = max(1, processes)
        self.max_slides = max(1, max_slides)
        self.memory_limit_bytes = memory_limit_bytes
        # Keep LibreOffice running between decks (over UNO) where its Python is found; otherwise,
        # or once that fails to start, one soffice --convert-to call per batch.
        self.keep_office = keep_office
        # Exact thumbnails: every deck through a PDF with LibreOffice's default options, rasterised
        # by pdfium, as before the office was kept: the same images, at about 40 % of the speed
        # (the preview PDF comes with them).
        self.exact = exact
        self.pdf_options = EXACT_PDF_EXPORT_OPTIONS if exact else PDF_EXPORT_OPTIONS
        self.worker_script = WORKER_SCRIPT
        self.start_timeout_seconds = timeout_seconds  # for the kept office to start listening
        # Seconds spent per step ("office start", "load", "export", "rasterise", ...) since this
        # renderer was made: the log and the thumbnails bench show where the time goes.
        self.seconds: dict[str, float] = {}
        self._uno_python: str | None = None
        self._uno_checked = False
        self._slots: list[_Slot] = []  # made on first need, kept (offices running) until close()
        self._rendering = threading.Lock()  # one render at a time uses the slots
        self._closing = threading.Event()
        self._preview_lock = threading.Lock()  # one preview PDF made at a time
        self._seconds_lock = threading.Lock()

    def uno_python(self) -> str | None:
        """The Python that drives a kept LibreOffice, or None: looked for once, on first use."""
        if not self.keep_office:
            return None
        if not self._uno_checked:
            self._uno_python = find_uno_python(self.soffice)
            self._uno_checked = True
            if self._uno_python is None:
                log.info("LibreOffice's Python (uno) was not found: rendering with soffice --convert-to")
        return self._uno_python

    @property
    def available(self) -> bool:
        return self.soffice is not None

    def pages_for(self, slide_count: int) -> int:
        """How many of a deck's slides get thumbnails: the first `max_slides`."""
        return min(slide_count, self.max_slides)

    def partial_note(self, slide_count: int, listed: int = 0) -> str:
        """What to tell the user when a deck has more slides than get thumbnails ("" otherwise);
        `listed` is how many slides the file lists, when import took fewer."""
        pages = self.pages_for(slide_count)
        if slide_count <= pages:
            return ""
        return (
            f"Only the first {pages:,} of {max(listed, slide_count):,} slides were rendered "
            f"(at most {self.max_slides:,} slides of a deck get thumbnails); "
            "the others show their titles."
        )

    def deck_time_limit(self, pages: int) -> float:
        """Seconds LibreOffice may spend on one deck (it is handed each deck once)."""
        return self.timeout_seconds + SECONDS_PER_SLIDE * pages

    def render(
        self,
        jobs: Sequence[RenderJob],
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
        first: Callable[[], Collection[str]] | None = None,
        more: Callable[[], Sequence[RenderJob]] | None = None,
    ) -> Iterator[RenderResult]:
        """Render every job; yields a result per deck as its PNGs are written. A cancelled deck
        yields nothing (it stays pending). `first` names (by sha256) the decks wanted now: each
        time a LibreOffice is free it takes one of them before the others, and their results are
        yielded first. `more`, asked about once a second on the caller's thread, returns decks to
        add (imported meanwhile): they go ahead of the rest. One render runs at a time; a second
        waits for the first to end."""
        if not self.available:
            for job in jobs:
                yield RenderResult(job.sha256, False, error="LibreOffice is not installed.")
            return
        with self._rendering:
            yield from self._render(list(jobs), progress, cancel or CancelToken(), first, more)

    def warm_up(self) -> None:
        """Start the kept offices now, in the background, unless they run or a render is on (it
        starts them itself); returns at once. close() ends them."""
        if self.uno_python() is None or not self._rendering.acquire(blocking=False):
            return

        def start_all() -> None:
            try:
                slots = [s for s in self._ready_slots() if s.bridge is not None and not s.bridge.running]
                with ThreadPoolExecutor(max(1, len(slots)), thread_name_prefix="msldesk-office") as pool:
                    starts = [pool.submit(self._start_office, slot, self._closing.is_set) for slot in slots]
                    for started in starts:
                        started.result()
            finally:
                self._rendering.release()

        threading.Thread(target=start_all, name="msldesk-office-warm-up", daemon=True).start()

    def close(self) -> None:
        """End the kept offices (a clean quit, then their process groups). A render still running
        stops within a poll interval; the next render starts the offices again."""
        self._closing.set()
        idle = self._rendering.acquire(timeout=CLOSE_WAIT_SECONDS)
        try:
            for slot in self._slots:
                if slot.bridge is not None:
                    slot.bridge.close()
        finally:
            self._closing.clear()
            if idle:
                self._rendering.release()

    def _render(
        self,
        jobs: list[RenderJob],
        progress: ProgressCallback,
        token: CancelToken,
        first: Callable[[], Collection[str]] | None,
        more: Callable[[], Sequence[RenderJob]] | None,
    ) -> Iterator[RenderResult]:
        abandoned = threading.Event()  # the caller stopped iterating or failed: stop LibreOffice too

        def halted() -> bool:
            return token.cancelled or abandoned.is_set() or self._closing.is_set()

        slots = self._ready_slots()
        # A kept office has no start-up to spread over a batch: one deck each, yielded at once.
        size = 1 if any(slot.bridge for slot in slots) else self.batch_size
        work: RenderQueue[RenderJob, list[RenderResult]] = RenderQueue(
            jobs, size, self.pages_for, len(slots), lambda results: results, first, more, halted
        )

        def render_all(slot: _Slot) -> None:
            """One office's loop: convert the next batch (a wanted deck first), rasterise its
            PDFs (on this thread: the office is idle meanwhile, the core is not), until none is left."""
            try:
                while (batch := work.take()) is not None:
                    results = None
                    try:
                        results = self._render_batch(batch, slot, halted)
                    finally:
                        work.put(results)
            finally:
                work.office_ended()

        done_slides = 0
        progress(0, work.total_slides, "Rendering thumbnails")
        pool = ThreadPoolExecutor(max_workers=len(slots), thread_name_prefix="msldesk-render")
        try:
            offices = [pool.submit(render_all, slot) for slot in slots]
            while (results := work.next_converted()) is not None:
                for result in results:
                    if not result.ok and halted():
                        continue  # stopped part-way: the deck stays pending
                    done_slides += work.slides_of.get(result.sha256, 0)
                    progress(done_slides, work.total_slides, "Rendering thumbnails")
                    yield result
            for office in offices:
                office.result()  # an office's unexpected error is the caller's
        finally:
            abandoned.set()  # each running conversion kills its LibreOffice within a poll interval
            pool.shutdown(wait=True, cancel_futures=True)
            self._let_offices_idle()
            log.info("Thumbnail time so far, s: %s", {k: round(v, 1) for k, v in self.seconds.items()})

    def _ready_slots(self) -> list[_Slot]:
        """The process slots, made on first need: each with a bridge to keep its office running
        when LibreOffice's Python is found (started when it converts its first deck)."""
        if not self._slots:
            self._slots = [_Slot(self.work_dir / f"lo-profile-{n}") for n in range(self.processes)]
        python = self.uno_python()
        for slot in self._slots:
            if python and self.soffice and slot.bridge is None:
                slot.bridge = UnoBridge(
                    python, self.soffice, slot.profile, self.memory_limit_bytes, self.worker_script
                )
            elif not python and slot.bridge is not None:  # another slot's office could not start
                slot.bridge.close()
                slot.bridge = None
        return self._slots

    def _let_offices_idle(self) -> None:
        """Offices stay running for the next render, except one that has grown large."""
        for slot in self._slots:
            bridge = slot.bridge
            if bridge is not None and bridge.running and bridge.rss > IDLE_OFFICE_BYTES:
                log.info("Ending an idle LibreOffice of %d MB", bridge.rss >> 20)
                bridge.close()

    def _add_seconds(self, step: str, seconds: float) -> None:
        with self._seconds_lock:
            self.seconds[step] = self.seconds.get(step, 0.0) + seconds

    def _prepare(self, job: RenderJob, in_dir: Path) -> _Prepared:
        """Hand LibreOffice at most the first `max_slides` slides (and never more than were
        imported): a deck listing thousands of slides would otherwise take gigabytes and hours."""
        pages = self.pages_for(job.slide_count)
        cut = in_dir / job.source.name  # same stem: the PDF is named after it
        try:
            listed = write_first_slides(job.source, cut, keep=pages)
        except (DeckImportError, OSError, KeyError, ValueError) as exc:
            # Import read this deck; if the slide list cannot be cut now, LibreOffice gets the
            # original and the time and memory limits still hold.
            log.warning("Could not cut %s to %d slides: %s", job.source, pages, exc)
            listed, cut = job.slide_count, job.source
        source = cut if listed > pages else job.source
        note = self.partial_note(job.slide_count, listed)
        return _Prepared(job, source, pages, note)

    def _convert_batch(
        self, batch: list[RenderJob], slot: _Slot, halted: Callable[[], bool], pdf: bool = False
    ) -> _Converted:
        """Convert a batch in a fresh folder; returns (decks, folder, errors by sha256). A kept
        office writes each deck's slide PNGs into folder/<sha256>/ (its PDF, `pdf`, for a
        preview); the batch command writes folder/<sha256>.pdf.

        One soffice converts the batch's decks in order. A deck that hangs or crashes it is
        recorded as failed, and the decks after it go to a fresh soffice: each deck is tried once
        and gets its own time limit, so no batch can take longer than its decks' limits added up.
        """
        self.work_dir.mkdir(parents=True, exist_ok=True)
        out_dir = Path(tempfile.mkdtemp(prefix="render-", dir=self.work_dir))
        in_dir = out_dir / "in"
        in_dir.mkdir()
        prepared = [self._prepare(job, in_dir) for job in batch]
        errors: dict[str, str] = {}
        queue = self._convert_kept(prepared, out_dir, slot, halted, errors, pdf)
        while queue and not halted():
            queue = self._convert(queue, out_dir, slot.profile, halted, errors)
        return prepared, out_dir, errors

    def _render_batch(
        self, batch: list[RenderJob], slot: _Slot, halted: Callable[[], bool]
    ) -> list[RenderResult]:
        """Convert a batch, then write each deck's PNGs (and its preview PDF when it made one); a
        result per deck."""
        prepared, out_dir, errors = self._convert_batch(batch, slot, halted, pdf=self.exact)
        try:
            return [self._keep(item, out_dir, errors.get(item.job.sha256, "")) for item in prepared]
        finally:
            shutil.rmtree(out_dir, ignore_errors=True)

    def _convert_kept(
        self,
        decks: list[_Prepared],
        out_dir: Path,
        slot: _Slot,
        halted: Callable[[], bool],
        errors: dict[str, str],
        pdf: bool,
    ) -> list[_Prepared]:
        """Convert decks in the slot's kept office, each under its own time limit (an office
        that hangs or dies is killed and the next deck starts a fresh one), to slide PNGs, or
        PDFs when `pdf`; returns the decks left for the batch CLI: all of them when there is no
        kept office or it cannot start."""
        for index, deck in enumerate(decks):
            if slot.bridge is None:
                return decks[index:]
            if halted():
                return []
            if not self._start_office(slot, halted):
                return [] if halted() else decks[index:]
            assert slot.bridge is not None
            target, options, width = out_dir / deck.job.sha256, PNG_EXPORT_OPTIONS, self.width
            if pdf:
                target, options, width = target.with_suffix(".pdf"), self.pdf_options, 0
            else:
                target.mkdir()
            started = time.perf_counter()
            try:
                limit = self.deck_time_limit(deck.pages)
                conversion = slot.bridge.convert(deck.source, target, options, limit, halted, width)
            except BridgeError as exc:
                error = "" if halted() else str(exc)
                self._add_seconds("office lost", time.perf_counter() - started)
            else:
                error = conversion.error
                for step, seconds in conversion.seconds.items():
                    self._add_seconds(step, seconds)
            if error:
                errors[deck.job.sha256] = error
        return []

    def _start_office(self, slot: _Slot, halted: Callable[[], bool]) -> bool:
        """Start the slot's kept office unless it runs; whether it runs. One that cannot start
        (unless stopped) is given up: this and later renders use the batch command."""
        if slot.bridge is None or slot.bridge.running:
            return slot.bridge is not None
        started = time.perf_counter()
        try:
            slot.bridge.start(self.start_timeout_seconds, halted)
        except BridgeError as exc:
            if not halted():
                log.warning("LibreOffice could not be kept running (%s): using soffice --convert-to", exc)
                slot.bridge = None
                self._uno_python = None  # later renders batch their decks for the CLI again
            return False
        self._add_seconds("office start", time.perf_counter() - started)
        return True

    def _convert(
        self,
        decks: list[_Prepared],
        out_dir: Path,
        profile: Path,
        halted: Callable[[], bool],
        errors: dict[str, str],
    ) -> list[_Prepared]:
        """Run one soffice over `decks`; returns the decks still to convert in a fresh one."""
        assert self.soffice is not None
        command = [
            self.soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            "--convert-to",
            pdf_filter(self.pdf_options),
            "--outdir",
            str(out_dir),
            *[str(d.source) for d in decks],
        ]

        def converted(deck: _Prepared) -> bool:
            return (out_dir / f"{deck.job.sha256}.pdf").exists()

        try:
            process = GroupProcess(command, self.memory_limit_bytes)
        except OSError as exc:
            for deck in decks:
                errors[deck.job.sha256] = f"LibreOffice could not be started: {exc}"
            return []
        started = time.perf_counter()
        with process:
            done = 0  # soffice converts in order: decks before `done` have their PDF
            clock = time.monotonic()  # when the deck at `done` was started
            while (code := process.wait(POLL_SECONDS)) is None:
                while done < len(decks) and converted(decks[done]):
                    done, clock = done + 1, time.monotonic()
                if halted():
                    return []
                if done == len(decks):
                    if time.monotonic() - clock > self.timeout_seconds:
                        break  # every PDF is written but soffice does not exit: end it
                    continue
                limit = self.deck_time_limit(decks[done].pages)
                if time.monotonic() - clock > limit:
                    errors[decks[done].job.sha256] = (
                        f"LibreOffice took longer than {limit:.0f} s on this deck and was stopped."
                    )
                    return decks[done + 1 :]
            tail = process.stderr_tail()
        self._add_seconds("batch command", time.perf_counter() - started)
        missing = [d for d in decks if not converted(d)]
        if code in (0, None) or not missing:
            return []  # a deck soffice skipped without failing gets "no PDF was produced"
        if code in (126, 127):  # the shell could not run it
            for deck in missing:
                errors[deck.job.sha256] = f"LibreOffice could not be started: {tail}".strip()
            return []
        how = f"exit {code}" if code > 0 else f"stopped by signal {-code}"
        errors[missing[0].job.sha256] = f"LibreOffice failed ({how}) {tail}".strip()
        return missing[1:]

    def _keep(self, prepared: _Prepared, out_dir: Path, error: str) -> RenderResult:
        """Put a converted deck's slide images (and the batch command's PDF, as its preview) into
        the cache; its result."""
        job = prepared.job
        pdf, folder = out_dir / f"{job.sha256}.pdf", out_dir / job.sha256
        converted = folder.is_dir() or (pdf.exists() and pdf.stat().st_size > 0)
        if error or not converted:
            error = error or "LibreOffice could not convert this deck (no PDF was produced)."
            return RenderResult(job.sha256, False, error=error)

        def slide_path(number: int) -> Path:
            return self.cache.slide_png(job.sha256, number)

        if folder.is_dir():
            error = keep_pngs(folder, prepared.pages, slide_path, self._add_seconds)
        else:
            error = rasterise_pdf(pdf, prepared.pages, self.width, slide_path, self._add_seconds)
            if not error:
                self._keep_preview(pdf, job.sha256)
        if error:
            return RenderResult(job.sha256, False, error=error)
        return RenderResult(job.sha256, True, prepared.pages, note=prepared.note)

    def _keep_preview(self, pdf: Path, sha256: str) -> None:
        target = self.cache.preview_pdf(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(pdf, target)

    def preview_pdf(self, job: RenderJob, cancel: CancelToken | None = None) -> Path | None:
        """The deck's preview PDF (the large slide preview is rendered from it), made now when
        its thumbnails were written without one: by an idle kept office, or (a render is on, or
        no office can be kept) by the batch command in a profile of its own. None when
        LibreOffice cannot make it; the preview then shows the thumbnail."""
        target = self.cache.preview_pdf(job.sha256)  # a regular file only: a pipe would hang pdfium
        if target.is_file() or not self.available:
            return target if target.is_file() else None
        token = cancel or CancelToken()

        def halted() -> bool:
            return token.cancelled or self._closing.is_set()

        with self._preview_lock:
            if target.is_file():  # made meanwhile, for another slide of the deck
                return target
            idle = self._rendering.acquire(blocking=False)
            try:
                slot = self._ready_slots()[0] if idle else _Slot(self.work_dir / "lo-profile-preview")
                prepared, out_dir, errors = self._convert_batch([job], slot, halted, pdf=True)
            finally:
                if idle:
                    self._rendering.release()
            try:
                pdf = out_dir / f"{job.sha256}.pdf"
                if errors or not pdf.exists() or pdf_page_count(pdf) != prepared[0].pages:
                    log.info("No preview PDF for %s: %s", job.source, errors.get(job.sha256, "wrong pages"))
                    return None
                self._keep_preview(pdf, job.sha256)
            finally:
                shutil.rmtree(out_dir, ignore_errors=True)
        return target
