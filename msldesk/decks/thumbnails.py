"""Render slide thumbnails: LibreOffice (headless, batched) makes a PDF per deck, pdfium rasterises
its pages to PNG. Everything is cached by the deck file's SHA-256.

soffice exits 0 even when it could not convert, so success is judged by the PDF it leaves behind.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from msldesk.fileio import atomic_writer
from msldesk.progress import CancelToken, ProgressCallback, no_progress

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


class ThumbnailCache:
    """previews/<aa>/<sha>.pdf and thumbnails/<aa>/<sha>/<n>.png."""

    def __init__(self, previews: Path, thumbnails: Path) -> None:
        self.previews = Path(previews)
        self.thumbnails = Path(thumbnails)

    def preview_pdf(self, sha256: str) -> Path:
        return self.previews / sha256[:2] / f"{sha256}.pdf"

    def slide_png(self, sha256: str, number: int) -> Path:
        return self.thumbnails / sha256[:2] / sha256 / f"{number}.png"

    def is_complete(self, sha256: str, slide_count: int) -> bool:
        return self.preview_pdf(sha256).exists() and all(
            self.slide_png(sha256, n).exists() for n in range(1, slide_count + 1)
        )


class SlideRenderer:
    def __init__(
        self,
        soffice: str | None,
        cache: ThumbnailCache,
        work_dir: Path,
        width: int = 320,
        timeout_seconds: int = 120,
        batch_size: int = 8,
        processes: int = 2,
    ) -> None:
        self.soffice = soffice
        self.cache = cache
        self.work_dir = Path(work_dir)
        self.width = width
        self.timeout_seconds = timeout_seconds
        self.batch_size = max(1, batch_size)
        self.processes = max(1, processes)

    @property
    def available(self) -> bool:
        return self.soffice is not None

    def render(
        self,
        jobs: Sequence[RenderJob],
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> Iterator[RenderResult]:
        """Render every job; yields a result per deck as its PNGs are written."""
        if not self.available:
            for job in jobs:
                yield RenderResult(job.sha256, False, error="LibreOffice is not installed.")
            return
        cancel = cancel or CancelToken()
        total_slides = sum(j.slide_count for j in jobs)
        done_slides = 0
        batches = [list(jobs[i : i + self.batch_size]) for i in range(0, len(jobs), self.batch_size)]
        profiles = [self.work_dir / f"lo-profile-{n}" for n in range(self.processes)]
        free_profiles = list(profiles)
        lock = threading.Lock()

        def run(batch: list[RenderJob]) -> tuple[list[RenderJob], Path, dict[str, str]]:
            with lock:
                profile = free_profiles.pop()
            try:
                return batch, *self._convert_batch(batch, profile, cancel)
            finally:
                with lock:
                    free_profiles.append(profile)

        progress(0, total_slides, "Rendering thumbnails")
        with ThreadPoolExecutor(max_workers=self.processes) as pool:
            pending: set[Future[tuple[list[RenderJob], Path, dict[str, str]]]] = set()
            queue = list(batches)
            while queue or pending:
                while queue and len(pending) < self.processes and not cancel.cancelled:
                    pending.add(pool.submit(run, queue.pop(0)))
                if not pending:
                    break
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    batch, out_dir, errors = future.result()
                    try:
                        for job in batch:
                            result = self._rasterise(job, out_dir, errors.get(job.sha256, ""))
                            done_slides += job.slide_count
                            progress(done_slides, total_slides, "Rendering thumbnails")
                            yield result
                    finally:
                        shutil.rmtree(out_dir, ignore_errors=True)
                if cancel.cancelled:
                    for future in pending:
                        future.cancel()

    def _convert_batch(
        self, batch: list[RenderJob], profile: Path, cancel: CancelToken
    ) -> tuple[Path, dict[str, str]]:
        """Run soffice on a batch; on timeout retry its decks one by one. Returns (outdir, errors)."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        out_dir = Path(tempfile.mkdtemp(prefix="render-", dir=self.work_dir))
        errors: dict[str, str] = {}
        timeout = self.timeout_seconds + 2 * sum(j.slide_count for j in batch)
        error = self._run_soffice([j.source for j in batch], out_dir, profile, timeout, cancel)
        missing = [j for j in batch if not (out_dir / f"{j.sha256}.pdf").exists()]
        if error and len(batch) > 1 and missing and not cancel.cancelled:
            for job in missing:  # one slow or crashing deck must not cost its batch-mates
                single = self._run_soffice([job.source], out_dir, profile, self.timeout_seconds, cancel)
                if single:
                    errors[job.sha256] = single
        elif error:
            for job in missing:
                errors[job.sha256] = error
        return out_dir, errors

    def _run_soffice(
        self, sources: list[Path], out_dir: Path, profile: Path, timeout: float, cancel: CancelToken
    ) -> str:
        if cancel.cancelled:
            return "Cancelled."
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
            *[str(s) for s in sources],
        ]
        try:
            process = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,  # so a timeout can kill soffice.bin and its helpers
            )
        except OSError as exc:
            return f"LibreOffice could not be started: {exc}"
        try:
            waited = 0.0
            while True:
                try:
                    _, stderr = process.communicate(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    waited += 0.5
                    if cancel.cancelled or waited >= timeout:
                        self._kill(process)
                        process.communicate()
                        if cancel.cancelled:
                            return "Cancelled."
                        return f"LibreOffice took longer than {int(timeout)} s and was stopped."
        finally:
            if process.poll() is None:
                self._kill(process)
        if process.returncode != 0:
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if stderr else []
            return f"LibreOffice failed (exit {process.returncode}) {' '.join(tail)}".strip()
        return ""

    @staticmethod
    def _kill(process: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            if hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()

    def _rasterise(self, job: RenderJob, out_dir: Path, error: str) -> RenderResult:
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
                    if pages != job.slide_count:
                        return RenderResult(
                            job.sha256,
                            False,
                            pages,
                            f"LibreOffice produced {pages} pages for {job.slide_count} slides.",
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
        return RenderResult(job.sha256, True, pages)
