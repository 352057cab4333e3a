"""The sections of a meeting's PDF summary, in order, and the cover: what each audience's summary
holds (the document around them is written by summary_pdf.py)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from msldesk.boards.events.days import checkin_text
from msldesk.boards.outputs.pdf_pages import when_text
from msldesk.boards.outputs.summary_blocks import DECISIONS, INK, MUTED, SummaryBlocks
from msldesk.boards.records import (
    AgendaItem,
    Attendance,
    AttendeeRole,
    Audience,
    EntryKind,
    Invitation,
    Person,
)
from msldesk.core import clock
from msldesk.core.text_safety import LIMITS, shorten
from msldesk.core.wording import plural

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
# The audience's rule, one sentence on the cover: what this reader gets and what is left out.
AUDIENCE_RULE = {
    Audience.MEDICAL: "This medical summary shows every entry, plain notes included, with speakers named and "
    "each flagged entry marked with its flag and review decision.",
    Audience.COMPLIANCE: "This compliance summary shows everything the medical one does, plus attendance, "
    "contracts, payments and who reviewed each flagged entry and what they decided.",
    Audience.COMMERCIAL: "This commercial summary names no attendee, only their role, and leaves out flagged "
    "entries; plain notes are included after the same redaction.",
}


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


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _day(day: dt.date) -> str:
    """ "20 March 2026" (English month names whatever the locale)."""
    return clock.long_date(day).split(" ", 1)[1]


def _folded(text: str) -> str:
    """Sort form: case and accents ignored, so "Ågård" sorts under A."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _name_key(person: Person) -> tuple[str, str]:
    p = person.fields
    return (_folded(p.last_name or p.first_name or p.email), _folded(p.first_name))


def _minutes(value: int | None) -> str:
    return "—" if value is None else f"{value} min"


class Summary(SummaryBlocks):
    """The story of one summary: each method returns the flowables of one part."""

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
        canvas.setFillColor(self.colors.HexColor(INK))
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
            rows.append(["Notes", f"Finalized {clock.long_date(finalized)}, {finalized:%H:%M}"])
        else:
            rows.append(["Notes", "Not finalized: this summary may still change"])
        rows.append(["Generated", f"{clock.long_date(generated)}, {generated:%H:%M} {generated.tzname()}"])
        return rows

    def executive_summary(self) -> list[Any]:
        text = self.report.executive_summary.strip()
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        body = [self.para(p.strip(), self.s_body) for p in paragraphs] or [self.none_recorded()]
        return [self.heading(EXECUTIVE_SUMMARY), *body]

    def facts(self) -> list[Any]:
        """What the cover has no room for: objectives, attendance by role, the agenda's timing."""
        f = self.report.event.fields
        story: list[Any] = [self.heading(MEETING_FACTS)]
        rows = [
            [label, value.strip()]
            for label, value in (("Objectives", f.objectives), ("Key questions", f.key_questions))
            if value.strip()
        ]
        if rows:
            story.append(self.kv_table(rows))
        story += [self.heading("Attendance by role", 1), self.roles_table()]
        story += [self.heading("Agenda: planned versus actual", 1), self.timing_table()]
        return story

    def roles_table(self) -> Any:
        """Attendees by role: on the list, accepted, checked in, with a total."""
        attendees = self.report.attendees
        by_role: dict[AttendeeRole, list[Attendance]] = {}
        for a in attendees:
            by_role.setdefault(a.fields.role, []).append(a)

        def counts(label: str, people: Sequence[Attendance]) -> list[str]:
            return [
                label,
                str(len(people)),
                str(sum(a.fields.invitation == Invitation.ACCEPTED for a in people)),
                str(sum(a.fields.checked_in_at is not None for a in people)),
            ]

        role_rows = [counts(role.label, people) for role in AttendeeRole if (people := by_role.get(role))]
        if not role_rows:
            return self.none_recorded()
        role_rows.append(counts("Total", attendees))
        header = ("Role", "On the list", "Accepted", "Checked in")
        return self.table(header, role_rows, (0.4, 0.2, 0.2, 0.2), right=(1, 2, 3), totals=1)

    def timing_table(self) -> Any:
        """Each agenda item's planned and actual minutes and the difference, with a total."""
        agenda = self.report.agenda
        agenda_rows = []
        for item in agenda:
            actual = item.actual_minutes
            diff = "—" if actual is None else f"{actual - item.fields.minutes:+d} min"
            agenda_rows.append([item.fields.title, _minutes(item.fields.minutes), _minutes(actual), diff])
        if not agenda_rows:
            return self.none_recorded()
        planned = sum(i.fields.minutes for i in agenda)
        timed = [i for i in agenda if i.actual_minutes is not None]
        total = sum(i.actual_minutes or 0 for i in timed)
        # the difference compares like with like: items never timed are left out of it
        total_diff = total - sum(i.fields.minutes for i in timed)
        total_actual = _minutes(total if timed else None)
        if timed and len(timed) < len(agenda):
            total_actual += f" ({len(timed)} of {len(agenda)} items timed)"
        agenda_rows.append(
            ["Total", _minutes(planned), total_actual, f"{total_diff:+d} min" if timed else "—"]
        )
        header = ("Item", "Planned", "Actual", "Difference")
        return self.table(header, agenda_rows, (0.46, 0.14, 0.26, 0.14), right=(1, 2, 3), totals=1)

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
                    f' <font size="8" color="{MUTED}">{self.m(context)}</font>'
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
