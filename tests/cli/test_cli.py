"""The command line, run as a user would: `python -m msldesk ...` in a subprocess."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pptx
import pytest

GOOD = {
    "alpha.pptx": [("Alpha overview", "Kinetics of alphamab", "Say hello"), ("Alpha safety", "Rash", "")],
    "sub/beta.pptx": [
        ("Beta trial", "Primary endpoint met", ""),
        ("Beta dosing", "", ""),
        ("Beta end", "", ""),
    ],
}


def msldesk(data_dir: Path, *args: str, check_exit: int | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "msldesk", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check_exit is not None:
        assert result.returncode == check_exit, result.stdout + result.stderr
    return result


def msldesk_in_process(
    data_dir: Path, *args: str, check_exit: int | None = None
) -> subprocess.CompletedProcess[str]:
    """The same command through msldesk's entry point in this process: ~0.05 s instead of ~0.9 s for
    a fresh interpreter. For tests of what the commands do; this module keeps the process boundary."""
    from msldesk.__main__ import main

    argv = ["--data-dir", str(data_dir), *args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse refusing the arguments
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    result = subprocess.CompletedProcess(["msldesk", *argv], code, out.getvalue(), err.getvalue())
    if check_exit is not None:
        assert result.returncode == check_exit, result.stdout + result.stderr
    return result


def json_lines(result: subprocess.CompletedProcess[str]) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def folder(deck_factory) -> Path:
    for name, slides in GOOD.items():
        deck_factory.pptx(name, slides, title=Path(name).stem.title())
    return deck_factory.folder


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "cli-library"


@pytest.fixture
def imported(folder: Path, data_dir: Path) -> dict[str, dict]:
    rows = json_lines(msldesk(data_dir, "import", str(folder), "--json", check_exit=0))
    return {Path(r["path"]).name: r for r in rows}


@pytest.mark.corpus
def test_import_reports_one_json_line_per_file(
    folder: Path, data_dir: Path, deck_factory, corpus_dir
) -> None:
    deck_factory.docx("report.pptx")
    deck_factory.truncated("cut.pptx", folder / "alpha.pptx")
    encrypted = corpus_dir / "pptx" / "tika__testPPT_protected_passtika.pptx"
    result = msldesk(data_dir, "import", str(folder), str(encrypted), "--json")
    assert result.returncode == 1, result.stderr  # some files failed
    rows = {Path(r["path"]).name: r for r in json_lines(result)}
    assert set(rows) == {"alpha.pptx", "beta.pptx", "cut.pptx", "report.pptx", encrypted.name}
    for name in ("alpha.pptx", "beta.pptx"):
        assert rows[name]["status"] == "imported"
        assert isinstance(rows[name]["deck_id"], int)
        assert rows[name]["slides"] == len(pptx.Presentation(str(folder / rows[name]["path"])).slides)
        assert "error_kind" not in rows[name]
    expected_kinds = {
        "cut.pptx": "damaged",
        "report.pptx": "not-a-presentation",
        encrypted.name: "password-protected",
    }
    for name, kind in expected_kinds.items():
        assert rows[name]["status"] == "failed"
        assert rows[name]["error_kind"] == kind
        assert rows[name]["message"]
        assert rows[name]["deck_id"] is None
    assert Path(rows["alpha.pptx"]["path"]).exists()

    # Only good files: exit 0, and a second run reports them unchanged.
    again = msldesk(
        data_dir, "import", str(folder / "alpha.pptx"), str(folder / "sub"), "--json", check_exit=0
    )
    assert [r["status"] for r in json_lines(again)] == ["unchanged", "unchanged"]


def test_import_plain_output(folder: Path, data_dir: Path) -> None:
    result = msldesk(data_dir, "import", str(folder), check_exit=0)
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("imported") for line in lines)


def test_updated_file_reports_slide_changes(folder: Path, data_dir: Path, imported) -> None:
    path = folder / "alpha.pptx"
    presentation = pptx.Presentation(str(path))
    presentation.slides[1].placeholders[1].text_frame.text = "Rash and pruritus"
    presentation.save(str(path))
    (row,) = json_lines(msldesk(data_dir, "import", str(path), "--json", check_exit=0))
    assert row["status"] == "updated"
    assert row["deck_id"] == imported["alpha.pptx"]["deck_id"]
    assert (row["slides_added"], row["slides_changed"], row["slides_removed"]) == (0, 1, 0)


def test_decks_and_slides_json(data_dir: Path, imported) -> None:
    decks = json.loads(msldesk(data_dir, "decks", "--json", check_exit=0).stdout)
    assert {d["deck_id"] for d in decks} == {r["deck_id"] for r in imported.values()}
    alpha = next(d for d in decks if d["deck_id"] == imported["alpha.pptx"]["deck_id"])
    assert alpha["title"] == "Alpha"
    assert alpha["status"] == "draft"
    assert alpha["slide_count"] == 2

    slides = json.loads(msldesk(data_dir, "slides", str(alpha["deck_id"]), "--json", check_exit=0).stdout)
    assert [s["number"] for s in slides] == [1, 2]
    first = slides[0]
    assert {"slide_id", "number", "title", "text", "notes", "thumbnail"} <= set(first)
    assert (first["title"], first["text"], first["notes"]) == GOOD["alpha.pptx"][0]
    assert first["thumbnail"] is None  # not rendered yet
    assert isinstance(first["slide_id"], int)

    plain = msldesk(data_dir, "decks", check_exit=0).stdout
    assert "Alpha" in plain
    assert "Beta" in plain


def test_search_json(data_dir: Path, imported) -> None:
    hits = json.loads(msldesk(data_dir, "search", "alphamab", "--json", check_exit=0).stdout)
    assert len(hits) == 1
    hit = hits[0]
    assert set(hit) >= {"deck_id", "deck_title", "slide_id", "number", "title", "snippet", "status"}
    assert (hit["deck_id"], hit["deck_title"], hit["number"]) == (
        imported["alpha.pptx"]["deck_id"],
        "Alpha",
        1,
    )
    assert hit["title"] == "Alpha overview"
    assert hit["status"] == "draft"
    assert "<b>alphamab</b>" in hit["snippet"]
    assert json.loads(msldesk(data_dir, "search", "nothinglikethis", "--json", check_exit=0).stdout) == []
    plain = msldesk(data_dir, "search", "alphamab", check_exit=0).stdout
    assert "[alphamab]" in plain


def test_deck_set(data_dir: Path, imported) -> None:
    today = dt.date.today()  # the CLI runs on the real date
    deck_id = str(imported["beta.pptx"]["deck_id"])
    approved, expires = today - dt.timedelta(days=10), today + dt.timedelta(days=365)
    result = msldesk(
        data_dir, "deck", "set", deck_id, "--approval-code", "MED-42", "--approved", approved.isoformat(),
        "--expires", expires.isoformat(), "--tag", "Phase 3", "--tag", "oncology", "--json", check_exit=0,
    )  # fmt: skip
    deck = json.loads(result.stdout)
    assert deck["approval_code"] == "MED-42"
    assert (deck["approved_on"], deck["expires_on"]) == (approved.isoformat(), expires.isoformat())
    assert deck["tags"] == ["Phase 3", "oncology"]
    assert deck["status"] == "approved"

    listed = json.loads(msldesk(data_dir, "decks", "--json", check_exit=0).stdout)
    assert next(d for d in listed if d["deck_id"] == int(deck_id))["status"] == "approved"
    tagged = json.loads(
        msldesk(data_dir, "search", "beta", "--tag", "oncology", "--json", check_exit=0).stdout
    )
    assert {h["number"] for h in tagged} == {1, 2, 3}
    assert {h["status"] for h in tagged} == {"approved"}
    by_tag = json.loads(msldesk(data_dir, "search", "oncology", "--json", check_exit=0).stdout)
    assert {h["deck_id"] for h in by_tag} == {int(deck_id)}

    msldesk(
        data_dir,
        "deck",
        "set",
        deck_id,
        "--expires",
        (today - dt.timedelta(days=1)).isoformat(),
        check_exit=0,
    )
    assert json.loads(msldesk(data_dir, "search", "beta", "--json", check_exit=0).stdout) == []
    expired = json.loads(
        msldesk(data_dir, "search", "beta", "--include-expired", "--json", check_exit=0).stdout
    )
    assert {h["status"] for h in expired} == {"expired"}


def test_errors_exit_2_with_a_message(data_dir: Path, imported) -> None:
    deck_id = str(imported["alpha.pptx"]["deck_id"])
    today = dt.date.today()
    bad = msldesk(
        data_dir, "deck", "set", deck_id, "--approved", today.isoformat(),
        "--expires", (today - dt.timedelta(days=3)).isoformat(),
    )  # fmt: skip
    assert bad.returncode == 2
    assert "before the approval date" in bad.stderr
    missing = msldesk(data_dir, "slides", "99999", "--json")
    assert missing.returncode == 2
    assert "99999" in missing.stderr
    not_a_date = msldesk(data_dir, "deck", "set", deck_id, "--expires", "next week")
    assert not_a_date.returncode == 2
    assert "YYYY-MM-DD" in not_a_date.stderr


def test_a_refusal_shows_the_escapes_in_what_the_user_typed(data_dir: Path, imported) -> None:
    """A name typed with a terminal escape sequence or a right-to-left override is echoed in the
    refusal as escapes: raw, it recoloured the terminal or reordered the words."""
    typed = "\x1b[31mred\u202eevil"
    result = msldesk_in_process(data_dir, "collection", "delete", typed, check_exit=2)
    assert "\x1b" not in result.stderr
    assert "\u202e" not in result.stderr
    assert "There is no collection named “\\x1b[31mred\\u202eevil”." in result.stderr


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not on PATH")
def test_thumbnails_wait(data_dir: Path, imported) -> None:
    msldesk(data_dir, "thumbnails", "--wait", check_exit=0)
    deck_id = str(imported["beta.pptx"]["deck_id"])
    slides = json.loads(msldesk(data_dir, "slides", deck_id, "--json", check_exit=0).stdout)
    assert len(slides) == 3
    assert all(s["thumbnail"] and Path(s["thumbnail"]).is_file() for s in slides)


def test_a_number_too_large_for_the_library_is_a_usage_error_not_damage(data_dir: Path, imported) -> None:
    """10**26 as a person id reached SQLite, whose OverflowError was taken for a damaged database:
    'holds a value msldesk cannot read … Restore it from a backup' on a healthy library."""
    result = msldesk_in_process(data_dir, "slides", str(10**26), check_exit=2)
    assert "too large a number" in result.stderr
    assert "backup" not in result.stderr
