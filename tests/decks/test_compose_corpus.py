"""Deck assembly on the corpus: every deck composed whole, and 50 seeded mixes, are valid packages
that python-pptx reopens, with each slide's text, notes and pictures as in its source; LibreOffice
renders them page for page, and a sample of slide kinds pixel for pixel; an edited result stays valid.

Strict, template and slideshow sources are included: their slides come out in a transitional .pptx.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from msldesk.core.errors import DeckImportError
from msldesk.decks.ooxml.compose import ComposeResult, SourceSlide, compose_deck
from msldesk.decks.ooxml.package import DeckContent, read_deck
from msldesk.decks.ooxml.validate import validate_package
from msldesk.decks.soffice import find_soffice
from msldesk.decks.thumbnails import RenderJob, RenderResult, SlideRenderer, ThumbnailCache
from tests.compose_reference import Package, slide_pictures
from tests.conftest import CORPUS_DIR
from tests.slide_frames import Frame, frames, slide_size

pytestmark = pytest.mark.corpus

CORPUS_PPTX = CORPUS_DIR / "pptx"
MIXES = 50


def _slide_counts() -> dict[str, int]:
    """Corpus files read_deck imports with at least one slide, and their slide counts."""
    if not CORPUS_PPTX.is_dir():
        return {}
    counts = {}
    for path in sorted(CORPUS_PPTX.iterdir()):
        try:
            deck = read_deck(path)
        except DeckImportError:
            continue
        if deck.slides:
            counts[path.name] = len(deck.slides)
    return counts


SLIDE_COUNTS = _slide_counts()
COMPOSABLE = sorted(SLIDE_COUNTS)
NO_CORPUS = [pytest.param("", marks=pytest.mark.skip("no corpus"))]


def whole_deck(name: str) -> list[SourceSlide]:
    return [
        SourceSlide(CORPUS_PPTX / name, n, label=f"{name}, slide {n}")
        for n in range(1, SLIDE_COUNTS[name] + 1)
    ]


def mix(seed: int) -> list[SourceSlide]:
    """3-5 decks, 2-4 slides from each (a deck with fewer slides gives some twice), shuffled, plus
    one more slide picked a second time."""
    rng = random.Random(seed)
    picks = []
    for name in rng.sample(COMPOSABLE, rng.randint(3, 5)):
        wanted, count = rng.randint(2, 4), SLIDE_COUNTS[name]
        numbers = rng.sample(range(1, count + 1), min(wanted, count))
        numbers += rng.choices(range(1, count + 1), k=wanted - len(numbers))
        picks += [SourceSlide(CORPUS_PPTX / name, n, label=f"{name}, slide {n}") for n in numbers]
    rng.shuffle(picks)
    picks.insert(rng.randrange(len(picks) + 1), rng.choice(picks))
    return picks


@dataclass
class Composed:
    key: str  # the output's file stem, unique in the session
    picks: list[SourceSlide]
    out: Path
    result: ComposeResult | None = None
    error: Exception | None = None


def _compose(key: str, picks: list[SourceSlide], folder: Path) -> Composed:
    case = Composed(key, picks, folder / f"{key}.pptx")
    try:
        case.result = compose_deck(picks, case.out, title=key)
    except Exception as exc:  # noqa: BLE001 - reported by the test of this case, not the fixture
        case.error = exc
    return case


@pytest.fixture(scope="session")
def composed_whole(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Composed]:
    folder = tmp_path_factory.mktemp("composed-whole")
    return {
        name: _compose(f"whole-{index:03d}", whole_deck(name), folder)
        for index, name in enumerate(COMPOSABLE)
    }


@pytest.fixture(scope="session")
def composed_mixes(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Composed]:
    folder = tmp_path_factory.mktemp("composed-mixes")
    return {seed: _compose(f"mix-{seed:02d}", mix(seed), folder) for seed in range(MIXES)}


@functools.cache
def _source(path: Path) -> tuple[DeckContent, list[frozenset[str]]]:
    """Our own reading of a source deck, and the picture hashes of each of its slides."""
    return read_deck(path), slide_pictures(path)


def _layout_unreadable(deck: DeckContent) -> bool:
    return any(w.startswith("The slide layout") and "damaged" in w for w in deck.warnings)


def check_composed(case: Composed) -> None:
    """Valid, reopens in python-pptx with one slide per pick, and each slide reads as its source:
    title, text (frames, tables, groups, SmartArt), notes, layout name, hidden flag, content kinds,
    and the same pictures byte for byte (SHA-256 of the image parts its relationships reference)."""
    import pptx

    if case.error is not None:
        raise case.error
    assert case.result is not None
    assert case.result.slides == len(case.picks)
    report = validate_package(case.out)
    assert report.ok, report.explain()
    assert len(pptx.Presentation(str(case.out)).slides) == len(case.picks)
    composed = read_deck(case.out)
    assert (composed.kind, composed.strict) == ("presentation", False)
    assert len(composed.slides) == len(case.picks)
    pictures = slide_pictures(case.out)
    for index, (pick, slide) in enumerate(zip(case.picks, composed.slides, strict=True)):
        source, source_pictures = _source(pick.package)
        expected = source.slides[pick.number - 1]
        where = f"slide {index + 1} of {case.key}, from {pick.label}"
        assert (slide.title, slide.text, slide.notes) == (expected.title, expected.text, expected.notes), (
            where
        )
        assert slide.hidden == expected.hidden, where
        if expected.layout or not _layout_unreadable(source):
            assert slide.layout == expected.layout, where
        # else the source's layout is malformed and ours reads its name from the repaired copy
        kinds = ("has_chart", "has_table", "has_picture", "has_media")
        assert [getattr(slide, k) for k in kinds] == [getattr(expected, k) for k in kinds], where
        assert pictures[index] == source_pictures[pick.number - 1], where


def test_the_corpus_has_decks_of_every_kind_to_compose() -> None:
    if not SLIDE_COUNTS:
        pytest.skip("no corpus")
    kinds = {(deck.kind, deck.strict) for deck in (_source(CORPUS_PPTX / n)[0] for n in COMPOSABLE)}
    assert {
        ("presentation", False),
        ("presentation", True),
        ("template", False),
        ("slideshow", False),
    } <= kinds
    assert len(COMPOSABLE) > 250


@pytest.mark.parametrize("name", COMPOSABLE or NO_CORPUS)
def test_a_whole_corpus_deck_composes_faithfully(composed_whole: dict[str, Composed], name: str) -> None:
    check_composed(composed_whole[name])


@pytest.mark.parametrize("seed", range(MIXES) if COMPOSABLE else NO_CORPUS)
def test_a_random_mix_of_corpus_slides_composes_faithfully(
    composed_mixes: dict[int, Composed], seed: int
) -> None:
    case = composed_mixes[seed]
    assert len({p.package for p in case.picks}) >= 3
    assert len(set(case.picks)) < len(case.picks)  # some slides are picked twice
    check_composed(case)


@pytest.mark.parametrize("seed", range(0, MIXES, 5) if COMPOSABLE else NO_CORPUS)
def test_an_edited_composed_deck_stays_valid(
    composed_mixes: dict[int, Composed], seed: int, tmp_path: Path
) -> None:
    """python-pptx changes a title and adds a slide (deleting nothing); the result is still valid."""
    import pptx

    case = composed_mixes[seed]
    if case.error is not None:
        raise case.error
    presentation = pptx.Presentation(str(case.out))
    titled = next(i for i, s in enumerate(presentation.slides) if s.shapes.title is not None)
    presentation.slides[titled].shapes.title.text = "Edited after assembly"
    layout = presentation.slide_masters[-1].slide_layouts[0]
    added = presentation.slides.add_slide(layout)
    if added.shapes.title is not None:
        added.shapes.title.text = "Added after assembly"
    edited = tmp_path / "edited.pptx"
    presentation.save(str(edited))

    report = validate_package(edited)
    assert report.ok, report.explain()
    assert len(pptx.Presentation(str(edited)).slides) == len(case.picks) + 1
    before, after = read_deck(case.out).slides, read_deck(edited).slides
    assert after[titled].title == "Edited after assembly"
    assert [s.text for s in after[: len(before)]] == [s.text for s in before]
    assert [s.notes for s in after[: len(before)]] == [s.notes for s in before]


# ---- LibreOffice ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def soffice() -> str:
    found = find_soffice()
    if found is None:
        pytest.skip("LibreOffice is not installed")
    return found


@dataclass
class Rendered:
    results: dict[str, RenderResult]  # by job key (RenderJob.sha256: the deck file's stem)
    cache: ThumbnailCache

    def png(self, key: str, number: int) -> Path:
        return self.cache.slide_png(key, number)


def render(soffice: str, jobs: list[RenderJob], work: Path, width: int) -> Rendered:
    """PDF pages rasterised to PNG by the app's own renderer: batches, two soffice processes with
    their own profiles, hidden slides exported, timeouts and one-by-one retries of a failed batch.
    A result is not ok when the PDF has a page count other than the job's slide count."""
    cache = ThumbnailCache(work / "previews", work / "thumbnails")
    renderer = SlideRenderer(
        soffice, cache, work / "lo", width=width, timeout_seconds=180, batch_size=24, processes=2
    )
    try:
        return Rendered({result.sha256: result for result in renderer.render(jobs)}, cache)
    finally:
        renderer.close()  # the kept offices


def test_libreoffice_renders_every_composed_deck_page_for_page(
    composed_whole: dict[str, Composed],
    composed_mixes: dict[int, Composed],
    soffice: str,
    tmp_path: Path,
) -> None:
    """~320 decks, ~1,700 slides, in batches of 24 on two soffice processes: about a minute on two
    cores, so not marked slow."""
    cases = [*composed_whole.values(), *composed_mixes.values()]
    jobs = [RenderJob(c.key, c.out, len(c.picks)) for c in cases if c.error is None]
    assert len(jobs) > 300  # compose failures are reported by the tests above
    results = render(soffice, jobs, tmp_path, width=24).results
    failures = [
        f"{job.out.name} ({job.slide_count} slides): {results[job.sha256].error}"
        for job in jobs
        if not results[job.sha256].ok or results[job.sha256].pages != job.slide_count
    ]
    assert failures == []


# Slides of different kinds, all from 4:3 decks (so the composed page has the source's size). The
# first deck has python-pptx's usual text defaults; the others bring their own masters, themes,
# table styles and text defaults.
VISUAL_SAMPLE = (
    ("poi__pie-chart.pptx", 1),  # chart
    ("openxmlsdk__2D_Area-O12-PPT-Charts.pptx", 3),  # chart in a Strict deck, axis format "0%"
    ("openxmlsdk__Table_Small.pptx", 1),  # table styled by its deck's tableStyles part
    ("poi__54542_cropped_bitmap.pptx", 1),  # cropped picture in a group
    ("openxmlsdk__SmartArt_OrgChart1.pptx", 1),  # SmartArt
    ("poi__with_japanese.pptx", 1),  # Japanese text in a table, footnote bookmark links
    ("wuhua-templates__annual_report.pptx", 2),  # Chinese text
    ("openxmlsdk__typical.pptx", 12),  # groups; the deck's default text is Tahoma 24 pt
    ("poi__45541_Footer.pptx", 1),  # text boxes centred by the deck's default text style
    ("ooxmlparser__hover_hyperlink.pptx", 1),  # picture and group with hover links
    ("docling__pptx_chart.pptx", 2),  # chart
    ("poi__aascu.org_workarea_downloadasset.aspx_id_5864.pptx", 5),  # chart from Office 2007, terse flags
)
# Pixel difference between two renderings of a slide at 480 px wide: mean absolute difference per
# channel (0-255) and the fraction of pixels whose largest channel difference exceeds 32.
# Measured with LibreOffice 7.4 on this sample: the same source deck converted twice gives 0.000
# and 0.0000 on every slide (rendering is deterministic); a wrong slide (the next one in the sample)
# gives 18.9-145.7 and 16-99.9 %. Faults this check found before they were fixed: a table that
# lost its deck's table style 0.21 / 0.35 %, a Strict chart axis whose "0%" format became "0"
# 2.65 / 2.4 %, text boxes that lost their deck's default alignment 8.1 / 9 %, an Office 2007
# chart whose unstated label flags turned every data label on 36.2 / 39 %. The limits sit well
# below those and well above the twice-converted noise.
MAX_MEAN_DIFFERENCE = 0.05
MAX_DIFFERING_FRACTION = 0.0005
PIXEL_TOLERANCE = 32


def pixel_difference(first: Path, second: Path) -> tuple[float, float]:
    from PIL import Image, ImageChops, ImageStat

    with Image.open(first) as a, Image.open(second) as b:
        a, b = a.convert("RGB"), b.convert("RGB")
        assert a.size == b.size, (first, a.size, second, b.size)
        difference = ImageChops.difference(a, b)
    mean = sum(ImageStat.Stat(difference).mean) / 3
    red, green, blue = difference.split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    histogram = largest.histogram()
    return mean, sum(histogram[PIXEL_TOLERANCE + 1 :]) / sum(histogram)


def test_composed_slides_look_like_their_sources(corpus_dir: Path, soffice: str, tmp_path: Path) -> None:
    picks = [SourceSlide(CORPUS_PPTX / name, number, label=name) for name, number in VISUAL_SAMPLE]
    composed = tmp_path / "visual-sample.pptx"
    result = compose_deck(picks, composed)
    assert not [w for w in result.warnings if "slide size" in w], result.warnings
    source_jobs = [RenderJob(p.stem, p, SLIDE_COUNTS[p.name]) for p in sorted({p.package for p in picks})]
    composed_job = RenderJob(composed.stem, composed, len(picks))
    first = render(soffice, [*source_jobs, composed_job], tmp_path / "first", width=480)
    again = render(soffice, source_jobs, tmp_path / "again", width=480)  # the noise floor
    assert all(r.ok for r in [*first.results.values(), *again.results.values()])

    lines, bad = [], []
    for index, pick in enumerate(picks, start=1):
        key = pick.package.stem
        source = first.png(key, pick.number)
        same = pixel_difference(source, again.png(key, pick.number))
        result_diff = pixel_difference(source, first.png(composed.stem, index))
        wrong = pixel_difference(source, first.png(composed.stem, index % len(picks) + 1))
        lines.append(
            f"{pick.label} #{pick.number}: composed {result_diff}, twice {same}, wrong slide {wrong}"
        )
        # The metric must see this slide's noise as nothing and another slide as very different...
        assert same[0] <= MAX_MEAN_DIFFERENCE, lines[-1]
        assert same[1] <= MAX_DIFFERING_FRACTION, lines[-1]
        assert wrong[0] > 20 * MAX_MEAN_DIFFERENCE, lines[-1]
        assert wrong[1] > 20 * MAX_DIFFERING_FRACTION, lines[-1]
        # ...and the composed slide as the same slide.
        if result_diff[0] > MAX_MEAN_DIFFERENCE or result_diff[1] > MAX_DIFFERING_FRACTION:
            bad.append(lines[-1])
    assert bad == [], "\n".join(lines)


# ---- slides of other sizes --------------------------------------------------------------------------


@functools.cache
def _frames_and_size(path: Path) -> tuple[list[list[Frame]], tuple[int, int]] | None:
    """python-pptx's reading of a deck's shape frames and slide size, or None if it cannot open it."""
    try:
        return frames(path), slide_size(path)
    except Exception:  # noqa: BLE001 - python-pptx refuses Strict, templates and more, in many ways
        return None


def _by_size() -> dict[tuple[int, int], list[str]]:
    """Transitional corpus decks by the slide size their presentation part states (stdlib reading)."""
    from xml.etree import ElementTree

    groups: dict[tuple[int, int], list[str]] = {}
    for name in COMPOSABLE:
        with Package(CORPUS_PPTX / name) as package:
            root = ElementTree.fromstring(package.read(package.main()))
        size = root.find("{http://schemas.openxmlformats.org/presentationml/2006/main}sldSz")
        if size is not None and int(size.get("cx", 0)) > 0 and int(size.get("cy", 0)) > 0:
            groups.setdefault((int(size.get("cx", 0)), int(size.get("cy", 0))), []).append(name)
    return groups


SIZED_MIXES = 12


def sized_mix(seed: int, groups: dict[tuple[int, int], list[str]]) -> list[SourceSlide]:
    """A first deck of one size (each size in turn), then 3-4 decks of other sizes, 2 slides each."""
    rng = random.Random(seed)
    sizes = sorted(groups, key=lambda size: -len(groups[size]))
    first_size = sizes[seed % len(sizes)]
    others = [name for size in sizes if size != first_size for name in groups[size]]
    names = [rng.choice(groups[first_size]), *rng.sample(others, rng.randint(3, 4))]
    picks = []
    for name in names:
        if _frames_and_size(CORPUS_PPTX / name) is None:
            continue  # python-pptx, the reference reading, cannot open it
        count = SLIDE_COUNTS[name]
        picks += [
            SourceSlide(CORPUS_PPTX / name, n, f"{name}, slide {n}")
            for n in rng.sample(range(1, count + 1), min(2, count))
        ]
    return picks


def test_mixes_of_sizes_keep_every_shape_on_the_slide(corpus_dir: Path, tmp_path: Path) -> None:
    """Each slide from a deck of another size is scaled by one factor and centred: every shape frame
    (placeholders through their layout, tables by their grid) that lay on its source slide lies on
    the new slide, exactly where the fit puts it."""
    groups = _by_size()
    assert len(groups) >= 4
    assert sum(len(names) for names in groups.values()) > 200
    checked = 0
    for seed in range(SIZED_MIXES):
        picks = sized_mix(seed, groups)
        out = tmp_path / f"sized-{seed}.pptx"
        result = compose_deck(picks, out)
        assert validate_package(out).ok
        composed = _frames_and_size(out)
        assert composed is not None
        pages, (width, height) = composed
        for index, pick in enumerate(picks):
            source = _frames_and_size(pick.package)
            assert source is not None
            source_pages, (source_width, source_height) = source
            scale = min(width / source_width, height / source_height)
            dx, dy = (width - source_width * scale) / 2, (height - source_height * scale) / 2
            where = f"slide {index + 1} of mix {seed}, from {pick.label}"
            before, after = source_pages[pick.number - 1], pages[index]
            assert [f.name for f in after] == [f.name for f in before], where
            for was, now in zip(before, after, strict=True):
                if not was.inside(source_width, source_height):
                    continue  # off its own slide in the source too (seen: parked shapes)
                assert now.inside(width, height), (where, was, now)
                expected = (
                    was.left * scale + dx,
                    was.top * scale + dy,
                    was.width * scale,
                    was.height * scale,
                )
                found = (now.left, now.top, now.width, now.height)
                assert max(abs(a - b) for a, b in zip(found, expected, strict=True)) <= 2, (where, was, now)
                checked += 1
        if len({_frames_and_size(p.package)[1] for p in picks}) > 1:  # type: ignore[index]
            assert any("centred" in w for w in result.warnings), result.warnings
    assert checked > 100


# A 16:9 deck first with 4:3 slides after it (same height: centred at their own size), and a 4:3 deck
# first with 16:9 slides after it (scaled to 75 % and centred).
FIT_SAMPLES = {
    "4:3 slides in a 16:9 deck": (
        ("aspose__HelloWorld.pptx", 1),
        ("openxmlsdk__Table_Small.pptx", 1),
        ("openxmlsdk__typical.pptx", 12),
        ("poi__54542_cropped_bitmap.pptx", 1),
        ("poi__pie-chart.pptx", 1),
        ("poi__with_japanese.pptx", 1),
    ),
    "16:9 slides in a 4:3 deck": (
        ("openxmlsdk__Table_Small.pptx", 1),
        ("poi__SmartArt.pptx", 1),
        ("aspose__HelloWorld.pptx", 1),
        ("aspose__ChartIndex.pptx", 1),
        ("poi__table-with-no-theme.pptx", 1),  # table cells whose text has no size of its own
    ),
}
PAGE_WIDTH = 640  # pixels of a composed page; the fitted slide's region is rendered from its source
# The page's region against its source rendered alone at the region's size differs more than a deck
# converted twice (the PDF places glyphs on another page size and offset). Measured on these samples
# with LibreOffice 7.4: mean 0.01-0.48, 0-0.66 % of pixels; the content's bounding box within 1 px
# of the source's, scaled and centred. A slide left unscaled at the page's left edge (the fault
# this guards against) misses the box by 80 px or more; a wrong slide differs by 18.9+ / 16 %+.
MAX_FITTED_MEAN_DIFFERENCE = 1.0
MAX_FITTED_DIFFERING_FRACTION = 0.012


def _content_box(png: Path) -> tuple[int, int, int, int] | None:
    """The bounding box of what differs from the page's top-left pixel (its background)."""
    from PIL import Image, ImageChops

    with Image.open(png) as image:
        image = image.convert("RGB")
        background = Image.new("RGB", image.size, image.getpixel((0, 0)))
        return ImageChops.difference(image, background).point(lambda v: 255 if v > 24 else 0).getbbox()


@pytest.mark.parametrize("case", FIT_SAMPLES)
def test_libreoffice_shows_a_fitted_slide_centred_and_as_its_source(
    corpus_dir: Path, soffice: str, tmp_path: Path, case: str
) -> None:
    """Rendered through LibreOffice, each slide of another size sits where the fit puts it (its
    content's bounding box is its source's, scaled and centred) and looks like its source rendered
    at the size it has on the page (the pixel check above, on that region of the page)."""
    from PIL import Image

    picks = [SourceSlide(CORPUS_PPTX / name, number, label=name) for name, number in FIT_SAMPLES[case]]
    composed = tmp_path / "fitted.pptx"
    compose_deck(picks, composed)
    width, height = slide_size(composed)
    page_height = round(PAGE_WIDTH * height / width)
    fitted = [p for p in picks if slide_size(p.package) != (width, height)]
    assert len(fitted) == len(picks) - 1
    source_width, source_height = slide_size(fitted[0].package)
    assert all(slide_size(p.package) == (source_width, source_height) for p in fitted)
    scale = min(width / source_width, height / source_height)
    region_width = round(PAGE_WIDTH * source_width * scale / width)
    left = round(PAGE_WIDTH * (width - source_width * scale) / 2 / width)
    top = round(page_height * (height - source_height * scale) / 2 / height)
    region_height = round(region_width * source_height / source_width)
    sources = [RenderJob(p.stem, p, SLIDE_COUNTS[p.name]) for p in sorted({p.package for p in fitted})]
    pages = render(soffice, [RenderJob(composed.stem, composed, len(picks))], tmp_path / "page", PAGE_WIDTH)
    alone = render(soffice, sources, tmp_path / "alone", region_width)
    assert all(r.ok for r in [*pages.results.values(), *alone.results.values()])

    lines, bad = [], []
    for index, pick in enumerate(picks, start=1):
        if pick not in fitted:
            continue
        page_png = pages.png(composed.stem, index)
        source_png = alone.png(pick.package.stem, pick.number)
        region = tmp_path / f"region-{index}.png"
        with Image.open(page_png) as page:
            assert page.size == (PAGE_WIDTH, page_height)
            page.crop((left, top, left + region_width, top + region_height)).save(region)
        box, source_box = _content_box(page_png), _content_box(source_png)
        assert box is not None
        assert source_box is not None
        expected = (source_box[0] + left, source_box[1] + top, source_box[2] + left, source_box[3] + top)
        difference = pixel_difference(source_png, region)
        lines.append(f"{pick.label} #{pick.number}: box {box} expected {expected}, difference {difference}")
        if (
            max(abs(a - b) for a, b in zip(box, expected, strict=True)) > 2
            or difference[0] > MAX_FITTED_MEAN_DIFFERENCE
            or difference[1] > MAX_FITTED_DIFFERING_FRACTION
        ):
            bad.append(lines[-1])
    print("\n".join(lines))
    assert bad == [], "\n".join(lines)
