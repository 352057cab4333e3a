"""The building blocks of a meeting's PDF summary: its paragraph styles, entries with their speakers,
flags and history as the audience may see them, tables, the insights chart, and headings that are
also PDF bookmarks. The sections (summary_sections.py) are made of these."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from msldesk.boards.meeting.audience import role_label
from msldesk.boards.outputs.pdf_fonts import PdfFonts, markup, plain
from msldesk.boards.outputs.pdf_pages import FRAME_PADDING, uses_letter_paper
from msldesk.boards.records import Amendment, Audience, MeetingReport, NoteEntry
from msldesk.core import clock
from msldesk.core.text_safety import LIMITS, core_title, shorten

NONE_RECORDED = "None recorded"
CHART_THEMES = 20  # more themes than this share one "other themes" bar: the chart stays readable
# What the review of a flagged entry decided, in the words a reader of the summary needs.
DECISIONS = {
    "Needs review": "not yet reviewed",
    "Kept flagged": "reviewed, kept flagged (not for commercial readers)",
    "Cleared": "reviewed, cleared as acceptable",
}
INK = "#1f3a5f"  # headings and chart bars
# One table cell at most this long: a row taller than a page, or a long word in a cell, stops or
# stalls reportlab (a 3,000-character institution still fits, on more than one page if need be).
MAX_CELL_CHARS = 3_000
MUTED = "#666666"


def _reason(amendment: Amendment) -> str:
    return f" ({amendment.reason})" if amendment.reason else ""


class SummaryBlocks:
    """Styles and flowables for one summary, on the event's clock and cut to the report's audience."""

    def __init__(self, report: MeetingReport, fonts: PdfFonts) -> None:
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.lib.pagesizes import A4, letter
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm

        self.report = report
        self.fonts = fonts
        self.zone: ZoneInfo = clock.zone(report.event.fields.timezone)
        self.page_size = letter if uses_letter_paper(report.event.fields.timezone) else A4
        self.margin = 18 * mm
        self.width = self.page_size[0] - 2 * (self.margin + FRAME_PADDING)  # the text's column
        self.colors = colors
        self.mm = mm
        self._keys = 0

        def style(name: str, size: float, leading: float = 1.3, **kw: Any) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=fonts.regular, fontSize=size, leading=size * leading, **kw)

        ink = colors.HexColor(INK)
        muted = colors.HexColor(MUTED)
        self.s_kicker = style("kicker", 11, textColor=muted, spaceAfter=6)
        self.s_cover_title = style("cover-title", 26, 1.2, textColor=ink, spaceAfter=14)
        self.s_cover_line = style("cover-line", 12, spaceAfter=4)
        self.s_confidential = style(
            "confidential", 9.5, textColor=colors.HexColor("#a51d2d"), spaceBefore=4, spaceAfter=10
        )
        self.s_h1 = style("h1", 16, 1.25, textColor=ink, spaceBefore=14, spaceAfter=8, keepWithNext=1)
        self.s_h2 = style("h2", 12.5, 1.25, textColor=ink, spaceBefore=10, spaceAfter=4, keepWithNext=1)
        self.s_body = style("body", 10, spaceAfter=5)
        self.s_entry = style("entry", 10, leftIndent=10, spaceAfter=6)
        self.s_key = style("key", 10, leftIndent=10, spaceAfter=6, backColor=colors.HexColor("#fff4d6"))
        self.s_quote = style("quote", 11, leftIndent=14, rightIndent=14, spaceAfter=8, textColor=ink)
        self.s_cell = style("cell", 8.5, 1.25)
        self.s_head = style("head", 8.5, 1.25, textColor=colors.white)
        self.s_cell_r = style("cell-r", 8.5, 1.25, alignment=TA_RIGHT)
        self.s_head_r = style("head-r", 8.5, 1.25, textColor=colors.white, alignment=TA_RIGHT)
        self.s_note = style("note", 8.5, textColor=muted, spaceAfter=6)
        self.s_intro = style("intro", 8.5, textColor=muted, spaceAfter=6, keepWithNext=1)  # before a chart
        self.s_rule = style("rule", 10.5, 1.35, textColor=ink, spaceAfter=4)

    # ---- small helpers -------------------------------------------------------------------------

    def m(self, text: str, most: int = LIMITS["text"]) -> str:
        """Markup for user text: escaped, line breaks kept, cut to `most` characters (reportlab's
        line breaking grows with the square of a long word, so an unbounded value would stall it)."""
        return markup(shorten(text, most), self.fonts).replace("\r\n", "\n").replace("\n", "<br/>")

    def para(self, text: str, style: Any) -> Any:
        from reportlab.platypus import Paragraph

        return Paragraph(self.m(text), style)

    def none_recorded(self) -> Any:
        return self.para(NONE_RECORDED, self.s_body)

    def heading(self, title: str, level: int = 0) -> Any:
        self._keys += 1
        return _heading_class()(
            self.m(title),
            self.s_h1 if level == 0 else self.s_h2,
            core_title(title),
            level,
            f"s{self._keys}",
            self.width,
        )

    def local(self, moment: dt.datetime) -> dt.datetime:
        return clock.on_clock(moment, self.zone)

    def stamp(self, moment: dt.datetime) -> str:
        """ "14 Mar 2026 16:05" on the event's clock: a moment that may fall on any day."""
        here = self.local(moment)
        return f"{clock.short_date(here)} {here:%H:%M}"

    def clock(self, moment: dt.datetime) -> str:
        """ "10:42" on the event's clock; with the date when the meeting is not on that day."""
        here = self.local(moment)
        start = self.report.event.fields.starts_at
        if start is not None and self.local(start).date() == here.date():
            return f"{here:%H:%M}"
        return f"{clock.short_date(here)} {here:%H:%M}"

    def who(self, entry: NoteEntry) -> str:
        """The speakers as this audience may see them (a role label for commercial readers), those of
        merged entries included."""
        shown = []
        for name, role in entry.speakers:
            label = role_label(role) if role else ""
            if self.report.audience is Audience.COMMERCIAL or not name:
                shown.append(label)
            else:
                shown.append(f"{name}, {label}" if label else name)
        return "; ".join(dict.fromkeys(s for s in shown if s))

    def meta(self, entry: NoteEntry, speaker: bool = True) -> str:
        parts = [self.clock(entry.created_at)]
        if entry.agenda_title:
            parts.append(entry.agenda_title)
        if speaker and self.who(entry):
            parts.append(self.who(entry))
        if entry.amendments:
            parts.append("amended")
        if self.flag_text(entry):
            parts.append(self.flag_text(entry))
        return " · ".join(parts)

    def flag_text(self, entry: NoteEntry) -> str:
        """ "flagged: off-label, reviewed, cleared as acceptable" where the audience sees flags."""
        if not entry.flag_terms or self.report.audience is Audience.COMMERCIAL:
            return ""  # commercial readers see no flagged entry; a cleared one is plain text to them
        return f"flagged: {', '.join(entry.flag_terms)}; {DECISIONS[entry.review_state]}"

    def history(self, entry: NoteEntry) -> list[str]:
        """An amended entry's earlier wording, beside the text as it now stands: medical and
        compliance readers see what was first recorded and each correction; commercial readers
        see the corrected text only."""
        if not entry.amendments or self.report.audience is Audience.COMMERCIAL:
            return []
        latest = entry.amendments[-1]
        lines = [f"Amended {self.stamp(latest.created_at)}{_reason(latest)}"]
        for earlier in reversed(entry.amendments[:-1]):
            lines.append(f"Earlier wording, {self.stamp(earlier.created_at)}: “{earlier.text}”")
        lines.append(f"First recorded: “{entry.fields.text}”")
        return lines

    def small(self, lines: Iterable[str]) -> str:
        """Muted small lines of markup to follow an entry's text."""
        return "".join(f'<br/><font size="8" color="{MUTED}">{self.m(line)}</font>' for line in lines if line)

    def entry_para(self, entry: NoteEntry, style: Any, prefix: str = "") -> Any:
        from reportlab.platypus import Paragraph

        return Paragraph(
            prefix + self.m(entry.text) + self.small([self.meta(entry), *self.history(entry)]), style
        )

    def table(
        self,
        header: Iterable[str],
        rows: list[list[str]],
        shares: Iterable[float],
        right: Iterable[int] = (),
        totals: int = 0,
    ) -> Any:
        """A table with a header row repeated on each page; `right`: columns of figures, aligned
        right; `totals`: how many last rows are totals (set off by a rule)."""
        from reportlab.platypus import Paragraph, Table, TableStyle

        c = self.colors
        right = set(right)
        data = [
            [Paragraph(self.m(h), self.s_head_r if i in right else self.s_head) for i, h in enumerate(header)]
        ]
        data += [
            [
                Paragraph(self.m(v, MAX_CELL_CHARS), self.s_cell_r if i in right else self.s_cell)
                for i, v in enumerate(row)
            ]
            for row in rows
        ]
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), self.fonts.regular),
            ("BACKGROUND", (0, 0), (-1, 0), c.HexColor(INK)),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [c.white, c.HexColor("#f2f5f9")]),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, c.HexColor("#c8d0da")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if totals:
            commands += [
                ("LINEABOVE", (0, -totals), (-1, -totals), 0.8, c.HexColor(INK)),
                ("BACKGROUND", (0, -totals), (-1, -1), c.HexColor("#e4e9f0")),
            ]
        table = Table(data, colWidths=[self.width * s for s in shares], repeatRows=1, splitInRow=1)
        table.setStyle(TableStyle(commands))
        return table

    def kv_table(self, rows: list[list[str]]) -> Any:
        from reportlab.platypus import Paragraph, Table, TableStyle

        cut = MAX_CELL_CHARS
        data = [
            [Paragraph(self.m(k, cut), self.s_note), Paragraph(self.m(v, cut), self.s_body)] for k, v in rows
        ]
        table = Table(data, colWidths=[self.width * 0.22, self.width * 0.78], splitInRow=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), self.fonts.regular),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        return table

    def chart(self, groups: list[tuple[str, list[NoteEntry]]]) -> Any:
        """Horizontal bars: key and other insights per theme, stacked, in taxonomy order."""
        from reportlab.graphics.charts.barcharts import HorizontalBarChart
        from reportlab.graphics.charts.legends import Legend
        from reportlab.graphics.shapes import Drawing, String

        shown = groups[:CHART_THEMES]
        rest = groups[CHART_THEMES:]
        labels = [plain(shorten(theme, 34), self.fonts) for theme, _ in shown]
        key = [sum(e.fields.key for e in es) for _, es in shown]
        other = [len(es) - k for (_, es), k in zip(shown, key, strict=True)]
        if rest:
            labels.append(f"{len(rest)} other themes")
            key.append(sum(sum(e.fields.key for e in es) for _, es in rest))
            other.append(sum(len(es) for _, es in rest) - key[-1])
        # reportlab draws the first category at the bottom: reverse so the list reads top-down
        labels, key, other = labels[::-1], key[::-1], other[::-1]
        bar = 16.0
        plot_h = bar * len(labels)
        height = plot_h + 52
        drawing = Drawing(self.width, height)
        drawing.initialFontName = self.fonts.regular  # the renderer's default would name Helvetica
        chart = HorizontalBarChart()
        chart.x, chart.y = self.width * 0.36, 30
        chart.width, chart.height = self.width * 0.58, plot_h
        chart.data = [key, other]
        chart.categoryAxis.style = "stacked"
        chart.categoryAxis.categoryNames = labels
        chart.categoryAxis.labels.fontName = self.fonts.regular
        chart.categoryAxis.labels.fontSize = 8
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dx = -4
        chart.valueAxis.labels.fontName = self.fonts.regular
        chart.valueAxis.labels.fontSize = 7.5
        chart.valueAxis.valueMin = 0
        top = max(k + o for k, o in zip(key, other, strict=True))
        nice = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
        step = next((s for s in nice if top / s <= 8), -(-top // 8))  # at most 8 gridlines
        chart.valueAxis.valueStep = step
        chart.valueAxis.valueMax = step * max(1, -(-top // step))
        chart.valueAxis.visibleGrid = True
        chart.valueAxis.gridStrokeColor = self.colors.HexColor("#dde3ea")
        chart.bars.strokeColor = None
        chart.bars[0].fillColor = self.colors.HexColor("#e0a526")
        chart.bars[1].fillColor = self.colors.HexColor(INK)
        chart.barSpacing = 0
        chart.groupSpacing = 4
        drawing.add(chart)
        legend = Legend()
        legend.x, legend.y = self.width * 0.36, height - 6
        legend.fontName, legend.fontSize = self.fonts.regular, 8
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.dx = legend.dy = 7
        legend.deltax = 90
        legend.colorNamePairs = [
            (chart.bars[0].fillColor, "Key insights"),
            (chart.bars[1].fillColor, "Other"),
        ]
        drawing.add(legend)
        drawing.add(String(0, height - 12, "Insights per theme", fontName=self.fonts.regular, fontSize=9))
        drawing.hAlign = "LEFT"
        return drawing


@functools.cache
def _heading_class() -> type:
    """A Paragraph that also makes a PDF bookmark and outline entry where it is drawn (built on first
    use so importing this module does not load reportlab)."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph

    class Heading(Paragraph):
        def __init__(self, text: str, style: Any, title: str, level: int, key: str, width: float) -> None:
            super().__init__(text, style)
            self.outline = (title, level, key)
            self.rule_width = width

        def draw(self) -> None:
            title, level, key = self.outline
            self.canv.bookmarkHorizontal(key, 0, self.height + 6)
            self.canv.addOutlineEntry(title, key, level=level)
            super().draw()
            if level == 0:
                self.canv.setStrokeColor(colors.HexColor(INK))
                self.canv.setLineWidth(0.8)
                self.canv.line(0, -3, self.rule_width, -3)

    return Heading
