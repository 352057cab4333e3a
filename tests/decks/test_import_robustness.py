"""Bad input never stops a batch and never leaves half a deck behind."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from msldesk.decks.importer import DeckImporter
from msldesk.decks.ooxml.opc import PackageLimits
from msldesk.decks.search import SlideSearchIndex
from msldesk.decks.store import DeckStore
from tests.library_checks import assert_library_consistent

GOOD_A = [
    ("Overall survival", "Median OS 24.1 months", "Pause for questions"),
    ("Safety", "No new signals", ""),
]
GOOD_B = [("Biomarkers", "PD-L1 expression", ""), ("Dosing", "200 mg every 3 weeks", ""), ("Summary", "", "")]
SMALL_LIMITS = PackageLimits(max_entries=500, ratio_floor_bytes=1024 * 1024, max_ratio=50)


def _broken_slide_deck(deck_factory) -> Path:  # type: ignore[no-untyped-def]
    import zipfile

    source = deck_factory.pptx("source-for-broken.pptx", GOOD_B)
    with zipfile.ZipFile(source) as package:
        slide = package.read("ppt/slides/slide2.xml")
    broken = deck_factory.rewrite(
        source, "batch/broken-slide.pptx", replace={"ppt/slides/slide2.xml": slide[:-40]}
    )
    source.unlink()
    return broken


@pytest.fixture
def bad_batch(deck_factory, corpus_dir: Path) -> tuple[Path, list[Path], dict[str, str]]:
    """A folder of good and bad files, plus files named directly; returns (folder, extra paths, expected)."""
    folder = deck_factory.path("batch")
    template = deck_factory.pptx("template.pptx", GOOD_A)
    deck_factory.pptx("batch/a-good.pptx", GOOD_A)
    deck_factory.pptx("batch/sub/b-good.pptx", GOOD_B)
    deck_factory.zip_bomb("batch/bomb.pptx", template, megabytes=24)
    deck_factory.docx("batch/report.pptx")
    deck_factory.truncated("batch/truncated.pptx", corpus_dir / "pptx" / "python-pptx__test.pptx")
    deck_factory.zip("batch/empty.pptx", {})
    _broken_slide_deck(deck_factory)
    extra = [
        corpus_dir / "pptx" / "tika__testPPT_protected_passtika.pptx",
        corpus_dir / "pptx" / "poi__testPPT.thmx",
        folder / "does-not-exist.pptx",
    ]
    expected = {
        "a-good.pptx": "imported",
        "b-good.pptx": "imported",
        "broken-slide.pptx": "imported",
        "bomb.pptx": "too-large",
        "report.pptx": "not-a-presentation",
        "truncated.pptx": "damaged",
        "empty.pptx": "not-a-presentation",
        "tika__testPPT_protected_passtika.pptx": "password-protected",
        "poi__testPPT.thmx": "not-a-presentation",
        "does-not-exist.pptx": "unreadable",
    }
    return folder, extra, expected


@pytest.mark.corpus
def test_bad_files_fail_alone(app, bad_batch, row_counts) -> None:
    folder, extra, expected = bad_batch
    before = row_counts(app)
    outcomes = list(app.decks.import_paths([folder, *extra]))

    got = {Path(o.path).name: (o.error_kind or o.status) for o in outcomes}
    assert got == expected
    for outcome in outcomes:
        if outcome.status == "failed":
            assert outcome.deck_id is None
            assert outcome.message
    after = row_counts(app)
    good_slides = len(GOOD_A) + 2 * len(GOOD_B)
    assert after["decks"] - before["decks"] == 3
    assert after["deck_versions"] - before["deck_versions"] == 3
    assert after["deck_sources"] - before["deck_sources"] == 3
    assert after["slides"] - before["slides"] == good_slides
    assert after["slide_fts"] - before["slide_fts"] == good_slides
    assert_library_consistent(app.paths.root)


def test_malformed_slide_is_kept_with_a_warning(app, deck_factory) -> None:
    broken = _broken_slide_deck(deck_factory)
    (outcome,) = app.decks.import_paths([broken])
    assert outcome.status == "imported"
    assert outcome.slides == 3
    assert "Slide 2" in outcome.message
    deck = app.decks.deck(outcome.deck_id)
    assert any("Slide 2" in w for w in deck.warnings)
    slides = app.decks.list_slides(outcome.deck_id)
    assert [s.title for s in slides] == ["Biomarkers", "", "Summary"]
    assert {h.number for h in app.decks.search("expression")} == {1}
    assert {h.number for h in app.decks.search("summary")} == {3}


def test_small_limits_refuse_bombs_and_crowded_packages(app, deck_factory, row_counts) -> None:
    template = deck_factory.pptx("template.pptx", GOOD_A)
    bomb = deck_factory.zip_bomb("small-bomb.pptx", template, megabytes=3)
    crowded = deck_factory.many_entries("crowded.pptx", template, extra=600)
    good = deck_factory.pptx("good.pptx", GOOD_B)
    importer = DeckImporter(app.sessions, DeckStore(app.paths.store), SlideSearchIndex(), SMALL_LIMITS)
    before = row_counts(app)
    outcomes = list(importer.import_paths([bomb, crowded, good]))
    assert [(o.status, o.error_kind) for o in outcomes] == [
        ("failed", "too-large"),
        ("failed", "too-large"),
        ("imported", ""),
    ]
    after = row_counts(app)
    assert after["decks"] - before["decks"] == 1
    assert after["slides"] - before["slides"] == len(GOOD_B)
    # The same files are fine under the default limits.
    assert [o.status for o in app.decks.import_paths([bomb, crowded])] == ["imported", "imported"]


def test_a_failing_write_rolls_the_deck_back_and_the_batch_goes_on(
    app, deck_factory, row_counts, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    first = deck_factory.pptx("first.pptx", GOOD_A)
    doomed = deck_factory.pptx("doomed.pptx", [("Doomed deck", "never indexed", "")])
    last = deck_factory.pptx("last.pptx", GOOD_B)
    real_add = SlideSearchIndex.add

    def add(self, session, rows):  # type: ignore[no-untyped-def]
        rows = list(rows)
        if any(r["title"] == "Doomed deck" for r in rows):
            raise OperationalError("INSERT INTO slide_fts", {}, Exception("disk I/O error"))
        real_add(self, session, rows)

    monkeypatch.setattr(SlideSearchIndex, "add", add)
    before = row_counts(app)
    outcomes = list(app.decks.import_paths([first, doomed, last]))
    assert [o.status for o in outcomes] == ["imported", "failed", "imported"]
    assert outcomes[1].error_kind == "storage"
    after = row_counts(app)
    assert after["decks"] - before["decks"] == 2
    assert after["slides"] - before["slides"] == len(GOOD_A) + len(GOOD_B)
    assert "Doomed deck" not in {d.title for d in app.decks.list_decks()}
    assert_library_consistent(app.paths.root)


def test_a_full_disk_is_said_plainly_and_the_batch_goes_on(
    app, deck_factory, row_counts, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from sqlalchemy.exc import OperationalError

    from msldesk.decks.importer import DISK_FULL_MESSAGE

    first = deck_factory.pptx("first.pptx", GOOD_A)
    doomed = deck_factory.pptx("doomed.pptx", [("Doomed deck", "never indexed", "")])
    real_add = SlideSearchIndex.add
    failures = iter(
        [OSError(errno.ENOSPC, "No space left on device", "/lib/store/x.pptx"),
         OperationalError("INSERT", {}, Exception("database or disk is full"))]
    )  # fmt: skip

    def add(self, session, rows):  # type: ignore[no-untyped-def]
        rows = list(rows)
        if any(r["title"] == "Doomed deck" for r in rows):
            raise next(failures)
        real_add(self, session, rows)

    monkeypatch.setattr(SlideSearchIndex, "add", add)
    before = row_counts(app)
    for _ in range(2):
        outcomes = list(app.decks.import_paths([first, doomed]))
        failed = [o for o in outcomes if o.status == "failed"]
        assert [(o.error_kind, o.message) for o in failed] == [("storage", DISK_FULL_MESSAGE)]
        assert "Errno" not in DISK_FULL_MESSAGE
        assert "disk is full" in DISK_FULL_MESSAGE
    assert row_counts(app)["decks"] - before["decks"] == 1
    assert_library_consistent(app.paths.root)
    monkeypatch.undo()
    # Nothing was remembered about the failed file: importing it again works.
    (retry,) = app.decks.import_paths([doomed])
    assert retry.status == "imported"


def test_a_broken_new_version_keeps_the_old_one(app, deck_factory) -> None:
    path = deck_factory.pptx("deck.pptx", GOOD_A)
    (first,) = app.decks.import_paths([path])
    path.write_bytes(path.read_bytes()[:1000])
    (second,) = app.decks.import_paths([path])
    assert (second.status, second.error_kind) == ("failed", "damaged")
    deck = app.decks.deck(first.deck_id)
    assert deck.version == 1
    assert deck.slide_count == len(GOOD_A)
    assert {h.deck_id for h in app.decks.search("overall survival")} == {first.deck_id}
    assert_library_consistent(app.paths.root)


@pytest.mark.corpus
def test_bit_rot_in_a_batch(app, corpus_dir: Path, tmp_path: Path) -> None:
    """Randomly damaged copies of real decks: one outcome each, typed errors only, library whole."""
    sources = sorted((corpus_dir / "pptx").glob("python-pptx__*.pptx"))[:25]
    rng = random.Random(42)
    folder = tmp_path / "rot"
    folder.mkdir()
    for n in range(150):
        data = bytearray(rng.choice(sources).read_bytes())
        lo = len(data) - 800 if n % 2 else 0  # half aimed at the central directory
        for _ in range(rng.randint(1, 10)):
            index = rng.randrange(max(lo, 0), len(data))
            data[index] = rng.randrange(256)
        (folder / f"rot-{n:03}.pptx").write_bytes(bytes(data))
    shutil.copy(sources[0], folder / "zz-intact.pptx")

    outcomes = list(app.decks.import_paths([folder]))
    assert len(outcomes) == 151
    kinds = {o.error_kind or o.status for o in outcomes}
    assert kinds <= {"imported", "unchanged", "damaged", "not-a-presentation", "too-large"}
    assert "damaged" in kinds
    assert outcomes[-1].status in ("imported", "unchanged")
    assert_library_consistent(app.paths.root)


def test_cancel_stops_between_decks_and_progress_is_reported(app, deck_factory, row_counts) -> None:
    from msldesk.core.progress import CancelToken

    paths = [deck_factory.pptx(f"d{n}.pptx", [(f"Deck {n}", "", "")], title=f"D{n}") for n in range(4)]
    token = CancelToken()
    seen: list[tuple[int, int]] = []
    outcomes = []
    for outcome in app.decks.import_paths(paths, lambda done, total, _: seen.append((done, total)), token):
        outcomes.append(outcome)
        if len(outcomes) == 2:
            token.cancel()
    assert [o.status for o in outcomes] == ["imported", "imported"]
    assert row_counts(app)["decks"] == 2
    assert seen[:2] == [(0, 4), (1, 4)]
    assert all(total == 4 and 0 <= done <= 4 for done, total in seen)

    seen.clear()
    rest = list(app.decks.import_paths(paths, lambda done, total, _: seen.append((done, total))))
    assert [o.status for o in rest] == ["unchanged", "unchanged", "imported", "imported"]
    assert seen[-1] == (4, 4)
    assert_library_consistent(app.paths.root)


def test_a_deck_listing_one_slide_thousands_of_times_is_imported_up_to_the_limit(
    app, deck_factory, row_counts
) -> None:
    hostile = deck_factory.repeated_slide("hostile.pptx", 5000)
    assert hostile.stat().st_size < 100_000  # a small file
    importer = DeckImporter(
        app.sessions, DeckStore(app.paths.store), SlideSearchIndex(), PackageLimits(max_slides=25)
    )
    before = row_counts(app)
    (outcome,) = importer.import_paths([hostile])
    assert (outcome.status, outcome.slides) == ("imported", 25)
    assert "lists 5,000 slides; only the first 25 were imported" in outcome.message
    after = row_counts(app)
    assert after["slides"] - before["slides"] == 25
    assert after["slide_fts"] - before["slide_fts"] == 25
    deck = app.decks.deck(outcome.deck_id)
    assert deck.slide_count == 25
    assert "only the first 25" in deck.warnings[0]


def test_the_library_imports_at_most_2000_slides_of_a_deck(app, deck_factory) -> None:
    (outcome,) = app.decks.import_paths([deck_factory.repeated_slide("hostile.pptx", 2500)])
    assert (outcome.status, outcome.slides) == ("imported", 2000)
    assert "2,500" in outcome.message


def test_a_wordy_slide_listed_again_and_again_is_imported_up_to_the_text_limit(
    app, deck_factory, row_counts
) -> None:
    wordy = deck_factory.pptx("wordy.pptx", [("Wordy", "x" * 199_995, "")])  # 200,000 characters
    hostile = deck_factory.repeated_slide("hostile.pptx", 50, source=wordy)
    assert hostile.stat().st_size < 100_000  # text like this compresses a thousandfold
    importer = DeckImporter(
        app.sessions, DeckStore(app.paths.store), SlideSearchIndex(), PackageLimits(max_text_chars=1_000_000)
    )
    before = row_counts(app)
    (outcome,) = importer.import_paths([hostile])
    assert (outcome.status, outcome.slides) == ("imported", 5)
    assert "more than 1,000,000 characters of text; only the first 5 of its 50 slides" in outcome.message
    assert row_counts(app)["slides"] - before["slides"] == 5
