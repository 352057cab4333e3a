"""Folders nested deeper than Python's stack (1,200 levels: a 2,400-character path, which Linux allows).
os.walk and shutil.rmtree recurse once a level in Python 3.11: a deck import of such a folder, or a
library holding one, stopped with RecursionError. Each test removes its tree from the bottom up, since
pytest's own clean-up of old temporary folders (shutil.rmtree) would stop on it too."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from msldesk.core.user_files import walk

LEVELS = 1200
SLIDES = [("Deep", "Body", "")]


@pytest.fixture
def deep_tree() -> Iterator[object]:
    made: list[Path] = []

    def build(top: Path) -> Path:
        folder = top
        folder.mkdir(exist_ok=True)
        for _ in range(LEVELS):  # one by one: mkdir(parents=True) recurses too
            folder /= "a"
            folder.mkdir()
            made.append(folder)
        return folder

    yield build
    for folder in reversed(made):
        if folder.exists():
            for entry in folder.iterdir():
                if not entry.is_dir():
                    entry.unlink()
            folder.rmdir()


def test_walk_is_os_walk_without_the_recursion(tmp_path: Path, deep_tree) -> None:  # type: ignore[no-untyped-def]
    for name in ("b/x.txt", "a/y.txt", "a/c/z.txt", "top.txt"):
        (tmp_path / "t" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "t" / name).write_text("x")
    (tmp_path / "t" / "link").symlink_to(tmp_path / "t" / "a")  # a link to a folder: listed, not walked
    (tmp_path / "t" / "loop").symlink_to("loop")

    def both(folders: list[tuple[str, list[str], list[str]]]) -> list[tuple[str, list[str], list[str]]]:
        return [(f, sorted(d), sorted(n)) for f, d, n in folders]

    def pruned(walker):  # type: ignore[no-untyped-def]
        seen = []
        for folder, dirs, files in walker:
            dirs[:] = sorted(d for d in dirs if d != "c")
            seen.append((folder, list(dirs), files))
        return seen

    assert both(pruned(walk(tmp_path / "t"))) == both(pruned(os.walk(tmp_path / "t")))
    bottom = deep_tree(tmp_path / "deep")
    (bottom / "end.txt").write_text("x")
    found = [Path(f, n) for f, _, names in walk(tmp_path / "deep") for n in names]
    assert found == [bottom / "end.txt"]
    with pytest.raises(RecursionError):
        list(os.walk(tmp_path / "deep"))  # why walk exists; passes once Python's own walk is flat (3.12)


def test_a_deck_folder_nested_that_deep_is_imported(app, deck_factory, tmp_path: Path, deep_tree) -> None:  # type: ignore[no-untyped-def]
    top = tmp_path / "decks"
    deck_factory.pptx(deep_tree(top) / "bottom.pptx", SLIDES)
    deck_factory.pptx(top / "first.pptx", [("First", "", "")])
    outcomes = [(Path(o.path).name, o.status) for o in app.decks.import_paths([top])]
    assert outcomes == [("first.pptx", "imported"), ("bottom.pptx", "imported")]


@pytest.mark.parametrize("inside", ["notes", "cache"])
def test_a_library_holding_a_tree_that_deep_opens_and_checks(tmp_path: Path, deep_tree, inside: str) -> None:  # type: ignore[no-untyped-def]
    """Opening walks the folder (file modes, leftovers): RecursionError, and the library never opened."""
    from msldesk.app.services import App
    from msldesk.protect.upkeep import check_library

    root = tmp_path / "lib"
    App(root).close()
    root.chmod(0o755)  # an older library: the next opening walks it to make it private
    deep_tree(root / inside)
    app = App(root)
    try:
        report = check_library(app.access, app.engine)
        assert report.store.ok
    finally:
        app.close()
