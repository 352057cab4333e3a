"""The one way to open a user's file, and the names shown and stored for it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from msldesk.core.user_files import display_name, encodable, open_regular, read_regular, storable_path


def test_display_name_is_printable_and_encodable() -> None:
    raw = os.fsdecode(b"caf\xff") + "\n\x07\x1b[31m\u2028x\t.pptx"
    shown = display_name(raw)
    assert shown == "caf\ufffd\\n\\x07\\x1b[31m\\u2028x\\t.pptx"
    shown.encode("utf-8")
    assert display_name("Müller – 2026.pptx") == "Müller – 2026.pptx"  # ordinary names are untouched
    assert encodable("a\ud800b") == "a\ufffdb"  # a surrogate that no file-system byte made


def test_storable_path_keeps_names_apart_and_plain_ones_as_they_are(tmp_path: Path) -> None:
    one, two = (tmp_path / os.fsdecode(name) for name in (b"\xff.pptx", b"\xfe.pptx"))
    assert storable_path(one) != storable_path(two)
    assert storable_path(one).endswith("\\xff.pptx")
    storable_path(one).encode("utf-8")
    assert storable_path(tmp_path / "Müller.pptx") == str(tmp_path / "Müller.pptx")


def test_a_regular_file_opens_for_ordinary_blocking_reads(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"a" * 10)
    with open_regular(path) as handle:
        assert os.get_blocking(handle.fileno())
        assert handle.read() == b"a" * 10
    assert read_regular(path, 10, lambda: ValueError("too large")) == b"a" * 10
    with pytest.raises(ValueError, match="too large"):
        read_regular(path, 9, lambda: ValueError("too large"))


def test_a_small_file_is_read_only_when_regular_and_under_its_limit(tmp_path: Path) -> None:
    import errno

    from msldesk.core.user_files import read_small_file

    zero = tmp_path / "settings.json"
    zero.symlink_to("/dev/zero")
    with pytest.raises(OSError, match="a device") as refused:
        read_small_file(zero)  # a link to /dev/zero would fill memory
    assert refused.value.errno == errno.EINVAL
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 101)
    with pytest.raises(OSError, match="over 100 bytes"):
        read_small_file(big, 100)
    assert read_small_file(big, 101) == b" " * 101
    with pytest.raises(FileNotFoundError):
        read_small_file(tmp_path / "none.json")


def test_display_name_escapes_invisible_characters_that_reorder_or_hide_a_name() -> None:
    """A right-to-left override shows "report\u202etxt.exe.pptx" as "reportexe.txt.pptx" (Trojan
    Source): bidi controls, zero-width spaces and BOMs are shown as escapes; letters are not."""
    assert display_name("report\u202etxt.exe.pptx") == "report\\u202etxt.exe.pptx"
    assert (
        display_name("a\u2067b\u2069c\u200f\u200e\u061c.csv") == "a\\u2067b\\u2069c\\u200f\\u200e\\u061c.csv"
    )
    assert display_name("a\u200bb\ufeffc\u2060.csv") == "a\\u200bb\\ufeffc\\u2060.csv"
    # Zero-width non-joiner and joiner belong to the writing (a Persian plural, an emoji sequence).
    persian = "\u0646\u0627\u0645\u0647\u200c\u0647\u0627 \U0001f469\u200d\U0001f52c.csv"
    assert display_name(persian) == persian
    assert display_name("שלום.pptx") == "שלום.pptx"


def test_parse_json_says_a_file_nested_too_deeply_is_malformed() -> None:
    import json

    from msldesk.core.user_files import parse_json

    for deep in (b"[" * 200_000 + b"]" * 200_000, '{"a":' * 200_000 + "1" + "}" * 200_000):
        with pytest.raises(json.JSONDecodeError, match="nested too deeply"):
            parse_json(deep)  # json.loads raises RecursionError, which no reader catches
    assert parse_json(b'{"a": [1, 2.5]}') == {"a": [1, 2.5]}


def test_a_small_file_named_with_a_nul_is_an_os_error(tmp_path: Path) -> None:
    from msldesk.core.user_files import read_small_file

    with pytest.raises(OSError, match="NUL"):
        read_small_file(tmp_path / "fmv\x00.json")  # os.stat raises ValueError; readers expect OSError


def test_a_message_keeps_its_line_breaks_and_shows_every_other_control_character() -> None:
    from msldesk.core.user_files import display_message

    message = "No collection “\x1b[2J\u202egnp.exe”.\nTry: msldesk collections"
    assert display_message(message) == "No collection “\\x1b[2J\\u202egnp.exe”.\nTry: msldesk collections"
