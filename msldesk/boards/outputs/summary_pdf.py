"""Write a meeting's PDF insight summary for the audience its report was cut for."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from msldesk.boards.events.days import checkin_text
from msldesk.boards.meeting.audience import role_label
from msldesk.boards.outputs.ics import event_zone, local_time, long_date
from msldesk.boards.outputs.pdf_fonts import PdfFonts, markup, plain, text_fonts
from msldesk.boards.outputs.pdf_pages import footer, page_count_canvas, uses_letter_paper, when_text
from msldesk.boards.records import (
    AgendaItem,
    Amendment,
    Attendance,
    AttendeeRole,
    Audience,
    EntryKind,
    Invitation,
    MeetingReport,
    NoteEntry,
    Person,
)
from msldesk.core.errors import DiskFullError, MsldeskError
from msldesk.core.fileio import atomic_writer
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.core.text_safety import LIMITS, core_title, shorten
from msldesk.core.wording import plural

NONE_RECORDED = "None recorded"
EXECUTIVE_SUMMARY = "Executive summary"
MEETING_FACTS = "Meeting facts"
KEY_INSIGHTS = "Key insights by theme"
QUOTES = "Notable quotes"
QUESTIONS = "Questions raised"
ACTIONS = "Action items"
NOTES = "Notes"
FLAG_REVIEW = "Flagged entries and their review"
ATTENDANCE = "Attendance, contracts and disclosures"
PAYMENTS = "Payments"
APPENDIX = "Appendix: agenda"
CHART_THEMES = 20  # more themes than this share one "other themes" bar: the chart stays readable
# The audience's rule, one sentence on the cover: what this reader gets and what is left out.
AUDIENCE_RULE = {
    Audience.MEDICAL: "This medical summary shows every entry, plain notes included, with speakers named and "
    "each flagged entry marked with its flag and review decision.",
    Audience.COMPLIANCE: "This compliance summary shows everything the medical one does, plus attendance, "
    "contracts, payments and who reviewed each flagged entry and what they decided.",
    Audience.COMMERCIAL: "This commercial summary names no attendee, only their role, and leaves out flagged "
    "entries; plain notes are included after the same redaction.",
}
# What the review of a flagged entry decided, in the words a reader of the summary needs.
DECISIONS = {
    "Needs review": "not yet reviewed",
    "Kept flagged": "reviewed, kept flagged (not for commercial readers)",
    "Cleared": "reviewed, cleared as acceptable",
}
_INK = "#1f3a5f"  # headings and chart bars
# One table cell at most this long: a row taller than a page, or a long word in a cell, stops or
# stalls reportlab (a 3,000-character institution still fits, on more than one page if need be).
_MAX_CELL_CHARS = 3_000
_MUTED = "#666666"


def section_titles(audience: Audience) -> tuple[str, ...]:
    """The sections a summary for `audience` has, in order (each one is also a PDF bookmark)."""
    middle = (FLAG_REVIEW, ATTENDANCE, PAYMENTS) if audience is Audience.COMPLIANCE else ()
    return (
        EXECUTIVE_SUMMARY,
        MEETING_FACTS,
        KEY_INSIGHTS,
        QUOTES,
        QUESTIONS,
        ACTIONS,
        NOTES,
        *middle,
        APPENDIX,
    )


def write_summary_pdf(
    report: MeetingReport,
    out: Path,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Path:
    """Write the summary of `report` (already cut to its audience) to `out`, atomically; return `out`.

    Nothing is redacted here: the report shows what its audience may see, and this shows all of it.
    Cancelling, or any failure, leaves no file behind (an existing file at `out` is kept as it was).
    """
    from reportlab.platypus import SimpleDocTemplate
    from reportlab.platypus.doctemplate import LayoutError

    out = Path(out)
    fonts = text_fonts()  # registers the bundled font on first use in this process
    builder = _Summary(report, fonts)
    titles = section_titles(report.audience)
    total = len(titles) + 2  # cover, sections, layout
    story: list[Any] = []
    for done, (title, make) in enumerate([("Cover", builder.cover), *builder.sections()]):
        _check(cancel)
        progress(done, total, f"Summary: {title.lower()}")
        story.extend(make())
    progress(total - 1, total, "Summary: laying out pages")

    f = report.event.fields
    page_size = builder.page_size
    audience = report.audience.label
    footer_text = f"Confidential · {audience} audience · {shorten(f.title or 'Untitled event', 90)}"
    on_page = footer(footer_text, fonts, builder.margin)

    class Doc(SimpleDocTemplate):
        def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 (reportlab's name)
            _check(cancel)  # between flowables: a long layout stops within a paragraph's time

    def first_page(canvas: Any, doc: Any) -> None:
        canvas.showOutline()  # viewers open with the bookmarks panel
        builder.cover_band(canvas, doc)
        on_page(canvas, doc)

    try:
        with atomic_writer(out) as handle:
            doc = Doc(
                handle,
                pagesize=page_size,
                leftMargin=builder.margin,
                rightMargin=builder.margin,
                topMargin=builder.margin,
                bottomMargin=builder.margin * 1.3,
                title=core_title(
                    f"Meeting insight summary: {f.title or 'Untitled event'} ({audience} audience)"
                ),
                subject=f"Confidential meeting insight summary for the {audience.lower()} audience",
                author="msldesk",
                creator="msldesk",
                initialFontName=fonts.regular,  # else every page names Helvetica, which is never embedded
            )
            doc.build(story, onFirstPage=first_page, onLaterPages=on_page, canvasmaker=page_count_canvas())
    except DiskFullError:
        raise  # already says why, in plain words
    except OSError as exc:
        raise MsldeskError(
            f"The summary could not be saved as {out}: {exc.strerror or exc}. "
            "Choose a folder you can write to.",
            details=repr(exc),
        ) from exc
    except LayoutError as exc:
        raise MsldeskError("The summary could not be laid out on the page.", details=str(exc)) from exc
    progress(total, total, "Summary written")
    return out


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _day(day: dt.date) -> str:
    """ "20 March 2026" (English month names whatever the locale)."""
    return long_date(day).split(" ", 1)[1]


def _folded(text: str) -> str:
    """Sort form: case and accents ignored, so "Ågård" sorts under A."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _name_key(person: Person) -> tuple[str, str]:
    p = person.fields
    return (_folded(p.last_name or p.first_name or p.email), _folded(p.first_name))


def _reason(amendment: Amendment) -> str:
    return f" ({amendment.reason})" if amendment.reason else ""


def _minutes(value: int | None) -> str:
    return "—" if value is None else f"{value} min"


class _Summary:
    """The story of one summary: each method returns the flowables of one part."""

    def __init__(self, report: MeetingReport, fonts: PdfFonts) -> None:
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.lib.pagesizes import A4, letter
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm

        self.report = report
        self.fonts = fonts
        self.zone: ZoneInfo = event_zone(report.event.fields.timezone)
        self.page_size = letter if uses_letter_paper(report.event.fields.timezone) else A4
        self.margin = 18 * mm
        self.width = self.page_size[0] - 2 * self.margin - 12  # the frame pads 6 pt on each side
        self.colors = colors
        self.mm = mm
        self._keys = 0

        def style(name: str, size: float, leading: float = 1.3, **kw: Any) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=fonts.regular, fontSize=size, leading=size * leading, **kw)

        ink = colors.HexColor(_INK)
        muted = colors.HexColor(_MUTED)
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
        return local_time(moment, self.zone)

    def stamp(self, moment: dt.datetime) -> str:
        """ "14 Mar 2026 16:05" on the event's clock: a moment that may fall on any day."""
        return f"{self.local(moment):%d %b %Y %H:%M}"

    def clock(self, moment: dt.datetime) -> str:
        """ "10:42" on the event's clock; with the date when the meeting is not on that day."""
        here = self.local(moment)
        start = self.report.event.fields.starts_at
        if start is not None and self.local(start).date() == here.date():
            return f"{here:%H:%M}"
        return f"{here:%d %b %Y %H:%M}"

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
        return "".join(
            f'<br/><font size="8" color="{_MUTED}">{self.m(line)}</font>' for line in lines if line
        )

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
                Paragraph(self.m(v, _MAX_CELL_CHARS), self.s_cell_r if i in right else self.s_cell)
                for i, v in enumerate(row)
            ]
            for row in rows
        ]
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), self.fonts.regular),
            ("BACKGROUND", (0, 0), (-1, 0), c.HexColor(_INK)),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [c.white, c.HexColor("#f2f5f9")]),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, c.HexColor("#c8d0da")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if totals:
            commands += [
                ("LINEABOVE", (0, -totals), (-1, -totals), 0.8, c.HexColor(_INK)),
                ("BACKGROUND", (0, -totals), (-1, -1), c.HexColor("#e4e9f0")),
            ]
        table = Table(data, colWidths=[self.width * s for s in shares], repeatRows=1, splitInRow=1)
        table.setStyle(TableStyle(commands))
        return table

    # ---- the parts -----------------------------------------------------------------------------

    def sections(self) -> list[tuple[str, Any]]:
        makers = {
            EXECUTIVE_SUMMARY: self.executive_summary,
            MEETING_FACTS: self.facts,
            KEY_INSIGHTS: self.insights,
            QUOTES: self.quotes,
            QUESTIONS: self.questions,
            ACTIONS: self.actions,
            NOTES: self.notes,
            FLAG_REVIEW: self.flag_review,
            ATTENDANCE: self.attendance,
            PAYMENTS: self.payments,
            APPENDIX: self.appendix,
        }
        return [(title, makers[title]) for title in section_titles(self.report.audience)]

    def cover_band(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(self.colors.HexColor(_INK))
        height = doc.pagesize[1]
        canvas.rect(0, height - 14 * self.mm, doc.pagesize[0], 14 * self.mm, stroke=0, fill=1)
        canvas.restoreState()

    def cover(self) -> list[Any]:
        """Page 1: the meeting's facts, the audience's rule and the confidentiality line; the
        executive summary follows on the same page instead of leaving it half empty."""
        from reportlab.platypus import Spacer

        r, f = self.report, self.report.event.fields
        return [
            Spacer(1, 6 * self.mm),  # clear of the coloured band
            self.para("Meeting insight summary", self.s_kicker),
            self.para(shorten(f.title or "Untitled event", LIMITS["line"]), self.s_cover_title),
            self.kv_table(self.cover_facts()),
            Spacer(1, 5 * self.mm),
            self.para(f"Prepared for the {r.audience.label.lower()} audience", self.s_cover_line),
            self.para(AUDIENCE_RULE[r.audience], self.s_rule),
            self.para(
                "Confidential: for internal use by the named audience only. Do not forward, print for "
                "others or quote outside it.",
                self.s_confidential,
            ),
        ]

    def cover_facts(self) -> list[list[str]]:
        r, f = self.report, self.report.event.fields
        counts = Counter(e.kind for e in r.entries)
        rows = [["Type", f.kind.label], ["Date", when_text(r.event)]]
        if f.venue.strip():  # cut to what input allows, like the title: a forged one would stall reportlab
            rows.append(["Venue", shorten(f.venue.strip(), LIMITS["line"])])
        if f.virtual_link.strip():
            rows.append(["Online", shorten(f.virtual_link.strip(), LIMITS["link"])])
        for label, value in (("Therapeutic area", f.therapeutic_area), ("Product", f.product)):
            if value.strip():
                rows.append([label, value.strip()])
        if r.attendees:
            checked_in = sum(a.fields.checked_in_at is not None for a in r.attendees)
            rows.append(
                [
                    "Attendees",
                    f"{plural(len(r.attendees), 'person', 'people')} on the list, {checked_in} checked in",
                ]
            )
        rows.append(["Entries recorded", ", ".join(plural(counts[k], k.value) for k in EntryKind)])
        if r.removed_flagged:
            verb = "is" if r.removed_flagged == 1 else "are"
            left_out = f"{plural(r.removed_flagged, 'flagged entry')} {verb} not shown to this audience"
            rows.append(["Left out", left_out])
        generated = self.local(r.generated_at)
        if r.finalized_at is not None:
            finalized = self.local(r.finalized_at)
            rows.append(["Notes", f"Finalized {long_date(finalized)}, {finalized:%H:%M}"])
        else:
            rows.append(["Notes", "Not finalized: this summary may still change"])
        rows.append(["Generated", f"{long_date(generated)}, {generated:%H:%M} {generated.tzname()}"])
        return rows

    def executive_summary(self) -> list[Any]:
        text = self.report.executive_summary.strip()
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        body = [self.para(p.strip(), self.s_body) for p in paragraphs] or [self.none_recorded()]
        return [self.heading(EXECUTIVE_SUMMARY), *body]

    def facts(self) -> list[Any]:
        """What the cover has no room for: objectives, attendance by role, the agenda's timing."""
        r, f = self.report, self.report.event.fields
        story: list[Any] = [self.heading(MEETING_FACTS)]
        rows = [
            [label, value.strip()]
            for label, value in (("Objectives", f.objectives), ("Key questions", f.key_questions))
            if value.strip()
        ]
        if rows:
            story.append(self.kv_table(rows))

        story.append(self.heading("Attendance by role", 1))
        by_role: dict[AttendeeRole, list[Attendance]] = {}
        for a in r.attendees:
            by_role.setdefault(a.fields.role, []).append(a)
        role_rows = [
            [
                role.label,
                str(len(people)),
                str(sum(a.fields.invitation == Invitation.ACCEPTED for a in people)),
                str(sum(a.fields.checked_in_at is not None for a in people)),
            ]
            for role in AttendeeRole
            if (people := by_role.get(role))
        ]
        if role_rows:
            role_rows.append(
                [
                    "Total",
                    str(len(r.attendees)),
                    str(sum(a.fields.invitation == Invitation.ACCEPTED for a in r.attendees)),
                    str(sum(a.fields.checked_in_at is not None for a in r.attendees)),
                ]
            )
            story.append(
                self.table(
                    ("Role", "On the list", "Accepted", "Checked in"),
                    role_rows,
                    (0.4, 0.2, 0.2, 0.2),
                    right=(1, 2, 3),
                    totals=1,
                )
            )
        else:
            story.append(self.none_recorded())

        story.append(self.heading("Agenda: planned versus actual", 1))
        agenda_rows = []
        for item in r.agenda:
            actual = item.actual_minutes
            diff = "—" if actual is None else f"{actual - item.fields.minutes:+d} min"
            agenda_rows.append([item.fields.title, _minutes(item.fields.minutes), _minutes(actual), diff])
        if agenda_rows:
            planned = sum(i.fields.minutes for i in r.agenda)
            timed = [i for i in r.agenda if i.actual_minutes is not None]
            actual = sum(i.actual_minutes or 0 for i in timed)
            # the difference compares like with like: items never timed are left out of it
            over = actual - sum(i.fields.minutes for i in timed)
            total_actual = _minutes(actual if timed else None)
            if timed and len(timed) < len(r.agenda):
                total_actual += f" ({len(timed)} of {len(r.agenda)} items timed)"
            agenda_rows.append(["Total", _minutes(planned), total_actual, f"{over:+d} min" if timed else "—"])
            story.append(
                self.table(
                    ("Item", "Planned", "Actual", "Difference"),
                    agenda_rows,
                    (0.46, 0.14, 0.26, 0.14),
                    right=(1, 2, 3),
                    totals=1,
                )
            )
        else:
            story.append(self.none_recorded())
        return story

    def kv_table(self, rows: list[list[str]]) -> Any:
        from reportlab.platypus import Paragraph, Table, TableStyle

        cut = _MAX_CELL_CHARS
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

    def insights(self) -> list[Any]:
        groups = self.report.by_theme()
        story: list[Any] = [self.heading(KEY_INSIGHTS)]
        if not groups:
            return [*story, self.none_recorded()]
        insights = self.report.of_kind(EntryKind.INSIGHT)
        key_count = sum(e.fields.key for e in insights)
        themed = len([t for t, _ in groups]) - (1 if any(not e.fields.themes for e in insights) else 0)
        without = sum(not e.fields.themes for e in insights)
        unthemed = f" ({without} without a theme, under Other)" if without else ""
        story.append(
            self.para(
                f"{plural(len(insights), 'insight')} under {plural(themed, 'theme')}{unthemed}; "
                f"{plural(key_count, 'key insight')} (listed first under each theme, marked ★). "
                "An insight filed under two themes counts in both.",
                self.s_intro,
            )
        )
        story.append(self.chart(groups))
        for theme, entries in groups:
            ordered = sorted(entries, key=lambda e: (not e.fields.key, e.created_at))
            story.append(self.heading(f"{theme} ({len(entries)})", 1))
            for entry in ordered:
                if entry.fields.key:
                    story.append(self.entry_para(entry, self.s_key, "★ Key insight: "))
                else:
                    story.append(self.entry_para(entry, self.s_entry))
        return story

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
        chart.bars[1].fillColor = self.colors.HexColor(_INK)
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

    def quotes(self) -> list[Any]:
        from reportlab.platypus import Paragraph

        story: list[Any] = [self.heading(QUOTES)]
        quotes = self.report.of_kind(EntryKind.QUOTE)
        for entry in sorted(quotes, key=lambda e: (not e.fields.key, e.created_at)):
            who = self.who(entry) or "Unattributed"
            context = " · ".join(p for p in (self.clock(entry.created_at), entry.agenda_title) if p)
            story.append(
                Paragraph(
                    f'“{self.m(entry.text)}”<br/><font size="9">— {self.m(who)}</font>'
                    f' <font size="8" color="{_MUTED}">{self.m(context)}</font>'
                    + self.small([*self.history(entry), self.flag_text(entry)]),
                    self.s_quote,
                )
            )
        return story if quotes else [*story, self.none_recorded()]

    def notes(self) -> list[Any]:
        """Plain notes, in the order they were taken: every audience gets them (commercial readers
        after the report's redaction)."""
        notes = self.report.of_kind(EntryKind.NOTE)
        body = [self.entry_para(e, self.s_entry) for e in notes]
        return [self.heading(NOTES), *(body or [self.none_recorded()])]

    def flag_review(self) -> list[Any]:
        """Every entry a restricted term flagged, with the decision, who made it and when."""
        flagged = [e for e in self.report.entries if e.flag_terms]
        story: list[Any] = [self.heading(FLAG_REVIEW)]
        if not flagged:
            return [*story, self.none_recorded()]
        rows = [
            [
                f"{e.text}\n{e.kind.label} · {self.clock(e.created_at)}",
                ", ".join(e.flag_terms),
                DECISIONS[e.review_state],
                e.flag_reviewed_by or ("—" if e.needs_review else "Not recorded"),
                self.stamp(e.flag_reviewed_at) if e.flag_reviewed_at else "—",
            ]
            for e in flagged
        ]
        header = ("Entry", "Flagged for", "Decision", "Reviewed by", "Reviewed")
        story.append(self.table(header, rows, (0.38, 0.14, 0.2, 0.13, 0.15)))
        return story

    def questions(self) -> list[Any]:
        questions = self.report.of_kind(EntryKind.QUESTION)
        body = [self.entry_para(e, self.s_entry) for e in questions]
        return [self.heading(QUESTIONS), *(body or [self.none_recorded()])]

    def actions(self) -> list[Any]:
        actions = sorted(
            self.report.of_kind(EntryKind.ACTION),
            key=lambda e: (e.fields.due is None, e.fields.due or dt.date.min, e.created_at),
        )
        if not actions:
            return [self.heading(ACTIONS), self.none_recorded()]
        rows = [
            [
                "\n".join([e.text, *self.history(e), self.flag_text(e)]).strip(),
                e.owner_name or e.fields.owner or "Unassigned",
                _day(e.fields.due) if e.fields.due else "No date",
                e.agenda_title or "",
            ]
            for e in actions
        ]
        return [
            self.heading(ACTIONS),
            self.table(("Action", "Owner", "Due", "Agenda item"), rows, (0.46, 0.18, 0.18, 0.18)),
        ]

    def attendance(self) -> list[Any]:
        def name(a: Attendance) -> str:
            p = a.person.fields
            text = p.display_name or "(no name)"
            text = f"{text}, {p.credentials}" if p.credentials else text
            return f"{text}\n{p.institution}" if p.institution else text

        def yes(flag: bool) -> str:
            return "Yes" if flag else "No"

        people = sorted(
            self.report.attendees,
            key=lambda a: _name_key(a.person),
        )
        start = self.report.event.fields.starts_at
        day = self.local(start).date() if start is not None else None
        rows = [
            [
                name(a),
                a.fields.role.label,
                a.fields.invitation.label,
                checkin_text(a.fields.checked_in_at, day, self.zone) or "No",
                yes(a.fields.contract_signed),
                yes(a.fields.coi_disclosed),
            ]
            for a in people
        ]
        story: list[Any] = [self.heading(ATTENDANCE)]
        if not rows:
            return [*story, self.none_recorded()]
        header = ("Name", "Role", "Invitation", "Checked in", "Contract", "COI disclosed")
        story.append(self.table(header, rows, (0.34, 0.13, 0.14, 0.15, 0.11, 0.13)))
        return story

    def payments(self) -> list[Any]:
        payments = sorted(self.report.payments, key=lambda p: (_name_key(p.person), p.date, p.nature))
        story: list[Any] = [self.heading(PAYMENTS)]
        if not payments:
            return [*story, self.none_recorded()]
        rows = [
            [
                p.person.display_name,
                p.person.fields.npi or "—",
                p.nature,
                f"{p.date:%Y-%m-%d}",
                _money(p.amount),
                p.currency,
            ]
            for p in payments
        ]
        totals: dict[str, Decimal] = {}
        for p in payments:
            totals[p.currency] = totals.get(p.currency, Decimal("0")) + p.amount
        rows += [
            ["Total", "", "", "", _money(amount), currency] for currency, amount in sorted(totals.items())
        ]
        header = ("Recipient", "NPI", "Nature of payment", "Date", "Amount", "Currency")
        story.append(
            self.table(header, rows, (0.26, 0.14, 0.25, 0.12, 0.13, 0.10), right=(4,), totals=len(totals))
        )
        return story

    def appendix(self) -> list[Any]:
        story: list[Any] = [self.heading(APPENDIX)]
        if not self.report.agenda:
            return [*story, self.none_recorded()]
        rows = [
            [
                self.planned_span(item),
                item.fields.title,
                item.fields.kind.label,
                item.presenter_name or "—",
                _minutes(item.fields.minutes),
                _minutes(item.actual_minutes),
            ]
            for item in self.report.agenda
        ]
        header = ("Planned time", "Item", "Kind", "Presenter", "Planned", "Actual")
        story.append(self.table(header, rows, (0.15, 0.33, 0.14, 0.18, 0.1, 0.1), right=(4, 5)))
        return story

    def planned_span(self, item: AgendaItem) -> str:
        if item.starts_at is None or item.ends_at is None:
            return "—"
        return f"{self.local(item.starts_at):%H:%M}–{self.local(item.ends_at):%H:%M}"


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
                self.canv.setStrokeColor(colors.HexColor(_INK))
                self.canv.setLineWidth(0.8)
                self.canv.line(0, -3, self.rule_width, -3)

    return Heading
