"""Write a printable PDF sign-in sheet for an event: attendees sorted by name, then blank walk-in rows.

Fonts come from boards.pdf_fonts (the bundled Unicode font, else fonts found on the machine, else
Helvetica with accents dropped where it lacks the letter).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from msldesk.boards.outputs.pdf_fonts import PdfFonts, fallback_char, markup, text_fonts
from msldesk.boards.outputs.pdf_pages import (
    FRAME_PADDING,
    footer,
    page_count_canvas,
    uses_letter_paper,
    when_text,
)
from msldesk.boards.records import Attendance, Event, Invitation
from msldesk.core.errors import InvalidInputError
from msldesk.core.fileio import atomic_writer
from msldesk.core.text_safety import LIMITS, core_title, shorten

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle

HEADERS = ("#", "Name", "Institution", "Role", "Signature", "Time in")
_MIN_ROW_HEIGHT = 22.0  # points of writing space per row before padding: about 1 cm with padding
# A row taller than a page stops reportlab (LayoutError); 300 characters is ~8 lines in these columns.
_MAX_CELL_CHARS = 300


def _folded(text: str) -> str:
    """Sort form: case and accents ignored, so "Ågård" files under A and "Łukasz" under L."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(fallback_char(c) for c in decomposed if not unicodedata.combining(c))


def _sort_key(attendance: Attendance) -> tuple[str, str, str]:
    p = attendance.person.fields
    return (_folded(p.last_name or p.first_name or p.email), _folded(p.first_name), p.email.casefold())


def _name(attendance: Attendance) -> str:
    p = attendance.person.fields
    if p.last_name and p.first_name:
        name = f"{p.last_name}, {p.first_name}"
    else:
        name = p.last_name or p.first_name or p.email
    return f"{name}, {p.credentials}" if p.credentials else name


def write_sign_in_sheet(
    event: Event, attendees: Sequence[Attendance], path: Path, blank_rows: int = 10
) -> int:
    """Write the sign-in sheet PDF; return its page count.

    Everyone who has not declined gets a row (sorted by last name), then numbered empty rows for
    walk-ins. With `blank_rows` above 0 the walk-in rows fill the rest of the last page the names
    need, however many that is, and never start a page of their own: every page is full and no
    page holds only blank rows (0: no walk-in rows). The table's header row repeats on every page;
    each page's footer carries the event title and "Page N of M".
    """
    import io

    from reportlab.lib.pagesizes import A4, landscape, letter

    if blank_rows < 0:
        raise InvalidInputError("The number of blank rows cannot be negative.")
    f = event.fields
    page_size = landscape(letter if uses_letter_paper(f.timezone) else A4)
    present = sorted((a for a in attendees if a.fields.invitation != Invitation.DECLINED), key=_sort_key)
    walk_ins = 0
    if blank_rows:
        # Lay the sheet out once with more blank rows than any page holds, then keep the rows that
        # end on the page the last name is on: blank rows of the same height lay out the same way.
        more_than_a_page = int(page_size[1] // _MIN_ROW_HEIGHT) + 1
        _, per_page = _build(event, present, more_than_a_page, page_size, io.BytesIO())
        reached = 0
        for rows in per_page:
            reached += rows
            if reached >= len(present):
                break
        walk_ins = reached - len(present)
    with atomic_writer(Path(path)) as handle:
        pages, _ = _build(event, present, walk_ins, page_size, handle)
    return pages


def _build(
    event: Event, present: Sequence[Attendance], walk_ins: int, page_size: tuple[float, float], out: object
) -> tuple[int, list[int]]:
    """Lay the sheet out into `out`; return its page count and how many table rows (header not
    counted) each page got."""
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Table

    fonts = text_fonts()
    f = event.fields
    margin = 12 * mm
    # The table spans the text's column (the frame pads it), as the footer does: no grid line outside.
    usable = page_size[0] - 2 * margin - 2 * FRAME_PADDING
    story = [*_heading(event, fonts), _table(present, walk_ins, usable, fonts)]
    per_page: list[int] = []

    class Doc(SimpleDocTemplate):
        def afterFlowable(self, flowable: object) -> None:  # reportlab's name
            if isinstance(flowable, Table):  # the table, or the part of it on this page
                per_page.extend([0] * (self.page - len(per_page)))
                per_page[self.page - 1] += len(flowable._cellvalues) - 1  # header row not counted

    doc = Doc(
        out,
        pagesize=page_size,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin * 1.4,
        title=core_title(f"Sign-in sheet: {f.title}"),
        author="msldesk",
        initialFontName=fonts.regular,  # else every page names Helvetica, which is never embedded
    )
    on_page = footer(shorten(f.title or "Untitled event", 120), fonts, margin)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=page_count_canvas())
    return doc.page, per_page


def _style(fonts: PdfFonts, name: str, size: float, bold: bool = False, **kw: object) -> ParagraphStyle:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(
        name, fontName=fonts.bold if bold else fonts.regular, fontSize=size, leading=size * 1.25, **kw
    )


def _heading(event: Event, fonts: PdfFonts) -> list[object]:
    """The title, the kind and date, and the venue (or the meeting link)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    f = event.fields
    title_style = _style(fonts, "title", 16, bold=True, spaceAfter=4)
    info_style = _style(fonts, "info", 10, spaceAfter=2)
    story: list[object] = [
        # Header lines are cut to what input allows: a longer (forged) one would stall reportlab.
        Paragraph(markup(shorten(f.title or "Untitled event", LIMITS["line"]), fonts), title_style),
        Paragraph(markup(f"Sign-in sheet · {f.kind.label} · {when_text(event)}", fonts), info_style),
    ]
    if f.venue.strip():
        story.append(
            Paragraph(markup(shorten(f"Venue: {f.venue.strip()}", LIMITS["line"]), fonts), info_style)
        )
    elif f.virtual_link.strip():
        story.append(
            Paragraph(markup(shorten(f"Online: {f.virtual_link.strip()}", LIMITS["link"]), fonts), info_style)
        )
    story.append(Spacer(1, 4 * mm))
    return story


def _table(present: Sequence[Attendance], walk_ins: int, usable: float, fonts: PdfFonts) -> Any:
    """One row per attendee expected, then empty numbered rows for walk-ins."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    cell_style = _style(fonts, "cell", 9.5)
    head_style = _style(fonts, "head", 9.5, bold=True)
    rows: list[list[object]] = [[Paragraph(escape(h), head_style) for h in HEADERS]]
    for number, attendance in enumerate(present, start=1):
        p = attendance.person.fields
        rows.append([
            Paragraph(str(number), cell_style),
            Paragraph(markup(shorten(_name(attendance), _MAX_CELL_CHARS), fonts), cell_style),
            Paragraph(markup(shorten(p.institution, _MAX_CELL_CHARS), fonts), cell_style),
            Paragraph(markup(attendance.fields.role.label, fonts), cell_style),
            Spacer(1, _MIN_ROW_HEIGHT),  # keeps each row tall enough to sign in
            "",
        ])  # fmt: skip
    for number in range(len(present) + 1, len(present) + walk_ins + 1):
        rows.append([Paragraph(str(number), cell_style), "", "", "", Spacer(1, _MIN_ROW_HEIGHT), ""])

    shares = (0.04, 0.25, 0.25, 0.10, 0.26, 0.10)
    table = Table(rows, colWidths=[usable * s for s in shares], repeatRows=1)
    # FONT: the table's own default is Helvetica, which the PDF would then name without embedding
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.regular),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 1), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 4),
            ]
        )
    )
    return table
