"""Render one page of a deck's preview PDF at a chosen width (for the large preview pane)."""

from __future__ import annotations

import io
from pathlib import Path

from msldesk.decks.slide_images import PDFIUM_LOCK


def render_page_png(pdf_path: Path, page_index: int, width: int) -> bytes:
    """PNG bytes of page `page_index` (0-based) scaled to `width` pixels."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(str(pdf_path))
        try:
            page = document[page_index]
            image = page.render(scale=width / max(page.get_width(), 1.0)).to_pil()
            page.close()
        finally:
            document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
