"""Every command that writes a file the user names: an existing file is kept unless --overwrite is
given (each such command documents it), and a target that is no file to write (a folder, a pipe, a
link) is refused in plain words with exit 2, never a traceback, leaving it as it was."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from msldesk.boards.outputs.registry import KINDS

from .test_cli import msldesk_in_process as msldesk

EARLIER = b"the earlier file, kept"


@pytest.fixture
def event_library(tmp_path: Path) -> tuple[Path, str]:
    data_dir = tmp_path / "cli-outputs"
    msldesk(
        data_dir, "event", "create", "--title", "Board", "--start", "2027-05-04T09:00",
        "--end", "2027-05-04T13:00", "--tz", "Europe/Berlin", check_exit=0,
    )  # fmt: skip
    return data_dir, "1"


def _writing_commands() -> list[tuple[str, ...]]:
    """The command words of every parser that has --out or an export FILE flag."""
    from msldesk.cli.main import build_parser

    found: list[tuple[str, ...]] = []

    def walk(parser: argparse.ArgumentParser, words: tuple[str, ...]) -> None:
        flags = {o for a in parser._actions for o in a.option_strings}
        if flags & {"--out", "--ics", "--attendees", "--sign-in"}:
            found.append(words)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*words, name))

    walk(build_parser(), ())
    return found


def test_every_command_that_writes_a_named_file_documents_overwrite() -> None:
    from msldesk.cli.main import build_parser

    commands = _writing_commands()
    assert ("compose",) in commands
    assert ("people", "export-data") in commands
    assert ("event", "export") in commands
    assert len(commands) >= 8
    assert ("team", "payments", "export") in commands
    for words in commands:
        parser = build_parser()
        for word in words:
            parser = next(
                a.choices[word] for a in parser._actions if isinstance(a, argparse._SubParsersAction)
            )
        assert "--overwrite" in parser.format_help(), " ".join(words)


@pytest.mark.parametrize(
    "args",
    [
        ("event", "export", "1", "--ics", "{out}.ics"),
        ("event", "export", "1", "--attendees", "{out}.xlsx"),
        ("event", "export", "1", "--sign-in", "{out}.pdf"),
        ("payments", "export", "--year", "2027", "--out", "{out}.csv"),
        ("people", "export-data", "1", "--out", "{out}.json"),
    ],
)
def test_an_existing_file_is_kept_unless_overwrite(
    args: tuple[str, ...], event_library: tuple[Path, str], tmp_path: Path
) -> None:
    data_dir, _ = event_library
    if args[0] == "people":
        msldesk(data_dir, "people", "--json", check_exit=0)
        person_csv = tmp_path / "p.csv"
        person_csv.write_text("First Name,Last Name\nAda,Lovelace\n", encoding="utf-8")
        msldesk(data_dir, "people", "import", str(person_csv), check_exit=0)
    template = next(a for a in args if a.startswith("{out}"))
    out = tmp_path / template.replace("{out}", "existing")
    out.write_bytes(EARLIER)
    argv = [str(out) if a == template else a for a in args]
    refused = msldesk(data_dir, *argv, check_exit=2)
    assert refused.stderr.startswith("msldesk: ")
    assert "already exists" in refused.stderr
    assert "--overwrite" in refused.stderr
    assert out.read_bytes() == EARLIER
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    msldesk(data_dir, *argv, "--overwrite", check_exit=0)
    assert out.read_bytes() != EARLIER


def test_team_payments_export_keeps_an_existing_file_before_asking_the_hub(
    event_library: tuple[Path, str], tmp_path: Path
) -> None:
    data_dir, _ = event_library
    out = tmp_path / "team.csv"
    out.write_bytes(EARLIER)
    args = ("team", "payments", "export", "--year", "2027", "--out", str(out))
    result = msldesk(data_dir, *args, check_exit=2)
    assert "already exists" in result.stderr
    assert out.read_bytes() == EARLIER


@pytest.mark.parametrize("target", ["folder", "pipe", "dangling link", "missing folder", "line break"])
def test_a_target_that_is_no_file_to_write_is_refused_in_words(
    target: str, event_library: tuple[Path, str], tmp_path: Path
) -> None:
    data_dir, event_id = event_library
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "invite.ics"
    if target == "folder":
        out.mkdir()
    elif target == "pipe":
        os.mkfifo(out)
    elif target == "dangling link":
        out.symlink_to(folder / "gone.ics")
    elif target == "missing folder":
        out = folder / "no" / "invite.ics"
    elif target == "line break":
        out = folder / "two\nlines.ics"
    before = sorted(p.name for p in folder.iterdir())
    for extra in ((), ("--overwrite",)):
        result = msldesk(data_dir, "event", "export", event_id, "--ics", str(out), *extra, check_exit=2)
        assert result.stderr.startswith("msldesk: ")
        assert "Traceback" not in result.stderr
        assert "Errno" not in result.stderr
        assert "Nothing was written" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == before


def test_compose_keeps_an_existing_bill_of_materials(tmp_path: Path, deck_factory) -> None:  # type: ignore[no-untyped-def]
    """The deck's companion file is asked about like the deck: a new deck.pptx whose
    deck-bill-of-materials.csv is there already is refused."""
    data_dir = tmp_path / "cli-compose"
    deck = deck_factory.pptx("a.pptx", [("One", "Body", "")])
    msldesk(data_dir, "import", str(deck), check_exit=0)
    folder = tmp_path / "out"
    folder.mkdir()
    bom = folder / "deck-bill-of-materials.csv"
    bom.write_bytes(EARLIER)
    result = msldesk(data_dir, "compose", "1", "--out", str(folder / "deck.pptx"), check_exit=2)
    assert "deck-bill-of-materials.csv already exists" in result.stderr
    assert bom.read_bytes() == EARLIER
    assert sorted(p.name for p in folder.iterdir()) == ["deck-bill-of-materials.csv"]
    msldesk(data_dir, "compose", "1", "--out", str(folder / "deck.pptx"), "--overwrite", check_exit=0)
    assert bom.read_bytes() != EARLIER
    assert KINDS["deck"].companions(folder / "deck.pptx") == (bom,)


def test_a_read_only_folder_is_said_once_in_plain_words(
    tmp_path: Path,
    deck_factory,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    """A deck (written under a hidden draft name first), a summary PDF (which words its own write
    errors) and a backup (SQLite's file) to a folder the disk refuses: one plain sentence naming the
    folder, exit 2."""
    import tempfile
    from typing import Any

    from msldesk.core import fileio

    data_dir = tmp_path / "cli-ro"
    msldesk(data_dir, "import", str(deck_factory.pptx("a.pptx", [("One", "Body", "")])), check_exit=0)
    msldesk(
        data_dir, "event", "create", "--title", "Board", "--start", "2027-05-04T09:00",
        "--end", "2027-05-04T13:00", "--tz", "Europe/Berlin", check_exit=0,
    )  # fmt: skip
    msldesk(data_dir, "note", "add", "1", "! Payers ask for data", check_exit=0)
    folder = (tmp_path / "read-only").resolve()
    folder.mkdir()

    class ReadOnlyDisk:
        def __getattr__(self, name: str) -> Any:
            return getattr(tempfile, name)

        @staticmethod
        def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
            if Path(kwargs.get("dir", "")).resolve() == folder:
                raise OSError(30, "Read-only file system", str(folder / ".x.tmp"))
            return tempfile.mkstemp(*args, **kwargs)

    monkeypatch.setattr(fileio, "tempfile", ReadOnlyDisk())
    for args in (("compose", "1", "--out", str(folder / "deck.pptx")),
                 ("export", "summary", "1", "--out", str(folder / "summary.pdf")),
                 ("backup", "--library-key", str(folder / "library.msldesk-backup"))):  # fmt: skip
        result = msldesk(data_dir, *args, check_exit=2)
        assert result.stderr.startswith("msldesk: ")
        assert f"cannot be saved in {folder}: that folder is read-only" in result.stderr
        assert "could not be saved as" not in result.stderr  # said once, not wrapped twice
        assert "Errno" not in result.stderr
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("sql", "args"),
    [
        ("update events set starts_at_utc = 'not a date'", ("events",)),
        ("update events set starts_at_utc = '9999-12-31 23:59:59.000000'", ("event", "show", "1")),
        ("update attendances set role = 'emperor'", ("events",)),
        ("update note_entries set kind = 'shout'", ("note", "list", "2")),
        ("update decks set expires_on = 'yesterday'", ("decks",)),
        ("update decks set expires_on = 'yesterday'", ("search", "Demo")),
        ("update events set starts_at_utc = '9999-12-31 23:59:59.000000'", ("event", "show", "2")),
    ],
)
def test_a_stored_value_msldesk_cannot_read_is_said_in_plain_words(
    sql: str, args: tuple[str, ...], tmp_path: Path
) -> None:
    """A database changed by another program (a date that is no date, a kind msldesk does not know,
    year 9999 moved into a time zone): every command says so and names the way out, no traceback."""
    from msldesk.app.services import App
    from tests.library_db import connect

    data_dir = tmp_path / "forged"
    app = App(data_dir)
    app.seed_demo_content()
    app.close()
    connection = connect(data_dir / "library.sqlite3")
    connection.execute(sql)
    connection.commit()
    connection.close()
    result = msldesk(data_dir, *args, check_exit=2)
    assert "holds a value msldesk cannot read" in result.stderr
    assert "restore" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_desktop_says_the_same_of_an_unreadable_stored_value(tmp_path: Path) -> None:
    from msldesk.app.services import App
    from msldesk.protect.library_guard import unreadable_value
    from tests.library_db import connect

    app = App(tmp_path / "forged")
    app.seed_demo_content()
    connection = connect(tmp_path / "forged" / "library.sqlite3")
    connection.execute("update attendances set role = 'emperor'")
    connection.commit()
    connection.close()
    try:
        with pytest.raises(ValueError, match="emperor") as caught:
            app.events.list_events()
    finally:
        app.close()
    assert unreadable_value(caught.value)
    assert not unreadable_value(ValueError("a mistake in msldesk's own code"))
    pytest.importorskip("PySide6")
    from msldesk.ui.errors import user_message

    assert "holds a value msldesk cannot read ('emperor'" in user_message(caught.value)


def test_compose_says_when_the_library_copy_of_a_deck_is_gone(tmp_path: Path, deck_factory) -> None:  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "cli-store"
    msldesk(
        data_dir,
        "import",
        str(deck_factory.pptx("a.pptx", [("One", "Body", "")], title="Alpha")),
        check_exit=0,
    )
    for stored in (data_dir / "store").rglob("*"):
        if stored.is_file():
            stored.unlink()
    result = msldesk(data_dir, "compose", "1", "--out", str(tmp_path / "deck.pptx"), check_exit=2)
    assert "missing from its deck store" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "deck.pptx").exists()
