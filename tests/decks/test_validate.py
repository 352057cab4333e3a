"""validate_package on a valid python-pptx deck and on hand-broken copies of it, one fault each."""

from __future__ import annotations

import io
import re
import struct
import time
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from msldesk.decks.ooxml.validate import Problem, ValidationReport, validate_package

Entries = list[tuple[str, bytes]]  # zip entries in order; a list, so one name can appear twice

PRESENTATION = "ppt/presentation.xml"
SLIDE1 = "ppt/slides/slide1.xml"  # picture + notes
SLIDE2 = "ppt/slides/slide2.xml"  # table
SLIDE3 = "ppt/slides/slide3.xml"  # chart
NOTES1 = "ppt/notesSlides/notesSlide1.xml"
IMAGE = "ppt/media/image1.png"
MASTER = "ppt/slideMasters/slideMaster1.xml"
LAYOUT6 = "ppt/slideLayouts/slideLayout6.xml"  # 'Title Only', used by every slide


def _png() -> bytes:
    """A 1x1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _build_deck(path: Path, extra_slides: int = 0) -> Path:
    """Three slides (picture and notes, table, chart) plus `extra_slides` slides with notes."""
    import pptx
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    presentation = pptx.Presentation()
    layout = presentation.slide_layouts[5]
    slide = presentation.slides.add_slide(layout)
    slide.shapes.add_picture(io.BytesIO(_png()), Inches(1), Inches(1))
    slide.notes_slide.notes_text_frame.text = "Pause for questions."
    slide = presentation.slides.add_slide(layout)
    slide.shapes.add_table(2, 2, Inches(1), Inches(1), Inches(4), Inches(2))
    slide = presentation.slides.add_slide(layout)
    data = CategoryChartData()
    data.categories = ["Placebo", "Active"]
    data.add_series("Responders", (21, 48))
    slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(1), Inches(6), Inches(4), data)
    for n in range(extra_slides):
        slide = presentation.slides.add_slide(presentation.slide_layouts[n % 9])
        slide.notes_slide.notes_text_frame.text = f"Notes {n}"
        if n % 5 == 0:
            slide.shapes.add_picture(io.BytesIO(_png()), Inches(1), Inches(1))
    presentation.save(str(path))
    return path


@pytest.fixture(scope="module")
def valid_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_deck(tmp_path_factory.mktemp("validate") / "valid.pptx")


def _entries(path: Path) -> Entries:
    with zipfile.ZipFile(path) as package:
        return [(info.filename, package.read(info)) for info in package.infolist()]


def _write(path: Path, entries: Entries) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about duplicate names
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in entries:
                out.writestr(name, data)
    return path


def _edit(entries: Entries, name: str, change: Callable[[str], str]) -> Entries:
    """Apply `change` to the text of part `name` (which must then differ)."""
    edited = []
    for part, data in entries:
        if part == name:
            new = change(data.decode("utf-8"))
            assert new != data.decode("utf-8"), f"the edit did not change {name}"
            data = new.encode("utf-8")
        edited.append((part, data))
    return edited


def _drop_rel(rels_xml: str, type_suffix: str) -> str:
    return re.sub(rf'<Relationship [^>]*Type="[^"]*/{type_suffix}"[^>]*/>', "", rels_xml)


def _rels(part: str) -> str:
    folder, name = part.rsplit("/", 1)
    return f"{folder}/_rels/{name}.rels"


def _broken(valid_deck: Path, tmp_path: Path, edit: Callable[[Entries], Entries]) -> ValidationReport:
    return validate_package(_write(tmp_path / "broken.pptx", edit(_entries(valid_deck))))


def _only(report: ValidationReport, code: str) -> Problem:
    """The single problem of the report, which must have `code`."""
    assert [p.code for p in report.problems] == [code], report.explain()
    return report.problems[0]


# ---- the valid deck ------------------------------------------------------------------------------


def test_python_pptx_deck_with_picture_table_chart_and_notes_is_valid(valid_deck: Path) -> None:
    names = {name for name, _ in _entries(valid_deck)}
    assert {IMAGE, NOTES1, "ppt/charts/chart1.xml", SLIDE3} <= names  # the deck has what it claims
    report = validate_package(valid_deck)
    assert report.ok, report.explain()
    assert report.problems == ()
    assert report.explain() == "The package is valid."


def test_rewriting_the_zip_unchanged_keeps_it_valid(valid_deck: Path, tmp_path: Path) -> None:
    """The test helpers themselves introduce no problem."""
    assert _broken(valid_deck, tmp_path, lambda entries: entries).ok


def test_absolute_targets_bookmarks_and_external_links_resolve(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(
            entries,
            _rels(SLIDE1),
            lambda xml: xml.replace('Target="../media/image1.png"', f'Target="/{IMAGE}"').replace(
                "</Relationships>",
                '<Relationship Id="rId90" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/hyperlink" Target="#_ftn1"/>'
                '<Relationship Id="rId91" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/hyperlink" Target="https://example.org/missing.pdf" '
                'TargetMode="External"/></Relationships>',
            ),
        )

    report = _broken(valid_deck, tmp_path, edit)
    assert report.ok, report.explain()


# ---- one fault each ------------------------------------------------------------------------------


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "notes.pptx"
    path.write_bytes(b"These are my meeting notes, not a slide deck.\n" * 20)
    problem = _only(validate_package(path), "not-a-zip")
    assert problem.part == ""
    assert "notes.pptx is not a readable zip archive" in problem.message


def test_duplicate_part_name(valid_deck: Path, tmp_path: Path) -> None:
    """The copy-slide recipe's fault: a second ppt/media/image1.png silently replaces the first."""
    report = _broken(valid_deck, tmp_path, lambda entries: [*entries, (IMAGE, _png() + b"other")])
    problem = _only(report, "duplicate-part")
    assert problem.part == IMAGE
    assert problem.message.startswith(f"{IMAGE}: the zip holds this part more than once")


def test_part_names_that_differ_only_in_case_are_duplicates(valid_deck: Path, tmp_path: Path) -> None:
    report = _broken(valid_deck, tmp_path, lambda entries: [*entries, (IMAGE.upper(), _png())])
    problem = _only(report, "duplicate-part")
    assert problem.part == IMAGE.upper()
    assert IMAGE in problem.message


def test_relationship_to_a_missing_part(valid_deck: Path, tmp_path: Path) -> None:
    report = _broken(valid_deck, tmp_path, lambda entries: [e for e in entries if e[0] != IMAGE])
    problem = _only(report, "missing-target")
    assert problem.part == SLIDE1
    assert problem.message == (
        f"{SLIDE1}: relationship rId2 (image) points to {IMAGE}, which is not in the package."
    )


def test_relationship_with_an_empty_target(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(
            entries, _rels(SLIDE1), lambda xml: xml.replace('Target="../media/image1.png"', 'Target=""')
        )

    problem = _only(_broken(valid_deck, tmp_path, edit), "missing-target")
    assert problem.part == SLIDE1
    assert "rId2 (image) points to nothing" in problem.message


def test_part_without_content_type(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(
            entries,
            "[Content_Types].xml",
            lambda xml: xml.replace('<Default Extension="png" ContentType="image/png"/>', ""),
        )

    problem = _only(_broken(valid_deck, tmp_path, edit), "no-content-type")
    assert problem.part == IMAGE
    assert problem.message.startswith(f"{IMAGE}: the part has no content type")


def test_missing_content_types_part(valid_deck: Path, tmp_path: Path) -> None:
    report = _broken(
        valid_deck, tmp_path, lambda entries: [e for e in entries if e[0] != "[Content_Types].xml"]
    )
    problem = _only(report, "missing-content-types")
    assert "[Content_Types].xml" in problem.message


def test_notes_slide_without_link_back_to_its_slide(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(entries, _rels(NOTES1), lambda xml: _drop_rel(xml, "slide"))

    problem = _only(_broken(valid_deck, tmp_path, edit), "notes-link")
    assert problem.part == NOTES1
    assert problem.message == (
        f"{NOTES1}: the notes of {SLIDE1} have no slide relationship back to that slide."
    )


def test_notes_slide_without_notes_master(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(entries, _rels(NOTES1), lambda xml: _drop_rel(xml, "notesMaster"))

    problem = _only(_broken(valid_deck, tmp_path, edit), "notes-link")
    assert problem.part == NOTES1
    assert "notesMaster" in problem.message


def test_two_slides_with_the_same_id(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(entries, PRESENTATION, lambda xml: xml.replace('<p:sldId id="257"', '<p:sldId id="256"'))

    problem = _only(_broken(valid_deck, tmp_path, edit), "duplicate-slide-id")
    assert problem.part == PRESENTATION
    assert problem.message == (f"{PRESENTATION}: slide id 256 is used by 2 slides; slide ids must be unique.")


@pytest.mark.parametrize("slide_id", ["255", "2147483648", "-1", "x"])
def test_slide_id_out_of_range(valid_deck: Path, tmp_path: Path, slide_id: str) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(
            entries, PRESENTATION, lambda xml: xml.replace('<p:sldId id="257"', f'<p:sldId id="{slide_id}"')
        )

    problem = _only(_broken(valid_deck, tmp_path, edit), "slide-id-range")
    assert problem.part == PRESENTATION
    assert f"slide id '{slide_id}' is outside the valid range 256..2147483647" in problem.message


def test_slide_list_entry_without_relationship(valid_deck: Path, tmp_path: Path) -> None:
    """rId10 (slide3) is gone: slide3 is an orphan and its list entry names nothing."""

    def edit(entries: Entries) -> Entries:
        return _edit(
            entries, _rels(PRESENTATION), lambda xml: re.sub(r'<Relationship Id="rId10"[^>]*/>', "", xml)
        )

    report = _broken(valid_deck, tmp_path, edit)
    assert [(p.code, p.part) for p in report.problems] == [
        ("slide-list", PRESENTATION),
        ("orphan-slide", SLIDE3),
    ], report.explain()
    assert "<sldId id='258' r:id='rId10'> names no relationship" in report.problems[0].message


def test_slide_list_entry_pointing_at_a_layout(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(
            entries,
            _rels(PRESENTATION),
            lambda xml: xml.replace('Target="slides/slide3.xml"', 'Target="slideLayouts/slideLayout1.xml"'),
        )

    report = _broken(valid_deck, tmp_path, edit)
    assert [(p.code, p.part) for p in report.problems] == [
        ("slide-list", PRESENTATION),
        ("orphan-slide", SLIDE3),
    ], report.explain()
    assert "points to ppt/slideLayouts/slideLayout1.xml, whose content type" in report.problems[0].message


def test_orphan_slide(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(entries, PRESENTATION, lambda xml: xml.replace('<p:sldId id="258" r:id="rId10"/>', ""))

    problem = _only(_broken(valid_deck, tmp_path, edit), "orphan-slide")
    assert problem.part == SLIDE3
    assert problem.message == (
        f"{SLIDE3}: the slide is in the package but not in the slide list of {PRESENTATION}."
    )


def test_slide_without_layout(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(entries, _rels(SLIDE2), lambda xml: _drop_rel(xml, "slideLayout"))

    problem = _only(_broken(valid_deck, tmp_path, edit), "layout-link")
    assert problem.part == SLIDE2
    assert problem.message == (f"{SLIDE2}: a slide needs exactly one slideLayout relationship, it has 0.")


def test_layout_not_listed_by_its_master(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(entries, MASTER, lambda xml: re.sub(r'<p:sldLayoutId id="\d+" r:id="rId6"/>', "", xml))

    problem = _only(_broken(valid_deck, tmp_path, edit), "master-link")
    assert problem.part == LAYOUT6
    assert problem.message == f"{LAYOUT6}: its master {MASTER} does not list it in <sldLayoutIdLst>."


def test_layout_without_master(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(entries, _rels(LAYOUT6), lambda xml: _drop_rel(xml, "slideMaster"))

    problem = _only(_broken(valid_deck, tmp_path, edit), "master-link")
    assert problem.part == LAYOUT6
    assert "exactly one slideMaster relationship, it has 0" in problem.message


def test_malformed_xml_in_a_slide(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return [(name, data[: len(data) // 2] if name == SLIDE2 else data) for name, data in entries]

    problem = _only(_broken(valid_deck, tmp_path, edit), "bad-xml")
    assert problem.part == SLIDE2
    assert problem.message.startswith(f"{SLIDE2}: the part is not well-formed XML")


def test_external_entities_are_not_loaded(valid_deck: Path, tmp_path: Path) -> None:
    """Loading the entity would splice broken markup into the slide; left alone, the slide parses and
    the only problem is the DOCTYPE itself (packages may not carry one)."""
    entity = tmp_path / "entity.txt"
    entity.write_text("<unclosed")

    def edit(entries: Entries) -> Entries:
        return _edit(
            entries,
            SLIDE2,
            lambda xml: xml.replace(
                "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>",
                f'<?xml version="1.0"?><!DOCTYPE p:sld [<!ENTITY x SYSTEM "{entity.as_uri()}">]>',
            ).replace("<p:cSld>", "<p:cSld>&x;", 1),
        )

    assert b"&x;" in dict(edit(_entries(valid_deck)))[SLIDE2]
    report = _broken(valid_deck, tmp_path, edit)
    assert [(p.code, p.part) for p in report.problems] == [("doctype", SLIDE2)], report.explain()


def test_duplicate_relationship_ids(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(entries, _rels(SLIDE1), lambda xml: xml.replace('Id="rId3"', 'Id="rId2"'))

    report = _broken(valid_deck, tmp_path, edit)
    assert "duplicate-rel-id" in [p.code for p in report.problems], report.explain()
    problem = next(p for p in report.problems if p.code == "duplicate-rel-id")
    assert problem.part == _rels(SLIDE1)
    assert "relationship id 'rId2' is used 2 times" in problem.message


def test_chart_frame_naming_an_unknown_relationship(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(
            entries,
            SLIDE3,
            lambda xml: xml.replace('r:id="rId2"/></a:graphicData>', 'r:id="rId77"/></a:graphicData>'),
        )

    problem = _only(_broken(valid_deck, tmp_path, edit), "missing-chart")
    assert problem.part == SLIDE3
    assert "refers to rId77, which is not a chart relationship" in problem.message


def test_missing_chart_part(valid_deck: Path, tmp_path: Path) -> None:
    chart = "ppt/charts/chart1.xml"
    report = _broken(valid_deck, tmp_path, lambda entries: [e for e in entries if e[0] != chart])
    problem = _only(report, "missing-target")
    assert problem.part == SLIDE3
    assert f"rId2 (chart) points to {chart}, which is not in the package" in problem.message


def test_package_without_office_document(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(entries, "_rels/.rels", lambda xml: _drop_rel(xml, "officeDocument"))

    problem = _only(_broken(valid_deck, tmp_path, edit), "main-part")
    assert problem.part == "_rels/.rels"
    assert "expected one officeDocument relationship, found 0" in problem.message


def test_main_part_that_is_not_a_presentation(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        return _edit(
            entries,
            "_rels/.rels",
            lambda xml: xml.replace('Target="ppt/presentation.xml"', 'Target="ppt/theme/theme1.xml"'),
        )

    report = _broken(valid_deck, tmp_path, edit)
    problem = _only(report, "main-part")
    assert problem.part == "ppt/theme/theme1.xml"
    assert "the main part is not a presentation" in problem.message


def test_damaged_zip_entry(valid_deck: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "damaged.pptx", _entries(valid_deck))
    theme = "ppt/theme/theme1.xml"
    with zipfile.ZipFile(path) as package:
        info = package.getinfo(theme)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 20, start + 60):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    report = validate_package(path)
    assert "unreadable-part" in [p.code for p in report.problems], report.explain()
    problem = next(p for p in report.problems if p.code == "unreadable-part")
    assert problem.part == theme
    assert problem.message.startswith(f"{theme}: the zip entry cannot be read")


def test_explain_lists_every_problem_on_its_own_line(valid_deck: Path, tmp_path: Path) -> None:
    def edit(entries: Entries) -> Entries:
        entries = _edit(entries, _rels(SLIDE2), lambda xml: _drop_rel(xml, "slideLayout"))
        return [e for e in entries if e[0] != IMAGE]

    report = _broken(valid_deck, tmp_path, edit)
    assert not report.ok
    assert report.explain().splitlines() == [p.message for p in report.problems]
    assert {p.code for p in report.problems} == {"missing-target", "layout-link"}


# ---- Strict (ISO 29500) namespaces -------------------------------------------------------------


_TRANSITIONAL = re.compile(rb"http://schemas\.openxmlformats\.org/(?!package/)([\w-]+)/2006/([\w-]+)")


def _as_strict(entries: Entries) -> Entries:
    """The same package with Strict namespaces and relationship types (package namespaces stay)."""
    return [
        (
            name,
            _TRANSITIONAL.sub(rb"http://purl.oclc.org/ooxml/\1/\2", data)
            if name.endswith((".xml", ".rels"))
            else data,
        )
        for name, data in entries
    ]


def test_strict_namespaces_validate(valid_deck: Path, tmp_path: Path) -> None:
    entries = _as_strict(_entries(valid_deck))
    assert b"purl.oclc.org/ooxml/officeDocument/relationships/slideLayout" in dict(entries)[_rels(SLIDE1)]
    report = validate_package(_write(tmp_path / "strict.pptx", entries))
    assert report.ok, report.explain()


def test_strict_package_faults_are_found(valid_deck: Path, tmp_path: Path) -> None:
    """Suffix matching must find links in Strict packages, not just accept them."""

    def edit(entries: Entries) -> Entries:
        entries = _edit(_as_strict(entries), _rels(SLIDE2), lambda xml: _drop_rel(xml, "slideLayout"))
        entries = _edit(entries, _rels(NOTES1), lambda xml: _drop_rel(xml, "slide"))
        return _edit(entries, PRESENTATION, lambda xml: xml.replace('<p:sldId id="257"', '<p:sldId id="256"'))

    report = _broken(valid_deck, tmp_path, edit)
    assert sorted((p.code, p.part) for p in report.problems) == [
        ("duplicate-slide-id", PRESENTATION),
        ("layout-link", SLIDE2),
        ("notes-link", NOTES1),
    ], report.explain()


# ---- speed ---------------------------------------------------------------------------------------


def test_a_fifty_slide_deck_validates_quickly(tmp_path: Path) -> None:
    path = _build_deck(tmp_path / "fifty.pptx", extra_slides=47)
    timings = []
    for _ in range(3):
        start = time.process_time()
        report = validate_package(path)
        timings.append(time.process_time() - start)
    assert report.ok, report.explain()
    assert min(timings) < 0.1, f"validating 50 slides took {min(timings) * 1000:.0f} ms"
