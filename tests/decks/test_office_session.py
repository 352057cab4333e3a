"""LibreOffice kept running for the session: started once (or ahead of a render, while decks
import), reused by later renders, recycled after many decks or when it grows, and ended by
close(), App.close() or msldesk's exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .test_thumbnails import _group_alive, _jobs, needs_uno

pytestmark = needs_uno


@pytest.fixture
def office_starts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process group of every office (worker and soffice) started from here on."""
    from msldesk.decks import soffice, uno_bridge

    groups: list[int] = []

    class Recorded(soffice.GroupProcess):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            groups.append(self.pid)

    monkeypatch.setattr(uno_bridge, "GroupProcess", Recorded)
    return groups


def _decks(tmp_path: Path, deck_factory, count: int) -> list:  # type: ignore[no-untyped-def,type-arg]
    paths = [deck_factory.pptx(f"deck{n}.pptx", [(f"Deck {n}", "", "")]) for n in range(count)]
    return _jobs(tmp_path, paths)


def _gone(groups: list[int], seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := [g for g in groups if _group_alive(g)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_one_office_serves_render_after_render_until_close(
    tmp_path: Path, deck_factory, make_renderer, office_starts: list[int]
) -> None:
    from msldesk.decks import soffice

    renderer = make_renderer("kept", processes=1)
    first, second = _decks(tmp_path, deck_factory, 2)
    assert [(r.ok, r.error) for r in renderer.render([first])] == [(True, "")]
    assert [(r.ok, r.error) for r in renderer.render([second])] == [(True, "")]
    assert len(office_starts) == 1  # started on first need, then kept
    assert soffice.running_groups() == office_starts
    renderer.close()
    assert soffice.running_groups() == []
    assert _gone(office_starts) == []


def test_warm_up_starts_the_offices_before_the_render_needs_them(
    tmp_path: Path, deck_factory, make_renderer, office_starts: list[int]
) -> None:
    from msldesk.decks import soffice

    renderer = make_renderer("warm", processes=2)
    renderer.warm_up()
    renderer.warm_up()  # a second call while they start does nothing more
    deadline = time.monotonic() + 120
    while len(soffice.running_groups()) < 2:  # started without a render
        assert time.monotonic() < deadline, "the offices did not start"
        time.sleep(0.1)
    decks = _decks(tmp_path, deck_factory, 3)
    assert [r.ok for r in renderer.render(decks)] == [True, True, True]
    assert len(office_starts) == 2  # the render used the two started ahead
    renderer.close()
    assert _gone(office_starts) == []


@pytest.mark.parametrize(
    ("limit", "value", "decks", "starts", "left_running"),
    [
        ("RECYCLE_AFTER_DECKS", 2, 3, 2, 1),  # decks 1-2, then a fresh office for deck 3
        ("RECYCLE_ABOVE_BYTES", 40 * 1024**2, 2, 2, 0),  # LibreOffice is larger than 40 MB
    ],
    ids=["after-decks", "above-memory"],
)
def test_an_office_is_recycled_after_many_decks_or_when_it_has_grown(
    tmp_path: Path,
    deck_factory,
    make_renderer,
    office_starts: list[int],
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    value: int,
    decks: int,
    starts: int,
    left_running: int,
) -> None:
    from msldesk.decks import soffice, uno_bridge

    monkeypatch.setattr(uno_bridge, limit, value)
    renderer = make_renderer("recycled", processes=1)
    assert all(r.ok for r in renderer.render(_decks(tmp_path, deck_factory, decks)))
    assert len(office_starts) == starts
    assert len(soffice.running_groups()) == left_running
    renderer.close()
    assert _gone(office_starts) == []


def test_closing_the_app_ends_libreoffice(tmp_path: Path, deck_factory) -> None:
    from msldesk.app.services import App
    from msldesk.decks import soffice

    app = App(tmp_path / "lib")
    try:
        list(app.decks.import_paths([deck_factory.pptx("deck.pptx", [("Slide", "", "")])]))
        app.decks.render_thumbnails()
        running = soffice.running_groups()
        assert running  # kept for the next import
    finally:
        app.close()
    assert soffice.running_groups() == []
    assert _gone(running) == []


def test_exiting_without_close_leaves_no_libreoffice_running(tmp_path: Path, deck_factory) -> None:
    program = textwrap.dedent(
        """\
        import sys
        from pathlib import Path
        from msldesk.decks import soffice
        from msldesk.decks.thumbnails import RenderJob, SlideRenderer, ThumbnailCache
        from msldesk.decks.soffice import find_soffice
        work = Path(sys.argv[1])
        renderer = SlideRenderer(find_soffice(), ThumbnailCache(work / "p", work / "t"), work, processes=1)
        deck = Path(sys.argv[2])
        assert [r.ok for r in renderer.render([RenderJob(deck.stem, deck, 1)])] == [True]
        print(*soffice.running_groups())
        """
    )
    (deck,) = _decks(tmp_path, deck_factory, 1)
    done = subprocess.run(
        [sys.executable, "-c", program, str(tmp_path / "work"), str(deck.source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    groups = [int(pid) for pid in done.stdout.split()]
    assert len(groups) == 1  # the office was still running when the program ended
    assert _gone(groups) == []
