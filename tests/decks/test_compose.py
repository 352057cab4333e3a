"""compose_deck on small decks built with python-pptx: part names, sharing, links, sizes, errors,
and the source faults the corpus showed (Strict percentages, table styles, text defaults, notes
without a notes master, parts that are not XML)."""

from __future__ import annotations

import hashlib
import io
import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from msldesk.core.errors import CancelledError, InvalidInputError
from msldesk.core.progress import CancelToken
from msldesk.decks.ooxml.compose import SourceSlide, compose_deck
from msldesk.decks.ooxml.package import read_deck
from msldesk.decks.ooxml.validate import validate_package
from tests.compose_reference import Package, distinct_parts_used, slide_pictures

NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
NS_A, NS_P, NS_C = NS["a"], NS["p"], NS["c"]
WIDE = (12192000, 6858000)  # 16:9; python-pptx's default template is 4:3
CUSTOM_STYLE = "{11111111-2222-3333-4444-555555555555}"


# ---- builders -------------------------------------------------------------------------------------


def png(color: tuple[int, int, int] = (200, 30, 30), noise_seed: int | None = None, side: int = 48) -> bytes:
    """A PNG; with noise_seed, random pixels, which deflate cannot shrink (like real photos)."""
    from PIL import Image

    if noise_seed is None:
        image = Image.new("RGB", (side, side), color)
    else:
        image = Image.frombytes("RGB", (side, side), random.Random(noise_seed).randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def build(
    path: Path,
    titles: list[str],
    pictures: dict[int, bytes] | None = None,
    layouts: list[int] | None = None,
    size: tuple[int, int] | None = None,
    edit: Callable[[object], None] | None = None,
) -> Path:
    """A python-pptx deck: one slide per title (with notes), optional pictures by slide index."""
    import pptx
    from pptx.util import Inches

    presentation = pptx.Presentation()
    if size:
        presentation.slide_width, presentation.slide_height = size
    for index, title in enumerate(titles):
        layout = presentation.slide_layouts[(layouts or [5] * len(titles))[index]]
        slide = presentation.slides.add_slide(layout)
        if slide.shapes.title is not None:
            slide.shapes.title.text = title
        slide.notes_slide.notes_text_frame.text = f"Notes for {title}"
        if pictures and index in pictures:
            slide.shapes.add_picture(io.BytesIO(pictures[index]), Inches(1), Inches(2))
    if edit is not None:
        edit(presentation)
    path.parent.mkdir(parents=True, exist_ok=True)
    presentation.save(str(path))
    return path


def rewrite(
    path: Path, change: Callable[[str, bytes], bytes | None], add: dict[str, bytes] | None = None
) -> Path:
    """Rewrite a package in place: `change(name, data)` returns new data, or None to drop the part."""
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries:
            new = change(name, data)
            if new is not None:
                out.writestr(name, new)
        for name, data in (add or {}).items():
            out.writestr(name, data)
    return path


def compose(out: Path, *picks: tuple[Path, int], **kwargs: object):  # type: ignore[no-untyped-def]
    return compose_deck([SourceSlide(deck, number) for deck, number in picks], out, **kwargs)  # type: ignore[arg-type]


def assert_valid(path: Path) -> None:
    report = validate_package(path)
    assert report.ok, report.explain()


def names(path: Path, pattern: str) -> list[str]:
    with zipfile.ZipFile(path) as package:
        return sorted(n for n in package.namelist() if re.fullmatch(pattern, n))


def part_xml(path: Path, part: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(part))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- part names and sharing -----------------------------------------------------------------------


def test_same_part_names_with_different_content_never_collide(tmp_path: Path) -> None:
    red, blue = png((220, 20, 20)), png((20, 20, 220))
    a = build(tmp_path / "a.pptx", ["Red"], pictures={0: red})
    b = build(tmp_path / "b.pptx", ["Blue"], pictures={0: blue})
    for deck in (a, b):  # the trap: both decks hold their picture under the same name
        assert names(deck, r"ppt/media/.*") == ["ppt/media/image1.png"]

    out = tmp_path / "out.pptx"
    result = compose(out, (a, 1), (b, 1))

    assert_valid(out)
    with zipfile.ZipFile(out) as package:
        entries = [n.lower() for n in package.namelist()]
    assert len(entries) == len(set(entries))
    assert slide_pictures(out) == [frozenset({sha(red)}), frozenset({sha(blue)})]
    assert len(names(out, r"ppt/media/.*")) == 2
    assert result.slides == 2
    assert result.path == out


def test_the_same_picture_in_two_decks_is_stored_once(tmp_path: Path) -> None:
    logo = png((10, 120, 10))
    a = build(tmp_path / "a.pptx", ["One", "Two"], pictures={0: logo, 1: logo})
    b = build(tmp_path / "b.pptx", ["Three"], pictures={0: logo})
    out = tmp_path / "out.pptx"
    compose(out, (a, 1), (b, 1), (a, 2))
    assert_valid(out)
    assert slide_pictures(out) == [frozenset({sha(logo)})] * 3
    assert len(names(out, r"ppt/media/.*")) == 1


def test_a_master_shared_by_picked_slides_is_carried_once(tmp_path: Path) -> None:
    a = build(tmp_path / "a.pptx", ["One", "Two", "Three", "Four"], layouts=[1, 1, 5, 6])
    b = build(tmp_path / "b.pptx", ["Five", "Six"], layouts=[1, 5])

    one_deck = tmp_path / "one.pptx"
    compose(one_deck, (a, 1), (a, 2), (a, 3), (a, 4))
    assert_valid(one_deck)
    assert len(names(one_deck, r"ppt/slideMasters/slideMaster\d+\.xml")) == 1
    assert len(names(one_deck, r"ppt/slideLayouts/slideLayout\d+\.xml")) == 3  # the used ones only

    two_decks = tmp_path / "two.pptx"
    compose(two_decks, (a, 1), (b, 1), (a, 3), (b, 2))
    assert_valid(two_decks)
    assert len(names(two_decks, r"ppt/slideMasters/slideMaster\d+\.xml")) == 2
    assert len(names(two_decks, r"ppt/slideLayouts/slideLayout\d+\.xml")) == 4
    master_ids = part_xml(two_decks, "ppt/presentation.xml").findall("p:sldMasterIdLst/p:sldMasterId", NS)
    assert len(master_ids) == 2


def test_chart_workbooks_are_not_shared_between_copies(tmp_path: Path) -> None:
    """Picking a chart slide twice gives two workbooks: editing one chart's data (PowerPoint's Edit
    Data, python-pptx's replace_data) must not change the other chart's workbook."""
    import pptx
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    def add_chart(presentation) -> None:  # type: ignore[no-untyped-def]
        data = CategoryChartData()
        data.categories = ["Placebo", "Active"]
        data.add_series("Responders", (21, 48))
        slide = presentation.slides[0]
        slide.shapes.add_chart(
            XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2), Inches(6), Inches(4), data
        )

    deck = build(tmp_path / "chart.pptx", ["Response"], edit=add_chart)
    out = tmp_path / "out.pptx"
    compose(out, (deck, 1), (deck, 1))
    assert_valid(out)
    assert len(names(out, r"ppt/embeddings/.*\.xlsx")) == 2

    presentation = pptx.Presentation(str(out))
    charts = [next(s for s in slide.shapes if s.has_chart).chart for slide in presentation.slides]
    before = charts[1].part.chart_workbook.xlsx_part.blob
    new_data = CategoryChartData()
    new_data.categories = ["Placebo", "Active"]
    new_data.add_series("Responders", (5, 95))
    charts[0].replace_data(new_data)
    assert charts[1].part.chart_workbook.xlsx_part.blob == before


def test_output_is_not_larger_than_the_parts_it_uses(tmp_path: Path) -> None:
    photos = [png(noise_seed=n, side=160) for n in range(4)]
    a = build(
        tmp_path / "a.pptx", ["One", "Two", "Three"], pictures={0: photos[0], 1: photos[1], 2: photos[3]}
    )
    b = build(tmp_path / "b.pptx", ["Four", "Five"], pictures={0: photos[2], 1: photos[0]})
    picks = [(a, 1), (b, 1), (a, 3), (b, 2)]
    out = tmp_path / "out.pptx"
    compose(out, *picks)
    used = distinct_parts_used(picks)
    assert used.parts > 20  # slides, notes, layouts, masters, themes, pictures, their rels...
    assert out.stat().st_size <= 1.1 * used.compressed, (out.stat().st_size, used)


# ---- links, sizes, errors -------------------------------------------------------------------------


def test_slide_links_are_remapped_or_removed_with_a_warning(tmp_path: Path) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    def link(presentation) -> None:  # type: ignore[no-untyped-def]
        first, second, third = presentation.slides
        to_third = first.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(1), Inches(2), Inches(2), Inches(1))
        to_third.click_action.target_slide = third
        to_second = first.shapes.add_shape(MSO_SHAPE.OVAL, Inches(4), Inches(2), Inches(2), Inches(1))
        to_second.click_action.target_slide = second

    deck = build(tmp_path / "links.pptx", ["Agenda", "Skipped", "Results"], edit=link)
    out = tmp_path / "out.pptx"
    result = compose(out, (deck, 1), (deck, 3))

    assert_valid(out)
    with Package(out) as package:
        first, second = package.slides()
        slide_links = [t for _, kind, t in package.rels(first) if kind.endswith("/slide")]
        assert slide_links == [second]  # to the copy of "Results"
    clicks = part_xml(out, first).findall(".//a:hlinkClick", NS)
    assert len(clicks) == 1  # the link to the slide left behind is gone
    assert any("not in the new deck" in w and "link" in w for w in result.warnings), result.warnings
    assert [s.title for s in read_deck(out).slides] == ["Agenda", "Results"]


def test_links_to_bookmarks_in_the_slide_itself_are_kept(tmp_path: Path) -> None:
    deck = build(tmp_path / "bookmark.pptx", ["Footnotes"])
    bookmark = (
        b'<Relationship Id="rId90" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/hyperlink" Target="#_ftn1"/></Relationships>'
    )
    rewrite(
        deck,
        lambda name, data: (
            data.replace(b"</Relationships>", bookmark)
            if name == "ppt/slides/_rels/slide1.xml.rels"
            else data
        ),
    )
    out = tmp_path / "out.pptx"
    result = compose(out, (deck, 1))
    assert_valid(out)
    with zipfile.ZipFile(out) as package:
        assert b'Target="#_ftn1"' in package.read("ppt/slides/_rels/slide1.xml.rels")
    assert result.warnings == ()


def test_different_slide_sizes_give_a_warning_and_the_first_size_wins(tmp_path: Path) -> None:
    classic = build(tmp_path / "classic.pptx", ["Four by three", "Again"])
    wide = build(tmp_path / "wide.pptx", ["Sixteen by nine"], size=WIDE)

    out = tmp_path / "out.pptx"
    result = compose(out, (classic, 1), (wide, 1))
    assert_valid(out)
    warnings = [w for w in result.warnings if "slide size" in w]
    assert len(warnings) == 1, result.warnings
    assert "wide.pptx" in warnings[0], result.warnings
    assert "16:9" in warnings[0], result.warnings
    size = part_xml(out, "ppt/presentation.xml").find("p:sldSz", NS)
    assert size is not None
    assert (size.get("cx"), size.get("cy")) == ("9144000", "6858000")

    assert compose(tmp_path / "same.pptx", (classic, 1), (classic, 2)).warnings == ()


def test_cancel_leaves_no_output_file(tmp_path: Path) -> None:
    deck = build(tmp_path / "in" / "deck.pptx", ["One", "Two", "Three"])
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "cancelled.pptx"

    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        compose(out, (deck, 1), (deck, 2), cancel=token)

    late = CancelToken()  # cancelled while slides are being copied

    def progress(done: int, total: int, message: str) -> None:
        if done == 2:
            late.cancel()

    with pytest.raises(CancelledError):
        compose(out, (deck, 1), (deck, 2), (deck, 3), progress=progress, cancel=late)
    assert list(folder.iterdir()) == []  # no deck, no temp file


def test_cancel_does_not_touch_an_existing_file(tmp_path: Path) -> None:
    deck = build(tmp_path / "deck.pptx", ["One"])
    out = tmp_path / "existing.pptx"
    out.write_bytes(b"previous export")
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        compose(out, (deck, 1), cancel=token)
    assert out.read_bytes() == b"previous export"


def test_a_missing_slide_number_is_refused_clearly(tmp_path: Path) -> None:
    deck = build(tmp_path / "two-slides.pptx", ["One", "Two"])
    out = tmp_path / "out.pptx"
    with pytest.raises(InvalidInputError) as error:
        compose_deck([SourceSlide(deck, 1), SourceSlide(deck, 5, label="Efficacy deck, slide 5")], out)
    assert error.value.user_message == "Efficacy deck, slide 5: the deck has no slide 5 (it has 2)."
    with pytest.raises(InvalidInputError) as error:
        compose(out, (deck, 0))
    assert "two-slides.pptx" in error.value.user_message
    assert "no slide 0" in error.value.user_message
    with pytest.raises(InvalidInputError):
        compose_deck([], out)
    assert not out.exists()


# ---- source faults and differences the corpus showed --------------------------------------------


def _strict(path: Path) -> Path:
    """Rewrite a transitional deck as Strict OOXML: Strict namespaces and relationship types, and
    percentages written the Strict way ("75%" for DrawingML's 75000, "80%" for a chart's 80)."""

    def change(name: str, data: bytes) -> bytes:
        if not name.endswith((".xml", ".rels")):
            return data
        data = re.sub(
            rb"http://schemas\.openxmlformats\.org/(officeDocument|drawingml|presentationml)/2006/",
            rb"http://purl.oclc.org/ooxml/\1/",
            data,
        ).replace(b"relationships/extended-properties", b"relationships/extendedProperties")
        data = re.sub(
            rb'(<a:lumMod val=")(\d+)(")', lambda m: b"%s%d%%%s" % (m[1], int(m[2]) // 1000, m[3]), data
        )
        return re.sub(rb'(<c:gapWidth val=")(\d+)(")', rb"\g<1>\g<2>%\g<3>", data)

    return rewrite(path, change)


def test_strict_percentages_become_transitional_but_text_keeps_its_percent_sign(tmp_path: Path) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import MSO_THEME_COLOR
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    def content(presentation) -> None:  # type: ignore[no-untyped-def]
        slide = presentation.slides[0]
        badge = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(1), Inches(1), Inches(2), Inches(1))
        badge.name = "50%"
        badge.fill.solid()
        badge.fill.fore_color.theme_color = MSO_THEME_COLOR.ACCENT_1
        badge.fill.fore_color.brightness = -0.25  # lumMod 75000
        data = CategoryChartData()
        data.categories = ["Placebo", "Active"]
        data.add_series("Response rate", (0.21, 0.48))
        frame = slide.shapes.add_chart(
            XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2), Inches(6), Inches(4), data
        )
        frame.chart.plots[0].gap_width = 80
        labels = frame.chart.value_axis.tick_labels
        labels.number_format, labels.number_format_is_linked = "0%", False

    deck = _strict(build(tmp_path / "strict.pptx", ["Response"], edit=content))
    assert read_deck(deck).strict  # the fixture really is Strict
    out = tmp_path / "out.pptx"
    compose(out, (deck, 1))
    assert_valid(out)

    slide = part_xml(out, "ppt/slides/slide1.xml")
    assert [e.get("name") for e in slide.iter(f"{{{NS_P}}}cNvPr") if e.get("name") == "50%"] == ["50%"]
    assert [e.get("val") for e in slide.iter(f"{{{NS_A}}}lumMod")] == ["75000"]
    chart = part_xml(out, names(out, r"ppt/charts/chart\d+\.xml")[0])
    assert chart.find(".//c:gapWidth", NS).get("val") == "80"
    assert [e.get("formatCode") for e in chart.iter(f"{{{NS_C}}}numFmt")] == ["0%"]
    with zipfile.ZipFile(out) as package:
        assert not any(b"purl.oclc.org" in package.read(n) for n in package.namelist())


def _table_deck(path: Path, style_id: str) -> Path:
    from pptx.util import Inches

    def table(presentation) -> None:  # type: ignore[no-untyped-def]
        frame = presentation.slides[0].shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(2))
        frame.table.cell(0, 0).text = "Arm"
        style = frame._element.graphic.graphicData.tbl.tblPr.find(f"{{{NS_A}}}tableStyleId")
        style.text = style_id

    deck = build(path, ["Baseline characteristics"], edit=table)
    custom = (
        f'<a:tblStyle styleId="{style_id}" styleName="House style"><a:wholeTbl><a:tcStyle><a:fill>'
        '<a:solidFill><a:srgbClr val="FFCC00"/></a:solidFill></a:fill></a:tcStyle></a:wholeTbl>'
        "</a:tblStyle></a:tblStyleLst>"
    ).encode()
    return rewrite(
        deck,
        lambda name, data: re.sub(rb"/>\s*$", b">" + custom, data) if name == "ppt/tableStyles.xml" else data,
    )


def test_table_styles_travel_with_the_tables_that_use_them(tmp_path: Path) -> None:
    plain = build(tmp_path / "plain.pptx", ["Welcome"])
    tables = _table_deck(tmp_path / "tables.pptx", CUSTOM_STYLE)
    for picks in ([(plain, 1), (tables, 1)], [(tables, 1), (plain, 1), (tables, 1)]):
        out = tmp_path / "out.pptx"
        compose(out, *picks)
        assert_valid(out)
        styles = part_xml(out, "ppt/tableStyles.xml")
        assert [s.get("styleId") for s in styles] == [CUSTOM_STYLE]
        assert styles.find(".//a:srgbClr", NS).get("val") == "FFCC00"


def _with_text_defaults(path: Path) -> Path:
    """The deck's defaultTextStyle: centred, 32 pt (python-pptx's template: left, 18 pt)."""
    style = (
        b'<p:defaultTextStyle><a:lvl1pPr algn="ctr"><a:defRPr sz="3200"><a:solidFill>'
        b'<a:srgbClr val="0000FF"/></a:solidFill></a:defRPr></a:lvl1pPr></p:defaultTextStyle>'
    )
    return rewrite(
        path,
        lambda name, data: (
            re.sub(rb"<p:defaultTextStyle>.*</p:defaultTextStyle>", style, data, flags=re.S)
            if name == "ppt/presentation.xml"
            else data
        ),
    )


def test_text_boxes_keep_their_decks_text_defaults(tmp_path: Path) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches, Pt

    def boxes(presentation) -> None:  # type: ignore[no-untyped-def]
        shapes = presentation.slides[0].shapes
        shapes.add_textbox(Inches(1), Inches(2), Inches(4), Inches(1)).text_frame.text = "Plain box"
        own = shapes.add_textbox(Inches(1), Inches(3), Inches(4), Inches(1))
        own.text_frame.text = "Right-aligned box"
        style = own.text_frame._txBody.find(f"{{{NS_A}}}lstStyle")
        levels = etree.SubElement(style, f"{{{NS_A}}}lvl1pPr", algn="r")
        etree.SubElement(levels, f"{{{NS_A}}}defRPr", sz=str(Pt(20).centipoints))
        button = shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(1), Inches(4), Inches(3), Inches(1))
        button.text_frame.text = "White on accent"  # font and colour from the shape's style
        table = shapes.add_table(2, 2, Inches(5), Inches(2), Inches(4), Inches(2)).table
        table.cell(0, 0).text = "Header"

    base = build(tmp_path / "base.pptx", ["Standard"], edit=boxes)
    other = _with_text_defaults(build(tmp_path / "other.pptx", ["Centred"], edit=boxes))
    out = tmp_path / "out.pptx"
    compose(out, (base, 1), (other, 1))
    assert_valid(out)

    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out) as composed:
        # Slides from the first deck already match the new deck's defaults: copied byte for byte.
        assert composed.read("ppt/slides/slide1.xml") == source.read("ppt/slides/slide1.xml")
    slide = part_xml(out, "ppt/slides/slide2.xml")
    title, plain, own, button = slide.findall(".//p:sp/p:txBody/a:lstStyle", NS)
    assert len(title) == 0  # placeholders follow their layout and master: untouched
    assert plain.find("a:lvl1pPr", NS).get("algn") == "ctr"
    assert plain.find("a:lvl1pPr/a:defRPr", NS).get("sz") == "3200"
    assert plain.find("a:lvl1pPr/a:defRPr/a:solidFill/a:srgbClr", NS).get("val") == "0000FF"
    assert own.find("a:lvl1pPr", NS).get("algn") == "r"  # what the box sets itself wins
    assert own.find("a:lvl1pPr/a:defRPr", NS).get("sz") == "2000"
    assert own.find("a:lvl1pPr/a:defRPr/a:solidFill/a:srgbClr", NS).get("val") == "0000FF"
    # A styled shape takes font and colour from its fontRef, which a list style would override.
    assert button.find("a:lvl1pPr", NS).get("algn") == "ctr"
    assert button.find("a:lvl1pPr/a:defRPr", NS).get("sz") == "3200"
    assert button.find("a:lvl1pPr/a:defRPr/a:solidFill", NS) is None
    # Table cells follow their table style (LibreOffice draws them unchanged this way).
    assert all(len(style) == 0 for style in slide.findall(".//a:tc/a:txBody/a:lstStyle", NS))


def test_notes_without_a_notes_master_get_one(tmp_path: Path) -> None:
    deck = build(tmp_path / "deck.pptx", ["One", "Two"])

    def drop_notes_master(name: str, data: bytes) -> bytes | None:
        if name.startswith("ppt/notesMasters/"):
            return None
        if name.endswith(".rels"):
            return re.sub(rb'<Relationship [^>]*relationships/notesMaster"[^>]*/>', b"", data)
        if name == "ppt/presentation.xml":
            return re.sub(rb"<p:notesMasterIdLst>.*?</p:notesMasterIdLst>", b"", data)
        return data

    rewrite(deck, drop_notes_master)
    assert not validate_package(deck).ok  # the source fault the corpus has
    out = tmp_path / "out.pptx"
    compose(out, (deck, 2), (deck, 1))
    assert_valid(out)
    assert [s.notes for s in read_deck(out).slides] == ["Notes for Two", "Notes for One"]
    assert len(names(out, r"ppt/notesMasters/notesMaster\d+\.xml")) == 1


def test_parts_that_are_not_xml_are_left_out_with_one_warning(tmp_path: Path) -> None:
    deck = build(tmp_path / "deck.pptx", ["One"])
    items = {f"ppt/customXml/item{n}.xml": b"sld-customData" for n in range(1, 5)}
    links = "".join(
        f'<Relationship Id="rId9{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/customXml" Target="/ppt/customXml/item{n}.xml"/>'
        for n in range(1, 5)
    ).encode()
    rewrite(
        deck,
        lambda name, data: (
            data.replace(b"</Relationships>", links + b"</Relationships>")
            if name == "ppt/slides/_rels/slide1.xml.rels"
            else data
        ),
        add=items,
    )
    out = tmp_path / "out.pptx"
    result = compose(out, (deck, 1))
    assert_valid(out)
    assert names(out, r"ppt/customXml/.*") == []
    assert len(result.warnings) == 1, result.warnings
    assert "4 part(s)" in result.warnings[0], result.warnings
    assert read_deck(out).slides[0].title == "One"


def test_a_slide_beyond_repair_becomes_a_blank_slide_with_a_warning(tmp_path: Path) -> None:
    deck = build(tmp_path / "deck.pptx", ["One", "Two"])
    rewrite(deck, lambda name, data: b"\x00garbage" if name == "ppt/slides/slide2.xml" else data)
    out = tmp_path / "out.pptx"
    result = compose(out, (deck, 1), (deck, 2))
    assert_valid(out)
    assert [s.title for s in read_deck(out).slides] == ["One", ""]
    assert any("blank slide" in w for w in result.warnings), result.warnings


def _office2007_chart_deck(path: Path, app_version: str) -> Path:
    """A chart deck as Office 2007 wrote them: flags left unstated (which it read as false)."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    def chart(presentation) -> None:  # type: ignore[no-untyped-def]
        data = CategoryChartData()
        data.categories = ["Placebo", "Active"]
        data.add_series("Responders", (21, 48))
        frame = presentation.slides[0].shapes.add_chart(
            XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2), Inches(6), Inches(4), data
        )
        frame.chart.plots[0].has_data_labels = True

    def terse(name: str, data: bytes) -> bytes:
        if name == "docProps/app.xml":
            return re.sub(rb"<AppVersion>[^<]*<", f"<AppVersion>{app_version}<".encode(), data)
        if name == "ppt/charts/chart1.xml":
            data = re.sub(rb"<c:dLbls>.*?</c:dLbls>", b'<c:dLbls><c:showVal val="1"/></c:dLbls>', data)
            data = data.replace(b'<c:autoTitleDeleted val="0"/>', b"")
            return data.replace(b'<c:delete val="0"/>', b"<c:delete/>", 1)
        return data

    return rewrite(build(path, ["Response"], edit=chart), terse)


def test_charts_from_office_2007_decks_state_the_flags_office_2007_left_out(tmp_path: Path) -> None:
    """LibreOffice reads an unstated chart flag as false in a file from Office 2007 and as true in
    any other, such as the new deck: unstated data label flags would show every label."""
    plain = build(tmp_path / "plain.pptx", ["Welcome"])
    old = _office2007_chart_deck(tmp_path / "office2007.pptx", "12.0000")
    out = tmp_path / "out.pptx"
    compose(out, (plain, 1), (old, 1))
    assert_valid(out)

    chart = part_xml(out, names(out, r"ppt/charts/chart\d+\.xml")[0])
    flags = [(etree.QName(e).localname, e.get("val")) for e in chart.find(".//c:barChart/c:dLbls", NS)]
    assert flags == [
        ("showLegendKey", "0"),
        ("showVal", "1"),
        ("showCatName", "0"),
        ("showSerName", "0"),
        ("showPercent", "0"),
        ("showBubbleSize", "0"),
        ("showLeaderLines", "0"),
    ]
    group = [etree.QName(e).localname for e in chart.find(".//c:barChart", NS)]
    assert group[:4] == ["barDir", "grouping", "varyColors", "ser"]  # added in schema order
    assert chart.find(".//c:barChart/c:varyColors", NS).get("val") == "0"
    assert chart.find(".//c:catAx/c:delete", NS).get("val") == "0"  # a bare flag gets its value
    children = [etree.QName(e).localname for e in chart.find("c:chart", NS)]
    assert children == ["autoTitleDeleted", "plotArea", "plotVisOnly", "dispBlanksAs", "showDLblsOverMax"]

    newer = _office2007_chart_deck(tmp_path / "office2010.pptx", "14.0000")
    compose(out, (plain, 1), (newer, 1))
    with zipfile.ZipFile(newer) as source, zipfile.ZipFile(out) as composed:
        assert composed.read("ppt/charts/chart1.xml") == source.read("ppt/charts/chart1.xml")


# ---- hostile text and DOCTYPEs --------------------------------------------------------------------

DOCTYPE = b'<!DOCTYPE p:sld [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'


def _with_doctype(name: str, data: bytes) -> bytes:
    if name != "ppt/slides/slide1.xml":
        return data
    declaration, rest = data.split(b"?>", 1)
    # The entity reference sits in the title text: it must go with the DOCTYPE that defines it.
    return declaration + b"?>" + DOCTYPE + rest.replace(b"<a:t>Alpha", b"<a:t>Al&b;pha", 1)


def test_the_validator_flags_a_doctype_in_a_part(tmp_path: Path) -> None:
    deck = rewrite(build(tmp_path / "a.pptx", ["Alpha"]), _with_doctype)
    report = validate_package(deck)
    assert [(p.code, p.part) for p in report.problems] == [("doctype", "ppt/slides/slide1.xml")]
    assert "DOCTYPE" in report.explain()


def test_a_composed_deck_never_carries_a_doctype(tmp_path: Path) -> None:
    deck = rewrite(build(tmp_path / "a.pptx", ["Alpha", "Beta"]), _with_doctype)
    out = tmp_path / "out.pptx"
    compose(out, (deck, 1), (deck, 2))
    assert_valid(out)
    with zipfile.ZipFile(out) as archive:
        xml = [n for n in archive.namelist() if n.endswith((".xml", ".rels"))]
        assert not [n for n in xml if b"<!DOCTYPE" in archive.read(n)]
    assert [s.title for s in read_deck(out).slides] == ["Alpha", "Beta"]


def test_the_composed_title_is_cleaned_and_cut_to_255_characters(tmp_path: Path) -> None:
    import pptx

    deck = build(tmp_path / "a.pptx", ["Alpha"])
    out = tmp_path / "out.pptx"
    compose(out, (deck, 1), title="\x00\x0b\ufffe\ud800" + "T" * 300)
    assert_valid(out)
    assert pptx.Presentation(str(out)).core_properties.title == "T" * 254 + "…"


# ---- slides of another size -----------------------------------------------------------------------


def _shapes_deck(path: Path, size: tuple[int, int]) -> Path:
    """A deck of `size` whose one slide holds what scaling must carry: a text box with sizes written
    and inherited, a line, a picture, a group, a table, a connector, and the layout's title."""
    from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
    from pptx.util import Emu, Pt

    width, height = size

    def edit(presentation: object) -> None:
        slide = presentation.slides[0]  # type: ignore[attr-defined]
        box = slide.shapes.add_textbox(Emu(width // 10), Emu(height // 4), Emu(width // 3), Emu(height // 6))
        box.name = "Text"
        box.text_frame.text = "Sized"
        box.text_frame.paragraphs[0].runs[0].font.size = Pt(24)
        box.text_frame.add_paragraph().text = "Inherited"
        box.line.width = Pt(4)
        slide.shapes.add_picture(io.BytesIO(png()), Emu(width // 2), Emu(height // 4), Emu(width // 5))
        group = slide.shapes.add_group_shape()
        group.name = "Group"
        group.shapes.add_shape(
            MSO_SHAPE.OVAL, Emu(width // 10), Emu(height * 3 // 5), Emu(width // 8), Emu(width // 8)
        )
        group.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Emu(width // 4), Emu(height * 3 // 5), Emu(width // 8), Emu(height // 5)
        )
        table = slide.shapes.add_table(
            2, 3, Emu(width // 2), Emu(height * 3 // 5), Emu(width * 2 // 5), Emu(height // 5)
        )
        table.name = "Table"
        table.table.cell(0, 0).text = "Cell"
        line = slide.shapes.add_connector(
            MSO_CONNECTOR.STRAIGHT, Emu(0), Emu(height - 1), Emu(width), Emu(height - 1)
        )
        line.name = "Rule"

    return build(path, [f"{size[0]}x{size[1]}"], size=size, edit=edit)


@pytest.mark.parametrize(
    ("source", "target"),
    [(WIDE, (9144000, 6858000)), ((9144000, 6858000), WIDE), ((9906000, 6858000), (9144000, 5715000))],
    ids=["16:9 into 4:3", "4:3 into 16:9", "A4 into 16:10"],
)
def test_a_slide_of_another_size_is_scaled_to_fit_and_centred(
    tmp_path: Path, source: tuple[int, int], target: tuple[int, int]
) -> None:
    from tests.slide_frames import frames, outside

    other = _shapes_deck(tmp_path / "other.pptx", source)
    first = build(tmp_path / "first.pptx", ["First"], size=target)
    out = tmp_path / "out.pptx"
    result = compose(out, (first, 1), (other, 1))
    assert_valid(out)

    scale = min(target[0] / source[0], target[1] / source[1])
    dx, dy = (target[0] - source[0] * scale) / 2, (target[1] - source[1] * scale) / 2
    warning = next(w for w in result.warnings if "slide size" in w)
    assert "other.pptx" in warning, warning
    assert "centred" in warning, warning
    assert "not rescaled" not in warning, warning
    assert outside(out) == []
    before = {f.name: f for f in frames(other)[0]}
    after = {f.name: f for f in frames(out)[1]}
    assert set(after) == set(before)
    assert len(after) == 7  # the title placeholder comes from its layout
    for name, was in before.items():
        now = after[name]
        expected = (was.left * scale + dx, was.top * scale + dy, was.width * scale, was.height * scale)
        assert (
            max(abs(a - b) for a, b in zip((now.left, now.top, now.width, now.height), expected, strict=True))
            <= 2
        ), name

    slide = part_xml(out, "ppt/slides/slide2.xml")
    sizes = [int(s) for s in slide.xpath(".//p:sp[.//a:t='Sized']//a:rPr/@sz", namespaces=NS)]
    assert sizes == [round(2400 * scale)]
    # Text the source deck's default style sizes (18 pt) is written down and scaled with the rest.
    inherited = slide.xpath(
        ".//p:sp[.//a:t='Sized']/p:txBody/a:lstStyle/a:lvl1pPr/a:defRPr/@sz", namespaces=NS
    )
    assert inherited == [str(round(1800 * scale))]
    assert slide.xpath(".//p:sp[.//a:t='Sized']/p:spPr/a:ln/@w", namespaces=NS) == [str(round(50800 * scale))]
    group = slide.find(".//p:grpSp/p:grpSpPr/a:xfrm", NS)
    source_group = part_xml(other, "ppt/slides/slide1.xml").find(".//p:grpSp/p:grpSpPr/a:xfrm", NS)
    assert group is not None
    assert source_group is not None
    for child in ("a:chOff", "a:chExt"):  # the children keep their coordinates and follow the group
        assert group.find(child, NS).attrib == source_group.find(child, NS).attrib  # type: ignore[union-attr]
    picture = (
        after["Picture 3"] if "Picture 3" in after else next(f for n, f in after.items() if "Picture" in n)
    )
    original = next(f for n, f in before.items() if "Picture" in n)
    assert abs(picture.width / picture.height - original.width / original.height) < 0.001

    # The layout and master came along scaled: their text sizes too, and they are not the first deck's.
    masters = names(out, r"ppt/slideMasters/slideMaster\d+\.xml")
    assert len(masters) == 2
    title_sizes = [
        part_xml(out, m).xpath("p:txStyles/p:titleStyle/a:lvl1pPr/a:defRPr/@sz", namespaces=NS)
        for m in masters
    ]
    assert sorted(title_sizes) == sorted([["4400"], [str(round(4400 * scale))]])


def test_fit_sizes_false_leaves_a_slide_of_another_size_as_it_was(tmp_path: Path) -> None:
    from tests.slide_frames import frames

    other = _shapes_deck(tmp_path / "other.pptx", WIDE)
    first = build(tmp_path / "first.pptx", ["First"])
    out = tmp_path / "out.pptx"
    result = compose(out, (first, 1), (other, 1), fit_sizes=False)
    assert any("not rescaled" in w for w in result.warnings), result.warnings
    assert frames(out)[1] == [type(f)(2, f.name, f.left, f.top, f.width, f.height) for f in frames(other)[0]]
