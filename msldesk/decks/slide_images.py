"""From a converted deck to the thumbnail cache's slide images: the PNGs a kept LibreOffice wrote
for each slide, or the pages of a PDF (the batch command's) rasterised by pdfium. Either way
slide N becomes thumbnails/<aa>/<sha>/N.png, written atomically, or nothing is kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from msldesk.core.fileio import atomic_writer
from msldesk.core.wording import plural

PDFIUM_LOCK = threading.Lock()  # pdfium is not thread-safe
PNG_COMPRESS_LEVEL = 1  # same pixels as the default 6 at ~55 % of its time, files ~6 % larger

SlidePath = Callable[[int], Path]  # where slide N's thumbnail goes
AddSeconds = Callable[[str, float], None]  # time spent per step, for the log and the bench


def pdf_page_count(pdf: Path) -> int:
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(str(pdf))
        try:
            return len(document)
        finally:
            document.close()


def keep_pngs(folder: Path, pages: int, slide_path: SlidePath, add_seconds: AddSeconds) -> str:
    """Copy the PNGs LibreOffice wrote (folder/1.png ... folder/<pages>.png) into the cache; ""
    or what is wrong (then none is copied): slide N's image must be page N, so a slide more or
    less than the deck was imported with fails the deck."""
    written = [folder / f"{n}.png" for n in range(1, pages + 1)]
    found = sum(1 for _ in folder.glob("*.png"))
    if found != pages or any(not path.is_file() or path.stat().st_size == 0 for path in written):
        return f"LibreOffice produced {plural(found, 'slide image')} for {plural(pages, 'slide')}."
    started = time.perf_counter()
    for number, path in enumerate(written, start=1):
        with atomic_writer(slide_path(number)) as handle:
            handle.write(path.read_bytes())
    add_seconds("write PNG", time.perf_counter() - started)
    return ""


def rasterise_pdf(pdf: Path, pages: int, width: int, slide_path: SlidePath, add_seconds: AddSeconds) -> str:
    """Rasterise each page of `pdf` `width` pixels wide into the cache; "" or what is wrong."""
    import pypdfium2 as pdfium  # loaded on first render, not at start-up

    rasterised = encoded = 0.0
    cpu = time.thread_time()
    try:
        with PDFIUM_LOCK:
            document = pdfium.PdfDocument(str(pdf))
        try:
            if len(document) != pages:
                return f"LibreOffice produced {plural(len(document), 'page')} for {plural(pages, 'slide')}."
            for index in range(pages):
                started = time.perf_counter()
                with PDFIUM_LOCK:  # per page: the preview pane renders between them
                    page = document[index]
                    bitmap = page.render(scale=width / max(page.get_width(), 1.0))
                    image = bitmap.to_pil()  # a copy: pdfium's BGR is not PIL's RGB
                    bitmap.close()
                    page.close()
                written = time.perf_counter()
                with atomic_writer(slide_path(index + 1)) as handle:
                    image.save(handle, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
                rasterised += written - started
                encoded += time.perf_counter() - written
        finally:
            with PDFIUM_LOCK:
                document.close()
    except pdfium.PdfiumError as exc:
        return f"The rendered PDF could not be read: {exc}"
    finally:
        add_seconds("rasterise", rasterised)
        add_seconds("write PNG", encoded)
        add_seconds("rasterise + PNG CPU", time.thread_time() - cpu)
    return ""
