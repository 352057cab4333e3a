"""The schema comes from Alembic migrations, matches the ORM, and refuses newer databases."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine

from msldesk.core.errors import DatabaseTooNewError
from msldesk.db import migrate
from tests import library_db

FTS_TABLE = "slide_fts"
PEOPLE_FTS_TABLE = "people_fts"


def _alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    return config


@contextlib.contextmanager
def _old_library(root: Path, revision: str, event_zone: str = "UTC") -> Iterator[Connection]:
    """A plain library at `root` whose schema stops at `revision`, holding event 7 ("Old workshop"),
    open for the test to add rows of that version."""
    from alembic import command

    root.mkdir()
    engine = create_engine(f"sqlite:///{root / 'library.sqlite3'}")
    config = _alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.exec_driver_sql(
                "INSERT INTO events (id, kind, title, objectives, key_questions, therapeutic_area, product, "
                "timezone, venue, virtual_link, status, currency, budget_estimated_cents, "
                "budget_committed_cents, budget_actual_cents, created_at, updated_at) VALUES (7, 'workshop', "
                f"'Old workshop', '', '', '', '', '{event_zone}', '', '', 'planning', 'USD', 0, 0, 0, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
            yield connection
    finally:
        engine.dispose()


def test_head_revision_constant_matches_the_scripts() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_alembic_config())
    assert scripts.get_heads() == [migrate.HEAD_REVISION]
    known = {rev.revision for rev in scripts.walk_revisions()}
    assert set(migrate.KNOWN_REVISIONS) == known


def test_a_fresh_app_creates_the_schema(app) -> None:
    assert app.first_run
    with library_db.connect(app.paths.database) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = db.execute("SELECT version_num FROM alembic_version").fetchall()
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert {
        "decks",
        "deck_versions",
        "deck_sources",
        "slides",
        "deck_tags",
        "slide_tags",
        FTS_TABLE,
        "people",
        "events",
        "attendances",
        PEOPLE_FTS_TABLE,
    } <= tables
    assert version == [(migrate.HEAD_REVISION,)]
    assert journal == "wal"
    assert migrate.current_revision(app.engine) == migrate.HEAD_REVISION


def test_reopening_keeps_data_and_skips_migrations(app, deck_factory) -> None:
    from msldesk.app.services import App

    list(app.decks.import_paths([deck_factory.pptx("d.pptx", [("Kept", "", "")])]))
    app.close()
    again = App(app.paths.root)
    try:
        assert not again.first_run
        assert [d.title for d in again.decks.list_decks()] == ["Kept"]
    finally:
        again.close()


def test_migrated_schema_matches_the_orm(app) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from msldesk.boards import orm as boards_orm  # noqa: F401  (registers the tables)
    from msldesk.db.base import Base
    from msldesk.decks import orm  # noqa: F401
    from msldesk.protect import audit  # noqa: F401  (registers the table)
    from msldesk.team import orm as team_orm  # noqa: F401

    def include_name(name, type_, parent_names):  # type: ignore[no-untyped-def]
        # The FTS5 virtual table and its shadow tables are created by raw SQL on purpose.
        return not (type_ == "table" and name is not None and name.startswith((FTS_TABLE, PEOPLE_FTS_TABLE)))

    with app.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": include_name, "compare_type": True}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert set(Base.metadata.tables) == {
        "decks", "deck_versions", "deck_sources", "slides", "deck_tags", "slide_tags",
        "collections", "collection_items", "deck_companions", "assemblies", "assembly_items",
        "people", "events", "agenda_items", "agenda_slides", "agenda_collections", "attendances",
        "event_checklist", "event_themes", "note_entries", "note_themes", "note_amendments", "note_drafts",
        "audit_log", "team_hub", "team_uids", "team_decks", "team_shares",
    }  # fmt: skip


def test_unknown_revision_is_refused(tmp_path: Path) -> None:
    from msldesk.app.services import App

    root = tmp_path / "lib"
    App(root).close()
    with library_db.connect(root / "library.sqlite3") as db:
        db.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    with pytest.raises(DatabaseTooNewError) as caught:
        App(root)
    assert "newer version" in caught.value.user_message
    assert "0099_from_the_future" in caught.value.details


def test_cli_reports_a_too_new_database(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = tmp_path / "lib"
    engine = create_engine(f"sqlite:///{root / 'library.sqlite3'}")
    root.mkdir()
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.exec_driver_sql("INSERT INTO alembic_version VALUES ('0099_from_the_future')")
    engine.dispose()
    result = subprocess.run(
        [sys.executable, "-m", "msldesk", "--data-dir", str(root), "decks"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "newer version of msldesk" in result.stderr


def test_a_library_from_the_previous_version_upgrades_with_its_events_intact(tmp_path: Path) -> None:
    """A 0003 library (boards, no meeting capture) gains the capture tables and keeps its events."""
    from msldesk.app.services import App

    root = tmp_path / "lib"
    with _old_library(root, "0003_boards") as connection:
        connection.exec_driver_sql(
            "INSERT INTO agenda_items (id, event_id, position, title, kind, minutes, questions) "
            "VALUES (3, 7, 0, 'Old item', 'presentation', 30, '')"
        )
    app = App(root)
    try:
        assert migrate.current_revision(app.engine) == migrate.HEAD_REVISION
        assert app.events.get(7).title == "Old workshop"
        (item,) = app.events.agenda(7)
        assert (item.fields.title, item.actual_start, item.actual_end) == ("Old item", None, None)
        assert app.meetings.executive_summary(7) == ""
        assert app.meetings.finalized_at(7) is None
        entry, _ = app.meetings.add_entry(7, "first note after the upgrade", agenda_item_id=3)
        assert entry.agenda_title == "Old item"
    finally:
        app.close()


def test_check_in_times_written_as_local_wall_time_become_utc(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Before 0006 a check-in was this computer's wall time; the upgrade reads it as such."""
    import datetime as dt
    import time
    from zoneinfo import ZoneInfo

    from msldesk.app.services import App

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        root = tmp_path / "lib"
        with _old_library(root, "0005_audit", event_zone="Europe/Berlin") as connection:
            for person_id, checked_in in ((3, "'2026-11-20 03:55:00.000000'"), (4, "NULL")):
                connection.exec_driver_sql(
                    "INSERT INTO people (id, first_name, last_name, credentials, specialty, institution, "
                    "city, state, country, email, phone, npi, tier, notes, consent_to_contact, created_at, "
                    f"updated_at) VALUES ({person_id}, 'Ada', 'Byron {person_id}', '', '', '', '', '', '', "
                    "'', '', '', '', '', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
                connection.exec_driver_sql(
                    "INSERT INTO attendances (id, event_id, person_id, role, invitation, contract_signed, "
                    "coi_disclosed, honorarium_hundredth_hours, honorarium_rate_cents, honorarium_cents, "
                    "currency, travel_cents, expenses_cents, checked_in_at) VALUES "
                    f"({person_id}, 7, {person_id}, 'advisor', 'accepted', 0, 0, 0, 0, 0, 'USD', 0, 0, "
                    f"{checked_in})"
                )
        app = App(root)
        try:
            arrived = {a.attendance_id: a.fields.checked_in_at for a in app.events.attendees(7)}
        finally:
            app.close()
    finally:
        monkeypatch.undo()
        time.tzset()
    berlin = dt.datetime(2026, 11, 20, 9, 55, tzinfo=ZoneInfo("Europe/Berlin"))
    assert arrived == {3: berlin, 4: None}, "03:55 in New York is 09:55 in Berlin"


def test_notes_from_before_rehearsals_upgrade_as_real_entries(tmp_path: Path) -> None:
    """0009 marks no existing entry as a rehearsal and leaves every event out of one."""
    from msldesk.app.services import App

    root = tmp_path / "lib"
    with _old_library(root, "0008_audit_keyed") as connection:
        connection.exec_driver_sql(
            "INSERT INTO note_entries (id, event_id, kind, text, owner, is_key, flag_terms, flag_reviewed, "
            "flag_cleared, created_at_utc) VALUES (5, 7, 'insight', 'typed before the upgrade', '', 1, '', "
            "0, 0, '2026-01-02 10:00:00')"
        )
    app = App(root)
    try:
        assert migrate.current_revision(app.engine) == migrate.HEAD_REVISION
        (entry,) = app.meetings.entries(7)
        assert (entry.entry_id, entry.text, entry.fields.key) == (5, "typed before the upgrade", True)
        assert app.meetings.entries(7, rehearsal=True) == []
        assert not app.meetings.meeting_day(7).rehearsing
    finally:
        app.close()


def test_agenda_items_from_before_0011_upgrade_with_an_empty_note_that_a_removal_fills(
    tmp_path: Path, deck_factory
) -> None:  # type: ignore[no-untyped-def]
    """0011 gives agenda items a note: empty for every existing item, written when a deck goes."""
    from dataclasses import replace

    from msldesk.app.services import App

    root = tmp_path / "lib"
    with _old_library(root, "0010_collection_note") as connection:
        connection.exec_driver_sql(
            "INSERT INTO agenda_items (id, event_id, position, title, kind, minutes, questions) "
            "VALUES (3, 7, 0, 'Old item', 'presentation', 30, '')"
        )
    app = App(root)
    try:
        assert migrate.current_revision(app.engine) == migrate.HEAD_REVISION
        (item,) = app.events.agenda(7)
        assert (item.fields.title, item.note) == ("Old item", "")
        path = deck_factory.pptx("gone.pptx", [("Gone soon", "", "")])
        deck_id = next(iter(app.decks.import_paths([path]))).deck_id
        slide_id = app.decks.list_slides(deck_id)[0].slide_id
        app.events.update_agenda_item(3, replace(item.fields, slide_ids=(slide_id,)))
        app.decks.remove_deck(deck_id)
        (item,) = app.events.agenda(7)
        assert item.fields.slide_ids == ()
        assert item.note.startswith("1 slide from “Gone soon” was removed")
    finally:
        app.close()


def test_notes_from_before_0013_upgrade_and_keep_the_title_of_an_item_removed_later(
    tmp_path: Path,
) -> None:
    """0013 gives meeting notes the title of a removed agenda item they were filed under: empty for
    every existing note (one already outside the agenda says nothing new), written when an item goes."""
    from msldesk.app.services import App

    root = tmp_path / "lib"
    with _old_library(root, "0012_deck_times_utc") as connection:
        connection.exec_driver_sql(
            "INSERT INTO agenda_items (id, event_id, position, title, kind, minutes, questions, note) "
            "VALUES (3, 7, 0, 'Old item', 'presentation', 30, '', '')"
        )
        for entry_id, item in ((5, "3"), (6, "NULL")):
            connection.exec_driver_sql(
                "INSERT INTO note_entries (id, event_id, agenda_item_id, kind, text, owner, is_key, "
                "flag_terms, flag_reviewed, flag_cleared, created_at_utc) VALUES "
                f"({entry_id}, 7, {item}, 'note', 'typed', '', 0, '', 0, 0, '2026-01-02 10:00:00')"
            )
    app = App(root)
    try:
        assert migrate.current_revision(app.engine) == migrate.HEAD_REVISION
        filed, loose = app.meetings.entries(7)
        assert (filed.agenda_title, filed.item_removed, loose.agenda_title, loose.item_removed) == (
            "Old item", False, "", False,
        )  # fmt: skip
        app.events.remove_agenda_item(3)
        filed, loose = app.meetings.entries(7)
        assert (filed.agenda_title, filed.item_removed, loose.item_removed) == ("Old item", True, False)
    finally:
        app.close()


def test_deck_library_times_written_as_local_wall_time_become_utc(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Before 0012 the deck library kept this computer's wall time; the upgrade reads it as such (winter
    and summer offsets both) and keeps SQLAlchemy's fraction of the second."""
    import datetime as dt
    import time

    from sqlalchemy import text

    from msldesk.app.services import App

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        root = tmp_path / "lib"
        with _old_library(root, "0011_agenda_note") as connection:
            connection.exec_driver_sql(
                "INSERT INTO decks (id, title, approval_code, withdrawn, therapeutic_area, product, "
                "audience, created_at, updated_at) VALUES (1, 'Old deck', '', 0, '', '', '', "
                "'2026-01-15 10:00:00.000000', '2026-07-01 12:30:00.000000')"
            )
            connection.exec_driver_sql(
                "INSERT INTO deck_versions (id, deck_id, number, is_current, sha256, file_name, file_ext, "
                "size, imported_at, kind, macro_enabled, strict, warnings, slide_count, slides_added, "
                "slides_changed, slides_removed, thumbnail_state, thumbnail_error) VALUES (1, 1, 1, 1, "
                f"'{'a' * 64}', 'old.pptx', '.pptx', 1, '2026-07-01 12:30:00.000000', 'presentation', 0, 0, "
                "'', 0, 0, 0, 0, 'pending', '')"
            )
            connection.exec_driver_sql(
                "INSERT INTO collections (id, name, created_at, updated_at, note) VALUES "
                "(1, 'Board', '2026-01-15 00:30:00.000000', '2026-01-15 00:30:00.000000', '')"
            )
            connection.exec_driver_sql(
                "INSERT INTO assemblies (id, title, output_path, created_at, slide_count) VALUES "
                "(1, 'Built', '/x.pptx', '2026-03-29 03:30:00.000000', 0)"
            )
        stored_file = root / "store" / "aa" / f"{'a' * 64}.pptx"  # the backup before upgrading wants it
        stored_file.parent.mkdir(parents=True)
        stored_file.write_bytes(b"x")
        app = App(root)
        try:
            (deck,) = app.decks.list_decks()
            (collection,) = app.assembly.collections()
            with app.engine.connect() as db:
                stored = db.execute(
                    text(
                        "SELECT d.created_at, d.updated_at, c.created_at, a.created_at FROM decks d, "
                        "collections c, assemblies a"
                    )
                ).one()
        finally:
            app.close()
        shown = dt.datetime(2026, 1, 14, 23, 30, tzinfo=dt.UTC).astimezone()
    finally:
        monkeypatch.undo()
        time.tzset()
    assert deck.imported_at == dt.datetime(2026, 7, 1, 10, 30, tzinfo=dt.UTC), "summer: Berlin is UTC+2"
    assert collection.updated_at == dt.datetime(2026, 1, 14, 23, 30, tzinfo=dt.UTC), "the day before, in UTC"
    assert f"{shown:%Y-%m-%d %H:%M}" == "2026-01-15 00:30", "shown on the computer's clock, as written"
    assert tuple(stored) == (
        "2026-01-15 09:00:00.000000",
        "2026-07-01 10:30:00.000000",
        "2026-01-14 23:30:00.000000",
        "2026-03-29 01:30:00.000000",  # the night clocks went forward: 03:30 CEST
    )
