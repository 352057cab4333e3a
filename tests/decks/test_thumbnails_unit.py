"""Thumbnail plumbing that needs no LibreOffice: discovery, cache layout, the no-renderer path."""

from __future__ import annotations

from pathlib import Path

from msldesk.decks.soffice import find_soffice
from msldesk.decks.thumbnails import INSTALL_HINT, RenderJob, SlideRenderer, ThumbnailCache


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
    cache.slide_png(sha, 1).parent.mkdir(parents=True)
    cache.slide_png(sha, 1).write_bytes(b"x")
    assert not cache.is_complete(sha, 2)
    cache.slide_png(sha, 2).write_bytes(b"x")
    assert cache.is_complete(sha, 2)  # the preview PDF is made when first looked at


def test_slide_images_from_libreoffice_are_kept_only_when_every_slide_has_one(tmp_path: Path) -> None:
    from msldesk.decks.slide_images import keep_pngs

    written = tmp_path / "written"
    written.mkdir()
    for number in (1, 3):
        (written / f"{number}.png").write_bytes(b"png %d" % number)
    steps: dict[str, float] = {}

    def slide_path(number: int) -> Path:
        return tmp_path / "cache" / f"{number}.png"

    def add_seconds(step: str, seconds: float) -> None:
        steps[step] = steps.get(step, 0.0) + seconds

    assert (
        keep_pngs(written, 3, slide_path, add_seconds) == "LibreOffice produced 2 slide images for 3 slides."
    )
    assert not (tmp_path / "cache").exists()
    (written / "2.png").write_bytes(b"png 2")
    (written / "4.png").write_bytes(b"png 4")  # LibreOffice saw a slide more than import did
    assert (
        keep_pngs(written, 3, slide_path, add_seconds) == "LibreOffice produced 4 slide images for 3 slides."
    )
    assert not (tmp_path / "cache").exists()
    (written / "4.png").unlink()
    assert keep_pngs(written, 3, slide_path, add_seconds) == ""
    assert [slide_path(n).read_bytes() for n in (1, 2, 3)] == [b"png 1", b"png 2", b"png 3"]
    assert "write PNG" in steps


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


def test_a_deck_wanted_now_is_taken_before_the_queue(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each time a LibreOffice is free it takes a deck on screen first (the wish may change)."""
    cache = ThumbnailCache(tmp_path / "previews", tmp_path / "thumbs")
    renderer = SlideRenderer("soffice", cache, tmp_path / "work", batch_size=1, processes=1)
    renderer.keep_office = False
    order: list[str] = []
    wanted: set[str] = {"c" * 64}

    def convert_batch(batch, slot, halted, pdf=False):  # type: ignore[no-untyped-def]
        order.append(batch[0].sha256[0])
        wanted.clear()
        if order == ["c"]:
            wanted.add("e" * 64)
        return [], tmp_path / "nothing", {}

    monkeypatch.setattr(renderer, "_convert_batch", convert_batch)
    jobs = [RenderJob(key * 64, tmp_path / f"{key}.pptx", 1) for key in "abcde"]
    list(renderer.render(jobs, first=lambda: set(wanted)))
    assert order == ["c", "e", "a", "b", "d"]


class _RecordingRenderer:
    """Stands in for LibreOffice: records the decks in the order asked, renders nothing."""

    available = True

    def __init__(self, during=None) -> None:  # type: ignore[no-untyped-def]
        self.order: list[str] = []
        self.wanted: list[set[str]] = []
        self.during = during

    def pages_for(self, count: int) -> int:
        return count

    def partial_note(self, count: int, listed: int = 0) -> str:
        return ""

    def warm_up(self) -> None:
        pass

    def close(self) -> None:
        pass

    def render(self, jobs, progress=None, cancel=None, first=None, more=None):  # type: ignore[no-untyped-def]
        from msldesk.decks.thumbnails import RenderResult

        for job in jobs:
            self.wanted.append(set(first()) if first else set())
            self.order.append(job.source.name)
            if self.during is not None:
                self.during, during = None, self.during
                during()
            yield RenderResult(job.sha256, False, error="not rendered in this test")


def test_the_newest_deck_renders_first_and_decks_imported_meanwhile_join_in(app, deck_factory) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    paths = [deck_factory.pptx(f"{name}.pptx", [(name, "", "")]) for name in ("old", "new", "late")]
    sha = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    (older,) = app.decks.import_paths([paths[0]])
    list(app.decks.import_paths([paths[1]]))
    renderer = _RecordingRenderer(during=lambda: list(app.decks.import_paths([paths[2]])))
    app.decks.renderer = renderer
    app.decks.render_first([older.deck_id])
    app.decks.render_thumbnails()

    # the newest first; the deck imported while rendering joins the same call
    assert [Path(name).stem for name in renderer.order] == [sha[1], sha[0], sha[2]]
    assert renderer.wanted[0] == {sha[0]}  # the deck on screen is named to the renderer
    assert app.decks.render_thumbnails().any is False  # failed decks are not retried unasked


def test_a_deck_imported_during_a_render_joins_it_ahead_of_the_rest(  # type: ignore[no-untyped-def]
    app, deck_factory, tmp_path: Path, monkeypatch
) -> None:
    """The render does not end first (the new deck would wait behind the whole library)."""
    import hashlib
    import time

    from msldesk.decks import render_queue

    monkeypatch.setattr(render_queue, "MORE_SECONDS", 0.0)
    paths = {name: deck_factory.pptx(f"{name}.pptx", [(name, "", "")]) for name in ("a", "b", "c", "new")}
    name_of = {hashlib.sha256(p.read_bytes()).hexdigest(): name for name, p in paths.items()}
    list(app.decks.import_paths([paths["a"], paths["b"], paths["c"]]))
    renderer = SlideRenderer(
        "soffice", app.decks.cache, tmp_path / "work", batch_size=1, processes=1, keep_office=False
    )
    order: list[str] = []

    def convert_batch(batch, slot, halted, pdf=False):  # type: ignore[no-untyped-def]
        order.extend(name_of[job.sha256] for job in batch)
        if order == ["c"]:
            list(app.decks.import_paths([paths["new"]]))  # imported while the first deck converts
            time.sleep(1)  # meanwhile the render asks for new decks (every poll here)
        return [], tmp_path / "nothing", {}

    monkeypatch.setattr(renderer, "_convert_batch", convert_batch)
    app.decks.renderer = renderer
    app.decks.render_thumbnails()
    assert order == ["c", "new", "b", "a"]  # newest first; the new deck next, in the same render


def test_the_office_worker_never_imports_modules_of_its_own_folder(tmp_path: Path) -> None:
    """Run as a script, its folder (msldesk/decks, which has a collections.py) comes first on the
    module path: modules named like the standard library's there must not be picked up."""
    import shutil
    import subprocess
    import sys

    from msldesk.decks.uno_bridge import WORKER_SCRIPT

    worker = tmp_path / WORKER_SCRIPT.name
    shutil.copyfile(WORKER_SCRIPT, worker)
    for name in ("collections", "json", "subprocess", "time"):
        (tmp_path / f"{name}.py").write_text("raise SystemExit('shadowed')\n")
    done = subprocess.run([sys.executable, str(worker)], capture_output=True, text=True, timeout=60)
    assert "shadowed" not in done.stderr
    assert "not enough values to unpack" in done.stderr  # its imports worked: main() read no arguments


def test_a_pipe_in_the_cache_is_neither_a_thumbnail_nor_a_preview(tmp_path: Path) -> None:
    """A FIFO left under a thumbnail's or a preview's name (the cache is a folder others can
    write to) would hold whoever opened it for good: the deck counts as not rendered, and no
    preview PDF is handed out."""
    import os

    cache = ThumbnailCache(tmp_path / "previews", tmp_path / "thumbs")
    sha = "cd" + "0" * 62
    cache.slide_png(sha, 1).parent.mkdir(parents=True)
    os.mkfifo(cache.slide_png(sha, 1))
    assert not cache.is_complete(sha, 1)
    cache.preview_pdf(sha).parent.mkdir(parents=True)
    os.mkfifo(cache.preview_pdf(sha))
    renderer = SlideRenderer(None, cache, tmp_path / "work")  # no LibreOffice to make a new one
    assert renderer.preview_pdf(RenderJob(sha, tmp_path / "deck.pptx", 1)) is None
