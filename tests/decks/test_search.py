"""Full-text search over the real corpus and over small decks built for each rule."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from msldesk.decks.records import DeckStatus, DeckUpdate, SearchFilters
from tests.corpus import CJK_CHAR, CJK_RUN

TODAY = dt.date(2026, 11, 22)
DAY = dt.timedelta(days=1)
WORD = re.compile(r"[^\W\d_]{3,}")
TOKEN = re.compile(r"[^\W_]+")


def _phrase(text: str) -> str | None:
    """Three consecutive plain words from the middle of `text`, or None."""
    tokens = TOKEN.findall(text)
    windows = [
        tokens[i : i + 3]
        for i in range(len(tokens) - 2)
        if all(WORD.fullmatch(t) and not CJK_CHAR.search(t) for t in tokens[i : i + 3])
    ]
    if not windows:
        return None
    return " ".join(windows[len(windows) // 2])


def _where(hits) -> set[tuple[int, int]]:  # type: ignore[no-untyped-def]
    return {(h.deck_id, h.number) for h in hits}


# ---- the corpus -----------------------------------------------------------------------------------


@pytest.mark.corpus
def test_finds_corpus_slides_by_phrases_from_their_text(corpus_library, pptx_reference) -> None:
    """For each deck python-pptx can read, phrases it sees on a slide (body and notes) find that slide."""
    decks = corpus_library.app.decks
    searched, missed = 0, []
    for name, reference in sorted(pptx_reference.items()):
        if not reference:
            continue
        deck_id = corpus_library.outcomes[name].deck_id
        picked = {}
        for number, slide in enumerate(reference, start=1):
            # A phrase never spans two paragraphs: their text is not adjacent in the index.
            for source, lines in (("text", slide.lines), ("notes", slide.notes.splitlines())):
                phrase = next((p for p in map(_phrase, lines) if p), None)
                if phrase and source not in picked:
                    picked[source] = (number, phrase)
        for source, (number, phrase) in picked.items():
            searched += 1
            hits = decks.search(f'"{phrase}"', limit=1000)
            if (deck_id, number) not in _where(hits):
                missed.append(f"{name} #{number} {source}: {phrase!r}")
    assert missed == []
    assert searched >= 100


@pytest.mark.corpus
def test_finds_cjk_substrings_from_the_middle_of_sentences(corpus_library, pptx_reference) -> None:
    decks = corpus_library.app.decks
    searched, missed, decks_with_cjk = 0, [], set()
    for name, reference in sorted(pptx_reference.items()):
        deck_id = corpus_library.outcomes[name].deck_id
        for number, slide in enumerate(reference or [], start=1):
            runs = CJK_RUN.findall(" ".join([slide.title or "", *slide.lines, slide.notes]))
            if not runs:
                continue
            decks_with_cjk.add(name)
            run = max(runs, key=len)
            middle = len(run) // 2
            for query in (run[middle - 1 : middle + 1], run[middle - 1 : middle + 2]):
                searched += 1
                hits = [
                    h for h in decks.search(query, limit=1000) if (h.deck_id, h.number) == (deck_id, number)
                ]
                if not hits:
                    missed.append(f"{name} #{number}: {query!r} from {run!r}")
                    continue
                # FTS5 fits a 16-token window, one token per CJK character, and may cut the match
                # short at the window's end: at least its first character must be shown in bold.
                bold = "".join(re.findall("<b>(.*?)</b>", hits[0].snippet))
                if not bold.startswith(query[0]) or not set(bold) <= set(query):
                    missed.append(f"{name} #{number}: snippet {hits[0].snippet!r} for {query!r}")
    assert missed == []
    assert len(decks_with_cjk) >= 5
    assert searched >= 100
    assert any(re.search("[\u3040-\u30ff]", run) for run in _all_cjk_runs(pptx_reference))  # Japanese too


def _all_cjk_runs(pptx_reference) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        run
        for reference in pptx_reference.values()
        for slide in reference or []
        for run in CJK_RUN.findall(" ".join(slide.lines))
    ]


# ---- rules, on decks built for them -----------------------------------------------------------------


@pytest.fixture
def library(app, deck_factory):  # type: ignore[no-untyped-def]
    def add(name: str, slides, **update):  # type: ignore[no-untyped-def]
        # A neutral deck title of its own: the title is indexed with every slide of the deck.
        path = deck_factory.pptx(name, slides, title=name.partition(".")[0])
        (outcome,) = app.decks.import_paths([path])
        assert outcome.status == "imported", outcome.message
        if update:
            app.decks.update_deck(outcome.deck_id, DeckUpdate(**update))
        return outcome.deck_id

    return add


def test_prefix_case_and_accent_insensitive(app, library) -> None:
    deck = library(
        "a.pptx",
        [
            ("Clinical Efficacy", "Response rates by subgroup", ""),
            ("Investigator Résumé", "Naïve patients & their caregivers", ""),
            ("Background", "Resume therapy after the break", ""),
        ],
    )
    assert _where(app.decks.search("effic")) == {(deck, 1)}
    assert _where(app.decks.search("EFFICACY")) == {(deck, 1)}
    assert _where(app.decks.search("resume")) == {(deck, 2), (deck, 3)}
    assert _where(app.decks.search("résumé")) == {(deck, 2), (deck, 3)}
    assert _where(app.decks.search("naive")) == {(deck, 2)}
    assert _where(app.decks.search("subgr respon")) == {(deck, 1)}  # every word, any order
    assert app.decks.search("efficacy nonexistentword") == []
    assert app.decks.search('"rates response"') == []  # a quoted phrase keeps its order
    assert app.decks.search("") == []
    assert app.decks.search('" * ( -') == []


def test_snippets_are_escaped_and_highlighted(app, library) -> None:
    library("a.pptx", [("Dosing", "Dose < 10 mg & efficacy > placebo in adults", "")])
    (hit,) = app.decks.search("effic")
    assert "<b>efficacy</b>" in hit.snippet
    plain = hit.snippet.replace("<b>", "").replace("</b>", "")
    assert "&lt; 10 mg &amp; efficacy &gt; placebo" in plain
    assert "<" not in plain
    assert ">" not in plain


def test_title_match_ranks_above_notes_only_match(app, library) -> None:
    notes_deck = library(
        "notes.pptx",
        [
            ("Cardiology update", "Heart failure outcomes", ""),
            ("Agenda", "Housekeeping", "Mention zorblatinib"),
        ],
    )
    title_deck = library(
        "title.pptx", [("Background", "Epidemiology", ""), ("Zorblatinib dosing", "Weight-based", "")]
    )
    hits = app.decks.search("zorblatinib")
    assert [(h.deck_id, h.number) for h in hits] == [(title_deck, 2), (notes_deck, 2)]


def test_filters_and_blocked_decks(app, library) -> None:
    word = ("Velotrexib", "velotrexib data", "")
    approved = dict(approval_code="MED-1", approved_on=TODAY - 30 * DAY, expires_on=TODAY + 300 * DAY)
    lung = library("lung.pptx", [word], therapeutic_area="Oncology", tags=("lung",), **approved)
    heart = library("heart.pptx", [word], therapeutic_area="Cardiology", tags=("heart",), **approved)
    draft = library("draft.pptx", [word])
    expiring = library(
        "expiring.pptx",
        [word],
        approval_code="MED-2",
        approved_on=TODAY - 300 * DAY,
        expires_on=TODAY + 10 * DAY,
    )
    expired = library(
        "expired.pptx",
        [word],
        approval_code="MED-3",
        approved_on=TODAY - 400 * DAY,
        expires_on=TODAY - DAY,
        tags=("lung",),
    )
    withdrawn = library("withdrawn.pptx", [word], withdrawn=True, therapeutic_area="Oncology", **approved)

    def found(**filters) -> set[int]:  # type: ignore[no-untyped-def]
        return {h.deck_id for h in app.decks.search("velotrexib", SearchFilters(**filters))}

    assert found() == {lung, heart, draft, expiring}  # expired and withdrawn left out by default
    assert found(include_expired=True) == {lung, heart, draft, expiring, expired, withdrawn}
    assert found(tag="lung") == {lung}
    assert found(tag="lung", include_expired=True) == {lung, expired}
    assert found(therapeutic_area="Oncology") == {lung}
    assert found(therapeutic_area="Oncology", include_expired=True) == {lung, withdrawn}
    assert found(status=DeckStatus.DRAFT) == {draft}
    assert found(status=DeckStatus.EXPIRING) == {expiring}
    assert found(status=DeckStatus.APPROVED) == {lung, heart}
    assert found(status=DeckStatus.EXPIRED) == {expired}  # asking for a status shows it
    assert found(status=DeckStatus.WITHDRAWN) == {withdrawn}
    assert found(deck_id=heart) == {heart}
    statuses = {
        h.deck_id: h.status for h in app.decks.search("velotrexib", SearchFilters(include_expired=True))
    }
    assert statuses[expired] is DeckStatus.EXPIRED
    assert statuses[withdrawn] is DeckStatus.WITHDRAWN
    assert statuses[expiring] is DeckStatus.EXPIRING

    # Browsing (no words yet) narrows by the same tag, area and status as the search does.
    def listed(**filters) -> set[int]:  # type: ignore[no-untyped-def]
        narrow = SearchFilters(**filters)
        slides = app.decks.list_slides(narrow=narrow)
        assert app.decks.count_slides(narrow=narrow) == len(slides)
        return {s.deck_id for s in slides}

    for filters in ({"tag": "lung"}, {"therapeutic_area": "Oncology"}, {"status": DeckStatus.EXPIRING}):
        assert listed(**filters) == found(include_expired=True, **filters), filters
    assert listed() == {lung, heart, draft, expiring, expired, withdrawn}, "every slide, each marked"


def test_deck_and_slide_tags_are_searchable(app, library) -> None:
    deck = library("asthma.pptx", [("Asthma control", "ICS/LABA", ""), ("Devices", "Dry powder", "")])
    app.decks.update_deck(deck, DeckUpdate(tags=("Respiratory", " respiratory ", "GINA  2026")))
    assert app.decks.deck(deck).tags == ("GINA 2026", "Respiratory")
    assert _where(app.decks.search("respiratory")) == {(deck, 1), (deck, 2)}
    assert _where(app.decks.search('"gina 2026"')) == {(deck, 1), (deck, 2)}

    second = app.decks.list_slides(deck)[1]
    app.decks.set_slide_tags(second.slide_id, ["inhaler technique", "Inhaler technique"])
    assert app.decks.slide(second.slide_id).tags == ("inhaler technique",)
    assert _where(app.decks.search("inhaler")) == {(deck, 2)}
    assert _where(app.decks.search("dry", SearchFilters(tag="inhaler technique"))) == {(deck, 2)}
    assert _where(app.decks.search("asthma", SearchFilters(tag="Respiratory"))) == {(deck, 1), (deck, 2)}
    assert app.decks.all_tags() == ["GINA 2026", "Respiratory", "inhaler technique"]

    app.decks.set_slide_tags(second.slide_id, [])
    app.decks.update_deck(deck, DeckUpdate(tags=()))
    assert app.decks.search("inhaler") == []
    assert app.decks.search("respiratory") == []


def test_renaming_a_deck_reindexes_its_title(app, library) -> None:
    deck = library("monthly.pptx", [("Intro", "", ""), ("Data", "", "")])
    assert _where(app.decks.search("monthly")) == {(deck, 1), (deck, 2)}
    app.decks.update_deck(deck, DeckUpdate(title="Quarterly medical update"))
    assert _where(app.decks.search("quarterly")) == {(deck, 1), (deck, 2)}
    assert app.decks.search("monthly") == []
    assert _where(app.decks.search("intro")) == {(deck, 1)}
    (hit, _) = app.decks.search("quarterly")
    assert hit.deck_title == "Quarterly medical update"


def test_search_limit(app, library) -> None:
    library("many.pptx", [(f"Slide {n}", "common word here", "") for n in range(30)])
    assert len(app.decks.search("common", limit=7)) == 7
    assert len(app.decks.search("common")) == 30
