"""Page furniture shared by our reportlab documents: paper size, the event's date line, and a footer
with "Page X of Y" drawn in a single pass."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from msldesk.boards.outputs.pdf_fonts import PdfFonts, markup
from msldesk.boards.records import Event
from msldesk.core import clock
from msldesk.core.text_safety import shorten

_LETTER_ZONES = ("America/", "US/", "Canada/")
FOOTER_SIZE = 8.0
FRAME_PADDING = 6.0  # platypus frames pad their content by 6 pt on each side: where body text starts


def uses_letter_paper(timezone: str) -> bool:
    """US Letter for events in the Americas' zones (US, Canada, Mexico ...), A4 elsewhere."""
    return timezone.startswith(_LETTER_ZONES)


def when_text(event: Event) -> str:
    """ "Thursday 12 March 2026, 09:00–17:00 CET (Europe/Berlin)" in the event's own zone."""
    f = event.fields
    if f.starts_at is None:
        return "Date to be confirmed"
    zone = clock.zone(f.timezone)
    starts = clock.on_clock(f.starts_at, zone)
    suffix = f"{starts.tzname()} ({zone.key})" if starts.tzname() != zone.key else zone.key
    if f.ends_at is None:
        return f"{clock.long_date(starts)}, {starts:%H:%M} {suffix}"
    ends = clock.on_clock(f.ends_at, zone)
    if ends.date() == starts.date():
        return f"{clock.long_date(starts)}, {starts:%H:%M}–{ends:%H:%M} {suffix}"
    return f"{clock.long_date(starts)} {starts:%H:%M} – {clock.long_date(ends)} {ends:%H:%M} {suffix}"


@functools.cache
def page_count_canvas() -> type:
    """A reportlab Canvas class that can print "Page X of Y" without holding pages back.

    The usual recipe keeps every page in memory until the end so it knows Y; that also sends every
    bookmark to page 1 (bookmarks take the page that is current in the PDF writer when they are
    made). Instead each page shows a small form XObject, and the forms are written at save time,
    when the total is known. Built on first use so importing this module does not load reportlab.
    """
    from reportlab.lib import colors
    from reportlab.pdfgen.canvas import Canvas

    class PageCountCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._page_marks: list[tuple[int, float, float, str]] = []

        def page_number_at(self, x_right: float, y: float, font: str) -> None:
            """Show "Page X of Y" on this page, right-aligned at (x_right, y) in page coordinates."""
            number = self.getPageNumber()
            self.doForm(f"msldesk-page-{number}")
            self._page_marks.append((number, x_right, y, font))

        @property
        def page_total(self) -> int:
            return self._doc.pageCounter - 1  # pages written so far

        def save(self) -> None:
            if len(self._code):
                self.showPage()
            total = self.page_total
            for number, x_right, y, font in self._page_marks:
                self.beginForm(f"msldesk-page-{number}")
                self.setFont(font, FOOTER_SIZE)
                self.setFillColor(colors.grey)
                self.drawRightString(x_right, y, f"Page {number} of {total}")
                self.endForm()
            super().save()

    return PageCountCanvas


def footer(left_text: str, fonts: PdfFonts, margin: float) -> Callable[[Any, Any], None]:
    """An onPage callback for a platypus document: `left_text` on the left, "Page X of Y" right.

    Both sit on one baseline and inside the body's text column (the frame's margins and padding), so
    the footer lines up with the text above it; a text too long for one line is shortened.
    Use it with `canvasmaker=page_count_canvas()`."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    style = ParagraphStyle(
        "footer",
        fontName=fonts.regular,
        fontSize=FOOTER_SIZE,
        leading=FOOTER_SIZE * 1.25,
        textColor=colors.grey,
    )
    fitted: list[Any] = []  # the one-line paragraph, made on the first page (the text is the same on all)

    def one_line(canvas: Any, room: float) -> Any:
        text = left_text
        while True:
            paragraph = Paragraph(markup(text, fonts), style)
            _, height = paragraph.wrapOn(canvas, room, FOOTER_SIZE * 10)
            if height <= style.leading * 1.01 or len(text) <= 2:
                return paragraph
            text = shorten(text, max(2, int(len(text) * 0.9)))

    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        left = doc.leftMargin + FRAME_PADDING
        right = doc.pagesize[0] - doc.rightMargin - FRAME_PADDING
        baseline = margin * 0.45
        number_room = canvas.stringWidth("Page 9999 of 9999", fonts.regular, FOOTER_SIZE) + 12
        if not fitted:
            fitted.append(one_line(canvas, right - left - number_room))
        paragraph = fitted[0]
        # a one-line Paragraph puts its baseline `leading - fontSize` above the point it is drawn at
        paragraph.drawOn(canvas, left, baseline - (style.leading - FOOTER_SIZE))
        canvas.page_number_at(right, baseline, fonts.regular)
        canvas.restoreState()

    return draw
