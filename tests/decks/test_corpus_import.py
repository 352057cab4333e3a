"""Every corpus file imports, or fails with the error kind its content deserves; content matches
python-pptx wherever python-pptx can open the file."""

from __future__ import annotations

import collections
import hashlib
from pathlib import Path

import pytest

from tests.conftest import CORPUS_DIR
from tests.corpus import (
    IMPORTS,
    expected_kind,
    is_strict,
    python_pptx_readable_copy,
    read_with_python_pptx,
    squash,
)

pytestmark = pytest.mark.corpus

CORPUS_PPTX = CORPUS_DIR / "pptx"
FILES = sorted(p.name for p in CORPUS_PPTX.iterdir()) if CORPUS_PPTX.is_dir() else []


def test_corpus_is_intact(corpus_dir: Path) -> None:
    """The expectations below are about these exact bytes (MANIFEST.tsv's SHA-256)."""
    rows = (corpus_dir / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    manifest = {row.split("\t")[0]: row.split("\t")[5] for row in rows if row.strip()}
    on_disk = {p.name for p in (corpus_dir / "pptx").iterdir()}
    assert set(manifest) == on_disk
    damaged = [
        n
        for n, sha in manifest.items()
        if hashlib.sha256((corpus_dir / "pptx" / n).read_bytes()).hexdigest() != sha
    ]
    assert damaged == []


def test_reference_classes_match_the_corpus_readme(corpus_files: list[Path]) -> None:
    """Cross-check the independent classifier against the corpus README's own class table:
    3 encrypted OLE2 files, 4 corrupt or truncated zips, 2 odd packages (empty zip, .thmx)."""
    tally = collections.Counter(expected_kind(p) for p in corpus_files)
    assert tally == {
        IMPORTS: len(corpus_files) - 9,
        "password-protected": 3,
        "damaged": 4,
        "not-a-presentation": 2,
    }


@pytest.mark.parametrize("name", FILES or [pytest.param("", marks=pytest.mark.skip("no corpus"))])
def test_each_file_imports_or_fails_with_the_right_kind(corpus_library, name: str) -> None:
    outcome = corpus_library.outcomes[name]
    expected = expected_kind(CORPUS_PPTX / name)
    if expected == IMPORTS:
        assert outcome.status == "imported", f"{outcome.error_kind}: {outcome.message}"
        assert outcome.deck_id is not None
    else:
        assert (outcome.status, outcome.error_kind) == ("failed", expected), outcome.message
        assert outcome.deck_id is None
        assert outcome.message  # a plain-language reason for the user


def test_one_outcome_per_file_and_one_deck_per_import(corpus_library) -> None:
    assert sorted(corpus_library.outcomes) == sorted(p.name for p in corpus_library.files)
    imported = [o for o in corpus_library.outcomes.values() if o.status == "imported"]
    decks = corpus_library.app.decks.list_decks()
    assert sorted(d.deck_id for d in decks) == sorted(o.deck_id for o in imported)
    by_id = {d.deck_id: d for d in decks}
    for outcome in imported:
        deck = by_id[outcome.deck_id]
        assert deck.slide_count == outcome.slides == corpus_library.app.decks.count_slides(deck.deck_id)
        assert deck.version == 1


def test_library_imports_everything_python_pptx_opens_and_more(corpus_library, pptx_reference) -> None:
    opened = {name for name, slides in pptx_reference.items() if slides is not None}
    imported = {name for name, o in corpus_library.outcomes.items() if o.status == "imported"}
    assert opened, "python-pptx opened nothing: the reference is broken"
    assert opened <= imported
    extra = imported - opened
    suffixes = {Path(name).suffix for name in extra}
    assert {".potx", ".potm", ".ppsm"} <= suffixes  # templates and slideshows
    assert "ooxmlparser__broken_slide_layout_file.pptx" in extra
    assert sum(is_strict(CORPUS_PPTX / name) for name in extra) >= 1


def _compare(slides, reference, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Differences between our slides and python-pptx's: count, titles, notes, paragraph text."""
    if len(slides) != len(reference):
        return [f"{name}: {len(slides)} slides, python-pptx {len(reference)}"]
    problems = []
    for slide, ref in zip(slides, reference, strict=True):
        if ref.title is not None and squash(slide.title) != squash(ref.title):
            problems.append(f"{name} #{slide.number}: title {slide.title!r} != {ref.title!r}")
        if squash(ref.notes) not in squash(slide.notes):
            problems.append(f"{name} #{slide.number}: notes {ref.notes[:60]!r} missing")
        everything = squash(" ".join([slide.title, slide.text]))
        missing = [line for line in ref.lines if squash(line) not in everything]
        if missing:
            problems.append(f"{name} #{slide.number}: text {missing[:2]!r} missing")
    return problems


def test_slides_match_python_pptx(corpus_library, pptx_reference) -> None:
    """Slide count, titles, notes and text agree with python-pptx for every file it can open."""
    decks = {d.deck_id: d for d in corpus_library.app.decks.list_decks()}
    problems: list[str] = []
    compared = 0
    for name, reference in sorted(pptx_reference.items()):
        if reference is None:
            continue
        outcome = corpus_library.outcomes[name]
        if outcome.deck_id is None:
            problems.append(f"{name}: not imported ({outcome.error_kind})")
            continue
        ours = corpus_library.app.decks.list_slides(outcome.deck_id)
        assert decks[outcome.deck_id].slide_count == len(ours)
        problems += _compare(ours, reference, name)
        compared += len(reference)
    assert problems == []
    assert compared >= 1000  # README: python-pptx reads 1,060 slides of the dev set


def test_decks_python_pptx_refuses_match_a_readable_copy(corpus_library, pptx_reference, tmp_path) -> None:
    """Strict, template and slideshow files: compare with python-pptx reading a copy translated to
    a transitional presentation (namespaces and main content type only; slides untouched)."""
    problems: list[str] = []
    unreadable = []
    compared = 0
    for name, reference in sorted(pptx_reference.items()):
        outcome = corpus_library.outcomes[name]
        if reference is not None or outcome.status != "imported":
            continue
        copy = python_pptx_readable_copy(CORPUS_PPTX / name, tmp_path / name)
        translated = read_with_python_pptx(copy)
        if translated is None:
            unreadable.append(name)
            continue
        problems += _compare(corpus_library.app.decks.list_slides(outcome.deck_id), translated, name)
        compared += len(translated)
    assert problems == []
    assert unreadable == ["ooxmlparser__broken_slide_layout_file.pptx"]  # python-pptx parses every layout
    assert compared >= 60


def test_kinds_and_flags_of_unusual_packages(corpus_library) -> None:
    decks = {d.deck_id: d for d in corpus_library.app.decks.list_decks()}

    def deck(name: str):  # type: ignore[no-untyped-def]
        return decks[corpus_library.outcomes[name].deck_id]

    for path in corpus_library.files:
        outcome = corpus_library.outcomes[path.name]
        if outcome.status != "imported":
            continue
        info = deck(path.name)
        assert info.strict == is_strict(path), path.name
        if path.suffix in (".potx", ".potm"):
            assert info.kind == "template", path.name
        if path.suffix in (".ppsx", ".ppsm"):
            assert info.kind == "slideshow", path.name
    broken = deck("ooxmlparser__broken_slide_layout_file.pptx")
    assert broken.slide_count == 1
    assert any("layout" in w.lower() for w in broken.warnings)


def test_hidden_slides_are_flagged(corpus_library) -> None:
    from tests.corpus import hidden_slide_numbers

    name = "aspose__HiddingSlides.pptx"
    hidden = hidden_slide_numbers(CORPUS_PPTX / name)
    assert hidden, "the reference deck should have hidden slides"
    slides = corpus_library.app.decks.list_slides(corpus_library.outcomes[name].deck_id)
    assert [s.number for s in slides if s.hidden] == hidden
