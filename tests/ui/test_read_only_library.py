"""The desktop app on a read-only library folder: it opens for reading and starts no write by itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers import make_deck


def test_a_read_only_library_opens_and_says_so(
    make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from msldesk.app.services import App

    root = tmp_path / "library"
    app = App(root)
    list(app.decks.import_paths([make_deck(tmp_path / "a.pptx", ["Alpha kinetics"])]))
    assert app.decks.pending_thumbnail_slides() == 1  # a render would start on a writable library
    app.close()
    # Root writes through permission bits: the write probe and os.access are told the truth of a
    # read-only folder, and SQLite then opens the database read-only (see test_library_upkeep).
    real_access = os.access
    monkeypatch.setattr("msldesk.core.fileio.folder_is_writable", lambda folder: False)
    monkeypatch.setattr(os, "access", lambda path, mode: not mode & os.W_OK and real_access(path, mode))
    before = sorted(p.name for p in root.rglob("*"))

    window, context = make_window(seed_demo=False, data_dir=root)

    assert context.app.read_only
    assert window.windowTitle().endswith("(read-only)")
    assert "read-only" in window.statusBar().currentMessage()
    assert not window.jobs.running("thumbnails")
    assert [d.title for d in context.app.decks.list_decks()] == ["Alpha kinetics"]
    assert sorted(p.name for p in root.rglob("*")) == before
