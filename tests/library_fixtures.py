"""Library fixtures (tests/conftest.py loads them): the corpus imported once per session, row counting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import library_db
from tests.corpus import ReferenceSlide, read_with_python_pptx

TODAY = dt.date(2026, 11, 22)
TABLES = ("decks", "deck_versions", "deck_sources", "slides", "deck_tags", "slide_tags", "slide_fts")


@dataclass
class CorpusLibrary:
    app: object  # msldesk.app.services.App
    files: list[Path]
    outcomes: dict[str, object]  # file name -> ImportOutcome


@pytest.fixture(scope="session")
def corpus_files(corpus_dir: Path) -> list[Path]:
    files = sorted(p for p in (corpus_dir / "pptx").iterdir() if p.is_file())
    if not files:
        pytest.skip(f"no files in {corpus_dir / 'pptx'}")
    return files


@pytest.fixture(scope="session")
def corpus_library(
    corpus_files: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CorpusLibrary]:
    """Every corpus file imported once (named one by one, so .thmx is tried too). Read-only for tests."""
    from msldesk.app.services import App

    app = App(tmp_path_factory.mktemp("corpus-library"), today=TODAY)
    outcomes = {Path(o.path).name: o for o in app.decks.import_paths(corpus_files)}
    yield CorpusLibrary(app, corpus_files, outcomes)
    app.close()


@pytest.fixture(scope="session")
def pptx_reference(corpus_files: list[Path]) -> dict[str, list[ReferenceSlide] | None]:
    """python-pptx's reading of each corpus file (None where it cannot open the file)."""
    return {path.name: read_with_python_pptx(path) for path in corpus_files}


def count_rows(database: Path) -> dict[str, int]:
    with library_db.connect(database) as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


@pytest.fixture
def row_counts() -> Callable[[object], dict[str, int]]:
    """Rows per library table, read straight from the SQLite file (not through msldesk)."""
    return lambda app: count_rows(app.paths.database)  # type: ignore[attr-defined]


@pytest.fixture
def make_renderer(tmp_path: Path):  # type: ignore[no-untyped-def]
    """SlideRenderer(name, **options) with its own cache and work folder; closed after the test
    (a renderer keeps its offices running until then)."""
    from msldesk.decks.soffice import find_soffice
    from msldesk.decks.thumbnails import SlideRenderer, ThumbnailCache

    made: list[SlideRenderer] = []

    def make(name: str, **options: object) -> SlideRenderer:
        cache = ThumbnailCache(tmp_path / name / "previews", tmp_path / name / "thumbs")
        made.append(SlideRenderer(find_soffice(), cache, tmp_path / name / "work", **options))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for renderer in made:
        renderer.close()
