"""How generated tables and charts look on the house template: the palette, a table cell's style and a
bar chart's (the builder in `generated` lays them out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from msldesk.decks.text_fit import is_rtl, text_em

if TYPE_CHECKING:  # python-pptx loads when a deck is built, not when this module is imported
    from pptx.chart.chart import Chart
    from pptx.table import _Cell

NAVY = "1F3A5F"
INK = "222B36"
ZEBRA = "F2F4F7"
RULE = "D5DBE3"
WHITE = "FFFFFF"


@dataclass(frozen=True)
class ValueScale:
    """One value axis for every page of a chart, so bars on a continued slide compare with the first
    page's, with room beyond the longest bar for its value."""

    number_format: str
    minimum: float
    maximum: float


def format_number(value: float) -> str:
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def value_scale(values: Sequence[float], plot_pt: float, size: float) -> ValueScale:
    whole = all(value.is_integer() for value in values)
    low, high = min(0.0, *values), max(0.0, *values)
    if low == high:
        high = 1.0
    value_pt = max(text_em(format_number(v)) for v in values) * size + 8
    room = min(value_pt / plot_pt, 0.3)
    span = (high - low) / (1 - room * ((high > 0) + (low < 0)))
    return ValueScale(
        "#,##0" if whole else "General",
        low - (span * room if low < 0 else 0.0),
        high + (span * room if high > 0 else 0.0),
    )


def style_bar_chart(chart: Chart, size: float, scale: ValueScale) -> None:
    """The house look of a bar chart: navy bars with their values at the end, labels on the left, no
    legend, title, gridlines or value axis."""
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_LABEL_POSITION, XL_TICK_LABEL_POSITION, XL_TICK_MARK
    from pptx.oxml.ns import qn
    from pptx.util import Pt

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
    values.number_format = scale.number_format
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
    value_axis.minimum_scale = scale.minimum
    value_axis.maximum_scale = scale.maximum
    value_axis.has_major_gridlines = False
    value_axis.visible = False  # every bar carries its value


def style_cell(cell: _Cell, text: str, size: float, align: str, header: bool, zebra: bool) -> None:
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
    if is_rtl(text):
        paragraph._p.get_or_add_pPr().set("rtl", "1")
        paragraph.alignment = PP_ALIGN.RIGHT
    else:
        paragraph.alignment = PP_ALIGN.CENTER if align == "center" else PP_ALIGN.LEFT
    run = paragraph.add_run()
    run.text = text.replace("\n", "\v")
    run.font.size = Pt(size)
    run.font.bold = header
    run.font.color.rgb = RGBColor.from_string(WHITE if header else INK)
