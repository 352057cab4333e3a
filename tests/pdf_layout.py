"""Where a PDF's footer words sit, read with pdftotext -bbox (points, from the page's top left)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest


def footer_words(path: Path) -> list[list[dict[str, float | str]]]:
    """Per page, the words of the footer line (the lowest line), with their boxes in points."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True)
    pages = []
    for page in out.stdout.decode("utf-8").split("<page ")[1:]:
        words = [
            {"xMin": float(a), "yMin": float(b), "xMax": float(c), "yMax": float(d), "text": w}
            for a, b, c, d, w in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
            )
        ]
        lowest = max(w["yMin"] for w in words)  # type: ignore[type-var]
        pages.append([w for w in words if w["yMin"] > lowest - 4])  # type: ignore[operator]
    return pages


def drawing_extents(path: Path) -> list[tuple[float, float] | None]:
    """Per page, the leftmost and rightmost x (points) of its lines and fills (table grids, rules,
    backgrounds), or None on a page without any."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    document = pypdfium2.PdfDocument(str(path))
    try:
        pages: list[tuple[float, float] | None] = []
        for page in document:
            boxes = [
                o.get_bounds() for o in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=5)
            ]
            pages.append((min(b[0] for b in boxes), max(b[2] for b in boxes)) if boxes else None)
        return pages
    finally:
        document.close()


def assert_footer_lines_up(path: Path, left: float, right: float) -> None:
    for words in footer_words(path):
        texts = [w["text"] for w in words]
        assert "Page" in texts, texts
        assert len(texts) > 4, texts  # footer text and "Page X of Y"
        baselines = {round(float(w["yMax"]), 1) for w in words}
        assert max(baselines) - min(baselines) <= 0.5, baselines  # footer text and page number
        assert min(float(w["xMin"]) for w in words) == pytest.approx(left, abs=0.5)
        assert max(float(w["xMax"]) for w in words) == pytest.approx(right, abs=1.0)
