"""Summary PDF figures: writing the insight summary of a meeting with 500 entries.

Target (issue 5): <= 2 s. Measured for the compliance audience (the longest: it adds attendance and
payments) and the commercial one (the audience cut runs too), each:
  cold  - the first summary in a fresh process: importing reportlab and the summary module,
          registering the bundled font, building and writing the PDF (one process per run); its
          CPU time too, which other work on a busy machine does not inflate;
  warm  - further summaries in a process that has written one already.
Baseline in the same run: reportlab writing the same 500 texts as plain Paragraphs in Helvetica
(no sections, tables, chart, bookmarks or embedded font) - the floor any reportlab summary pays.

The meeting is synthetic but shaped like a full advisory board: 40 % insights, 25 % notes, 10 %
quotes, 10 % questions, 15 % actions; 12 themes; ~5 % long entries (1-3 kB), ~6 % in Japanese,
Chinese, Korean, Greek or Russian, a few flagged; 14 attendees, 10 agenda items, payments.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import (
    child_args,
    emit,
    header,
    median,
    parser,
    progress,
    run_child,
    runs_text,
    temp_dir,
    verdict,
)

TARGET_S = 2.0
SEED = 20261201
ZONE = ZoneInfo("Europe/Berlin")
START = dt.datetime(2026, 3, 12, 9, 0, tzinfo=ZONE)
THEMES = ["Treatment sequencing", "Diagnostics", "Access and reimbursement", "Safety", "Dosing",
          "Patient adherence", "Guidelines", "Real-world evidence", "Biomarkers", "Combination therapy",
          "Unmet need", "Trial design"]  # fmt: skip
SENTENCES = [
    "Sequencing after progression on immunotherapy remains the main open question for the panel.",
    "Biomarker testing turnaround is about three weeks in most community centres.",
    "Two advisors would restrict use to patients with good performance status.",
    "Reimbursement in the outpatient setting is the practical barrier, not efficacy.",
    "The panel asked for subgroup data in patients over 75 and with brain metastases.",
    "Dose reductions were common in the expanded access programme; the guidance is unclear.",
    "Community oncologists rely on the tumour board for anything beyond first line.",
    "Real-world discontinuation rates look higher than in the pivotal trial (x < 30 % & rising).",
]
WORLD = [
    "日本語のメモ: 二次治療の選択肢について議論した。", "中文笔记: 专家认为生物标志物检测太慢。",
    "한국어 메모: 보험 급여가 가장 큰 장벽이다.", "Ελληνικά: η ομάδα ζήτησε δεδομένα υποομάδων.",
    "Русский: эксперты обсудили последовательность терапии.",
]  # fmt: skip
FIRST = ["Anna", "Łukasz", "María", "Hans", "Søren", "Wei", "Olivia", "Pierre", "Yuki", "Amara", "Jonas",
         "Elena", "Tomás", "Priya"]  # fmt: skip
LAST = ["Schmidt", "Kowalski", "García", "Müller", "Ågård", "Chen", "Obermann", "Dupont", "Tanaka",
        "Okafor", "Berg", "Rossi", "Silva", "Nair"]  # fmt: skip


def make_report(entries: int, seed: int = SEED):  # type: ignore[no-untyped-def]
    from msldesk.boards.records import (
        AgendaItem,
        AgendaItemFields,
        AgendaKind,
        Attendance,
        AttendanceFields,
        AttendeeRole,
        Audience,
        EntryFields,
        EntryKind,
        Event,
        EventFields,
        EventKind,
        Invitation,
        MeetingReport,
        NoteEntry,
        Payment,
        Person,
        PersonFields,
    )

    rng = random.Random(seed)
    created = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    event = Event(7, EventFields(
        kind=EventKind.ADVISORY_BOARD, title="2L NSCLC Advisory Board — Berlin", timezone="Europe/Berlin",
        objectives="Understand treatment sequencing and access barriers in 2L NSCLC.",
        starts_at=START, ends_at=START + dt.timedelta(hours=8), venue="Hotel Adlon, Berlin",
        therapeutic_area="Oncology", product="Examplinib",
    ))  # fmt: skip
    roles = [AttendeeRole.CHAIR, AttendeeRole.MODERATOR] + [AttendeeRole.ADVISOR] * 9 + [
        AttendeeRole.FACULTY, AttendeeRole.INTERNAL, AttendeeRole.INTERNAL]  # fmt: skip
    attendees = []
    for i, role in enumerate(roles):
        person = Person(i + 1, PersonFields(first_name=FIRST[i], last_name=LAST[i], credentials="MD",
                                            institution=f"University Hospital {i + 1}",
                                            npi=f"12345678{i:02d}"), created, created)  # fmt: skip
        checked = START - dt.timedelta(minutes=10) if rng.random() < 0.85 else None
        attendees.append(Attendance(i + 1, 7, person, AttendanceFields(
            role=role, invitation=Invitation.ACCEPTED, contract_signed=rng.random() < 0.9,
            coi_disclosed=rng.random() < 0.8, honorarium_amount=Decimal("1500"), currency="EUR",
            checked_in_at=checked)))  # fmt: skip
    agenda, cursor = [], START
    for i in range(10):
        minutes = rng.choice([15, 30, 45, 60])
        end = cursor + dt.timedelta(minutes=minutes)
        fields = AgendaItemFields(f"Session {i + 1}: {rng.choice(THEMES)}", minutes,
                                  rng.choice(list(AgendaKind)), presenter_id=rng.randint(1, 12))  # fmt: skip
        actual = minutes + rng.randint(-5, 12)
        agenda.append(AgendaItem(i + 1, 7, i, fields, attendees[fields.presenter_id - 1].person.display_name,
                                 cursor, end, actual_start=cursor,
                                 actual_end=cursor + dt.timedelta(minutes=actual)))  # fmt: skip
        cursor = end
    kinds = [EntryKind.INSIGHT] * 40 + [EntryKind.NOTE] * 25 + [EntryKind.QUOTE] * 10 + [
        EntryKind.QUESTION] * 10 + [EntryKind.ACTION] * 15  # fmt: skip
    notes = []
    for i in range(entries):
        kind = rng.choice(kinds)
        insight, action = kind is EntryKind.INSIGHT, kind is EntryKind.ACTION
        roll = rng.random()
        if roll < 0.05:
            text = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(12, 30)))
        elif roll < 0.11:
            text = rng.choice(WORLD)
        else:
            text = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 3)))
        speaker = rng.choice(attendees[:12]) if kind is not EntryKind.ACTION else None
        item = agenda[min(9, i * 10 // entries)]
        fields = EntryFields(
            text=text, kind=kind, agenda_item_id=item.item_id,
            speaker_id=speaker.person.person_id if speaker else None,
            themes=tuple(rng.sample(THEMES, rng.choice([0, 1, 1, 1, 2]))) if insight else (),
            owner="MSL team" if action else "",
            due=dt.date(2026, 4, rng.randint(1, 30)) if action and rng.random() < 0.7 else None,
            key=insight and rng.random() < 0.15,
        )  # fmt: skip
        notes.append(NoteEntry(
            i + 1, 7, fields, (START + dt.timedelta(seconds=55 * i)).astimezone(dt.UTC),
            speaker_name=speaker.person.display_name if speaker else "",
            speaker_role=speaker.fields.role.value if speaker else "",
            owner_name=fields.owner, agenda_title=item.fields.title,
            flag_terms=("off-label",) if rng.random() < 0.02 else (),
        ))  # fmt: skip
    payments = tuple(
        Payment(7, event.title, START.date(), a.person, nature, Decimal(amount), "EUR")
        for a in attendees[:12]
        for nature, amount in (("Consulting Fee", "1500.00"), ("Travel and Lodging", "412.35"))
    )
    return MeetingReport(
        event=event, audience=Audience.MEDICAL, agenda=tuple(agenda), attendees=tuple(attendees),
        entries=tuple(notes), themes=tuple(THEMES),
        executive_summary="\n\n".join(" ".join(rng.sample(SENTENCES, 4)) for _ in range(3)),
        finalized_at=START + dt.timedelta(hours=9), generated_at=START + dt.timedelta(hours=10),
        payments=payments,
    )  # fmt: skip


def cut(report, audience: str):  # type: ignore[no-untyped-def]
    from msldesk.boards.meeting.audience import cut_for_audience
    from msldesk.boards.records import Audience

    return cut_for_audience(report, Audience(audience))


def child_cold(args: dict) -> None:
    """One fresh process: everything the first summary of a session pays."""
    report = make_report(args["entries"])
    out = Path(args["out"])
    start, cpu_start = time.perf_counter(), time.process_time()
    from msldesk.boards.outputs import pdf_fonts, summary_pdf

    imported = time.perf_counter()
    pdf_fonts.text_fonts()
    registered = time.perf_counter()
    summary_pdf.write_summary_pdf(cut(report, args["audience"]), out)
    done = time.perf_counter()
    emit({"total": done - start, "import": imported - start, "fonts": registered - imported,
          "write": done - registered, "cpu": time.process_time() - cpu_start})  # fmt: skip


def child_warm(args: dict) -> None:
    from msldesk.boards.outputs import summary_pdf

    report = make_report(args["entries"])
    out = Path(args["out"])
    summary_pdf.write_summary_pdf(cut(report, args["audience"]), out)  # the cold one, not counted
    warm, cuts = [], []
    for _ in range(args["runs"]):
        start = time.perf_counter()
        audience_report = cut(report, args["audience"])
        cut_done = time.perf_counter()
        summary_pdf.write_summary_pdf(audience_report, out)
        warm.append(time.perf_counter() - start)
        cuts.append(cut_done - start)
    from subprocess import run

    pages = run(["pdfinfo", str(out)], capture_output=True, text=True, check=False).stdout
    page_count = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
    emit({"warm": warm, "cut": cuts, "pages": page_count, "bytes": out.stat().st_size})


def child_baseline(args: dict) -> None:
    """reportlab alone: the same texts as Helvetica Paragraphs, one after another."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    report = make_report(args["entries"])
    style = getSampleStyleSheet()["BodyText"]
    times = []
    for _ in range(args["runs"]):
        start = time.perf_counter()
        story = [Paragraph(escape(e.text), style) for e in report.entries]
        SimpleDocTemplate(str(args["out"]), pagesize=A4).build(story)
        times.append(time.perf_counter() - start)
    emit({"times": times})


def main() -> None:
    p = parser(__doc__.splitlines()[0], runs=5)
    p.add_argument("--entries", type=int, default=500)
    args = p.parse_args()
    if args.child:
        {"cold": child_cold, "warm": child_warm, "baseline": child_baseline}[args.child](child_args(args))
        return
    header(f"Summary PDF of a meeting with {args.entries} entries", runs=args.runs)
    scratch = temp_dir("summary")
    try:
        base = run_child(
            __file__, "baseline", entries=args.entries, runs=args.runs, out=str(scratch / "b.pdf")
        )
        print(f"  baseline, reportlab Helvetica paragraphs (warm): median {median(base['times']):.3f} s"
              f"  (runs {runs_text(base['times'])})")  # fmt: skip
        worst = 0.0
        for audience in ("compliance", "commercial"):
            out = str(scratch / f"{audience}.pdf")
            cold = []
            for run in range(args.runs):
                progress(f"{audience}: cold run {run + 1} of {args.runs}")
                cold.append(run_child(__file__, "cold", entries=args.entries, audience=audience, out=out))
            progress(f"{audience}: warm runs")
            warm = run_child(
                __file__, "warm", entries=args.entries, audience=audience, out=out, runs=args.runs
            )
            totals = [c["total"] for c in cold]
            print(f"  {audience} audience: {warm['pages']} pages, {warm['bytes'] / 1e3:.0f} kB")
            print(f"    cold (fresh process) median {median(totals):.3f} s  (runs {runs_text(totals)});"
                  f" of which import {median([c['import'] for c in cold]):.3f} s,"
                  f" font registration {median([c['fonts'] for c in cold]):.3f} s,"
                  f" writing {median([c['write'] for c in cold]):.3f} s;"
                  f" CPU time {median([c['cpu'] for c in cold]):.3f} s")  # fmt: skip
            print(f"    warm median {median(warm['warm']):.3f} s  (runs {runs_text(warm['warm'])});"
                  f" audience cut {median(warm['cut']) * 1000:.1f} ms of it")  # fmt: skip
            worst = max(worst, median(totals), median(warm["warm"]))
        print(f"  slowest median {worst:.3f} s, {worst / median(base['times']):.1f}x the baseline"
              f"  (target <= {TARGET_S:.0f} s: {verdict(worst <= TARGET_S)})")  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
