"""A file the user names for msldesk to write: what is refused before anything is written (an existing
file unless replacing it was agreed, a folder, a pipe, a link, a missing folder, a name no disk takes),
and what the atomic writer says when the folder may not be written. Every refusal leaves the folder
as it was."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from msldesk.core import fileio
from msldesk.core.errors import NotWritableError, OutputExistsError, OutputRefusedError
from msldesk.core.fileio import atomic_write_bytes, check_output_file

EARLIER = b"the earlier file, kept"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _contents(folder: Path) -> dict[str, bytes | str]:
    """Each entry of the folder (hidden ones too): a file's bytes, or what else it is."""
    found: dict[str, bytes | str] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            found[entry.name] = f"link to {os.readlink(entry)}"
        elif entry.is_dir():
            found[entry.name] = "folder"
        elif entry.is_file():
            found[entry.name] = entry.read_bytes()
        else:
            found[entry.name] = "other"
    return found


def test_a_new_file_in_an_existing_folder_is_accepted(tmp_path: Path) -> None:
    out = _folder(tmp_path) / "summary.pdf"
    assert check_output_file(out) == out
    assert not out.exists()  # the check writes nothing


def test_an_existing_file_is_kept_unless_replacing_it_was_agreed(tmp_path: Path) -> None:
    out = _folder(tmp_path) / "summary.pdf"
    out.write_bytes(EARLIER)
    with pytest.raises(OutputExistsError) as caught:
        check_output_file(out)
    assert "already exists" in caught.value.user_message
    assert "--overwrite" in caught.value.user_message
    assert out.read_bytes() == EARLIER
    assert check_output_file(out, overwrite=True) == out


def _make(kind: str, folder: Path) -> Path:
    out = folder / "out.csv"
    if kind == "folder":
        out.mkdir()
    elif kind == "pipe":
        os.mkfifo(out)
    elif kind == "link to a file":
        (folder / "real.csv").write_bytes(EARLIER)
        out.symlink_to(folder / "real.csv")
    elif kind == "link to a device":
        out.symlink_to("/dev/null")
    elif kind == "dangling link":
        out.symlink_to(folder / "nowhere" / "x.csv")
    return out


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("folder", "is a folder"),
        ("pipe", "not a regular file"),
        ("link to a file", "is a link"),
        ("link to a device", "is a link"),
        ("dangling link", "is a link"),
    ],
)
@pytest.mark.parametrize("overwrite", [False, True])
def test_what_is_not_a_regular_file_is_refused_even_when_replacing(
    kind: str, said: str, overwrite: bool, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    out = _make(kind, folder)
    before = _contents(folder)
    with pytest.raises(OutputRefusedError) as caught:
        check_output_file(out, overwrite=overwrite)
    assert not isinstance(caught.value, OutputExistsError)
    assert said in caught.value.user_message
    assert "Nothing was written" in caught.value.user_message
    assert _contents(folder) == before


def test_a_missing_folder_is_refused_not_made(tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "summary.pdf"
    with pytest.raises(OutputRefusedError, match="does not exist"):
        check_output_file(out)
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    "name",
    [
        "two\nlines.csv",
        "bell\x07.csv",
        "tab\there.csv",
        "del\x7f.csv",
        "report\u202etxt.exe.csv",
        "nel\x85.csv",
    ],
)
def test_a_name_with_control_characters_is_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(OutputRefusedError, match="control character") as caught:
        check_output_file(_folder(tmp_path) / name)
    assert "\n" not in caught.value.user_message  # the name is shown with its escapes


def test_a_name_longer_than_a_disk_takes_is_refused_in_bytes(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    with pytest.raises(OutputRefusedError, match="256 bytes"):
        check_output_file(folder / ("x" * 252 + ".csv"))
    with pytest.raises(OutputRefusedError, match="258 bytes"):  # 127 two-byte letters
        check_output_file(folder / ("é" * 127 + ".csv"))
    assert check_output_file(folder / ("x" * 251 + ".csv"))  # 255 bytes: a valid name


def test_a_name_that_is_not_utf8_is_accepted_and_written(tmp_path: Path) -> None:
    out = Path(os.fsdecode(os.fsencode(_folder(tmp_path)) + b"/caf\xe9.csv"))
    atomic_write_bytes(check_output_file(out), b"data")
    assert out.read_bytes() == b"data"


def test_the_longest_valid_name_can_be_written_atomically(tmp_path: Path) -> None:
    """The temp file beside it once took the whole name plus 14 bytes: 'File name too long'."""
    folder = _folder(tmp_path)
    for name in ("x" * 251 + ".csv", "é" * 125 + ".csv"):
        atomic_write_bytes(folder / name, b"data")
        assert (folder / name).read_bytes() == b"data"
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.EPERM])
def test_a_folder_that_may_not_be_written_is_said_in_plain_words(
    code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root writes through permission bits, so the refusal is the one the disk would give."""
    folder = _folder(tmp_path)
    (folder / "out.csv").write_bytes(EARLIER)

    class Refusing:
        def __getattr__(self, name: str) -> Any:
            import tempfile

            return getattr(tempfile, name)

        @staticmethod
        def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
            raise OSError(code, os.strerror(code), str(folder / ".out.csv.x.tmp"))

    monkeypatch.setattr(fileio, "tempfile", Refusing())
    with pytest.raises(NotWritableError) as caught:
        atomic_write_bytes(folder / "out.csv", b"new")
    error = caught.value
    assert isinstance(error, OSError)  # callers that catch OSError still do
    assert error.errno == code
    assert str(folder) in error.user_message
    assert "read-only or you may not write there" in error.user_message
    assert "Errno" not in error.user_message
    assert (folder / "out.csv").read_bytes() == EARLIER


def test_a_folder_put_where_the_file_goes_after_the_check_is_said_in_plain_words(tmp_path: Path) -> None:
    """The check and the write are two steps: a folder that appears between them is still refused
    in words, and the temp file goes."""
    folder = _folder(tmp_path)
    (folder / "out.csv").mkdir()
    with pytest.raises(OutputRefusedError, match="is a folder"):
        atomic_write_bytes(folder / "out.csv", b"new")
    assert _contents(folder) == {"out.csv": "folder"}


def test_replacing_a_file_the_user_agreed_to_keeps_a_companion_nobody_asked_about(tmp_path: Path) -> None:
    """The desktop's save dialog asks about deck.pptx only: an existing deck-bill-of-materials.csv
    beside it was replaced without a question."""
    from dataclasses import replace

    from msldesk.boards.outputs.registry import DECK
    from msldesk.core.errors import OutputExistsError

    written: list[Path] = []
    kind = replace(DECK, render=lambda data, out, progress, cancel: written.append(out))
    out = _folder(tmp_path) / "deck.pptx"
    out.write_bytes(b"old deck")
    bom = out.with_name("deck-bill-of-materials.csv")
    bom.write_text("kept")
    with pytest.raises(OutputExistsError, match=r"deck-bill-of-materials\.csv"):
        kind.write(None, out, lambda *a: None, None, overwrite=True, companions_too=False)  # type: ignore[arg-type]
    assert written == []
    assert bom.read_text() == "kept"
    kind.write(None, out, lambda *a: None, None, overwrite=True)  # type: ignore[arg-type]
    assert written == [out]  # the command line's --overwrite is for both


def test_a_temp_name_cut_inside_a_character_drops_the_half_character() -> None:
    from msldesk.core.fileio import temp_prefix

    prefix = temp_prefix("x" + "ä" * 120 + ".pptx")  # 200 bytes end inside the 100th "ä"
    assert prefix == ".x" + "ä" * 99 + "."
    prefix.encode("utf-8")  # no lone surrogate: a name Windows can decode
