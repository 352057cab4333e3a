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


def assert_footer_lines_up(path: Path, left: float, right: float) -> None:
    for words in footer_words(path):
        texts = [w["text"] for w in words]
        assert "Page" in texts and len(texts) > 4, texts  # footer text and "Page X of Y"
        baselines = {round(float(w["yMax"]), 1) for w in words}
        assert max(baselines) - min(baselines) <= 0.5, baselines  # footer text and page number
        assert min(float(w["xMin"]) for w in words) == pytest.approx(left, abs=0.5)
        assert max(float(w["xMax"]) for w in words) == pytest.approx(right, abs=1.0)
