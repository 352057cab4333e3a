"""A password given on standard input (--password-stdin) is one line of text: a device or a binary
file redirected there is refused in words, never read until memory runs out."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = {
    "hub add-user": ["hub", "add-user", "postgresql://127.0.0.1:9/none", "ana", "--role", "msl"],
    "team connect": ["team", "connect", "postgresql://127.0.0.1:9/none"],
}


def _small_memory() -> None:  # a regression reading /dev/zero stops at 1 GB instead of filling the machine
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.parametrize("command", COMMANDS, ids=list(COMMANDS))
@pytest.mark.parametrize(
    ("source", "words"),
    [("/dev/zero", "longer than 4,096 characters"), ("/dev/urandom", "not text (UTF-8)")],
    ids=["zero", "urandom"],
)
def test_a_device_on_standard_input_is_refused_in_words(
    command: str, source: str, words: str, tmp_path: Path
) -> None:
    with open(source, "rb") as stdin:
        done = subprocess.run(
            [sys.executable, "-m", "msldesk", "--data-dir", str(tmp_path / "lib"), *COMMANDS[command],
             "--password-stdin"],
            stdin=stdin, capture_output=True, text=True, timeout=60, preexec_fn=_small_memory,
        )  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    assert words in done.stderr, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


def test_a_long_line_is_refused_and_an_ordinary_one_read(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from msldesk.cli.ask import secret_from_stdin
    from msldesk.core.errors import InvalidInputError

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("pässword\r\nrest\n".encode())))
    assert secret_from_stdin() == "pässword"
    monkeypatch.setattr("sys.stdin", io.StringIO("x" * 4097 + "\n"))
    with pytest.raises(InvalidInputError, match="longer than"):
        secret_from_stdin()
    monkeypatch.setattr("sys.stdin", io.StringIO("x" * 4096 + "\n"))
    assert secret_from_stdin() == "x" * 4096
