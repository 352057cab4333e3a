"""Render slide thumbnails: LibreOffice (headless, batched) makes a PDF per deck, pdfium rasterises
its pages to PNG. Everything is cached by the deck file's SHA-256.

soffice exits 0 even when it could not convert, so success is judged by the PDF it leaves behind.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from msldesk.core.errors import DeckImportError
from msldesk.core.fileio import atomic_writer
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.decks.listing import preview_pdf_path, slide_png_path
from msldesk.decks.ooxml.package import write_first_slides
from msldesk.decks.soffice import GroupProcess
from msldesk.decks.uno_bridge import QUIT_SECONDS, WORKER_SCRIPT, BridgeError, UnoBridge, find_uno_python

log = logging.getLogger(__name__)

# Hidden slides are part of the deck: export them so page N is always slide N.
PDF_FILTER = 'pdf:impress_pdf_Export:{"ExportHiddenSlides":{"type":"boolean","value":"true"}}'
SOFFICE_NAMES = ("soffice", "libreoffice")
SOFFICE_FALLBACKS = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
INSTALL_HINT = (
    "Install LibreOffice (Impress) to get real slide thumbnails: "
    "https://www.libreoffice.org, or 'sudo apt install libreoffice-impress' on Debian/Ubuntu. "
    "Until then slides show their titles."
)
_PDFIUM_LOCK = threading.Lock()  # pdfium is not thread-safe
# A deck's time limit is timeout_seconds plus this per slide (one 48-slide deck took 17 s).
SECONDS_PER_SLIDE = 1.0
POLL_SECONDS = 0.2  # how soon a cancel, a finished deck or a time limit is noticed


def find_soffice(configured: str = "") -> str | None:
    if configured:
        return configured if Path(configured).exists() else None
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in SOFFICE_FALLBACKS if Path(p).exists()), None)


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
    """previews/<aa>/<sha>.pdf and thumbnails/<aa>/<sha>/<n>.png."""

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
        return self.preview_pdf(sha256).exists() and all(
            self.slide_png(sha256, n).exists() for n in range(1, slide_count + 1)
        )


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
    """One LibreOffice at a time per profile: the batch CLI's, or a kept office (`bridge`)."""

    profile: Path
    bridge: UnoBridge | None = None


def _next_batch(queue: list[list[RenderJob]], first: Callable[[], Collection[str]] | None) -> int:
    """The index of the first batch holding a deck wanted now, else 0."""
    wanted = first() if first is not None else ()
    if wanted:
        for index, batch in enumerate(queue):
            if any(job.sha256 in wanted for job in batch):
                return index
    return 0


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
        self.worker_script = WORKER_SCRIPT
        self.start_timeout_seconds = timeout_seconds  # for the kept office to start listening
        self._uno_python: str | None = None
        self._uno_checked = False

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
    ) -> Iterator[RenderResult]:
        """Render every job; yields a result per deck as its PNGs are written. A cancelled deck
        yields nothing (it stays pending). `first` names (by sha256) the decks wanted now: each
        time a LibreOffice is free it takes a batch with one of them before the others."""
        if not self.available:
            for job in jobs:
                yield RenderResult(job.sha256, False, error="LibreOffice is not installed.")
            return
        token = cancel or CancelToken()
        abandoned = threading.Event()  # the caller stopped iterating or failed: stop LibreOffice too

        def halted() -> bool:
            return token.cancelled or abandoned.is_set()

        total_slides = sum(self.pages_for(j.slide_count) for j in jobs)
        done_slides = 0
        python = self.uno_python()
        # A kept office has no start-up to spread over a batch: one deck each, yielded at once.
        size = 1 if python else self.batch_size
        batches = [list(jobs[i : i + size]) for i in range(0, len(jobs), size)]
        slots = [_Slot(self.work_dir / f"lo-profile-{n}") for n in range(self.processes)]
        if python and self.soffice:
            for slot in slots:
                slot.bridge = UnoBridge(
                    python, self.soffice, slot.profile, self.memory_limit_bytes, self.worker_script
                )
        free_slots = list(slots)
        lock = threading.Lock()

        def run(batch: list[RenderJob]) -> _Converted:
            with lock:
                slot = free_slots.pop()
            try:
                return self._convert_batch(batch, slot, halted)
            finally:
                with lock:
                    free_slots.append(slot)

        progress(0, total_slides, "Rendering thumbnails")
        pool = ThreadPoolExecutor(max_workers=self.processes, thread_name_prefix="msldesk-render")
        try:
            pending: set[Future[_Converted]] = set()
            queue = list(batches)
            while queue or pending:
                while queue and len(pending) < self.processes and not halted():
                    pending.add(pool.submit(run, queue.pop(_next_batch(queue, first))))
                if not pending:
                    break
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    prepared, out_dir, errors = future.result()
                    try:
                        for item in prepared:
                            result = self._rasterise(item, out_dir, errors.get(item.job.sha256, ""))
                            if not result.ok and token.cancelled:
                                continue  # stopped part-way: the deck stays pending
                            done_slides += item.pages
                            progress(done_slides, total_slides, "Rendering thumbnails")
                            yield result
                    finally:
                        shutil.rmtree(out_dir, ignore_errors=True)
        finally:
            abandoned.set()  # each running batch kills its LibreOffice within a poll interval
            pool.shutdown(wait=True, cancel_futures=True)
            for slot in slots:
                if slot.bridge is not None:
                    slot.bridge.close(quit_seconds=0 if token.cancelled else QUIT_SECONDS)

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

    def _convert_batch(self, batch: list[RenderJob], slot: _Slot, halted: Callable[[], bool]) -> _Converted:
        """Convert a batch to PDFs in a fresh folder; returns (decks, folder, errors by sha256).

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
        queue = self._convert_kept(prepared, out_dir, slot, halted, errors)
        while queue and not halted():
            queue = self._convert(queue, out_dir, slot.profile, halted, errors)
        return prepared, out_dir, errors

    def _convert_kept(
        self,
        decks: list[_Prepared],
        out_dir: Path,
        slot: _Slot,
        halted: Callable[[], bool],
        errors: dict[str, str],
    ) -> list[_Prepared]:
        """Convert decks in the slot's kept office, each under its own time limit (an office
        that hangs or dies is killed and the next deck starts a fresh one); returns the decks
        left for the batch CLI: all of them when there is no kept office or it cannot start."""
        bridge = slot.bridge
        for index, deck in enumerate(decks):
            if bridge is None:
                return decks[index:]
            if halted():
                return []
            try:
                if not bridge.running:
                    bridge.start(self.start_timeout_seconds, halted)
            except BridgeError as exc:
                if halted():
                    return []
                log.warning("LibreOffice could not be kept running (%s): using soffice --convert-to", exc)
                slot.bridge = bridge = None
                self._uno_python = None  # later renders batch their decks for the CLI again
                return decks[index:]
            pdf = out_dir / f"{deck.job.sha256}.pdf"
            try:
                error = bridge.convert(deck.source, pdf, self.deck_time_limit(deck.pages), halted)
            except BridgeError as exc:
                error = "" if halted() else str(exc)
            if error:
                errors[deck.job.sha256] = error
        return []

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
            PDF_FILTER,
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

    def _rasterise(self, prepared: _Prepared, out_dir: Path, error: str) -> RenderResult:
        job = prepared.job
        pdf_path = out_dir / f"{job.sha256}.pdf"
        if not pdf_path.exists() or pdf_path.stat().st_size == 0:
            return RenderResult(
                job.sha256,
                False,
                error=error or "LibreOffice could not convert this deck (no PDF was produced).",
            )
        import pypdfium2 as pdfium  # loaded on first render, not at start-up

        try:
            with _PDFIUM_LOCK:
                document = pdfium.PdfDocument(str(pdf_path))
                try:
                    pages = len(document)
                    if pages != prepared.pages:
                        return RenderResult(
                            job.sha256,
                            False,
                            pages,
                            f"LibreOffice produced {pages} pages for {prepared.pages} slides.",
                        )
                    for index in range(pages):
                        page = document[index]
                        scale = self.width / max(page.get_width(), 1.0)
                        image = page.render(scale=scale).to_pil()
                        with atomic_writer(self.cache.slide_png(job.sha256, index + 1)) as handle:
                            image.save(handle, format="PNG", optimize=False)
                        page.close()
                finally:
                    document.close()
        except pdfium.PdfiumError as exc:
            return RenderResult(job.sha256, False, error=f"The rendered PDF could not be read: {exc}")
        target = self.cache.preview_pdf(job.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(pdf_path, target)
        return RenderResult(job.sha256, True, pages, note=prepared.note)
