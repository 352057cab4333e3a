"""Slides generated from data (title, section, agenda, bullets, tables, bar charts) on the house template.

`build_generated_deck()` writes an ordinary python-pptx deck: every slide has its title placeholder
filled, and long agendas, tables and bullet lists continue on "(continued)" slides instead of running
off the slide. Text is measured with Calibri's advance widths (Carlito on Linux has the same metrics)
plus a safety margin, and CJK characters as full width, so a page may end a little early but the
text stays inside its box in PowerPoint and LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from msldesk.errors import InvalidInputError, NotFoundError
from msldesk.fileio import atomic_writer
from msldesk.paths import resource_path
from msldesk.text_safety import LIMITS, clean_text, core_title, shorten

if TYPE_CHECKING:  # python-pptx loads when a deck is built, not when this module is imported
    from pptx.presentation import Presentation
    from pptx.shapes.base import BaseShape
    from pptx.slide import Slide, SlideLayout
    from pptx.table import _Cell
    from pptx.text.text import TextFrame

TEMPLATE_NAME = "msldesk-briefing.pptx"
CONTINUED = "{title} (continued)"


def default_template() -> Path:
    return resource_path("templates", TEMPLATE_NAME)


# ------------------------------------------------------------------------------------------ the specs


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"The slide {field} must be text.", details=f"{field}={value!r}")
    return value


def _title(value: object) -> str:
    text = _text(value, "title")
    if not text.strip():
        raise InvalidInputError("Every generated slide needs a title.")
    return text


@dataclass(frozen=True)
class TitleSlide:
    title: str
    subtitle: str = ""
    date_line: str = ""

    def __post_init__(self) -> None:
        _title(self.title)
        _text(self.subtitle, "subtitle")
        _text(self.date_line, "date line")


@dataclass(frozen=True)
class SectionSlide:
    title: str
    subtitle: str = ""

    def __post_init__(self) -> None:
        _title(self.title)
        _text(self.subtitle, "subtitle")


@dataclass(frozen=True)
class AgendaEntry:
    start: str
    title: str
    presenter: str = ""
    minutes: int | None = None

    def __post_init__(self) -> None:
        _text(self.start, "agenda start time")
        _text(self.title, "agenda item")
        _text(self.presenter, "presenter")
        if self.minutes is not None and (isinstance(self.minutes, bool) or not isinstance(self.minutes, int)):
            raise InvalidInputError("An agenda item's duration must be whole minutes.")


@dataclass(frozen=True)
class AgendaSlide:
    title: str
    items: tuple[AgendaEntry, ...]

    def __post_init__(self) -> None:
        _title(self.title)
        object.__setattr__(self, "items", tuple(self.items))


@dataclass(frozen=True)
class TextSlide:
    title: str
    bullets: tuple[str, ...]
    notes: str = ""

    def __post_init__(self) -> None:
        _title(self.title)
        object.__setattr__(self, "bullets", tuple(_text(b, "bullet") for b in self.bullets))
        _text(self.notes, "notes")


@dataclass(frozen=True)
class TableSlide:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: str = ""

    def __post_init__(self) -> None:
        _title(self.title)
        header = tuple(_text(h, "column heading") for h in self.header)
        if not header:
            raise InvalidInputError("A table slide needs at least one column.")
        rows = []
        for number, row in enumerate(self.rows, start=1):
            cells = tuple(_text(c, "table cell") for c in row)
            if len(cells) > len(header):
                raise InvalidInputError(
                    f"Row {number} of the table '{self.title}' has more cells than there are columns.",
                    details=f"{len(cells)} cells, {len(header)} columns",
                )
            rows.append(cells + ("",) * (len(header) - len(cells)))  # short rows: blank cells
        object.__setattr__(self, "header", header)
        object.__setattr__(self, "rows", tuple(rows))
        _text(self.notes, "notes")


@dataclass(frozen=True)
class ChartSlide:
    """A horizontal bar chart (one series), e.g. insight counts per theme. Categories read top to
    bottom in the order given; many categories continue on more slides drawn to the same scale."""

    title: str
    categories: tuple[str, ...]
    values: tuple[float, ...]
    series_name: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        _title(self.title)
        categories = tuple(_text(c, "chart category") for c in self.categories)
        values = tuple(_number(v, self.title) for v in self.values)
        if len(categories) != len(values):
            raise InvalidInputError(
                f"The chart '{self.title}' needs one value per category.",
                details=f"{len(categories)} categories, {len(values)} values",
            )
        object.__setattr__(self, "categories", categories)
        object.__setattr__(self, "values", values)
        _text(self.series_name, "series name")
        _text(self.notes, "notes")


def _number(value: object, title: str) -> float:
    # bool is an int to Python, but True as a bar length is a caller's mistake, not a count.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InvalidInputError(f"The chart '{title}' can only show numbers.", details=f"value={value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInputError(f"The chart '{title}' cannot show {value}.", details=f"value={value!r}")
    return number


GeneratedSlide = TitleSlide | SectionSlide | AgendaSlide | TextSlide | TableSlide | ChartSlide


# ---------------------------------------------------------------------------------- text measurement

# Calibri/Carlito advance widths of ASCII 32..126, in thousandths of an em.
_ASCII_WIDTHS = (
    226, 326, 401, 498, 507, 715, 682, 221, 303, 303, 498, 498, 250, 306, 252, 386, 507, 507, 507,
    507, 507, 507, 507, 507, 507, 507, 268, 268, 498, 498, 498, 463, 894, 579, 544, 533, 615, 488,
    459, 631, 623, 252, 319, 520, 420, 855, 646, 662, 517, 673, 543, 459, 487, 642, 567, 890, 519,
    487, 468, 307, 386, 307, 498, 498, 291, 479, 525, 423, 525, 498, 305, 471, 525, 230, 239, 455,
    230, 799, 525, 527, 525, 525, 349, 391, 335, 525, 452, 715, 433, 453, 395, 314, 460, 314, 498,
)  # fmt: skip
SAFETY = 1.03  # renderers differ a little in kerning and where they break
BOLD = 1.05  # Carlito Bold is ~2.4% wider on average, up to 11% for a few letters
LINE_SPACING = 1.2  # line height as a multiple of the font size (Carlito's is ~1.22)
PT_PER_EMU = 1 / 12700


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _char_em(ch: str) -> float:
    code = ord(ch)
    if 32 <= code < 127:
        return _ASCII_WIDTHS[code - 32] / 1000
    if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf":
        return 0.0
    if _is_wide(ch):
        return 1.0
    return 0.68 if ch.isupper() else 0.56  # accented Latin, Greek, Cyrillic, Arabic, ...


def text_em(text: str) -> float:
    """Estimated width of `text` in ems of the font size."""
    return sum(_char_em(ch) for ch in text) * SAFETY


def _tokens(line: str) -> list[str]:
    """Break opportunities: a word with its trailing spaces, or a single CJK character."""
    tokens: list[str] = []
    current = ""
    for ch in line:
        if _is_wide(ch):
            if current:
                tokens.append(current)
            tokens.append(ch)
            current = ""
        elif ch.isspace():
            current += ch
        else:
            if current and current[-1].isspace():
                tokens.append(current)
                current = ""
            current += ch
    if current:
        tokens.append(current)
    return tokens


def wrap(text: str, width_em: float) -> list[str]:
    """The lines `text` wraps to in a box `width_em` ems wide; joined, they give back `text`.

    Greedy at word breaks (any character in CJK); a word wider than the box breaks inside it.
    Explicit line breaks stay at the end of their line.
    """
    width_em = max(width_em, 1.0)
    out: list[str] = []
    segments = text.replace("\v", "\n").split("\n")
    for number, segment in enumerate(segments):
        lines, used = [""], 0.0
        for token in _tokens(segment):
            ink = text_em(token.rstrip())
            if used + ink <= width_em:
                lines[-1] += token
                used += text_em(token)
                continue
            if lines[-1]:
                lines.append("")
            if ink > width_em:  # one pass over the word: re-measuring what is left was quadratic
                word = token.rstrip()
                piece, width = "", 0.0
                for ch in word:
                    ch_em = text_em(ch)
                    if piece and width + ch_em > width_em:
                        lines[-1] += piece
                        lines.append("")
                        piece, width = "", 0.0
                    piece, width = piece + ch, width + ch_em
                token = piece + token[len(word) :]
            lines[-1] += token
            used = text_em(token)
        if number < len(segments) - 1:
            lines[-1] += "\n"
        out.extend(lines)
    return out


def line_count(text: str, width_em: float) -> int:
    return len(wrap(text, width_em))


def split_lines(text: str, width_em: float, max_lines: int) -> list[str]:
    """`text` cut into pieces of at most `max_lines` wrapped lines each (one piece if it fits)."""
    lines = wrap(text, width_em)
    max_lines = max(max_lines, 1)
    if len(lines) <= max_lines:
        return [text]
    pieces = ["".join(lines[i : i + max_lines]).strip() for i in range(0, len(lines), max_lines)]
    return [piece for piece in pieces if piece] or [""]


def paginate(heights: Sequence[float], limit: float) -> list[list[int]]:
    """Split items of the given heights into pages of at most `limit`, evenly filled.

    Greedy filling gives the fewest pages; the items are then spread over that many pages, each
    taking about its fair share of the remaining height (10 + 10 + 10 rather than 13 + 13 + 4).
    An item taller than `limit` gets a page of its own (callers split such items first).
    """
    if not heights:
        return [[]]

    def greedy(cap: float) -> list[list[int]]:
        pages: list[list[int]] = [[]]
        used = 0.0
        for index, height in enumerate(heights):
            if pages[-1] and used + height > cap:
                pages.append([])
                used = 0.0
            pages[-1].append(index)
            used += height
        return pages

    fewest = greedy(limit)
    count = len(fewest)
    pages: list[list[int]] = []
    remaining = float(sum(heights))
    index = 0
    while index < len(heights):
        share = remaining / max(count - len(pages), 1)
        page: list[int] = []
        used = 0.0
        while index < len(heights):
            height = heights[index]
            # Take the next item while it fits, and while at least half of it lies within the share.
            if page and (used + height > limit or used + height / 2 > share):
                break
            page.append(index)
            used += height
            index += 1
        pages.append(page)
        remaining -= used
    return pages if len(pages) <= count else fewest


def _is_rtl(text: str) -> bool:
    """True when the first strongly directional character is right-to-left (Arabic, Hebrew, ...)."""
    for ch in text:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


# ------------------------------------------------------------------------------------- deck building

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
CELL_MARGIN_X_PT = 0.1 * 72  # PowerPoint's default cell margins
CELL_MARGIN_Y_PT = 0.05 * 72
ROW_SLACK_PT = 4.0  # renderers round line heights up; keeps estimates on the safe side
MIN_COLUMN_PT = 0.75 * 72

NAVY = "1F3A5F"
INK = "222B36"
ZEBRA = "F2F4F7"
RULE = "D5DBE3"
WHITE = "FFFFFF"

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


@dataclass(frozen=True)
class _Column:
    heading: str
    align: str = "left"  # left | center
    grow: bool = True  # takes a share of spare width when everything fits on one line


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
        columns = [_Column("Time", grow=False), _Column("Session")]
        with_presenter = any(item.presenter.strip() for item in items)
        with_minutes = any(item.minutes is not None for item in items)
        if with_presenter:
            columns.append(_Column("Presenter"))
        if with_minutes:
            columns.append(_Column("Duration", align="center", grow=False))
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
        self._table(spec.title, [_Column(h) for h in spec.header], rows, spec.notes, size)

    def _table(
        self, title: str, columns: list[_Column], rows: list[tuple[str, ...]], notes: str, size: float
    ) -> None:
        from pptx.util import Emu

        if not rows:  # nothing to tabulate: the slide keeps its title only
            self._notes(self._new_slide("title_only", title, set()), notes)
            return
        widths = _column_widths(columns, rows, self.body.width_pt, size)
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
                _style_cell(table.cell(0, col), column.heading, size, column.align, header=True, zebra=False)
            for row_index, source in enumerate(page, start=1):
                for col, column in enumerate(columns):
                    cell = table.cell(row_index, col)
                    _style_cell(cell, pieces[source][col], size, column.align, False, row_index % 2 == 0)
            if number == 0:
                self._notes(slide, notes)

    def chart(self, spec: ChartSlide) -> None:
        from pptx.chart.data import CategoryChartData
        from pptx.dml.color import RGBColor
        from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_TICK_LABEL_POSITION, XL_TICK_MARK
        from pptx.oxml.ns import qn
        from pptx.util import Emu, Pt

        if not spec.categories:  # nothing to draw: the slide keeps its title only
            self._notes(self._new_slide("title_only", spec.title, set()), spec.notes)
            return
        size = self._pt(CHART_SIZE)
        label_em = self.body.width_pt * CHART_LABEL_SHARE / size
        line_pt = size * LINE_SPACING
        # Labels carry their own line breaks: renderers would otherwise give them half the width.
        labels = [
            "\n".join(line.strip() for line in wrap(_shorten(c, label_em, CHART_LABEL_LINES), label_em))
            for c in spec.categories
        ]
        limit = self.body.height_pt - CHART_PADDING_PT
        # Renderers space categories evenly, so every category gets the slot the tallest label needs.
        tallest = max(label.count("\n") + 1 for label in labels)
        shown = min(max(len(labels), CHART_MIN_SLOTS), CHART_MAX_CATEGORIES)  # a short chart is not thin
        slot = max(limit / shown, tallest * line_pt + CHART_BAR_GAP_PT)
        heights = [slot] * len(labels)
        # One scale for every page, so bars on a continued slide compare with the first page's, with
        # room beyond the longest bar for its value.
        whole = all(value.is_integer() for value in spec.values)
        number_format = "#,##0" if whole else "General"
        low, high = min(0.0, *spec.values), max(0.0, *spec.values)
        if low == high:
            high = 1.0
        plot_pt = self.body.width_pt * (1 - CHART_LABEL_SHARE)
        value_pt = max(text_em(_format_number(v)) for v in spec.values) * size + 8
        room = min(value_pt / plot_pt, 0.3)
        span = (high - low) / (1 - room * ((high > 0) + (low < 0)))
        for number, page in enumerate(paginate(heights, limit)):
            slide = self._new_slide("title_only", _page_title(spec.title, number), set())
            data = CategoryChartData(number_format=number_format)
            data.categories = [labels[i] for i in page]
            data.add_series(spec.series_name.strip() or "Value", [spec.values[i] for i in page])
            # Bars keep one thickness: the frame is as tall as this page's categories need.
            height = min(self.body.height, _emu(slot * len(page) + CHART_PADDING_PT))
            frame = slide.shapes.add_chart(
                XL_CHART_TYPE.BAR_CLUSTERED,
                Emu(self.body.left),
                Emu(self.body.top),
                Emu(self.body.width),
                Emu(height),
                data,
            )
            frame.name = "Chart"
            # Screen readers read a chart's alternative text; it names every bar on this slide.
            frame._element.nvGraphicFramePr.cNvPr.set(
                "descr",
                f"Bar chart: {spec.title}. "
                + "; ".join(f"{spec.categories[i]}: {_format_number(spec.values[i])}" for i in page),
            )
            chart = frame.chart
            chart.font.size = Pt(size)
            chart.font.color.rgb = RGBColor.from_string(INK)
            chart.has_title = False
            chart.has_legend = False  # one series: the slide title says what the bars count
            plot = chart.plots[0]
            plot.gap_width = 60
            plot.vary_by_categories = False
            series = plot.series[0]
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = RGBColor.from_string(NAVY)
            series.invert_if_negative = False
            plot.has_data_labels = True
            values = plot.data_labels
            values.number_format = number_format
            values.number_format_is_linked = False
            values.position = XL_LABEL_POSITION.OUTSIDE_END
            values.show_value = True
            values.font.size = Pt(size)
            # LibreOffice wraps a value label narrower than about seven digits unless told not to.
            values._element.get_or_add_txPr().find(qn("a:bodyPr")).set("wrap", "none")
            category_axis = chart.category_axis
            category_axis.reverse_order = True  # the first category on top, as it reads
            category_axis.major_tick_mark = XL_TICK_MARK.NONE
            category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # left of negative bars too
            category_axis.format.line.color.rgb = RGBColor.from_string(RULE)
            category_axis.tick_labels.font.size = Pt(size)
            value_axis = chart.value_axis
            value_axis.minimum_scale = low - (span * room if low < 0 else 0.0)
            value_axis.maximum_scale = high + (span * room if high > 0 else 0.0)
            value_axis.has_major_gridlines = False
            value_axis.visible = False  # every bar carries its value
            if number == 0:
                self._notes(slide, spec.notes)


def _shorten(text: str, width_em: float, max_lines: int) -> str:
    """`text` as it wraps in `max_lines` lines of `width_em`, cut at a word and ending in an ellipsis
    when it is longer."""
    text = " ".join(text.split())
    lines = wrap(text, width_em)
    if len(lines) <= max_lines:
        return text
    kept = "".join(lines[:max_lines]).rstrip()
    word_break = kept.rfind(" ")
    if word_break > len(kept) // 2:  # a word break not too far back; CJK text has none
        kept = kept[:word_break]
    while kept and line_count(kept + "…", width_em) > max_lines:
        kept = kept[:-1].rstrip()
    return kept.rstrip(" ,;:-") + "…"


def _format_number(value: float) -> str:
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _page_title(title: str, number: int) -> str:
    return title if number == 0 else CONTINUED.format(title=title)


def _emu(points: float) -> int:
    return int(round(points * 12700))


def _text_frame(shape: BaseShape | None) -> TextFrame:
    frame = getattr(shape, "text_frame", None)
    if frame is None:
        raise InvalidInputError("The slide template's placeholders do not match its layout names.")
    return frame  # type: ignore[no-any-return]


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
        if _is_rtl(text):
            paragraph._p.get_or_add_pPr().set("rtl", "1")
            paragraph.alignment = PP_ALIGN.RIGHT
        run = paragraph.add_run()
        run.text = text.replace("\n", "\v")  # a line break inside the paragraph, not a new bullet
        if size is not None:
            run.font.size = Pt(size)


def _column_widths(
    columns: Sequence[_Column], rows: Sequence[Sequence[str]], total: float, size: float
) -> list[float]:
    """Column widths in points: short columns get what they need, long ones share the rest."""
    padding = 2 * CELL_MARGIN_X_PT + 2
    minimum = min(total / len(columns), MIN_COLUMN_PT)
    needs = []
    for col, column in enumerate(columns):
        natural = text_em(column.heading) * size * BOLD
        for row in rows:
            longest_line = max((text_em(line) for line in row[col].split("\n")), default=0.0)
            natural = max(natural, longest_line * size)
        needs.append(max(natural + padding, minimum))
    if sum(needs) <= total:
        # Everything fits on one line: the growing columns share the spare width in proportion.
        growing = [col for col, column in enumerate(columns) if column.grow] or list(range(len(columns)))
        spare = total - sum(needs)
        weight = sum(needs[col] for col in growing)
        return [need + (spare * need / weight if col in growing else 0.0) for col, need in enumerate(needs)]
    # Water-filling: columns needing less than an even share keep their width, the rest share.
    widths = [0.0] * len(columns)
    open_columns = set(range(len(columns)))
    remaining = total
    while open_columns:
        share = remaining / len(open_columns)
        settled = {col for col in open_columns if needs[col] <= share}
        if not settled:
            weight = sum(needs[col] for col in open_columns)
            for col in open_columns:
                widths[col] = max(minimum, remaining * needs[col] / weight)
            break
        for col in settled:
            widths[col] = needs[col]
            remaining -= needs[col]
        open_columns -= settled
    scale = total / sum(widths)
    return [width * scale for width in widths]


def _style_cell(cell: _Cell, text: str, size: float, align: str, header: bool, zebra: bool) -> None:
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    tc_pr = cell._tc.get_or_add_tcPr()
    # Hairlines between rows, none between columns. In <a:tcPr> the lines come before the fill.
    for edge in ("a:lnL", "a:lnR", "a:lnT", "a:lnB"):
        line = tc_pr.makeelement(qn(edge), {"w": "6350", "cap": "flat", "cmpd": "sng"})
        if edge in ("a:lnL", "a:lnR"):
            line.append(line.makeelement(qn("a:noFill"), {}))
        else:
            fill = line.makeelement(qn("a:solidFill"), {})
            fill.append(fill.makeelement(qn("a:srgbClr"), {"val": RULE}))
            line.append(fill)
        tc_pr.append(line)
    cell.fill.solid()
    cell.fill.fore_color.rgb = RGBColor.from_string(NAVY if header else ZEBRA if zebra else WHITE)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame = cell.text_frame
    frame.word_wrap = True
    frame.text = ""
    paragraph = frame.paragraphs[0]
    if _is_rtl(text):
        paragraph._p.get_or_add_pPr().set("rtl", "1")
        paragraph.alignment = PP_ALIGN.RIGHT
    else:
        paragraph.alignment = PP_ALIGN.CENTER if align == "center" else PP_ALIGN.LEFT
    run = paragraph.add_run()
    run.text = text.replace("\n", "\v")
    run.font.size = Pt(size)
    run.font.bold = header
    run.font.color.rgb = RGBColor.from_string(WHITE if header else INK)


_Spec = TypeVar("_Spec")


def _cleaned(value: _Spec) -> _Spec:
    """A spec with every text cleaned and bounded: python-pptx refuses control characters ("All strings must
    be XML compatible"), and one in a note or a name must not stop the whole deck."""
    if isinstance(value, str):
        # Cut to what input allows: measuring and paging a 100k-character value would take minutes.
        return shorten(clean_text(value), LIMITS["text"])  # type: ignore[return-value]  # str in, str out
    if isinstance(value, tuple):
        return tuple(_cleaned(v) for v in value)  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _cleaned(getattr(value, f.name)) for f in fields(value) if f.init})
    return value


def _remove_slides(prs: Presentation) -> None:
    """Drop the template's own sample slides, if it has any."""
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        rel_id = slide_id.rId
        slide_ids.remove(slide_id)
        prs.part.drop_rel(rel_id)


def _fit_template(prs: Presentation, slide_size: tuple[int, int]) -> float:
    """Lay the template's masters and layouts out for `slide_size`; return the scale of its text.

    Positions and sizes stretch to fill the new size axis by axis. Text follows the slide's height
    (the house sizes suit a slide 7.5 in high whether 4:3 or 16:9, as PowerPoint's own templates use
    the same sizes for both), and shrinks further only on a slide narrower than 4:3.
    """
    from msldesk.decks.slide_size import refit, stretch

    width, height = slide_size
    if width <= 0 or height <= 0:
        raise InvalidInputError("A deck's slides need a positive width and height.", details=str(slide_size))
    own = (int(prs.slide_width or 0), int(prs.slide_height or 0))
    if own == (width, height) or min(own) <= 0:
        return 1.0
    text_scale = min(height / own[1], width / own[1] * 3 / 4)
    fit = stretch(own, (width, height), text_scale)
    for master in prs.slide_masters:
        refit(master._element, fit)
        for layout in master.slide_layouts:
            refit(layout._element, fit)
    prs.slide_width, prs.slide_height = width, height  # type: ignore[assignment]
    return text_scale


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
    builder = _Builder(prs, _fit_template(prs, slide_size) if slide_size is not None else 1.0)
    slides = [_cleaned(spec) for spec in slides]
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
