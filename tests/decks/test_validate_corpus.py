"""validate_package on the real corpus: known faults are reported, nothing else is."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from msldesk.decks.ooxml.validate import ValidationReport, validate_package

pytestmark = pytest.mark.corpus

# Every fault below was checked by hand in the source file; it is in the file, not in the validator.
# file name -> {problem code: how many}
EXPECTED_PROBLEMS: dict[str, dict[str, int]] = {
    # The zip holds "ppt/media/image7.jpg " (trailing space), a stray copy of "ppt/media/image7.jpg";
    # the extension "jpg " has no Default in [Content_Types].xml, so that entry has no content type.
    "ooxmlparser__transition_without_sound_name.pptx": {"no-content-type": 1},
    # slide3's image relationship rId2 has Target="NULL" (the picture was never embedded): a dangling
    # relationship to ppt/slides/NULL.
    "openxmlsdk__typical.pptx": {"missing-target": 1},
    # The 90 ppt/customXML/item*.xml parts hold plain text ("sld-customData", "ctdcustomData"), not
    # XML, although the xml Default declares them application/xml; and the package has no notes
    # master at all, so none of its 45 notes slides has the notesMaster relationship it must have.
    "shapecrawler__031.pptx": {"bad-xml": 90, "notes-link": 45},
    # presentation.xml.rels has a slide relationship to ppt/slides/slide2.xml, but <sldIdLst> lists
    # only slide1: slide2 is in the package and reachable, yet not part of the presentation.
    "shapecrawler__075.pptx": {"orphan-slide": 1},
}


def _save_with_python_pptx(path: Path, copy: Path) -> bool:
    """python-pptx opens `path` and saves it back unchanged as `copy`."""
    import pptx

    try:
        presentation = pptx.Presentation(str(path))
        buffer = io.BytesIO()
        presentation.save(buffer)
    # python-pptx has no error type of its own: at least seven kinds come out of Presentation().
    except Exception:  # noqa: BLE001 - deciding eligibility only: why it fails does not matter here
        return False
    copy.write_bytes(buffer.getvalue())
    return True


@pytest.fixture(scope="module")
def round_trips(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Each corpus deck python-pptx can open and save -> its python-pptx copy (outside the corpus)."""
    folder = tmp_path_factory.mktemp("python-pptx-copies")
    files = sorted(p for p in (corpus_dir / "pptx").iterdir() if p.is_file())
    checked = {path: folder / path.name for path in files if _save_with_python_pptx(path, folder / path.name)}
    if not checked:
        pytest.skip("no corpus deck that python-pptx can open and save")
    return checked


@pytest.fixture(scope="module")
def all_reports(corpus_dir: Path) -> dict[str, ValidationReport]:
    """Every corpus file validated, including those python-pptx cannot open."""
    return {path.name: validate_package(path) for path in sorted((corpus_dir / "pptx").iterdir())}


@pytest.fixture(scope="module")
def reports(
    round_trips: dict[Path, Path], all_reports: dict[str, ValidationReport]
) -> dict[str, ValidationReport]:
    """The reports of the decks python-pptx can open and save."""
    return {path.name: all_reports[path.name] for path in round_trips}


def _codes(report: ValidationReport) -> dict[str, int]:
    return dict(Counter(problem.code for problem in report.problems))


def test_corpus_reports_exactly_the_known_problems(reports: dict[str, ValidationReport]) -> None:
    actual = {name: _codes(report) for name, report in reports.items() if not report.ok}
    unexpected = {
        name: reports[name].explain() for name in actual if actual[name] != EXPECTED_PROBLEMS.get(name)
    }
    vanished = sorted(set(EXPECTED_PROBLEMS) - set(actual))
    assert not unexpected, "new or changed problems:\n" + "\n\n".join(
        f"{name}:\n{text}" for name, text in unexpected.items()
    )
    assert not vanished, f"expected problems no longer reported for {vanished}"


def test_expected_problem_files_are_checked(reports: dict[str, ValidationReport]) -> None:
    """A stale entry (file removed, or python-pptx no longer opens it) must not hide silently."""
    assert set(EXPECTED_PROBLEMS) <= set(reports)
    assert len(reports) > 200  # most of the corpus is checked, not a handful of files


def test_python_pptx_saves_add_no_problems(
    round_trips: dict[Path, Path], reports: dict[str, ValidationReport]
) -> None:
    """Decks leave the app through python-pptx: its save must not break a package it opened."""
    added = {}
    for source, copy in round_trips.items():
        before = {(p.code, p.part) for p in reports[source.name].problems}
        new = [p.message for p in validate_package(copy).problems if (p.code, p.part) not in before]
        if new:
            added[source.name] = new
    assert not added, added


def test_strict_decks_validate(corpus_dir: Path, all_reports: dict[str, ValidationReport]) -> None:
    """python-pptx refuses Strict OOXML, so the tests above never see these; they are all sound."""
    strict = [path.name for path in sorted((corpus_dir / "pptx").iterdir()) if _is_strict(path)]
    if not strict:
        pytest.skip("no Strict deck in the corpus")
    assert {name: all_reports[name].explain() for name in strict if not all_reports[name].ok} == {}


def _is_strict(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as package:
            return b"purl.oclc.org/ooxml" in package.read("_rels/.rels")
    except (zipfile.BadZipFile, KeyError):
        return False


def test_every_corpus_file_gets_a_report_in_plain_words(all_reports: dict[str, ValidationReport]) -> None:
    """Damaged, encrypted, fuzzed and non-presentation files give problems, never an exception;
    every problem about a part starts by naming it."""
    assert any(not report.ok for name, report in all_reports.items() if name.startswith("poi__clusterfuzz"))
    for name, report in all_reports.items():
        for problem in report.problems:
            assert problem.code, (name, problem)
            assert problem.message, (name, problem)
            if problem.part:
                assert problem.message.startswith(f"{problem.part}: "), (name, problem)
