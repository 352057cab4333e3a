"""The content-addressed store and how import finds deck files in folders."""

from __future__ import annotations

import hashlib
from pathlib import Path

from msldesk.decks.importer import find_deck_files
from msldesk.decks.store import DeckStore


def test_store_keeps_one_copy_per_content(tmp_path: Path) -> None:
    store = DeckStore(tmp_path / "store")
    source = tmp_path / "deck.pptx"
    source.write_bytes(b"deck bytes" * 1000)
    expected = hashlib.sha256(source.read_bytes()).hexdigest()

    staged, sha = store.stage(source)
    assert sha == expected
    assert staged.parent == store.root
    assert staged.read_bytes() == source.read_bytes()
    final = store.commit(staged, sha, ".PPTX")
    assert final == store.root / sha[:2] / f"{sha}.pptx"
    assert final.read_bytes() == source.read_bytes()
    assert not staged.exists()

    again, sha_again = store.stage(source)
    assert sha_again == sha
    assert store.commit(again, sha, ".pptx") == final  # already stored: the copy is dropped
    assert not again.exists()
    assert [p for p in store.root.rglob("*") if p.is_file()] == [final]


def test_store_discard_is_idempotent(tmp_path: Path) -> None:
    store = DeckStore(tmp_path / "store")
    source = tmp_path / "deck.pptx"
    source.write_bytes(b"x")
    staged, _ = store.stage(source)
    store.discard(staged)
    store.discard(staged)
    assert not staged.exists()


def test_find_deck_files(tmp_path: Path) -> None:
    root = tmp_path / "in"
    for name in [
        "b.pptx",
        "a.PPTX",
        "macro.pptm",
        "template.potx",
        "template.potm",
        "show.ppsx",
        "show.ppsm",
        "~$b.pptx",  # PowerPoint's lock file
        "notes.txt",
        "theme.thmx",
        "sub/deep/c.pptx",
        ".hidden/d.pptx",
    ]:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    explicit = tmp_path / "renamed.txt"
    explicit.write_bytes(b"")

    found = find_deck_files([root, explicit])
    names = [p.relative_to(tmp_path).as_posix() for p in found]
    assert names == [
        "in/a.PPTX",
        "in/b.pptx",
        "in/macro.pptm",
        "in/show.ppsm",
        "in/show.ppsx",
        "in/template.potm",
        "in/template.potx",
        "in/sub/deep/c.pptx",
        "renamed.txt",  # a file named explicitly is always tried
    ]
