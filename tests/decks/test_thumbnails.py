"""Slide thumbnails through LibreOffice and pdfium, and the app without LibreOffice."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PIL import Image

from msldesk.core.config import Settings
from tests.corpus import hidden_slide_numbers

TODAY = dt.date(2026, 11, 22)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not on PATH: no thumbnails to test"
)
SAMPLE = [
    "openxmlsdk__HC_bg-Background-bwmode-white.pptx",  # ISO 29500 Strict
    "openxmlsdk__BasicOrgChart_TP10085481.potx",  # template
    "poi__testPPT.ppsm",  # macro-enabled slideshow
    "aspose__HiddingSlides.pptx",  # hidden slides: page N must still be slide N
    "python-pptx__test.pptx",
]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pdf_pages(path: Path) -> int:
    """Page count by poppler's pdfinfo (independent of the pdfium the app uses), else pdfium."""
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    import pypdfium2

    return len(pypdfium2.PdfDocument(str(path)))


def check_rendered(app, deck_id: int, preview: bool = True) -> list[str]:  # type: ignore[no-untyped-def]
    """A thumbnail per slide, hidden ones too; and with `preview`, the large preview's PDF (made
    on demand) has a page per slide."""
    deck = app.decks.deck(deck_id)
    problems: list[str] = []
    if deck.thumbnail_state != "done":
        return [f"{deck.file_name}: {deck.thumbnail_state} {deck.thumbnail_error}"]
    if preview:
        pdf = app.decks.preview_pdf(deck)
        if pdf is None or pdf != Path(deck.preview_pdf) or pdf_pages(pdf) != deck.slide_count:
            problems.append(f"{deck.file_name}: preview PDF does not have {deck.slide_count} pages")
    for slide in app.decks.list_slides(deck_id):
        if slide.thumbnail is None or not Path(slide.thumbnail).is_file():
            problems.append(f"{deck.file_name} #{slide.number}: no thumbnail")
            continue
        width, height = png_size(Path(slide.thumbnail))
        with Image.open(slide.thumbnail) as image:
            image.verify()  # checks every chunk's CRC
        if width != 320 or not 100 <= height <= 320:
            problems.append(f"{deck.file_name} #{slide.number}: {width}x{height}")
    return problems


@needs_soffice
@pytest.mark.corpus
def test_thumbnails_for_unusual_decks(app, corpus_dir: Path) -> None:
    paths = [corpus_dir / "pptx" / name for name in SAMPLE]
    outcomes = list(app.decks.import_paths(paths))
    assert [o.status for o in outcomes] == ["imported"] * len(SAMPLE)
    assert hidden_slide_numbers(paths[3]), "the sample should include hidden slides"
    assert app.decks.pending_thumbnail_slides() == sum(o.slides for o in outcomes)

    changes = app.decks.render_thumbnails()
    assert changes.thumbnails
    problems = [p for o in outcomes for p in check_rendered(app, o.deck_id)]
    assert problems == []
    assert app.decks.pending_thumbnail_slides() == 0
    titled = next(s for s in app.decks.list_slides(outcomes[-1].deck_id) if s.title)
    hits = app.decks.search(f'"{titled.title}"')
    assert titled.slide_id in {h.slide_id for h in hits}
    assert all(h.thumbnail and Path(h.thumbnail).is_file() for h in hits)


@needs_soffice
def test_same_content_reuses_thumbnails(app, deck_factory) -> None:
    path = deck_factory.pptx("deck.pptx", [("One", "", ""), ("Two", "", "")])
    (first,) = app.decks.import_paths([path])
    app.decks.render_thumbnails()
    assert check_rendered(app, first.deck_id) == []
    assert app.decks.render_thumbnails().any is False  # nothing pending: nothing done


@needs_soffice
@pytest.mark.slow
@pytest.mark.corpus
def test_thumbnails_for_the_whole_corpus(corpus_dir: Path, tmp_path: Path) -> None:
    from msldesk.app.services import App

    app = App(tmp_path / "lib", today=TODAY)
    try:
        outcomes = [o for o in app.decks.import_paths([corpus_dir / "pptx"]) if o.status == "imported"]
        app.decks.render_thumbnails()
        problems = []
        for outcome in outcomes:
            if outcome.slides == 0:
                assert app.decks.deck(outcome.deck_id).thumbnail_state == "none"
                continue
            problems += check_rendered(app, outcome.deck_id, preview=False)
        assert problems == []
        assert sum(o.slides for o in outcomes) > 1000
    finally:
        app.close()


@needs_soffice
def test_a_deck_listing_5000_slides_is_imported_and_rendered_in_part_with_notes(
    tmp_path: Path, deck_factory
) -> None:
    """The field's hostile deck (one slide listed thousands of times) under small limits: import
    and LibreOffice each take only the first slides, and the user is told so."""
    from msldesk.app.services import App
    from tests.cli.test_cli import msldesk_in_process

    root = tmp_path / "lib"
    root.mkdir()
    limits = Settings(import_max_slides=40, render_max_slides=3, render_timeout_seconds=60)
    limits.save(root / "settings.json")
    hostile = deck_factory.repeated_slide("hostile.pptx", 5000)
    imported = msldesk_in_process(root, "import", str(hostile), check_exit=0)
    assert "(deck 1, 40 slides)" in imported.stdout
    assert "note: This deck lists 5,000 slides; only the first 40 were imported" in imported.stdout
    started = time.monotonic()
    rendered = msldesk_in_process(root, "thumbnails", "--wait", check_exit=0)
    assert time.monotonic() - started < 60
    assert "note for deck 1" in rendered.stdout
    assert "Only the first 3 of 5,000 slides were rendered" in rendered.stdout

    app = App(root, today=TODAY)
    try:
        deck = app.decks.deck(1)
        assert (deck.thumbnail_state, deck.thumbnail_error) == ("done", "")
        assert deck.thumbnail_note.startswith("Only the first 3 of 5,000")
        preview = app.decks.preview_pdf(deck)  # made on demand, cut at the render limit too
        assert preview is not None
        assert pdf_pages(preview) == 3
        thumbnails = [s.thumbnail for s in app.decks.list_slides(1)]
        assert len(thumbnails) == 40
        assert all(t and Path(t).is_file() for t in thumbnails[:3])
        assert thumbnails[3:] == [None] * 37  # past the limit: titles, not missing pictures
        assert app.decks.pending_thumbnail_slides() == 0
    finally:
        app.close()


# ---- without LibreOffice ----------------------------------------------------------------------------


@pytest.fixture
def app_without_libreoffice(tmp_path: Path):  # type: ignore[no-untyped-def]
    from msldesk.app.services import App

    root = tmp_path / "lib"
    root.mkdir()
    Settings(soffice_path=str(tmp_path / "no-libreoffice" / "soffice")).save(root / "settings.json")
    app = App(root, today=TODAY)
    yield app
    app.close()


def test_app_works_without_libreoffice(app_without_libreoffice, deck_factory) -> None:
    app = app_without_libreoffice
    assert app.decks.renderer.soffice is None
    assert not app.decks.can_render_thumbnails
    (outcome,) = app.decks.import_paths([deck_factory.pptx("deck.pptx", [("Lonely", "no pictures", "")])])
    assert outcome.status == "imported"
    assert app.decks.render_thumbnails().thumbnails is False
    assert app.decks.deck(outcome.deck_id).thumbnail_state == "pending"
    assert app.decks.pending_thumbnail_slides() == 1
    assert [s.thumbnail for s in app.decks.list_slides(outcome.deck_id)] == [None]
    assert [h.thumbnail for h in app.decks.search("lonely")] == [None]
    assert not any(app.paths.thumbnails.rglob("*.png"))
    assert app.decks.preview_pdf(app.decks.deck(outcome.deck_id)) is None  # the preview shows the title


def test_cli_thumbnails_without_libreoffice_explains_and_exits_2(app_without_libreoffice) -> None:
    root = app_without_libreoffice.paths.root
    result = subprocess.run(
        [sys.executable, "-m", "msldesk", "--data-dir", str(root), "thumbnails", "--wait"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "LibreOffice" in result.stderr
    assert "install" in result.stderr.lower()


# ---- a renderer that misbehaves ----------------------------------------------------------------------


def _app_with_fake_soffice(tmp_path: Path, script: str, timeout: int = 120):  # type: ignore[no-untyped-def]
    from msldesk.app.services import App

    fake = tmp_path / "fake-soffice"
    fake.write_text("#!/bin/sh\n" + script + "\n")
    fake.chmod(0o755)
    root = tmp_path / "lib"
    root.mkdir()
    Settings(soffice_path=str(fake), render_timeout_seconds=timeout).save(root / "settings.json")
    return App(root, today=TODAY)


@pytest.mark.parametrize(
    ("script", "timeout", "error"),
    [
        ("exit 0", 120, "no PDF"),  # soffice exits 0 even when it converted nothing
        ("echo 'source file could not be loaded' >&2; exit 1", 120, "exit 1"),
        ("exec sleep 60", 1, "longer than"),
    ],
    ids=["no-output", "crash", "hang"],
)
def test_a_failed_render_is_recorded_and_can_be_retried(
    tmp_path: Path, deck_factory, script: str, timeout: int, error: str
) -> None:
    app = _app_with_fake_soffice(tmp_path, script, timeout)
    try:
        (outcome,) = app.decks.import_paths([deck_factory.pptx("deck.pptx", [("Only slide", "", "")])])
        app.decks.render_thumbnails()
        deck = app.decks.deck(outcome.deck_id)
        assert deck.thumbnail_state == "failed"
        assert error in deck.thumbnail_error
        assert deck.preview_pdf is None
        assert [s.thumbnail for s in app.decks.list_slides(outcome.deck_id)] == [None]
        assert app.decks.pending_thumbnail_slides() == 0
        assert app.decks.render_thumbnails().any is False  # failed decks wait for an explicit retry
        assert app.decks.render_thumbnails(retry_failed=True).thumbnails
        assert app.decks.deck(outcome.deck_id).thumbnail_state == "failed"
    finally:
        app.close()


def test_cancelled_render_leaves_decks_pending(tmp_path: Path, deck_factory) -> None:
    from msldesk.core.progress import CancelToken

    app = _app_with_fake_soffice(tmp_path, "exit 0")
    try:
        (outcome,) = app.decks.import_paths([deck_factory.pptx("deck.pptx", [("Slide", "", "")])])
        token = CancelToken()
        token.cancel()
        app.decks.render_thumbnails(cancel=token)
        assert app.decks.deck(outcome.deck_id).thumbnail_state == "pending"
    finally:
        app.close()


# ---- LibreOffice kept running between decks (over UNO) -----------------------------------------------


def _uno_python() -> str | None:
    from msldesk.decks.uno_bridge import find_uno_python

    return find_uno_python(shutil.which("soffice"))


needs_uno = pytest.mark.skipif(
    shutil.which("soffice") is None or _uno_python() is None,
    reason="LibreOffice's Python (python3-uno) is not installed: no office to keep running",
)


def _jobs(tmp_path: Path, paths: list[Path]) -> list:  # type: ignore[type-arg]
    import hashlib

    from pptx import Presentation

    from msldesk.decks.thumbnails import RenderJob

    store = tmp_path / "store"
    store.mkdir(exist_ok=True)
    jobs = []
    for path in paths:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        shutil.copyfile(path, store / f"{sha}{path.suffix}")
        jobs.append(RenderJob(sha, store / f"{sha}{path.suffix}", len(Presentation(str(path)).slides)))
    return jobs


def _difference(one, other, job, number: int) -> float:  # type: ignore[no-untyped-def]
    """Mean difference per colour channel (0-255) of two renderers' thumbnails of a slide; their
    heights may differ by a pixel of rounding."""
    from PIL import ImageChops, ImageStat

    first, second = (Image.open(r.cache.slide_png(job.sha256, number)).convert("RGB") for r in (one, other))
    assert first.width == second.width == 320
    assert abs(first.height - second.height) <= 1
    difference = ImageChops.difference(first.resize(second.size), second)
    return sum(ImageStat.Stat(difference).mean) / 3


@needs_uno
@pytest.mark.corpus
def test_the_kept_office_renders_the_same_images_as_the_batch_command(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch, make_renderer
) -> None:
    """The kept office writes slide PNGs itself; they look like the batch command's PDF pages
    rasterised by pdfium, hidden slides included. The preview PDF it makes on demand has
    pictures at full resolution like the batch command's (a deck whose pictures LibreOffice's
    default export downsamples: both get the same options)."""
    from msldesk.decks.thumbnails import SlideRenderer

    names = ["aspose__HiddingSlides.pptx", "poi__54542_cropped_bitmap.pptx"]
    hidden, pictures = decks = _jobs(tmp_path, [corpus_dir / "pptx" / name for name in names])
    assert hidden_slide_numbers(hidden.source)
    batch = make_renderer("batch", keep_office=False)
    assert [r.ok for r in batch.render(decks)] == [True, True]

    def no_batch_command(*args: object) -> None:
        raise AssertionError("the kept office should have converted the deck")

    monkeypatch.setattr(SlideRenderer, "_convert", no_batch_command)
    kept = make_renderer("kept")
    assert [r.ok for r in kept.render(decks)] == [True, True]
    assert not kept.cache.preview_pdf(pictures.sha256).exists()  # made when first looked at
    for deck in decks:
        for number in range(1, deck.slide_count + 1):
            assert _difference(kept, batch, deck, number) < 8, f"slide {number} of {deck.source.name}"
    assert kept.preview_pdf(pictures) == kept.cache.preview_pdf(pictures.sha256)

    # LibreOffice's default export (what `soffice --convert-to pdf` does) downsamples the pictures
    default = tmp_path / "default"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(default),
            str(pictures.source),
        ],
        capture_output=True,
        timeout=300,
        check=True,
    )
    ours = _picture_pixels(kept.cache.preview_pdf(pictures.sha256))
    assert ours == _picture_pixels(batch.cache.preview_pdf(pictures.sha256))
    assert ours > _picture_pixels(default / f"{pictures.sha256}.pdf")


@needs_uno
@pytest.mark.corpus
def test_exact_thumbnails_are_the_renders_from_before_the_office_was_kept_pixel_for_pixel(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch, make_renderer
) -> None:
    """Exact thumbnails: the kept office writes each deck's PDF with LibreOffice's default options
    and pdfium rasterises it, so every slide, hidden ones too, is pixel-identical to what
    `soffice --convert-to` with those options gave (how msldesk drew thumbnails before it kept the
    office running); the preview PDF comes with them, its pictures reduced as by default."""
    from PIL import ImageChops

    from msldesk.decks.thumbnails import SlideRenderer

    names = ["aspose__HiddingSlides.pptx", "poi__54542_cropped_bitmap.pptx"]
    hidden, pictures = decks = _jobs(tmp_path, [corpus_dir / "pptx" / name for name in names])
    assert hidden_slide_numbers(hidden.source)
    before = make_renderer("before", keep_office=False, exact=True)
    fast = make_renderer("fast", keep_office=False)
    assert [r.ok for r in before.render(decks)] == [True, True]
    assert [r.ok for r in fast.render(decks)] == [True, True]

    def no_batch_command(*args: object) -> None:
        raise AssertionError("the kept office should have converted the deck")

    monkeypatch.setattr(SlideRenderer, "_convert", no_batch_command)
    exact = make_renderer("exact", exact=True)
    assert [r.ok for r in exact.render(decks)] == [True, True]
    for deck in decks:
        for number in range(1, deck.slide_count + 1):
            ours, theirs = (Image.open(r.cache.slide_png(deck.sha256, number)) for r in (exact, before))
            assert ours.size == theirs.size
            assert ImageChops.difference(ours.convert("RGB"), theirs.convert("RGB")).getbbox() is None, (
                f"slide {number} of {deck.source.name} differs"
            )
    preview = exact.cache.preview_pdf(pictures.sha256)
    assert preview.is_file()  # made with the thumbnails, not when first looked at
    assert _picture_pixels(preview) < _picture_pixels(fast.cache.preview_pdf(pictures.sha256))


def test_exact_thumbnails_are_a_library_setting(tmp_path: Path) -> None:
    from msldesk.app.services import App
    from msldesk.decks.thumbnails import EXACT_PDF_EXPORT_OPTIONS, PDF_EXPORT_OPTIONS

    for value, exact in ((True, True), (False, False), ("yes", False)):
        root = tmp_path / f"lib-{value}"
        root.mkdir()
        (root / "settings.json").write_text(f'{{"exact_thumbnails": {json.dumps(value)}}}')
        app = App(root, today=TODAY)
        try:
            renderer = app.decks.renderer
            assert renderer.exact is exact, value
            assert renderer.pdf_options == (EXACT_PDF_EXPORT_OPTIONS if exact else PDF_EXPORT_OPTIONS)
        finally:
            app.close()


@needs_uno
def test_a_picture_linked_to_a_file_that_is_not_there_is_left_out_like_in_the_pdf(
    tmp_path: Path, deck_factory, make_renderer
) -> None:
    """LibreOffice draws a picture it could not load (its link points nowhere, or its data is
    not a picture) as an empty frame with the link's name, on screen and in a slide PNG; its PDF
    export leaves it out. The kept office's thumbnails leave it out too, and still show the
    pictures that load: embedded, or linked to a file that is there."""
    from PIL import ImageStat

    there = tmp_path / "there.png"
    Image.new("RGB", (40, 48), "green").save(there)
    linked = deck_factory.pictures("links.pptx", ["navy", (tmp_path / "gone.png").as_uri(), there.as_uri()])
    unreadable = deck_factory.rewrite(
        deck_factory.pictures("one.pptx", ["navy"]), "unreadable.pptx", {"ppt/media/image1.png": b"?" * 99}
    )
    jobs = _jobs(tmp_path, [linked, unreadable])
    renderers = make_renderer("kept"), make_renderer("batch", keep_office=False)
    for renderer in renderers:
        assert [r.ok for r in renderer.render(jobs)] == [True, True]
    assert "export" in renderers[0].seconds  # the kept office wrote them, not the batch command

    def colours(renderer, job, margin: int) -> list[tuple[tuple[int, int], ...]]:  # type: ignore[no-untyped-def]
        """The (lowest, highest) value of each colour channel in each picture's box on the
        thumbnail (320 px for 10 in: 32 px an inch), grown by `margin` pixels."""
        with Image.open(renderer.cache.slide_png(job.sha256, 1)) as image:
            rgb = image.convert("RGB")
            boxes = [
                (32 + 96 * n - margin, 32 - margin, 112 + 96 * n + margin, 128 + margin) for n in range(3)
            ]
            return [tuple(ImageStat.Stat(rgb.crop(box)).extrema) for box in boxes]

    blank = ((255, 255),) * 3
    for renderer in renderers:
        name = renderer.work_dir.parent.name
        navy, _, green = colours(renderer, jobs[0], margin=-4)
        assert navy[2][0] > 100 > navy[0][1], name  # blue, not red: drawn
        assert green[1][0] > 100 > green[0][1], name
        assert colours(renderer, jobs[0], margin=1)[1] == blank, name
        assert colours(renderer, jobs[1], margin=1)[0] == blank, name


def _picture_pixels(pdf: Path) -> int:
    """Pixels of every picture placed on the PDF's pages."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        total = 0
        for page in document:
            for picture in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=8):
                width, height = picture.get_px_size()
                total += width * height
        return total
    finally:
        document.close()


@needs_uno
def test_the_preview_pdf_is_made_once_on_demand_also_while_a_render_runs(
    tmp_path: Path, deck_factory, monkeypatch: pytest.MonkeyPatch, make_renderer
) -> None:
    """A render's offices are busy: the preview PDF comes from the batch command in a profile of
    its own, once; hidden slides and all."""
    from msldesk.decks.thumbnails import SlideRenderer

    renderer = make_renderer("preview")
    (deck,) = _jobs(tmp_path, [deck_factory.pptx("deck.pptx", [("One", "", ""), ("Two", "", "")])])
    assert [r.ok for r in renderer.render([deck])] == [True]
    assert not renderer.cache.preview_pdf(deck.sha256).exists()
    with renderer._rendering:  # as while a render runs
        pdf = renderer.preview_pdf(deck)
    assert pdf == renderer.cache.preview_pdf(deck.sha256)
    assert pdf_pages(pdf) == 2
    assert (renderer.work_dir / "lo-profile-preview").is_dir()

    def no_conversion(*args: object, **kwargs: object) -> None:
        raise AssertionError("the preview PDF should be made once")

    monkeypatch.setattr(SlideRenderer, "_convert_batch", no_conversion)
    assert renderer.preview_pdf(deck) == pdf


def test_without_uno_the_batch_command_renders(
    tmp_path: Path, deck_factory, monkeypatch: pytest.MonkeyPatch, make_renderer
) -> None:
    """msldesk's own Python cannot import uno: the renderer finds no bridge and batches."""
    from msldesk.decks import uno_bridge

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    monkeypatch.setattr(uno_bridge, "_python_candidates", lambda soffice: [sys.executable])
    renderer = make_renderer("plain")
    (deck,) = _jobs(tmp_path, [deck_factory.pptx("deck.pptx", [("One", "", ""), ("Two", "", "")])])
    assert renderer.uno_python() is None
    assert [(r.ok, r.pages) for r in renderer.render([deck])] == [(True, 2)]


@needs_soffice
def test_a_bridge_that_cannot_start_falls_back_to_the_batch_command(
    tmp_path: Path, deck_factory, make_renderer
) -> None:
    renderer = make_renderer("broken")
    renderer.worker_script = tmp_path / "broken_worker.py"
    renderer.worker_script.write_text("import sys\nsys.exit('no uno here')\n")
    decks = _jobs(tmp_path, [deck_factory.pptx(f"deck{n}.pptx", [(f"Deck {n}", "", "")]) for n in range(3)])
    assert [r.ok for r in renderer.render(decks)] == [True, True, True]
    assert renderer.uno_python() is None  # later renders batch again


@needs_uno
def test_a_hang_in_the_kept_office_fails_that_deck_only_and_leaves_nothing_running(
    tmp_path: Path, deck_factory, monkeypatch: pytest.MonkeyPatch, make_renderer
) -> None:
    from msldesk.decks import soffice, uno_bridge

    groups: list[int] = []

    class Recorded(soffice.GroupProcess):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            groups.append(self.pid)

    monkeypatch.setattr(uno_bridge, "GroupProcess", Recorded)
    hanging_worker = tmp_path / "hanging_worker.py"
    hanging_worker.write_text(  # the real worker, except that it never answers for one deck
        textwrap.dedent(
            f"""\
            import sys, time
            sys.path.insert(0, {str(uno_bridge.WORKER_SCRIPT.parent)!r})
            import uno_worker
            real = uno_worker.convert
            def convert(context, desktop, request, seconds):
                if request["source"].endswith("{{hang}}.pptx"):
                    time.sleep(3600)
                return real(context, desktop, request, seconds)
            uno_worker.convert = convert
            sys.exit(uno_worker.main(sys.argv[1:]))
            """
        )
    )
    decks = _jobs(tmp_path, [deck_factory.pptx(f"deck{n}.pptx", [(f"Deck {n}", "", "")]) for n in range(3)])
    hang = decks[1].sha256
    hanging_worker.write_text(hanging_worker.read_text().replace("{hang}", hang))
    renderer = make_renderer("hang", timeout_seconds=2, processes=1)
    renderer.start_timeout_seconds = 120  # a slow start on a busy machine is not the hang tested here
    renderer.worker_script = hanging_worker
    results = {r.sha256: r for r in renderer.render(decks)}

    assert not results[hang].ok
    assert "longer than" in results[hang].error
    assert all(results[d.sha256].ok for d in decks if d.sha256 != hang)
    assert len(groups) == 2  # killed on the hang, a fresh office for the deck after it
    assert soffice.running_groups() == [groups[1]]  # kept running for the next render
    renderer.close()
    assert soffice.running_groups() == []
    deadline = time.monotonic() + 5
    while (left := [g for g in groups if _group_alive(g)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == []


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
