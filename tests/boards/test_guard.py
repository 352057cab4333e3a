"""The compliance guard finds restricted words and phrases, and its list is configurable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msldesk.boards.meeting.guard import DEFAULT_TERMS, RestrictedTerms, load_terms, save_terms
from msldesk.core.errors import InvalidInputError


def test_terms_match_whole_words_in_any_case_and_hyphenation() -> None:
    guard = RestrictedTerms(("off-label", "cure", "safer than"))
    assert guard.find("Off label use is a CURE and safer  than placebo") == (
        "off-label",
        "cure",
        "safer than",
    )
    assert guard.find("off\u2013label") == ("off-label",)
    assert guard.find("the cured patients and secure data") == ()  # not inside other words


def test_each_term_is_reported_once_and_spans_cover_every_occurrence() -> None:
    guard = RestrictedTerms(("cure",))
    text = "cure, cure again"
    assert guard.find(text) == ("cure",)
    assert guard.spans(text) == [(0, 4), (6, 10)]


def test_an_empty_list_flags_nothing() -> None:
    assert RestrictedTerms(()).find("a miracle cure") == ()


def test_the_list_round_trips_and_defaults_apply_without_a_file(tmp_path: Path) -> None:
    path = tmp_path / "terms.json"
    assert load_terms(path).terms == DEFAULT_TERMS
    save_terms(path, ["  best   buy ", "Best buy", "", "Überlegen"])
    assert load_terms(path).terms == ("best buy", "Überlegen")
    assert load_terms(path).find("ÜBERLEGEN") == ("Überlegen",)


@pytest.mark.parametrize("content", ["{not json", json.dumps({"words": []}), json.dumps(["cure"])])
def test_a_damaged_file_is_an_error_not_a_silent_switch_off(tmp_path: Path, content: str) -> None:
    path = tmp_path / "terms.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        load_terms(path)
    assert "restricted-terms file" in caught.value.user_message or "restricted" in caught.value.user_message


def test_terms_must_be_text() -> None:
    with pytest.raises(InvalidInputError):
        RestrictedTerms(("cure", 3))  # type: ignore[arg-type]
