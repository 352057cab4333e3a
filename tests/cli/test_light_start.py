"""Light starts: `--help` and `--version` load no SQLAlchemy at all, and `decks` on an
existing library none of SQLAlchemy's ORM; none of them loads reportlab, python-pptx or Qt (the desktop
app's modules: tests/ui/test_startup.py). Each runs in a fresh interpreter that reports the modules it
loaded. The desktop's first slides come from the same light read: the deck service's first page, without
the ORM, and the key it unlocked spares the full start a second unlocking."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HEAVY = ("sqlalchemy.orm", "reportlab", "pptx", "PySide6", "alembic", "psycopg")

# Runs msldesk's entry point as `python -m msldesk` would, then prints the top modules it loaded.
_RUN_AND_REPORT = """
import json, runpy, sys
sys.argv = ["msldesk", *json.loads(sys.argv[1])]
code = 0
try:
    runpy.run_module("msldesk", run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
print("LOADED " + json.dumps({"exit": code, "modules": sorted(sys.modules)}))
"""


def _loaded(*args: str) -> tuple[int, set[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", _RUN_AND_REPORT, json.dumps(list(args))],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("LOADED "))
    report = json.loads(line[len("LOADED ") :])
    return report["exit"], set(report["modules"]), done.stdout


def _heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize(
    "args",
    [
        ("--help",), ("--version",), ("decks", "--help"), ("team", "status", "--help"),
        ("team", "push", "--help"), ("team", "insights", "--help"), ("team", "payments", "export", "--help"),
    ],
)  # fmt: skip
def test_help_and_version_load_no_sqlalchemy(args: tuple[str, ...]) -> None:
    code, modules, out = _loaded(*args)
    assert code == 0
    assert _heavy(modules, ("sqlalchemy", *HEAVY)) == []
    assert "msldesk" in out


def test_version_says_which_msldesk() -> None:
    from msldesk import __version__

    code, _, out = _loaded("--version")
    assert code == 0
    assert f"msldesk {__version__}" in out


def test_decks_on_an_existing_library_loads_no_orm(tmp_path: Path, deck_factory: Any) -> None:
    from msldesk.app.services import App

    root = tmp_path / "lib"
    app = App(root)
    try:
        list(app.decks.import_paths([deck_factory.pptx("kept.pptx", [("Zymoquinase", "body", "")])]))
        expected = [d.deck_id for d in app.decks.list_decks()]
    finally:
        app.close()
    code, modules, out = _loaded("--data-dir", str(root), "decks", "--json")
    assert code == 0
    assert _heavy(modules, HEAVY) == []
    listed = json.loads(next(x for x in out.splitlines() if x.startswith("[")))
    assert [d["deck_id"] for d in listed] == expected
    assert listed[0]["title"] == "Zymoquinase"


def _sql(root: Path, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
    """Run one statement on the library's database and close it (an open connection keeps a WAL)."""
    from tests import library_db

    db = library_db.connect(root / "library.sqlite3")
    try:
        with db:
            return db.execute(sql, params).fetchall()
    finally:
        db.close()


def _library_with_decks(root: Path, deck_factory: Any) -> None:
    """Three decks: one withdrawn, one expired, one with tagged slides and rendered thumbnails."""
    import datetime as dt

    from msldesk.app.services import App
    from msldesk.decks.records import DeckUpdate

    app = App(root)
    try:
        specs = {
            "Beta.pptx": [("Beta one", "body", ""), ("Beta two", "body", "notes")],
            "alpha.pptx": [("Alpha one", "body", ""), ("", "untitled", ""), ("Alpha three", "x", "")],
            "Gamma.pptx": [("Gamma one", "body", "")],
        }
        paths = [deck_factory.pptx(name, slides, title=name[:-5]) for name, slides in specs.items()]
        list(app.decks.import_paths(paths))
        decks = {d.title: d.deck_id for d in app.decks.list_decks()}
        app.decks.update_deck(decks["Beta"], DeckUpdate(withdrawn=True))
        past = dt.date.today() - dt.timedelta(days=3)
        app.decks.update_deck(decks["Gamma"], DeckUpdate(approved_on=past, expires_on=past))
        first = app.decks.list_slides(decks["alpha"])[0]
        app.decks.set_slide_tags(first.slide_id, ["efficacy", "Oncology"])
    finally:
        app.close()
    _sql(root, "UPDATE deck_versions SET thumbnail_state = 'done' WHERE deck_id = ?", (decks["alpha"],))


def test_first_slides_are_the_deck_services_pages_without_the_orm(tmp_path: Path, deck_factory: Any) -> None:
    from msldesk.app.light_reader import first_slides, open_for_reading
    from msldesk.app.services import App

    root = tmp_path / "lib"
    _library_with_decks(root, deck_factory)
    first = first_slides(root, None, limit=4)
    assert first is not None
    assert first.library_key.source == "keyring"
    reader = open_for_reading(root)
    assert reader is not None
    try:
        rest = reader.list_slides(4)
    finally:
        reader.close()
    app = App(root, library_key=first.library_key)
    try:
        assert first.total == app.decks.count_slides() == 6
        assert first.slides == app.decks.list_slides(None, 0, 4)  # statuses, tags, thumbnails and all
        assert rest == app.decks.list_slides(None, 4)
    finally:
        app.close()
    shown = {s.title: s for s in first.slides + rest}
    assert shown["Alpha one"].tags == ("Oncology", "efficacy")
    assert shown["Alpha one"].thumbnail
    assert shown["Beta one"].status.value == "withdrawn"
    assert shown["Beta one"].thumbnail is None
    assert shown["Gamma one"].status.value == "expired"

    code = (
        "import json, sys\n"
        "from msldesk.app.light_reader import first_slides\n"
        f"first = first_slides({str(root)!r}, None, 400)\n"
        "print('LOADED ' + json.dumps({'slides': len(first.slides), 'modules': sorted(sys.modules)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    report = json.loads(next(x for x in done.stdout.splitlines() if x.startswith("LOADED "))[7:])
    assert report["slides"] == 6
    assert _heavy(set(report["modules"]), ("sqlalchemy", *HEAVY)) == []


def test_the_full_start_takes_the_key_the_first_slides_unlocked(
    tmp_path: Path, deck_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msldesk.app.light_reader import first_slides
    from msldesk.app.services import App
    from msldesk.db import crypto

    root = tmp_path / "lib"
    assert first_slides(root, None, 10) is None  # a first start is the full start's
    _library_with_decks(root, deck_factory)
    head = _sql(root, "SELECT version_num FROM alembic_version")[0][0]
    _sql(root, "UPDATE alembic_version SET version_num = 'an older one'")
    first = first_slides(root, None, 10)
    assert first is not None
    assert first.slides is None
    assert first.library_key.key  # unlocked, not read
    _sql(root, "UPDATE alembic_version SET version_num = ?", (head,))

    def no_second_unlock(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the key was asked for again")

    monkeypatch.setattr(crypto, "unlock", no_second_unlock)
    app = App(root, library_key=first.library_key)
    try:
        assert app.library_key == first.library_key
        assert len(app.decks.list_slides()) == 6
    finally:
        app.close()
