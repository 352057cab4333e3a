"""Demo content for a first run: small, clearly fictional decks generated with python-pptx."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from msldesk.decks.records import DeckUpdate

if TYPE_CHECKING:
    from msldesk.decks.service import DeckService

DEMO_TAG = "demo"
NOTICE = "Demo content: fictional product and data, for trying msldesk only."

# A slide is (title, bullets, notes, extra) where extra is None, "table" or "chart".
DemoSlide = tuple[str, list[str], str, str | None]


@dataclass(frozen=True)
class DemoDeck:
    stem: str
    title: str
    code: str
    approved_days: int  # relative to today
    expires_days: int
    area: str
    product: str
    audience: str
    tags: tuple[str, ...]
    slides: list[DemoSlide]


DEMO_DECKS = [
    DemoDeck(
        "demoximab-phase3-efficacy",
        "Demoximab in moderate-to-severe plaque psoriasis: Phase III efficacy (DEMO)",
        "DEMO-MED-0001",
        -60,
        300,
        "Dermatology",
        "Demoximab",
        "Dermatologists",
        ("efficacy", "phase 3"),
        [
            (
                "Demoximab Phase III programme: efficacy overview",
                [NOTICE],
                "Open with the unmet need; keep to two minutes.",
                None,
            ),
            (
                "Study design: DEMO-1 and DEMO-2",
                [
                    "Randomised, double-blind, placebo-controlled",
                    "52 weeks, 1,240 adults",
                    "Primary endpoints: PASI 90 and sPGA 0/1 at week 16",
                ],
                "Both studies had identical designs; pooled analyses are post hoc.",
                None,
            ),
            ("Primary endpoint results at week 16", [], "Emphasise the absolute differences.", "table"),
            ("PASI 90 response over time", [], "Response was maintained through week 52.", "chart"),
            (
                "Key takeaways",
                ["Rapid onset from week 4", "Durable response to week 52", "Consistent across subgroups"],
                "Invite questions on subgroup data.",
                None,
            ),
        ],
    ),
    DemoDeck(
        "demoximab-safety",
        "Demoximab safety and tolerability update (DEMO)",
        "DEMO-MED-0002",
        -340,
        20,
        "Dermatology",
        "Demoximab",
        "HCPs",
        ("safety",),
        [
            ("Safety and tolerability: integrated analysis", [NOTICE], "", None),
            (
                "Adverse events of special interest",
                [
                    "Serious infections: 1.1 per 100 patient-years",
                    "No new safety signals through 3 years",
                    "Injection-site reactions mostly mild",
                ],
                "Refer detailed questions to pharmacovigilance.",
                None,
            ),
            ("Fair balance", ["See full prescribing information (fictional)."], "", None),
        ],
    ),
    DemoDeck(
        "psoriasis-disease-state-2024",
        "Psoriasis disease-state overview 2024 (DEMO)",
        "DEMO-MED-0003",
        -700,
        -5,
        "Dermatology",
        "",
        "HCPs",
        ("disease state",),
        [
            (
                "Psoriasis: burden of disease",
                [NOTICE, "Affects 2–3% of adults worldwide"],
                "This deck has expired and is kept for reference only.",
                None,
            ),
            (
                "乾癬の疾病負担 (Japanese summary)",
                ["世界の成人の2〜3%が罹患", "生活の質への影響が大きい"],
                "日本語の講演者ノート。",
                None,
            ),
        ],
    ),
]


def build_demo_deck(path: Path, title: str, slides: list[DemoSlide]) -> None:
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    prs = Presentation()
    prs.core_properties.title = title
    for index, (slide_title, bullets, notes, extra) in enumerate(slides):
        layout = prs.slide_layouts[0 if index == 0 else 5 if extra else 1]
        slide = prs.slides.add_slide(layout)
        slide.shapes.title.text = slide_title
        if index == 0:
            slide.placeholders[1].text = "\n".join(bullets)
        elif bullets and not extra:
            body = slide.placeholders[1].text_frame
            body.text = bullets[0]
            for bullet in bullets[1:]:
                body.add_paragraph().text = bullet
        if extra == "table":
            rows = [("Endpoint", "Demoximab", "Placebo"), ("PASI 90", "71%", "3%"), ("sPGA 0/1", "83%", "5%")]
            table = slide.shapes.add_table(3, 3, Inches(1), Inches(2), Inches(8), Inches(2)).table
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
        elif extra == "chart":
            data = CategoryChartData()
            data.categories = ["Week 4", "Week 16", "Week 32", "Week 52"]
            data.add_series("Demoximab", (0.22, 0.71, 0.74, 0.73))
            data.add_series("Placebo", (0.01, 0.03, 0.03, 0.04))
            slide.shapes.add_chart(
                XL_CHART_TYPE.LINE_MARKERS, Inches(1), Inches(1.8), Inches(8), Inches(5), data
            )
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    prs.save(str(path))


def seed_demo_library(service: DeckService, work_dir: Path) -> int:
    """Generate the demo decks, import them and set their approval data. Returns decks added."""
    today = service.today
    added = 0
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        for deck in DEMO_DECKS:
            path = Path(tmp) / f"{deck.stem}.pptx"
            build_demo_deck(path, deck.title, deck.slides)
            for outcome in service.import_paths([path]):
                if outcome.deck_id is None or outcome.status == "failed":
                    continue
                added += 1
                service.update_deck(
                    outcome.deck_id,
                    DeckUpdate(
                        approval_code=deck.code,
                        approved_on=today + dt.timedelta(days=deck.approved_days),
                        expires_on=today + dt.timedelta(days=deck.expires_days),
                        therapeutic_area=deck.area,
                        product=deck.product,
                        audience=deck.audience,
                        tags=(DEMO_TAG, *deck.tags),
                    ),
                )
    return added
