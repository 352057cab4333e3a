"""Building decks from library slides: compliance, companions, bill of materials, collections, CLI."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pptx import Presentation

from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.decks.assembly import ComplianceError
from msldesk.decks.collections import CollectionExistsError
from msldesk.decks.ooxml.package import read_deck
from msldesk.decks.ooxml.validate import validate_package
from msldesk.decks.records import DeckUpdate
from tests import library_db

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def library(app, deck_factory):  # type: ignore[no-untyped-def]
    """Three decks: approved (4 slides), expired (2), withdrawn (2)."""
    paths = {
        "approved": deck_factory.pptx(
            "approved.pptx", [(f"Efficacy {n}", f"Body {n}", f"Notes {n}") for n in range(1, 5)]
        ),
        "expired": deck_factory.pptx(
            "expired.pptx", [("Old data", "Old body", ""), ("Old safety", "Old fair balance", "")]
        ),
        "withdrawn": deck_factory.pptx(
            "withdrawn.pptx", [("Pulled", "Pulled body", ""), ("Pulled 2", "b", "")]
        ),
    }
    decks = {}
    for name, path in paths.items():
        outcome = next(iter(app.decks.import_paths([path])))
        decks[name] = outcome.deck_id
    app.decks.update_deck(
        decks["approved"],
        DeckUpdate(
            approval_code="MED-1",
            approved_on=TODAY - dt.timedelta(days=10),
            expires_on=TODAY + dt.timedelta(days=300),
        ),
    )
    app.decks.update_deck(
        decks["expired"],
        DeckUpdate(
            approval_code="MED-2",
            approved_on=TODAY - dt.timedelta(days=400),
            expires_on=TODAY - dt.timedelta(days=1),
        ),
    )
    app.decks.update_deck(
        decks["withdrawn"],
        DeckUpdate(approval_code="MED-3", approved_on=TODAY - dt.timedelta(days=20), withdrawn=True),
    )
    slides = {name: [s.slide_id for s in app.decks.list_slides(deck_id)] for name, deck_id in decks.items()}
    return decks, slides


def _titles(path: Path) -> list[str]:
    return [s.title for s in read_deck(path).slides]


def test_deck_is_built_with_bill_of_materials(app, library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, slides = library
    picks = [slides["approved"][2], slides["approved"][0]]
    result = app.assembly.compose(picks, tmp_path / "out" / "briefing.pptx", title="Briefing")
    assert validate_package(result.path).ok
    titles = _titles(result.path)
    assert titles[:2] == ["Efficacy 3", "Efficacy 1"]
    assert titles[2].startswith("Bill of materials")
    with result.bill_of_materials.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["slide_title"] for r in rows] == ["Efficacy 3", "Efficacy 1"]
    assert {r["approval_code"] for r in rows} == {"MED-1"}
    assert rows[0]["version"] == "1"
    assert rows[0]["slide_number"] == "3"
    assert rows[0]["status"] == "approved"
    without = app.assembly.compose(picks, tmp_path / "plain.pptx", bill_of_materials_slide=False)
    assert len(Presentation(str(without.path)).slides) == 2


def test_expired_and_withdrawn_need_a_recorded_reason(app, library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, slides = library
    picks = [slides["approved"][0], slides["expired"][0], slides["withdrawn"][1]]
    out = tmp_path / "refused.pptx"
    with pytest.raises(ComplianceError) as refused:
        app.assembly.compose(picks, out)
    message = refused.value.user_message
    assert "2 slides come from expired" in message
    assert "reason" in message
    assert not out.exists()
    reasons = {
        slides["expired"][0]: "KOL asked for historic data",
        slides["withdrawn"][1]: "Legal approved one-off",
    }
    result = app.assembly.compose(picks, out, overrides=reasons)
    with result.bill_of_materials.open(encoding="utf-8-sig") as handle:
        rows = {r["slide_id"]: r for r in csv.DictReader(handle)}
    assert rows[str(slides["expired"][0])]["override_reason"] == "KOL asked for historic data"
    assert rows[str(slides["withdrawn"][1])]["status"] == "withdrawn"
    assert any("used anyway" in w for w in result.warnings)

    with library_db.connect(app.paths.database) as db:
        recorded = db.execute(
            "SELECT override_reason FROM assembly_items WHERE override_reason != ''"
        ).fetchall()
    assert sorted(r[0] for r in recorded) == sorted(reasons.values())


def test_companion_slides_follow_their_slide(app, library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    decks, slides = library
    app.assembly.set_companions(decks["approved"], 2, [4])
    plan = app.assembly.plan([slides["approved"][1], slides["approved"][0]])
    assert [i.number for i in plan.items] == [2, 4, 1]
    assert plan.items[1].companion_of == slides["approved"][1]
    # Placed right after by the user already: not repeated.
    plan = app.assembly.plan([slides["approved"][1], slides["approved"][3]])
    assert [i.number for i in plan.items] == [2, 4]
    result = app.assembly.compose([slides["approved"][1]], tmp_path / "c.pptx", bill_of_materials_slide=False)
    assert _titles(result.path) == ["Efficacy 2", "Efficacy 4"]
    with pytest.raises(InvalidInputError):
        app.assembly.set_companions(decks["approved"], 2, [2])


def test_collections_round_trip(app, library) -> None:  # type: ignore[no-untyped-def]
    _, slides = library
    app.assembly.save_collection("  March   board ", [slides["approved"][3], slides["approved"][1]])
    assert [c.name for c in app.assembly.collections()] == ["March board"]
    assert app.assembly.collection("March board").slide_ids == (slides["approved"][3], slides["approved"][1])
    with pytest.raises(CollectionExistsError, match=r"already a collection named “March board” .2 slides."):
        app.assembly.save_collection("March board", [slides["approved"][0]])
    assert app.assembly.collection("March board").slide_ids == (slides["approved"][3], slides["approved"][1])
    app.assembly.save_collection("March board", [slides["approved"][0]], replace=True)
    assert app.assembly.collection("March board").slide_ids == (slides["approved"][0],)
    with pytest.raises(NotFoundError):
        app.assembly.save_collection("Bad", [999_999])
    app.assembly.delete_collection("March board")
    with pytest.raises(NotFoundError):
        app.assembly.collection("March board")


def test_bad_requests_are_refused_clearly(app, library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, slides = library
    with pytest.raises(InvalidInputError):
        app.assembly.compose([], tmp_path / "empty.pptx")
    with pytest.raises(InvalidInputError):
        app.assembly.compose([slides["approved"][0]], tmp_path / "deck.pdf")
    with pytest.raises(NotFoundError):
        app.assembly.compose([424242], tmp_path / "x.pptx")


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "msldesk", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_compose_and_collections(app, library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, slides = library
    data_dir = app.paths.root
    app.close()
    ids = [str(slides["approved"][0]), str(slides["approved"][2])]
    saved = _cli(data_dir, "collection", "save", "Board", *ids)
    assert saved.returncode == 0, saved.stderr
    listed = _cli(data_dir, "collections", "--json")
    assert json.loads(listed.stdout) == [
        {
            "name": "Board",
            "slide_ids": [int(i) for i in ids],
            "updated_at": json.loads(listed.stdout)[0]["updated_at"],
            "note": "",
        }
    ]
    out = tmp_path / "cli.pptx"
    made = _cli(data_dir, "compose", "--out", str(out), "--collection", "Board", "--json")
    assert made.returncode == 0, made.stderr
    report = json.loads(made.stdout)
    assert report["slides"] == 3
    assert Path(report["bill_of_materials"]).exists()
    assert validate_package(out).ok
    refused = _cli(data_dir, "compose", "--out", str(tmp_path / "r.pptx"), str(slides["expired"][0]))
    assert refused.returncode == 2
    assert "reason" in refused.stderr
    allowed = _cli(
        data_dir,
        "compose",
        "--out",
        str(tmp_path / "r.pptx"),
        str(slides["expired"][0]),
        "--override",
        f"{slides['expired'][0]}=Historic context",
    )
    assert allowed.returncode == 0, allowed.stderr
    bad = _cli(data_dir, "compose", "--out", str(tmp_path / "b.pptx"), "--override", "nonsense", ids[0])
    assert bad.returncode == 2
    assert "SLIDE_ID=REASON" in bad.stderr


def test_generated_briefing_slides_lead_the_deck(app, library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from msldesk.decks.slide_specs import AgendaEntry, AgendaSlide, TitleSlide

    _, slides = library
    agenda = AgendaSlide("Agenda", tuple(AgendaEntry(f"{9 + n}:00", f"Session {n}") for n in range(1, 25)))
    result = app.assembly.compose(
        [slides["approved"][0]],
        tmp_path / "brief.pptx",
        leading=[TitleSlide("Advisory board", "March 2027"), agenda],
    )
    titles = _titles(result.path)
    assert titles[0] == "Advisory board"
    assert titles[1] == "Agenda"
    assert any(t.startswith("Agenda (continued)") for t in titles[2:-2])
    assert titles[-2] == "Efficacy 1"
    assert titles[-1].startswith("Bill of materials")
    assert validate_package(result.path).ok
    with result.bill_of_materials.open(encoding="utf-8-sig") as handle:
        assert len(list(csv.DictReader(handle))) == 1  # generated slides are not library content


def test_every_slide_fits_a_deck_of_mixed_sizes(app, library, deck_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Library decks are 4:3 (python-pptx's default); a 16:9 one joins them. In the deck builder's deck
    (4:3, its first slide's) the wide slide is scaled down and the bill of materials is laid out for
    4:3 with every column; behind a generated cover (16:9) the 4:3 slides are centred."""
    from tests.slide_frames import frames, outside, slide_size

    wide_path = deck_factory.pptx("wide.pptx", [("Wide results", "Wide body", "")])
    presentation = Presentation(str(wide_path))
    presentation.slide_width, presentation.slide_height = 12192000, 6858000
    presentation.save(str(wide_path))
    wide = next(iter(app.decks.import_paths([wide_path]))).deck_id
    app.decks.update_deck(
        wide,
        DeckUpdate(
            approval_code="MED-WIDE-2026-000123", approved_on=TODAY, expires_on=TODAY + dt.timedelta(days=90)
        ),
    )
    _, slides = library
    picks = [slides["approved"][0], app.decks.list_slides(wide)[0].slide_id, slides["approved"][1]]

    built = app.assembly.compose(picks, tmp_path / "builder.pptx", title="Builder")
    assert slide_size(built.path) == (9144000, 6858000)
    assert outside(built.path) == []
    assert any("scaled to 75% and centred" in w for w in built.warnings), built.warnings
    bom = Presentation(str(built.path)).slides[3]
    table = next(shape for shape in bom.shapes if shape.has_table).table
    assert [table.cell(0, c).text for c in range(len(table.columns))][-2:] == ["Approval code", "Expires"]
    assert "MED-WIDE-2026-000123" in {table.cell(r, 4).text for r in range(len(table.rows))}

    from msldesk.decks.slide_specs import TitleSlide

    briefing = app.assembly.compose(picks, tmp_path / "briefing.pptx", leading=[TitleSlide("Advisory board")])
    assert slide_size(briefing.path) == (12192000, 6858000)
    assert outside(briefing.path) == []
    pages = frames(briefing.path)
    for page in (pages[1], pages[3]):  # the 4:3 slides sit in the middle of the 16:9 page
        left, right = min(f.left for f in page), max(f.right for f in page)
        assert abs(left - (12192000 - right)) <= 2, page
        assert left >= (12192000 - 9144000) // 2, page
