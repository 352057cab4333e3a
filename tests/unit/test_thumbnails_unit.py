"""Thumbnail plumbing that needs no LibreOffice: discovery, cache layout, the no-renderer path."""

from __future__ import annotations

from pathlib import Path

from msldesk.decks.thumbnails import (
    INSTALL_HINT,
    RenderJob,
    SlideRenderer,
    ThumbnailCache,
    find_soffice,
)


def test_configured_soffice_must_exist(tmp_path: Path) -> None:
    assert find_soffice(str(tmp_path / "no-such-soffice")) is None
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\n")
    assert find_soffice(str(fake)) == str(fake)


def test_cache_layout_and_completeness(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path / "previews", tmp_path / "thumbs")
    sha = "ab" + "0" * 62
    assert cache.preview_pdf(sha) == tmp_path / "previews" / "ab" / f"{sha}.pdf"
    assert cache.slide_png(sha, 3) == tmp_path / "thumbs" / "ab" / sha / "3.png"
    assert not cache.is_complete(sha, 2)
    for path in (cache.preview_pdf(sha), cache.slide_png(sha, 1)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    assert not cache.is_complete(sha, 2)
    cache.slide_png(sha, 2).write_bytes(b"x")
    assert cache.is_complete(sha, 2)


def test_renderer_without_libreoffice_reports_every_deck(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path / "previews", tmp_path / "thumbs")
    renderer = SlideRenderer(None, cache, tmp_path / "work")
    assert not renderer.available
    jobs = [RenderJob("a" * 64, tmp_path / "a.pptx", 2), RenderJob("b" * 64, tmp_path / "b.pptx", 1)]
    results = list(renderer.render(jobs))
    assert [r.sha256 for r in results] == [j.sha256 for j in jobs]
    assert all(not r.ok and "LibreOffice" in r.error for r in results)
    assert not (tmp_path / "thumbs").exists()


def test_install_hint_names_libreoffice() -> None:
    assert "LibreOffice" in INSTALL_HINT
