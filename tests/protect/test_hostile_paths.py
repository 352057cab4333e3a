"""Only regular files are read, reads stop at their limit, and odd file names cost only themselves.

Pipes, sockets, device links, folders named like files and link loops are made here at run time.
A regression that blocks (a pipe opened for reading waits for a writer) fails at the deadline
instead of hanging the run: the alarm opens the test's pipes for writing, which frees the reader.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from msldesk.core.errors import FileRefusedError, MsldeskError, NotARegularFileError
from msldesk.core.user_files import display_name, open_regular, read_chunks
from tests.cli.test_cli import msldesk_in_process

DEADLINE_SECONDS = 20
SLIDES = [("Hostile names", "Body", "")]


class Hostile:
    """Makes special files in a folder and remembers the pipes, to free a reader stuck on one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.fifos: list[Path] = []
        self.sockets: list[socket.socket] = []

    def fifo(self, name: str) -> Path:
        path = self.folder / name
        os.mkfifo(path)
        self.fifos.append(path)
        return path

    def socket(self, name: str) -> Path:
        path = self.folder / name
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        self.sockets.append(server)
        return path

    def link(self, name: str, target: str | Path) -> Path:
        path = self.folder / name
        path.symlink_to(target)
        return path

    def loop(self, name: str) -> Path:
        path = self.folder / name
        path.symlink_to(path.name)  # a link to itself
        return path

    def dir(self, name: str) -> Path:
        path = self.folder / name
        path.mkdir()
        return path

    def all_kinds(self, suffix: str) -> dict[str, Path]:
        """One of each refused kind, named like a `suffix` file; keyed by words the reason must hold."""
        return {
            "named pipe": self.fifo(f"pipe{suffix}"),
            "socket": self.socket(f"sock{suffix}"),
            "device": self.link(f"zero{suffix}", "/dev/zero"),
            "device ": self.link(f"random{suffix}", "/dev/urandom"),
            "folder": self.dir(f"folder{suffix}"),
            "loop": self.loop(f"loop{suffix}"),
        }

    def release(self) -> None:
        for path in self.fifos:
            with contextlib.suppress(OSError):
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    def close(self) -> None:
        for server in self.sockets:
            server.close()


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Hostile]:
    # A short folder name: a socket's path must stay under ~107 bytes.
    maker = Hostile(tmp_path / "h")

    def on_alarm(signum: int, frame: object) -> None:
        maker.release()
        raise TimeoutError(f"a read blocked for {DEADLINE_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(DEADLINE_SECONDS)
    try:
        yield maker
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        maker.release()
        maker.close()


def _reason_for(kinds: dict[str, Path], outcomes: dict[str, tuple[str, str, str]]) -> None:
    for words, path in kinds.items():
        status, kind, message = outcomes[display_name(str(path))]
        assert (status, kind) == ("failed", "not-a-file"), (path, outcomes[display_name(str(path))])
        assert words.strip() in message, message
        assert display_name(path.name) in message, message


# ---- deck import ------------------------------------------------------------------------------------


def test_deck_import_refuses_special_files_named_directly(app, deck_factory, hostile: Hostile) -> None:
    kinds = hostile.all_kinds(".pptx")
    good = deck_factory.pptx("good.pptx", SLIDES)
    nul = hostile.folder / "nul\x00.pptx"  # no file can have this name; a dropped URL can
    outcomes = list(app.decks.import_paths([*kinds.values(), nul, good]))
    by_path = {o.path: (o.status, o.error_kind, o.message) for o in outcomes}
    _reason_for({k: v for k, v in kinds.items() if k != "folder"}, by_path)
    status, kind, message = by_path[str(kinds["folder"])]
    assert (status, kind) == ("failed", "not-a-file")
    assert "no PowerPoint files" in message
    assert by_path[str(good)][0] == "imported"
    assert by_path[display_name(str(nul))][:2] == ("failed", "not-a-file")
    assert len([p for p in app.paths.store.rglob("*") if p.is_file()]) == 1  # no temp copies left


def test_deck_folder_walk_refuses_each_special_entry_and_goes_on(app, deck_factory, hostile: Hostile) -> None:
    kinds = hostile.all_kinds(".pptx")
    del kinds["folder"]  # a folder inside a walk is walked: here it holds a deck
    deck_factory.pptx(hostile.folder / "inside.pptx" / "deck.pptx", SLIDES)
    deck_factory.pptx(hostile.folder / "z-last.pptx", [("Last", "", "")])
    outcomes = list(app.decks.import_paths([hostile.folder]))
    by_path = {o.path: (o.status, o.error_kind, o.message) for o in outcomes}
    _reason_for(kinds, by_path)
    imported = sorted(Path(p).name for p, (status, _, _) in by_path.items() if status == "imported")
    assert imported == ["deck.pptx", "z-last.pptx"]
    assert len(outcomes) == len(kinds) + 2


def test_a_folder_in_a_walk_that_cannot_be_listed_is_refused_and_the_rest_goes_on(
    app, deck_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """os.walk skipped a folder it could not list without a word (permissions; a disk gone away)."""
    top = tmp_path / "decks"
    deck_factory.pptx(top / "a.pptx", SLIDES)
    deck_factory.pptx(top / "locked" / "hidden.pptx", SLIDES)
    deck_factory.pptx(top / "z" / "last.pptx", [("Last", "", "")])
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if Path(path).name == "locked":  # as root, a chmod would not stop the listing
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr("msldesk.decks.importer.os.scandir", scandir)
    outcomes = {Path(o.path).name: (o.status, o.message) for o in app.decks.import_paths([top])}
    assert outcomes["a.pptx"][0] == outcomes["last.pptx"][0] == "imported"
    status, message = outcomes["locked"]
    assert status == "failed"
    assert (
        message == "locked is a folder that cannot be read (Permission denied); its decks were not imported."
    )


def test_a_pipe_swapped_in_after_the_check_is_refused_without_blocking(
    hostile: Hostile, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipe = hostile.fifo("swapped.pptx")
    # As if the check ran while a regular file was there: the open must still not wait for a writer.
    monkeypatch.setattr("msldesk.core.user_files.check_regular", lambda path: None)
    with pytest.raises(NotARegularFileError, match="named pipe"):
        open_regular(pipe)


def test_reads_are_counted_not_trusted_to_the_size_the_file_claims() -> None:
    """A pipe says its size is 0; an endless writer must not make the reader read without end."""
    read_end, write_end = os.pipe()
    stop = threading.Event()

    def feed() -> None:
        with contextlib.suppress(OSError), os.fdopen(write_end, "wb") as out:
            while not stop.is_set():
                out.write(b"x" * 65536)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    sizes: list[int] = []

    def read_all(handle: BinaryIO) -> None:
        for chunk in read_chunks(handle, 300_000, lambda: ValueError("over the limit")):
            sizes.append(len(chunk))

    try:
        with os.fdopen(read_end, "rb") as handle, pytest.raises(ValueError, match="over"):
            read_all(handle)
    finally:
        stop.set()
        writer.join(timeout=5)
    assert sum(sizes) <= 300_000


def test_a_file_that_grows_after_its_size_was_read_stops_at_the_limit(
    app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msldesk.boards.intake import sources
    from msldesk.core import user_files

    people = tmp_path / "growing.csv"
    people.write_text("First Name,Last Name\nAda,Lovelace\n", encoding="utf-8")
    monkeypatch.setattr(sources, "MAX_BYTES", 1000)
    checked = user_files.check_regular

    def check_then_grow(path: Path) -> os.stat_result:
        found = checked(path)
        with open(path, "a", encoding="utf-8") as more:
            more.write("Grace,Hopper\n" * 1000)
        return found

    monkeypatch.setattr(user_files, "check_regular", check_then_grow)
    with pytest.raises(FileRefusedError, match="over 0 MB"):
        app.people_import.preview(people)


def test_a_deck_over_the_limit_is_refused_while_copying(app, deck_factory, tmp_path: Path) -> None:
    from msldesk.decks.importer import DeckImporter
    from msldesk.decks.ooxml.opc import PackageLimits
    from msldesk.decks.search import SlideSearchIndex
    from msldesk.decks.store import DeckStore

    big = deck_factory.pptx("big.pptx", SLIDES)
    importer = DeckImporter(
        app.sessions, DeckStore(app.paths.store), SlideSearchIndex(), PackageLimits(max_file_bytes=1000)
    )
    [outcome] = importer.import_paths([big])
    assert (outcome.status, outcome.error_kind) == ("failed", "too-large")
    assert not [p for p in app.paths.store.rglob("*") if p.is_file()]  # the partial copy is gone


# ---- odd file names ----------------------------------------------------------------------------------


def _odd_names(deck_factory, folder: Path) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    folder.mkdir(parents=True, exist_ok=True)
    undecodable = folder / os.fsdecode(b"caf\xff deck.pptx")
    deck_factory.pptx("plain.pptx", SLIDES).rename(undecodable)
    two_lines = folder / "two\nlines.pptx"
    deck_factory.pptx("plain.pptx", [("Second", "", "")]).rename(two_lines)
    long_name = folder / ("L" * 245 + ".pptx")  # 250 characters: as long as file systems allow
    deck_factory.pptx("plain.pptx", [("Third", "", "")]).rename(long_name)
    return {"undecodable": undecodable, "newline": two_lines, "long": long_name}


def test_cli_import_json_is_valid_utf8_for_odd_names(deck_factory, hostile: Hostile, tmp_path: Path) -> None:
    names = _odd_names(deck_factory, hostile.folder)
    too_long = hostile.folder / ("N" * 260 + ".pptx")  # longer than a file name can be
    pipe = hostile.fifo(os.fsdecode(b"pipe \xfe.pptx"))
    data_dir = tmp_path / "cli-lib"
    args = [*map(str, names.values()), str(too_long), str(pipe)]

    done = subprocess.run(
        [sys.executable, "-m", "msldesk", "--data-dir", str(data_dir), "import", "--json", *args],
        capture_output=True,
        timeout=DEADLINE_SECONDS * 3,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout, done.stderr  # some files failed, none stopped the batch
    text = done.stdout.decode("utf-8")  # strictly: raises on a lone surrogate or bad byte
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["status"] for line in lines] == ["imported", "imported", "imported", "failed", "failed"]
    assert lines[0]["path"].endswith("caf\ufffd deck.pptx")
    assert lines[1]["path"].endswith("two\\nlines.pptx")
    assert "\n" not in lines[1]["path"]
    assert lines[2]["path"].endswith("L" * 245 + ".pptx")
    assert lines[3]["error_kind"] == "unreadable"
    assert "too long" in lines[3]["message"]
    assert lines[4]["error_kind"] == "not-a-file"
    assert "pipe \ufffd.pptx" in lines[4]["message"]
    # The real path was stored in a form that tells it apart: the same files are now unchanged.
    again = msldesk_in_process(data_dir, "import", "--json", *args[:3], check_exit=0)
    assert [json.loads(line)["status"] for line in again.stdout.splitlines()] == ["unchanged"] * 3
    again.stdout.encode("utf-8")


def test_odd_names_are_stored_safely(app, deck_factory, tmp_path: Path) -> None:
    names = _odd_names(deck_factory, tmp_path / "odd")
    outcomes = list(app.decks.import_paths(list(names.values())))
    assert [o.status for o in outcomes] == ["imported"] * 3
    titles = {d.title for d in app.decks.list_decks()}
    assert titles == {"Hostile names", "Second", "Third"}
    for deck in app.decks.list_decks():
        json.dumps(deck.__dict__, default=str).encode("utf-8")


def test_names_that_reorder_what_is_shown_are_printed_escaped(deck_factory, tmp_path: Path) -> None:
    """A right-to-left override (U+202E) in a name made a terminal show 'report\u202etxt.exe.pptx' as
    'reportexe.txt.pptx'; the output and the library's deck name show the escape instead."""
    spoof = deck_factory.pptx("plain.pptx", SLIDES).rename(tmp_path / "report\u202etxt.exe.pptx")
    people = tmp_path / "list\u2067x\u2069.csv"
    people.write_text("First Name,Last Name\nAda,Lovelace\n", encoding="utf-8")
    data_dir = tmp_path / "cli-bidi"
    outputs = [
        msldesk_in_process(data_dir, "import", str(spoof), check_exit=0).stdout,
        msldesk_in_process(data_dir, "decks", check_exit=0).stdout,
        msldesk_in_process(data_dir, "people", "import", str(people), "--json", check_exit=0).stdout,
        msldesk_in_process(data_dir, "audit", "log", check_exit=0).stdout,
    ]
    assert "report\\u202etxt.exe.pptx" in outputs[0]
    for text in outputs:
        assert not set(text) & {"\u202e", "\u2067", "\u2069"}, text


# ---- people import -----------------------------------------------------------------------------------


def test_people_import_refuses_special_files_with_a_reason(app, hostile: Hostile) -> None:
    for words, path in hostile.all_kinds(".csv").items():
        with pytest.raises(MsldeskError) as refused:
            app.people_import.preview(path)
        assert words.strip() in refused.value.user_message, refused.value.user_message


def test_people_import_of_odd_names(app, tmp_path: Path) -> None:
    folder = tmp_path / "people"
    folder.mkdir()
    for number, raw in enumerate((b"list \xff.csv", b"two\nlines.csv", b"P" * 246 + b".csv")):
        path = folder / os.fsdecode(raw)
        path.write_text(f"First Name,Last Name\nAda,Lovelace{number}\n", encoding="utf-8")
        preview = app.people_import.preview(path)
        preview.source_name.encode("utf-8")
        assert "\n" not in preview.source_name
        result = app.people_import.apply(preview)
        assert result.imported == 1


def test_people_cli_json_stays_valid_utf8(hostile: Hostile, tmp_path: Path) -> None:
    data_dir = tmp_path / "cli-people"
    good = hostile.folder / os.fsdecode(b"invitees \xff.csv")
    good.write_text("First Name,Last Name\nAda,Lovelace\n", encoding="utf-8")
    event = json.loads(
        msldesk_in_process(
            data_dir, "event", "create", "--title", "Board", "--start", "2027-03-02T09:00",
            "--end", "2027-03-02T12:00", "--tz", "UTC", "--json", check_exit=0,
        ).stdout
    )  # fmt: skip
    done = msldesk_in_process(
        data_dir, "people", "import", str(good), "--event", str(event["id"]), "--json", check_exit=0
    )
    assert json.loads(done.stdout.encode("utf-8").decode("utf-8"))["attendees_added"] == 1
    audit = msldesk_in_process(data_dir, "audit", "--json")
    audit.stdout.encode("utf-8")  # the audit trail stored the name it can show
    for words, path in hostile.all_kinds(".csv").items():
        refused = msldesk_in_process(data_dir, "people", "import", str(path), "--json", check_exit=2)
        answer = json.loads(refused.stdout.encode("utf-8"))
        assert words.strip() in answer["error"]
        assert answer["kind"] == "not-a-file"


# ---- restore ------------------------------------------------------------------------------------------


def test_restore_and_check_refuse_special_files(app, hostile: Hostile, tmp_path: Path) -> None:
    for words, path in hostile.all_kinds(".msldesk-backup").items():
        for operation in (app.backups.check, app.backups.restore):
            with pytest.raises(NotARegularFileError) as refused:
                operation(path, "any passphrase")
            assert words.strip() in refused.value.user_message
    pipe = hostile.fifo("cli.msldesk-backup")
    data_dir = tmp_path / "cli-restore"
    for extra in (["--check"], []):
        done = msldesk_in_process(data_dir, "restore", str(pipe), *extra, check_exit=2)
        assert "named pipe" in done.stderr


def test_check_of_a_backup_with_an_undecodable_name(tmp_path: Path) -> None:
    data_dir = tmp_path / "lib"
    made = tmp_path / "made.msldesk-backup"
    msldesk_in_process(data_dir, "backup", str(made), "--library-key", check_exit=0)
    backup = made.rename(tmp_path / os.fsdecode(b"backup \xff.msldesk-backup"))
    for extra in (["--json"], []):
        done = msldesk_in_process(data_dir, "restore", str(backup), "--check", *extra, check_exit=0)
        assert "backup \ufffd.msldesk-backup" in done.stdout.encode("utf-8").decode("utf-8")


# ---- the library's own files ------------------------------------------------------------------------


def test_a_database_replaced_by_a_pipe_device_socket_or_folder_is_refused_without_blocking(
    hostile: Hostile, tmp_path: Path
) -> None:
    """A sync client or a mistaken command can leave anything under the database's name: it is
    refused as unreadable (a new library is never made there), never opened to wait or read forever."""
    from msldesk.app.services import App
    from msldesk.core.errors import LibraryMissingError

    root = tmp_path / "lib"
    App(root).close()
    database = root / "library.sqlite3"
    database.unlink()
    for words, target in hostile.all_kinds(".sqlite3").items():
        database.symlink_to(target)
        with pytest.raises(LibraryMissingError, match="cannot be read") as refused:
            App(root)
        if words != "loop":
            assert f"it is a {words.strip()}" in refused.value.user_message
        database.unlink()
    assert sorted(p.name for p in root.iterdir() if p.name.startswith("library.sqlite3")) == []


def test_a_library_folder_that_is_no_folder_is_refused_in_words(hostile: Hostile, tmp_path: Path) -> None:
    """--data-dir (or the folder chosen in the desktop) naming a file, pipe, device, socket, a link loop,
    a link to nothing or a path through a file: a traceback (FileExistsError, NotADirectoryError) before."""
    from msldesk.app.services import App

    kinds = {k: v for k, v in hostile.all_kinds("").items() if k != "folder"}
    plain = hostile.folder / "notes.txt"
    plain.write_text("not a library", encoding="utf-8")
    kinds |= {
        "a file": plain,
        "part of its path is a file": plain / "library",
        "which does not exist": hostile.link("gone", tmp_path / "nothing"),
    }
    for words, path in kinds.items():
        with pytest.raises(NotARegularFileError) as refused:
            App(path)
        message = refused.value.user_message
        assert message.startswith(f"The library folder {path}"), message
        assert words.strip() in message, message
        done = msldesk_in_process(path, "decks", check_exit=2)
        assert done.stderr.startswith("msldesk: The library folder"), done.stderr
    assert plain.read_text(encoding="utf-8") == "not a library"
    assert not (tmp_path / "nothing").exists()


def test_check_shows_an_odd_library_folder_name_escaped(tmp_path: Path) -> None:
    data_dir = tmp_path / "lib\u202eabc\nx"
    done = msldesk_in_process(data_dir, "check", check_exit=0)
    assert "lib\\u202eabc\\nx" in done.stdout
    assert "\u202e" not in done.stdout


def test_the_librarys_small_files_are_never_read_from_a_pipe(hostile: Hostile) -> None:
    """Settings, key file, rate card, restricted terms, erasures, anchor and tray: a pipe planted under
    the name would block the start. Each reader says what it says of a damaged file instead. (A link to
    /dev/zero, which would fill memory, is refused by the same helper: see test_user_files.)"""
    from msldesk.boards.erasures import ErasureLedger, ErasureLedgerError
    from msldesk.boards.events.fmv import load_rate_card
    from msldesk.boards.meeting.guard import load_terms
    from msldesk.core.config import Settings
    from msldesk.core.errors import InvalidInputError
    from msldesk.db import crypto
    from msldesk.decks.tray_file import read_tray
    from msldesk.protect.audit_verify import read_anchor

    def blocked(signum: int, frame: object) -> None:
        hostile.release()  # a TimeoutError would be taken for a read error by the readers
        pytest.fail("a reader blocked on a pipe")

    signal.signal(signal.SIGALRM, blocked)  # the fixture puts its own handler back
    pipe = hostile.fifo("pipe.json")
    readers = {
        "settings": lambda: Settings.load(pipe) == Settings(),
        "tray": lambda: read_tray(pipe) == [],
        "anchor": lambda: (read_anchor(pipe) or "").startswith("unreadable: "),
        "key file": lambda: _raises(crypto.LibraryLockedError, crypto.KeyFile.load, pipe),
        "rate card": lambda: _raises(InvalidInputError, load_rate_card, pipe),
        "terms": lambda: _raises(InvalidInputError, load_terms, pipe),
        "erasures": lambda: _raises(ErasureLedgerError, ErasureLedger(pipe, None).erasures),
    }
    for name, reader in readers.items():
        signal.alarm(3)
        assert reader(), name
    signal.alarm(0)


def test_the_librarys_small_files_nested_too_deeply_are_damaged_files(tmp_path: Path) -> None:
    """'[' repeated 100,000 times made json.loads raise RecursionError, which none of these readers
    expected: the app stopped at start instead of saying the file is damaged (or using defaults)."""
    from msldesk.boards.erasures import ErasureLedger, ErasureLedgerError
    from msldesk.boards.events.fmv import load_rate_card
    from msldesk.boards.meeting.guard import load_terms
    from msldesk.core.config import Settings
    from msldesk.core.errors import InvalidInputError
    from msldesk.db import crypto
    from msldesk.decks.tray_file import read_tray
    from msldesk.protect.anchor import parse_anchor
    from msldesk.protect.audit_verify import read_anchor

    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    readers = {
        "settings": lambda: Settings.load(deep) == Settings(),
        "tray": lambda: read_tray(deep) == [],
        "anchor": lambda: _raises(ValueError, parse_anchor, read_anchor(deep)),
        "key file": lambda: _raises(crypto.LibraryLockedError, crypto.KeyFile.load, deep),
        "rate card": lambda: _raises(InvalidInputError, load_rate_card, deep),
        "terms": lambda: _raises(InvalidInputError, load_terms, deep),
        "erasures": lambda: _raises(ErasureLedgerError, ErasureLedger(deep, None).erasures),
    }
    for name, reader in readers.items():
        assert reader(), name


def _raises(error: type[BaseException], function: object, *args: object) -> bool:
    with pytest.raises(error) as raised:
        function(*args)  # type: ignore[operator]
    return any(words in str(raised.value) for words in ("pipe", "damaged", "cannot be", "too deeply"))


def test_a_backup_under_an_undecodable_name_and_a_restore_into_such_a_folder(tmp_path: Path) -> None:
    """SQLite is handed the name's bytes: a text bind could not encode the byte (UnicodeEncodeError)."""
    made = tmp_path / os.fsdecode(b"made \xff.msldesk-backup")
    data_dir = tmp_path / os.fsdecode(b"library \xfe")
    written = msldesk_in_process(data_dir, "backup", str(made), "--library-key", "--json", check_exit=0)
    assert json.loads(written.stdout.encode("utf-8"))["path"].endswith("made \ufffd.msldesk-backup")
    assert made.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    # The restore first saves the library as it was (a backup in its own odd-named folder).
    restored = msldesk_in_process(data_dir, "restore", str(made), "--json", check_exit=0)
    assert json.loads(restored.stdout.encode("utf-8"))["safety_backup"]


def test_a_deck_title_with_a_right_to_left_override_is_stored_without_it(app, deck_factory) -> None:
    deck = deck_factory.pptx("spoof.pptx", SLIDES, title="Approved\u202e20 yaM")
    [outcome] = app.decks.import_paths([deck])
    assert app.decks.deck(outcome.deck_id).title == "Approved20 yaM"


def test_a_library_folder_with_an_odd_name_is_named_escaped_when_its_database_is_gone(tmp_path: Path) -> None:
    """The messages about a missing or unreadable database named the folder raw: a newline or a
    right-to-left override in its name reached the terminal and the desktop's problem panel."""
    from msldesk.app.services import App
    from msldesk.core.errors import LibraryUnavailableError

    root = tmp_path / "lib\u202eabc\nx"
    App(root).close()
    (root / "library.sqlite3").unlink()
    with pytest.raises(LibraryUnavailableError) as missing:
        App(root)
    assert "lib\\u202eabc\\nx" in missing.value.user_message
    assert not set(missing.value.user_message) & {"\u202e", "\n"}
    (root / "library.sqlite3").mkdir()
    with pytest.raises(LibraryUnavailableError) as unreadable:
        App(root)
    assert "lib\\u202eabc\\nx" in unreadable.value.user_message
    assert not set(unreadable.value.user_message) & {"\u202e", "\n"}
