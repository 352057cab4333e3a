"""Generated briefing slides: every kind, pagination, any language, notes, a valid and renderable deck."""

from __future__ import annotations

import importlib.util
import math
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Emu

from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.paths import resource_path
from msldesk.decks.generated import CHART_MAX_CATEGORIES, build_generated_deck, default_template
from msldesk.decks.slide_specs import (
    AgendaEntry,
    AgendaSlide,
    ChartSlide,
    SectionSlide,
    TableSlide,
    TextSlide,
    TitleSlide,
)
from msldesk.decks.text_fit import line_count, paginate, split_lines, wrap

REPO_ROOT = Path(__file__).resolve().parents[2]
CJK_TITLE = "第三相臨床試験の結果"
CJK_BULLET = "日本人サブグループでも一貫した有効性が認められました。"
CJK_CELL = "肝機能検査値上昇（グレード2）"  # noqa: RUF001 — real Japanese punctuation


def _reopen(path: Path):  # -> pptx Presentation
    return Presentation(str(path))


def _titles(prs) -> list[str]:
    return [slide.shapes.title.text for slide in prs.slides]


def _body_box(prs) -> tuple[int, int]:
    """Top and bottom (EMU) of the template's content area."""
    layout = next(layout for layout in prs.slide_layouts if layout.name == "Title and Content")
    body = next(ph for ph in layout.placeholders if ph.placeholder_format.idx == 1)
    return int(body.top), int(body.top) + int(body.height)


def _tables(slide) -> list:
    return [shape for shape in slide.shapes if shape.has_table]


def _rows(slide) -> list[list[str]]:
    (frame,) = _tables(slide)
    return [[cell.text for cell in row.cells] for row in frame.table.rows]


def _validate(path: Path) -> None:
    """The package checker, when the deck team's validate module is present."""
    if importlib.util.find_spec("msldesk.decks.ooxml.validate") is None:
        pytest.skip("msldesk.decks.ooxml.validate is not available yet")
    from msldesk.decks.ooxml.validate import validate_package

    report = validate_package(path)
    assert report.ok, report.explain()


def _agenda(count: int) -> AgendaSlide:
    subjects = [
        "Welcome and objectives",
        "Phase III results: primary and key secondary endpoints in heart failure with preserved "
        "ejection fraction, including the pre-specified subgroup analyses",
        "Break",
        "Open discussion: treatment sequencing in clinical practice",
    ]
    presenters = ["Dr. Anna Schmidt", "", "Prof. Kenji Tanaka (University of Tokyo)", "田中 健二 教授"]
    return AgendaSlide(
        "Agenda",
        tuple(
            AgendaEntry(
                f"{9 + i // 4:02d}:{(i % 4) * 15:02d}",
                f"Item {i:02d}: {subjects[i % 4]}",
                presenters[i % 4],
                [10, 25, None, 45][i % 4],
            )
            for i in range(count)
        ),
    )


def _table(count: int) -> TableSlide:
    events = ["None", "Grade 1 nausea, resolved without intervention after two days", "Headache", CJK_CELL]
    return TableSlide(
        "Adverse events by patient",
        ("Patient", "Arm", "Age", "Adverse event"),
        tuple(
            (f"PT-{i:03d}", ["Placebo", "10 mg", "20 mg"][i % 3], str(50 + i % 17), events[i % 4])
            for i in range(count)
        ),
        notes="Source: CSR table 14.3.1",
    )


# ------------------------------------------------------------------------------------------ template


def test_template_is_found_small_16_9_and_has_the_named_layouts() -> None:
    path = resource_path("templates", "msldesk-briefing.pptx")
    assert path == default_template()
    assert path.is_file()
    assert path.stat().st_size < 100 * 1024
    assert (path.parent / "LICENSE.md").is_file()
    prs = _reopen(path)
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))
    assert len(prs.slides) == 0
    assert [layout.name for layout in prs.slide_layouts] == [
        "Title",
        "Section",
        "Title and Content",
        "Title Only",
        "Blank",
    ]
    _validate(path)


def test_template_file_is_what_the_script_builds() -> None:
    spec = importlib.util.spec_from_file_location("make_template", REPO_ROOT / "scripts" / "make_template.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == default_template().read_bytes(), "run scripts/make_template.py again"


# ------------------------------------------------------------------------------------------ each kind


def test_each_kind_renders_its_title_and_text(tmp_path: Path) -> None:
    out = build_generated_deck(
        [
            TitleSlide("Advisory board: HFpEF", "Regional scientific exchange", "Munich · 12 March 2026"),
            SectionSlide("Efficacy results", "Primary and key secondary endpoints"),
            AgendaSlide(
                "Agenda", (AgendaEntry("09:00", "Welcome", "Dr. Schmidt", 10), AgendaEntry("09:10", "Data"))
            ),
            TextSlide("Key messages", ("Primary endpoint met", "Consistent across subgroups")),
            TableSlide("Baseline", ("Arm", "N"), (("Placebo", "412"), ("Drug", "409"))),
        ],
        tmp_path / "deck.pptx",
    )
    assert out == tmp_path / "deck.pptx"
    prs = _reopen(out)
    assert _titles(prs) == ["Advisory board: HFpEF", "Efficacy results", "Agenda", "Key messages", "Baseline"]
    layouts = [slide.slide_layout.name for slide in prs.slides]
    assert layouts == ["Title", "Section", "Title Only", "Title and Content", "Title Only"]

    title, section, agenda, text, table = prs.slides
    assert {ph.placeholder_format.idx: ph.text_frame.text for ph in title.placeholders} == {
        0: "Advisory board: HFpEF",
        1: "Regional scientific exchange",
        13: "Munich · 12 March 2026",
    }
    assert section.placeholders[1].text_frame.text == "Primary and key secondary endpoints"
    assert _rows(agenda) == [
        ["Time", "Session", "Presenter", "Duration"],
        ["09:00", "Welcome", "Dr. Schmidt", "10 min"],
        ["09:10", "Data", "", ""],
    ]
    assert [p.text for p in text.placeholders[1].text_frame.paragraphs] == [
        "Primary endpoint met",
        "Consistent across subgroups",
    ]
    assert _rows(table) == [["Arm", "N"], ["Placebo", "412"], ["Drug", "409"]]
    assert prs.core_properties.title == "Advisory board: HFpEF"


def test_empty_fields_are_skipped(tmp_path: Path) -> None:
    out = build_generated_deck(
        [
            TitleSlide("Only a title"),
            SectionSlide("Discussion"),
            TextSlide("Bullets", ("", "  ", "Kept")),
            TextSlide("No bullets", ()),
            AgendaSlide("Short agenda", (AgendaEntry("09:00", "Welcome"), AgendaEntry("", ""))),
            AgendaSlide("Empty agenda", ()),
            TableSlide("No rows", ("A", "B"), (("", " "),)),
        ],
        tmp_path / "deck.pptx",
    )
    prs = _reopen(out)
    slides = list(prs.slides)
    assert _titles(prs) == [
        "Only a title",
        "Discussion",
        "Bullets",
        "No bullets",
        "Short agenda",
        "Empty agenda",
        "No rows",
    ]
    for slide in (slides[0], slides[1], slides[3], slides[5], slides[6]):
        assert [ph.placeholder_format.idx for ph in slide.placeholders] == [0]
        assert not _tables(slide)
    assert [p.text for p in slides[2].placeholders[1].text_frame.paragraphs] == ["Kept"]
    assert _rows(slides[4]) == [["Time", "Session"], ["09:00", "Welcome"]]  # no presenter, no duration


def test_every_slide_has_a_filled_title_placeholder(tmp_path: Path) -> None:
    out = build_generated_deck([_agenda(40), _table(60), TitleSlide("End")], tmp_path / "deck.pptx")
    for slide in _reopen(out).slides:
        title = slide.shapes.title
        assert title is not None
        assert title.is_placeholder
        assert title.placeholder_format.type is not None
        assert title.text_frame.text.strip()


def test_bad_specs_are_refused_in_plain_words() -> None:
    with pytest.raises(InvalidInputError):
        TextSlide("  ", ("x",))
    with pytest.raises(InvalidInputError):
        TableSlide("Table", ("A",), (("1", "2"),))
    with pytest.raises(InvalidInputError):
        TableSlide("Table", (), ())
    with pytest.raises(InvalidInputError):
        AgendaEntry("09:00", "Welcome", minutes="10")  # type: ignore[arg-type]
    assert TableSlide("Table", ("A", "B"), (("1",),)).rows == (("1", ""),)  # short rows are padded


def test_missing_template_is_a_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        build_generated_deck([TitleSlide("x")], tmp_path / "deck.pptx", template=tmp_path / "nope.pptx")
    assert not (tmp_path / "deck.pptx").exists()


def test_the_templates_own_slides_are_dropped(tmp_path: Path) -> None:
    prs = _reopen(default_template())
    for name in ("Title", "Section"):
        layout = next(layout for layout in prs.slide_layouts if layout.name == name)
        prs.slides.add_slide(layout).shapes.title.text = f"Sample {name}"
    template = tmp_path / "with-samples.pptx"
    prs.save(str(template))

    out = build_generated_deck([TitleSlide("Mine")], tmp_path / "deck.pptx", template=template)
    assert _titles(_reopen(out)) == ["Mine"]
    with zipfile.ZipFile(out) as archive:
        assert [n for n in archive.namelist() if n.startswith("ppt/slides/slide")] == [
            "ppt/slides/slide1.xml"
        ]
    _validate(out)


# ------------------------------------------------------------------------------------------ pagination


def test_a_40_item_agenda_continues_and_keeps_every_item_once(tmp_path: Path) -> None:
    spec = _agenda(40)
    out = build_generated_deck([spec], tmp_path / "deck.pptx")
    prs = _reopen(out)
    slides = list(prs.slides)
    assert len(slides) > 1
    assert _titles(prs) == ["Agenda"] + ["Agenda (continued)"] * (len(slides) - 1)
    seen: list[str] = []
    for slide in slides:
        rows = _rows(slide)
        assert rows[0] == ["Time", "Session", "Presenter", "Duration"]  # the header repeats
        seen += [row[1] for row in rows[1:]]
    assert seen == [item.title for item in spec.items]
    _assert_tables_fit(prs)


def test_a_60_row_table_continues_and_keeps_every_row_once(tmp_path: Path) -> None:
    spec = _table(60)
    out = build_generated_deck([spec], tmp_path / "deck.pptx")
    prs = _reopen(out)
    slides = list(prs.slides)
    assert len(slides) > 1
    assert _titles(prs)[1:] == ["Adverse events by patient (continued)"] * (len(slides) - 1)
    seen: list[tuple[str, ...]] = []
    for slide in slides:
        rows = _rows(slide)
        assert tuple(rows[0]) == spec.header
        seen += [tuple(row) for row in rows[1:]]
    assert seen == list(spec.rows)
    assert len(set(seen)) == 60
    _assert_tables_fit(prs)
    # Pages are balanced rather than filled: the last one is not a stub.
    counts = [len(_rows(slide)) - 1 for slide in slides]
    assert max(counts) - min(counts) <= max(counts) // 2


def _assert_tables_fit(prs) -> None:
    """No table reaches below the content area, and no page holds more rows than one-line rows fit."""
    top, bottom = _body_box(prs)
    for slide in prs.slides:
        (frame,) = _tables(slide)
        rows = list(frame.table.rows)
        assert int(frame.top) == top
        assert int(frame.top) + sum(int(row.height) for row in rows) <= bottom
        assert sum(int(column.width) for column in frame.table.columns) == int(frame.width)
        single_line = min(int(row.height) for row in rows[1:])
        assert len(rows) - 1 <= math.floor((bottom - top - int(rows[0].height)) / single_line)


def test_long_bullets_wrap_and_continue_without_overflow(tmp_path: Path) -> None:
    bullets = tuple(f"Bullet {i:02d}: " + "a longer explanation of the finding " * (i % 5) for i in range(40))
    huge = "One very long bullet " + "with many words that go on and on " * 60
    out = build_generated_deck(
        [TextSlide("Findings", (*bullets, huge), notes="Say it slowly.")], tmp_path / "d.pptx"
    )
    prs = _reopen(out)
    slides = list(prs.slides)
    assert len(slides) > 2
    assert _titles(prs)[1:] == ["Findings (continued)"] * (len(slides) - 1)
    paragraphs = [p.text for slide in slides for p in slide.placeholders[1].text_frame.paragraphs]
    assert paragraphs[:40] == list(bullets)
    # The bullet too long for one slide is cut at word breaks and continues; no word is lost.
    assert " ".join(paragraphs[40:]).split() == huge.split()
    assert slides[0].has_notes_slide
    assert slides[0].notes_slide.notes_text_frame.text == "Say it slowly."
    for slide in slides[1:]:
        assert not slide.has_notes_slide


def test_a_cell_taller_than_a_slide_continues_in_the_next_row(tmp_path: Path) -> None:
    text = "word " * 900
    out = build_generated_deck(
        [TableSlide("Comments", ("Name", "Comment"), (("x", text), ("y", "short")))], tmp_path / "d.pptx"
    )
    prs = _reopen(out)
    rows = [row for slide in prs.slides for row in _rows(slide)[1:]]
    assert len(rows) >= 3
    assert rows[0][0] == "x"
    assert all(row[0] == "" for row in rows[1:-1])
    assert rows[-1] == ["y", "short"]
    assert " ".join(row[1] for row in rows[:-1]).split() == text.split()
    _assert_tables_fit(prs)


def test_wrap_and_paginate_helpers() -> None:
    text = "Phase III results in heart failure, 第三相臨床試験の結果 and averyveryverylongunbrokenidentifier"
    for width in (3.0, 8.0, 20.0, 200.0):
        lines = wrap(text, width)
        assert "".join(lines) == text
        assert line_count(text, width) == len(lines)
    assert line_count("short", 200) == 1
    assert line_count("a\nb\vc", 200) == 3
    assert line_count("漢" * 40, 10.5) == 4  # CJK breaks between any two characters, about one em each
    pieces = split_lines("word " * 100, 10, 3)
    assert all(line_count(piece, 10) <= 3 for piece in pieces)
    assert " ".join(pieces).split() == ["word"] * 100
    assert paginate([], 10) == [[]]
    pages = paginate([3] * 7, 10)
    assert [i for page in pages for i in page] == list(range(7))
    assert sorted(len(page) for page in pages) == [2, 2, 3]  # three pages, evenly filled
    pages = paginate([1.0] * 59 + [3.0], 12)
    assert [i for page in pages for i in page] == list(range(60))
    assert len(pages) == 6
    assert all(sum(1.0 if i < 59 else 3.0 for i in page) <= 12 for page in pages)
    assert paginate([15, 1], 10) == [[0], [1]]


# ------------------------------------------------------------------------------------------ charts


def _charts(slide) -> list:
    return [shape for shape in slide.shapes if shape.has_chart]


def test_a_chart_slide_is_a_native_bar_chart_with_the_first_category_on_top(tmp_path: Path) -> None:
    from pptx.enum.chart import XL_CHART_TYPE

    out = build_generated_deck(
        [
            ChartSlide(
                "Insights per theme",
                ("Treatment sequencing", "Biomarker testing", "治療選択", "Other"),
                (7, 5, 1, 0),
                series_name="Insights",
                notes="Counts of insights, merged duplicates counted once.",
            )
        ],
        tmp_path / "deck.pptx",
    )
    prs = _reopen(out)
    (slide,) = prs.slides
    assert slide.shapes.title.text == "Insights per theme"
    (frame,) = _charts(slide)
    chart = frame.chart
    assert chart.chart_type is XL_CHART_TYPE.BAR_CLUSTERED
    plot = chart.plots[0]
    assert list(plot.categories) == ["Treatment sequencing", "Biomarker testing", "治療選択", "Other"]
    assert list(plot.series[0].values) == [7, 5, 1, 0]
    assert plot.series[0].name == "Insights"
    assert chart.category_axis.reverse_order  # bar charts draw the first category at the bottom otherwise
    assert plot.has_data_labels
    assert plot.data_labels.show_value
    # The longest bar leaves room for its value, and the scale starts at zero.
    assert chart.value_axis.minimum_scale == 0
    assert chart.value_axis.maximum_scale > 7
    top, bottom = _body_box(prs)
    assert int(frame.top) == top
    assert int(frame.top) + int(frame.height) <= bottom
    descr = frame._element.nvGraphicFramePr.cNvPr.get("descr")
    assert "Treatment sequencing: 7" in descr
    assert "治療選択: 1" in descr
    assert slide.notes_slide.notes_text_frame.text == "Counts of insights, merged duplicates counted once."
    # The chart carries its data: PowerPoint's "Edit Data" opens the embedded workbook.
    with zipfile.ZipFile(out) as archive:
        assert any(n.startswith("ppt/embeddings/") and n.endswith(".xlsx") for n in archive.namelist())
    _validate(out)


def test_many_categories_continue_on_the_same_scale(tmp_path: Path) -> None:
    categories = [f"Theme {i:02d}" for i in range(30)]
    values = [float(30 - i) for i in range(30)]
    out = build_generated_deck([ChartSlide("Themes", categories, values)], tmp_path / "deck.pptx")
    prs = _reopen(out)
    slides = list(prs.slides)
    assert len(slides) >= 3
    assert _titles(prs) == ["Themes"] + ["Themes (continued)"] * (len(slides) - 1)
    seen, scales, thickness = [], set(), set()
    _top, bottom = _body_box(prs)
    for slide in slides:
        (frame,) = _charts(slide)
        plot = frame.chart.plots[0]
        assert len(plot.categories) <= CHART_MAX_CATEGORIES
        seen += list(zip(plot.categories, plot.series[0].values, strict=True))
        scales.add((frame.chart.value_axis.minimum_scale, frame.chart.value_axis.maximum_scale))
        thickness.add(round(int(frame.height) / len(plot.categories), -3))
        assert int(frame.top) + int(frame.height) <= bottom
    assert seen == list(zip(categories, values, strict=True))  # every bar once, in order
    assert len(scales) == 1  # a bar on a continued slide compares with the first page's
    assert len(thickness) <= 2  # bars keep their thickness (up to rounding of the frame's padding)
    counts = [len(_charts(slide)[0].chart.plots[0].categories) for slide in slides]
    assert max(counts) - min(counts) <= 1  # balanced, not 12 + 12 + 6


def test_a_long_category_label_is_shortened_but_kept_whole_in_the_alt_text(tmp_path: Path) -> None:
    long = "Safety: immune-related adverse events and their management " * 6
    out = build_generated_deck([ChartSlide("Themes", (long.strip(), "Short"), (2, 3))], tmp_path / "d.pptx")
    (frame,) = _charts(_reopen(out).slides[0])
    label = frame.chart.plots[0].categories[0]
    assert label.endswith("…")
    assert label.count("\n") <= 1
    assert label.replace("\n", " ")[:-1].split() == long.split()[: len(label.split())]
    assert long.strip() in frame._element.nvGraphicFramePr.cNvPr.get("descr")


def test_fractions_negatives_and_an_empty_chart(tmp_path: Path) -> None:
    out = build_generated_deck(
        [
            ChartSlide("Change from baseline", ("Arm A", "Arm B"), (1.5, -0.25), notes="LS means"),
            ChartSlide("No insights yet", (), (), notes="Nothing captured"),
        ],
        tmp_path / "deck.pptx",
    )
    change, empty = _reopen(out).slides
    (frame,) = _charts(change)
    axis = frame.chart.value_axis
    assert axis.minimum_scale < -0.25
    assert axis.maximum_scale > 1.5
    assert frame.chart.plots[0].data_labels.number_format == "General"  # 1.5 stays 1.5, not 2
    assert not _charts(empty)
    assert [ph.placeholder_format.idx for ph in empty.placeholders] == [0]
    assert empty.notes_slide.notes_text_frame.text == "Nothing captured"


@pytest.mark.parametrize(
    ("categories", "values"),
    [
        (("A", "B"), (1,)),  # one value short
        (("A",), ("3",)),  # text, not a number
        (("A",), (True,)),  # a bool is not a count
        (("A",), (float("nan"),)),
        (("A",), (float("inf"),)),
        ((3,), (1,)),  # a category must be text
    ],
)
def test_bad_chart_specs_are_refused_in_plain_words(categories, values) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError) as refused:
        ChartSlide("Chart", categories, values)
    assert refused.value.user_message.endswith(".")
    with pytest.raises(InvalidInputError):
        ChartSlide(" ", ("A",), (1,))


# ------------------------------------------------------------------------------------------ languages, notes


def test_cjk_and_other_scripts_are_kept(tmp_path: Path) -> None:
    arabic = "نتائج المرحلة الثالثة أظهرت انخفاضا في معدل الاستشفاء"
    out = build_generated_deck(
        [
            TitleSlide(CJK_TITLE, "한국어 결과 요약", "東京 · 2026年3月12日"),
            TextSlide(CJK_TITLE, (CJK_BULLET, arabic, "Ελληνικά, русский, café")),
            TableSlide("有害事象", ("患者", "事象"), (("PT-001", CJK_CELL),)),
        ],
        tmp_path / "deck.pptx",
    )
    prs = _reopen(out)
    title, text, table = prs.slides
    assert [ph.text_frame.text for ph in title.placeholders] == [
        CJK_TITLE,
        "한국어 결과 요약",
        "東京 · 2026年3月12日",
    ]
    paragraphs = text.placeholders[1].text_frame.paragraphs
    assert [p.text for p in paragraphs] == [CJK_BULLET, arabic, "Ελληνικά, русский, café"]
    assert paragraphs[1]._p.pPr.get("rtl") == "1"  # right-to-left text is marked as such
    assert _rows(table) == [["患者", "事象"], ["PT-001", CJK_CELL]]


def test_notes_are_kept_on_the_first_page(tmp_path: Path) -> None:
    out = build_generated_deck(
        [
            TextSlide("Key messages", ("One",), notes="Emphasise the absolute risk reduction.\n日本語のメモ"),
            _table(60),
            TextSlide("No notes", ("Two",)),
        ],
        tmp_path / "deck.pptx",
    )
    slides = list(_reopen(out).slides)
    assert (
        slides[0].notes_slide.notes_text_frame.text == "Emphasise the absolute risk reduction.\n日本語のメモ"
    )
    assert slides[1].notes_slide.notes_text_frame.text == "Source: CSR table 14.3.1"
    assert not any(slide.has_notes_slide for slide in slides[2:])


# ------------------------------------------------------------------------------------------ the package


def test_output_is_a_valid_package_written_atomically(tmp_path: Path) -> None:
    out = tmp_path / "deck.pptx"
    out.write_bytes(b"old")
    build_generated_deck([TitleSlide("T", "S"), _agenda(12), _table(20), TextSlide("X", ("y",), "n")], out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.pptx"]  # no temp file left behind
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert len(names) == len(set(names))
    _reopen(out)
    _validate(out)


def _convert_to_pdf(deck: Path, folder: Path) -> Path:
    profile = folder / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(deck),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(folder)},
    )
    pdf = folder / f"{deck.stem}.pdf"
    assert pdf.is_file(), "soffice exited without writing the PDF"  # it exits 0 when it cannot convert
    return pdf


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) is not installed")
def test_libreoffice_renders_one_page_per_slide(tmp_path: Path) -> None:
    deck = build_generated_deck(
        [
            TitleSlide("Advisory board", "Scientific exchange", "Munich · 12 March 2026"),
            _agenda(40),
            SectionSlide("Results"),
            TextSlide(CJK_TITLE, (CJK_BULLET, "Consistent across subgroups")),
            _table(60),
            ChartSlide(
                "Insights per theme", [f"Theme {i}" for i in range(20)] + ["治療選択"], range(21, 0, -1)
            ),
        ],
        tmp_path / "deck.pptx",
    )
    slides = len(_reopen(deck).slides)
    pdf = _convert_to_pdf(deck, tmp_path)
    info = subprocess.run(
        ["pdfinfo", str(pdf)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match is not None
    assert int(match.group(1)) == slides


def test_a_word_wider_than_many_boxes_wraps_in_one_pass() -> None:
    """A very long word (a forged or pasted value) once made a deck take minutes: the rest of the
    word was measured again for every line it broke into (0.7 s per wrap at 20,000 characters, and
    a deck wraps each text many times while fitting it)."""
    import time

    from msldesk.decks.text_fit import wrap

    word = "W" * 60_000
    started = time.process_time()
    lines = wrap(word + " tail", 30)
    assert time.process_time() - started < 1  # ~6 s when it was quadratic
    assert "".join(lines) == word + " tail"
    assert len(lines) > 100
    assert all(len(line) <= 40 for line in lines)


# ------------------------------------------------------------------------------------ other slide sizes

SLIDE_SIZES = {
    "4:3": (9144000, 6858000),
    "16:9": (12192000, 6858000),
    "16:10": (9144000, 5715000),
    "A4": (9906000, 6858000),
}
BOM_HEADER = ("#", "Slide", "Source deck", "Version", "Approval code", "Expires")


def _every_kind() -> list:  # type: ignore[type-arg]
    rows = tuple(
        (
            str(n),
            f"Long-term efficacy and safety, slide {n}",
            "Phase III results 2026",
            "v3",
            f"MED-2026-{n:05d}",
            "2027-01-31",
        )
        for n in range(1, 15)
    )
    return [
        TitleSlide(
            "Advisory board on long-term outcomes in adjuvant therapy", "Oncology", "Thursday 6 January 2027"
        ),
        SectionSlide("Session materials", "Library slides linked to the agenda"),
        AgendaSlide(
            "Agenda",
            tuple(AgendaEntry(f"{9 + n}:00", f"Session {n} on results", "Dr Example", 45) for n in range(10)),
        ),
        TextSlide(
            "Key insights",
            tuple(f"Insight {n}: " + "a finding worth a few lines of text " * 3 for n in range(6)),
        ),
        TableSlide("Bill of materials", BOM_HEADER, rows),
        ChartSlide("Insights per theme", tuple(f"Theme {n}" for n in range(9)), tuple(range(9))),
    ]


@pytest.mark.parametrize("size", SLIDE_SIZES.values(), ids=SLIDE_SIZES.keys())
def test_generated_slides_are_laid_out_for_the_decks_size(tmp_path: Path, size: tuple[int, int]) -> None:
    from tests.slide_frames import frames, outside

    path = build_generated_deck(_every_kind(), tmp_path / "deck.pptx", slide_size=size)
    prs = _reopen(path)
    assert (prs.slide_width, prs.slide_height) == size
    assert outside(path) == []
    # The layouts were laid out for the size too: the title spans the slide less its margins.
    title = next(f for f in frames(path)[2] if f.name.startswith("Title"))
    assert title.left > 0
    assert abs(size[0] - title.right - title.left) <= 2
    boms = [s for s in prs.slides if s.shapes.title.text.startswith("Bill of materials")]
    assert boms
    for slide in boms:  # every column, Approval code and Expires included, is on the slide
        table = _tables(slide)[0]
        assert tuple(table.table.cell(0, c).text for c in range(6)) == BOM_HEADER
        assert table.left + sum(c.width for c in table.table.columns) <= size[0]
    _validate(path)
