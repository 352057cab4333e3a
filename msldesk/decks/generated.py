"""Slides generated from data (title, section, agenda, bullets, tables, bar charts) on the house template.

`build_generated_deck()` writes an ordinary python-pptx deck: every slide has its title placeholder
filled, and long agendas, tables and bullet lists continue on "(continued)" slides instead of running
off the slide. Text is measured with Calibri's advance widths (Carlito on Linux has the same metrics)
plus a safety margin, and CJK characters as full width, so a page may end a little early but the
text stays inside its box in PowerPoint and LibreOffice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.core.fileio import atomic_writer
from msldesk.core.paths import resource_path
from msldesk.core.text_safety import core_title
from msldesk.decks.generated_style import format_number, style_bar_chart, style_cell, value_scale
from msldesk.decks.ooxml.slide_size import fit_template
from msldesk.decks.slide_specs import (
    AgendaSlide,
    ChartSlide,
    GeneratedSlide,
    SectionSlide,
    TableSlide,
    TextSlide,
    TitleSlide,
    cleaned,
)
from msldesk.decks.text_fit import (
    BOLD,
    CELL_MARGIN_X_PT,
    LINE_SPACING,
    PT_PER_EMU,
    Column,
    column_widths,
    is_rtl,
    line_count,
    paginate,
    shorten_lines,
    split_lines,
    wrap,
)

if TYPE_CHECKING:  # python-pptx loads when a deck is built, not when this module is imported
    from pptx.presentation import Presentation
    from pptx.shapes.base import BaseShape
    from pptx.shapes.graphfrm import GraphicFrame
    from pptx.slide import Slide, SlideLayout
    from pptx.text.text import TextFrame

TEMPLATE_NAME = "msldesk-briefing.pptx"
CONTINUED = "{title} (continued)"


def default_template() -> Path:
    return resource_path("templates", TEMPLATE_NAME)


# Font sizes to try, largest first: the template's own size, then smaller ones for long text.
TITLE_SIZES = {
    "title": (40, 34, 28, 24),
    "section": (36, 30, 26, 22),
    "content": (30, 26, 22, 18),
    "title_only": (30, 26, 22, 18),
}
TITLE_LINE_SPACING = 0.9  # the template's titles use 90% line spacing
SUBTITLE_SIZES = {"title": (22, 18, 16, 14), "section": (20, 18, 16, 14)}
DATE_LINE_SIZES = (16, 14, 12)
BULLET_SIZE = 20  # the template's level-1 size
BULLET_INDENT_PT = 0.30 * 72  # the template's level-1 left margin
BULLET_GAP_PT = 9  # the template's space before a level-1 paragraph
FRAME_INSETS_PT = 0.1 * 72  # top + bottom insets of a text box
AGENDA_SIZE = 16
CHART_SIZE = 14  # category and value labels
CHART_MAX_CATEGORIES = 12  # per slide: more bars than this get thin and hard to read
CHART_MIN_SLOTS = 6  # a chart of fewer categories is drawn as tall as six would be
CHART_LABEL_SHARE = 0.35  # of the chart's width, kept for category labels
CHART_LABEL_LINES = 2  # a longer category label is shortened with an ellipsis
CHART_BAR_GAP_PT = 10.0
CHART_PADDING_PT = 24.0  # the plot area's own inset inside the chart frame
TABLE_SIZE, WIDE_TABLE_SIZE, WIDE_TABLE_COLUMNS = 14, 12, 7
CELL_MARGIN_Y_PT = 0.05 * 72
ROW_SLACK_PT = 4.0  # renderers round line heights up; keeps estimates on the safe side

LAYOUT_NAMES = {
    "title": ("Title", "Title Slide"),
    "section": ("Section", "Section Header"),
    "content": ("Title and Content",),
    "title_only": ("Title Only",),
}
TITLE_IDX, BODY_IDX, DATE_LINE_IDX = 0, 1, 13


@dataclass(frozen=True)
class _Box:
    left: int
    top: int
    width: int
    height: int

    @property
    def width_pt(self) -> float:
        return self.width * PT_PER_EMU

    @property
    def height_pt(self) -> float:
        return self.height * PT_PER_EMU


class _Builder:
    """Adds the slides for specs to one open Presentation; the font sizes above are multiplied by
    `text_scale` (the template's own text was scaled by it for the deck's size)."""

    def __init__(self, prs: Presentation, text_scale: float = 1.0) -> None:
        self.prs = prs
        self.text_scale = text_scale
        self.layouts = {key: self._layout(names) for key, names in LAYOUT_NAMES.items()}
        body = self.layouts["content"].placeholders.get(idx=BODY_IDX)
        if body is not None:
            self.body = _Box(int(body.left), int(body.top), int(body.width), int(body.height))
        else:
            width, height = int(prs.slide_width or 0), int(prs.slide_height or 0)
            self.body = _Box(width // 20, height // 5, width * 9 // 10, height * 7 // 10)

    def _layout(self, names: tuple[str, ...]) -> SlideLayout:
        for layout in self.prs.slide_layouts:
            if layout.name in names:
                return layout
        raise InvalidInputError(
            f"The slide template has no '{names[0]}' layout.",
            details=f"layouts: {[layout.name for layout in self.prs.slide_layouts]}",
        )

    # -- shared pieces

    def _pt(self, points: float) -> float:
        """A size in points for this deck's size, to the hundredth of a point a deck stores."""
        return round(points * self.text_scale, 2)

    def _sizes(self, sizes: Sequence[float]) -> tuple[float, ...]:
        return tuple(self._pt(size) for size in sizes)

    def _new_slide(self, layout_key: str, title: str, keep: set[int]) -> Slide:
        slide = self.prs.slides.add_slide(self.layouts[layout_key])
        placeholder = slide.shapes.title
        if placeholder is None:
            raise InvalidInputError("The slide template's layouts need a title placeholder.")
        _fill_fitted(placeholder, [title], self._sizes(TITLE_SIZES[layout_key]), TITLE_LINE_SPACING)
        # Placeholders left empty would show "Click to add text" prompts in PowerPoint's editor.
        for shape in list(slide.placeholders):
            if shape.placeholder_format.idx not in keep | {TITLE_IDX}:
                element = shape._element
                element.getparent().remove(element)
        return slide

    @staticmethod
    def _placeholder(slide: Slide, idx: int) -> BaseShape | None:
        return next((ph for ph in slide.placeholders if ph.placeholder_format.idx == idx), None)

    @staticmethod
    def _notes(slide: Slide, notes: str) -> None:
        if notes.strip():
            frame = slide.notes_slide.notes_text_frame
            if frame is not None:
                frame.text = notes

    # -- one method per kind

    def title(self, spec: TitleSlide) -> None:
        has_date_line = self.layouts["title"].placeholders.get(idx=DATE_LINE_IDX) is not None
        lines = [spec.subtitle] if spec.subtitle.strip() else []
        date_line = spec.date_line if spec.date_line.strip() else ""
        if date_line and not has_date_line:  # another template: a second subtitle paragraph
            lines.append(date_line)
            date_line = ""
        keep = ({BODY_IDX} if lines else set()) | ({DATE_LINE_IDX} if date_line else set())
        slide = self._new_slide("title", spec.title, keep)
        if lines:
            _fill_fitted(self._placeholder(slide, BODY_IDX), lines, self._sizes(SUBTITLE_SIZES["title"]))
        if date_line:
            _fill_fitted(self._placeholder(slide, DATE_LINE_IDX), [date_line], self._sizes(DATE_LINE_SIZES))

    def section(self, spec: SectionSlide) -> None:
        subtitle = spec.subtitle if spec.subtitle.strip() else ""
        slide = self._new_slide("section", spec.title, {BODY_IDX} if subtitle else set())
        if subtitle:
            _fill_fitted(
                self._placeholder(slide, BODY_IDX), [subtitle], self._sizes(SUBTITLE_SIZES["section"])
            )

    def text(self, spec: TextSlide) -> None:
        size, gap = self._pt(BULLET_SIZE), self._pt(BULLET_GAP_PT)
        width_em = (self.body.width_pt - self._pt(BULLET_INDENT_PT)) / size
        line_pt = size * LINE_SPACING
        limit = self.body.height_pt - FRAME_INSETS_PT
        max_lines = int((limit - gap) // line_pt)
        bullets: list[str] = []
        for bullet in spec.bullets:
            if bullet.strip():
                bullets.extend(split_lines(bullet, width_em, max_lines))  # one too long for a slide
        heights = [line_count(b, width_em) * line_pt + gap for b in bullets]
        for number, page in enumerate(paginate(heights, limit)):
            slide = self._new_slide("content", _page_title(spec.title, number), {BODY_IDX} if page else set())
            if page:
                _fill(_text_frame(self._placeholder(slide, BODY_IDX)), [bullets[i] for i in page])
            if number == 0:
                self._notes(slide, spec.notes)

    def agenda(self, spec: AgendaSlide) -> None:
        items = [
            item
            for item in spec.items
            if item.start.strip() or item.title.strip() or item.presenter.strip() or item.minutes is not None
        ]
        columns = [Column("Time", grow=False), Column("Session")]
        with_presenter = any(item.presenter.strip() for item in items)
        with_minutes = any(item.minutes is not None for item in items)
        if with_presenter:
            columns.append(Column("Presenter"))
        if with_minutes:
            columns.append(Column("Duration", align="center", grow=False))
        rows = []
        for item in items:
            row = [item.start, item.title]
            if with_presenter:
                row.append(item.presenter)
            if with_minutes:
                row.append("" if item.minutes is None else f"{item.minutes} min")
            rows.append(tuple(row))
        self._table(spec.title, columns, rows, "", self._pt(AGENDA_SIZE))

    def table(self, spec: TableSlide) -> None:
        size = self._pt(TABLE_SIZE if len(spec.header) < WIDE_TABLE_COLUMNS else WIDE_TABLE_SIZE)
        rows = [row for row in spec.rows if any(cell.strip() for cell in row)]
        self._table(spec.title, [Column(h) for h in spec.header], rows, spec.notes, size)

    def _table(
        self, title: str, columns: list[Column], rows: list[tuple[str, ...]], notes: str, size: float
    ) -> None:
        from pptx.util import Emu

        if not rows:  # nothing to tabulate: the slide keeps its title only
            self._notes(self._new_slide("title_only", title, set()), notes)
            return
        widths = column_widths(columns, rows, self.body.width_pt, size)
        text_ems = [(width - 2 * CELL_MARGIN_X_PT) / size for width in widths]
        line_pt = size * LINE_SPACING
        padding = 2 * CELL_MARGIN_Y_PT + ROW_SLACK_PT

        def row_height(cells: Sequence[str], bold: bool = False) -> float:
            scale = BOLD if bold else 1.0
            lines = max(line_count(text, em / scale) for text, em in zip(cells, text_ems, strict=True))
            return lines * line_pt + padding

        header_height = row_height([c.heading for c in columns], bold=True)
        limit = self.body.height_pt - header_height
        max_lines = int((limit - padding) // line_pt)
        pieces: list[tuple[str, ...]] = []
        for row in rows:  # a row taller than a slide continues in a row of its own on the next one
            parts = [split_lines(text, em, max_lines) for text, em in zip(row, text_ems, strict=True)]
            depth = max(len(part) for part in parts)
            pieces.extend(tuple(part[k] if k < len(part) else "" for part in parts) for k in range(depth))
        heights = [row_height(piece) for piece in pieces]
        column_emus = [_emu(width) for width in widths]
        column_emus[-1] = self.body.width - sum(column_emus[:-1])  # rounding remainder
        for number, page in enumerate(paginate(heights, limit)):
            slide = self._new_slide("title_only", _page_title(title, number), set())
            page_heights = [header_height] + [heights[i] for i in page]
            frame = slide.shapes.add_table(
                len(page) + 1,
                len(columns),
                Emu(self.body.left),
                Emu(self.body.top),
                Emu(self.body.width),
                Emu(_emu(sum(page_heights))),
            )
            frame.name = "Table"
            table = frame.table
            table.first_row = True
            table.horz_banding = True
            for index, emus in enumerate(column_emus):
                table.columns[index].width = Emu(emus)
            for row_index, height in enumerate(page_heights):
                table.rows[row_index].height = Emu(_emu(height))
            for col, column in enumerate(columns):
                style_cell(table.cell(0, col), column.heading, size, column.align, header=True, zebra=False)
            for row_index, source in enumerate(page, start=1):
                for col, column in enumerate(columns):
                    cell = table.cell(row_index, col)
                    style_cell(cell, pieces[source][col], size, column.align, False, row_index % 2 == 0)
            if number == 0:
                self._notes(slide, notes)

    def chart(self, spec: ChartSlide) -> None:
        from pptx.chart.data import CategoryChartData
        from pptx.enum.chart import XL_CHART_TYPE
        from pptx.util import Emu

        if not spec.categories:  # nothing to draw: the slide keeps its title only
            self._notes(self._new_slide("title_only", spec.title, set()), spec.notes)
            return
        size = self._pt(CHART_SIZE)
        labels = _chart_labels(spec.categories, self.body.width_pt * CHART_LABEL_SHARE / size)
        limit = self.body.height_pt - CHART_PADDING_PT
        # Renderers space categories evenly, so every category gets the slot the tallest label needs.
        tallest = max(label.count("\n") + 1 for label in labels)
        shown = min(max(len(labels), CHART_MIN_SLOTS), CHART_MAX_CATEGORIES)  # a short chart is not thin
        slot = max(limit / shown, tallest * size * LINE_SPACING + CHART_BAR_GAP_PT)
        scale = value_scale(spec.values, self.body.width_pt * (1 - CHART_LABEL_SHARE), size)
        for number, page in enumerate(paginate([slot] * len(labels), limit)):
            slide = self._new_slide("title_only", _page_title(spec.title, number), set())
            data = CategoryChartData(number_format=scale.number_format)
            data.categories = [labels[i] for i in page]
            data.add_series(spec.series_name.strip() or "Value", [spec.values[i] for i in page])
            # Bars keep one thickness: the frame is as tall as this page's categories need.
            height = min(self.body.height, _emu(slot * len(page) + CHART_PADDING_PT))
            frame: GraphicFrame = slide.shapes.add_chart(  # type: ignore[assignment]  # the frame, not Chart
                XL_CHART_TYPE.BAR_CLUSTERED,
                Emu(self.body.left),
                Emu(self.body.top),
                Emu(self.body.width),
                Emu(height),
                data,  # type: ignore[arg-type]  # pptx annotates ChartData, an alias it will drop
            )
            frame.name = "Chart"
            # Screen readers read a chart's alternative text; it names every bar on this slide.
            frame._element.nvGraphicFramePr.cNvPr.set(
                "descr",
                f"Bar chart: {spec.title}. "
                + "; ".join(f"{spec.categories[i]}: {format_number(spec.values[i])}" for i in page),
            )
            style_bar_chart(frame.chart, size, scale)
            if number == 0:
                self._notes(slide, spec.notes)


def _chart_labels(categories: Sequence[str], label_em: float) -> list[str]:
    """Category labels shortened to CHART_LABEL_LINES lines of `label_em`, with their own line breaks:
    renderers would otherwise give them half the width."""
    return [
        "\n".join(line.strip() for line in wrap(shorten_lines(c, label_em, CHART_LABEL_LINES), label_em))
        for c in categories
    ]


def _page_title(title: str, number: int) -> str:
    return title if number == 0 else CONTINUED.format(title=title)


def _emu(points: float) -> int:
    return round(points * 12700)


def _text_frame(shape: BaseShape | None) -> TextFrame:
    frame = getattr(shape, "text_frame", None)
    if frame is None:
        raise InvalidInputError("The slide template's placeholders do not match its layout names.")
    return frame


def _fill_fitted(
    shape: BaseShape | None, paragraphs: Sequence[str], sizes: Sequence[float], spacing: float = 1.0
) -> None:
    """Fill a placeholder, stepping the font size down when the text would not fit its box."""
    frame = _text_frame(shape)
    assert shape is not None
    width_pt = int(shape.width or 0) * PT_PER_EMU
    height_pt = int(shape.height or 0) * PT_PER_EMU - FRAME_INSETS_PT
    fitted = None
    for size in sizes:
        lines = sum(line_count(text, width_pt / size) for text in paragraphs)
        if lines * size * LINE_SPACING * spacing <= height_pt:
            fitted = size
            break
    # The template's size stays inherited; only a smaller size is written into the slide.
    _fill(frame, paragraphs, size=None if fitted == sizes[0] else fitted or sizes[-1])
    if fitted is None:  # still too long at the smallest size: let the renderer shrink it further
        from pptx.oxml.ns import qn

        body_pr = frame._txBody.bodyPr
        for child in list(body_pr):
            body_pr.remove(child)
        body_pr.append(body_pr.makeelement(qn("a:normAutofit"), {}))


def _fill(frame: TextFrame, paragraphs: Sequence[str], size: float | None = None) -> None:
    """Replace a text frame's text with one paragraph per string, keeping the layout's styling."""
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Pt

    frame.word_wrap = True
    frame.text = ""
    for index, text in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        if is_rtl(text):
            paragraph._p.get_or_add_pPr().set("rtl", "1")
            paragraph.alignment = PP_ALIGN.RIGHT
        run = paragraph.add_run()
        run.text = text.replace("\n", "\v")  # a line break inside the paragraph, not a new bullet
        if size is not None:
            run.font.size = Pt(size)


def _remove_slides(prs: Presentation) -> None:
    """Drop the template's own sample slides, if it has any."""
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        rel_id = slide_id.rId
        slide_ids.remove(slide_id)
        prs.part.drop_rel(rel_id)


def build_generated_deck(
    slides: Sequence[GeneratedSlide],
    out: Path,
    template: Path | None = None,
    slide_size: tuple[int, int] | None = None,
) -> Path:
    """Write `out` (.pptx, atomically) with one slide per spec, continuing long ones; return `out`.
    The deck has the template's slide size unless `slide_size` (width, height in EMU) is given."""
    from pptx import Presentation as open_presentation
    from pptx.exc import PackageNotFoundError

    template = Path(template) if template is not None else default_template()
    if not template.is_file():
        raise NotFoundError("The slide template is missing.", details=str(template))
    try:
        prs = open_presentation(str(template))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise InvalidInputError(
            "The slide template could not be opened.", details=f"{template}: {exc}"
        ) from exc
    _remove_slides(prs)
    builder = _Builder(prs, fit_template(prs, slide_size) if slide_size is not None else 1.0)
    slides = [cleaned(spec) for spec in slides]
    for spec in slides:
        match spec:
            case TitleSlide():
                builder.title(spec)
            case SectionSlide():
                builder.section(spec)
            case AgendaSlide():
                builder.agenda(spec)
            case TextSlide():
                builder.text(spec)
            case TableSlide():
                builder.table(spec)
            case ChartSlide():
                builder.chart(spec)
            case _:
                raise InvalidInputError("A slide of an unknown kind was asked for.", details=repr(spec))

    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props = prs.core_properties
    first_title = next((s.title for s in slides if isinstance(s, TitleSlide)), "")
    props.title = core_title(first_title or (slides[0].title if slides else ""))
    props.subject = ""
    props.comments = ""
    props.keywords = ""
    props.author = "msldesk"
    props.last_modified_by = "msldesk"
    props.revision = 1
    props.created = now
    props.modified = now

    out = Path(out)
    with atomic_writer(out) as handle:
        prs.save(handle)
    return out
