"""Invariants of a library database, checked with plain SQL on the file (not through msldesk)."""

from __future__ import annotations

from pathlib import Path

from tests import library_db


def assert_library_consistent(root: Path) -> None:
    """Whatever happened, every deck is whole: one current version, all its slides, all indexed,
    its file in the store; nothing is left of a deck that failed."""
    with library_db.connect(root / "library.sqlite3") as db:
        problems = []
        for deck_id, current in db.execute(
            "SELECT d.id, (SELECT count(*) FROM deck_versions v WHERE v.deck_id = d.id AND v.is_current) "
            "FROM decks d"
        ):
            if current != 1:
                problems.append(f"deck {deck_id}: {current} current versions")
        for version_id, expected, actual in db.execute(
            "SELECT v.id, v.slide_count, (SELECT count(*) FROM slides s WHERE s.version_id = v.id) "
            "FROM deck_versions v"
        ):
            if expected != actual:
                problems.append(f"version {version_id}: {actual} slides, expected {expected}")
        current_ids = {
            r[0]
            for r in db.execute(
                "SELECT s.id FROM slides s JOIN deck_versions v ON v.id = s.version_id WHERE v.is_current"
            )
        }
        indexed = {r[0] for r in db.execute("SELECT rowid FROM slide_fts")}
        if indexed != current_ids:
            problems.append(
                f"search index: {len(indexed - current_ids)} stale, {len(current_ids - indexed)} missing"
            )
        for sha, ext in db.execute("SELECT sha256, file_ext FROM deck_versions"):
            if not (root / "store" / sha[:2] / f"{sha}{ext}").is_file():
                problems.append(f"store file {sha}{ext} missing")
        orphans = db.execute(
            "SELECT count(*) FROM deck_sources WHERE deck_id NOT IN (SELECT id FROM decks)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} sources without a deck")
    assert problems == []
