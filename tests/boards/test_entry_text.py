"""Typed markers become entry fields: kind, speaker, owner, themes and due date."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from msldesk.boards.meeting.entry_text import parse_entry, split_kind_marker
from msldesk.boards.records import EntryKind
from msldesk.core.folding import fold

PEOPLE = [(1, "Anna Weber"), (2, "Jörg Müller"), (3, "Li Wei"), (4, "Anna Schmidt")]
THEMES = ["Unmet need", "Dosing", "Real-world evidence"]
TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("typed", "kind", "rest"),
    [
        ("! renal dosing", EntryKind.INSIGHT, "renal dosing"),
        ('"It changed my practice"', EntryKind.QUOTE, "It changed my practice"),
        ("\u201cIt changed my practice\u201d", EntryKind.QUOTE, "It changed my practice"),
        ("? what about kids", EntryKind.QUESTION, "what about kids"),
        ("> send the paper", EntryKind.ACTION, "send the paper"),
        ("Insight: dosing", EntryKind.INSIGHT, "dosing"),
        ("TODO: call back", EntryKind.ACTION, "call back"),
        ("plain note", None, "plain note"),
        ("  ", None, ""),
    ],
)
def test_a_leading_marker_chooses_the_kind(typed: str, kind: EntryKind | None, rest: str) -> None:
    assert split_kind_marker(typed) == (kind, rest)


def test_a_speaker_tag_at_the_end_becomes_the_speaker_and_leaves_the_text() -> None:
    parsed = parse_entry("! Renal dosing is unclear in the elderly @Weber #dosing", PEOPLE, THEMES, TODAY)
    assert parsed.kind is EntryKind.INSIGHT
    assert parsed.text == "Renal dosing is unclear in the elderly"
    assert parsed.speaker_id == 1
    assert parsed.themes == ("Dosing",)  # the taxonomy's spelling


def test_a_full_name_with_accents_and_a_hyphenated_theme_match() -> None:
    parsed = parse_entry('@Jorg Muller: "We need real-world data" #unmet-need', PEOPLE, THEMES, TODAY)
    assert parsed.speaker_id == 2
    assert parsed.kind is EntryKind.QUOTE  # the marker after the speaker tag still counts
    assert parsed.text == "We need real-world data"
    assert parsed.themes == ("Unmet need",)


def test_a_name_inside_a_sentence_stays_in_it() -> None:
    parsed = parse_entry("? what about @Li Wei and @Weber", PEOPLE, THEMES, TODAY)
    assert parsed.speaker_id == 3
    assert parsed.text == "what about Li Wei and Weber"


def test_an_ambiguous_first_name_is_left_as_typed() -> None:
    parsed = parse_entry("@Anna said the trial was small", PEOPLE, THEMES, TODAY)
    assert parsed.speaker_id is None
    assert parsed.text == "@Anna said the trial was small"


def test_an_action_takes_an_owner_and_a_due_date() -> None:
    parsed = parse_entry("> send the OS data @Weber due:+3d", PEOPLE, THEMES, TODAY)
    assert (parsed.kind, parsed.owner_id, parsed.owner, parsed.due) == (
        EntryKind.ACTION, 1, "Weber", dt.date(2026, 12, 4),
    )  # fmt: skip
    assert parsed.text == "send the OS data"
    kept = parse_entry("> send the OS data to @Weber due 2027-01-15", PEOPLE, THEMES, TODAY)
    assert kept.text == "send the OS data to Weber"
    assert kept.due == dt.date(2027, 1, 15)


def test_an_unknown_owner_is_kept_as_written_and_a_due_date_makes_an_action() -> None:
    parsed = parse_entry("@marketing check the claim due:tomorrow", PEOPLE, THEMES, TODAY)
    assert parsed.kind is EntryKind.ACTION
    assert (parsed.owner_id, parsed.owner, parsed.due) == (None, "marketing", dt.date(2026, 12, 2))


def test_a_new_theme_and_an_email_address() -> None:
    parsed = parse_entry("write to a.weber@example.org #market_access #Dosing #dosing", PEOPLE, THEMES, TODAY)
    assert parsed.text == "write to a.weber@example.org"
    assert parsed.themes == ("market access", "Dosing")
    assert parsed.speaker_id is None


def test_cjk_and_other_scripts_pass_through() -> None:
    parsed = parse_entry("! 日本語のメモ Ελληνικά Русский #Dosing", PEOPLE, THEMES, TODAY)
    assert parsed.text == "日本語のメモ Ελληνικά Русский"
    assert parsed.themes == ("Dosing",)


def test_an_invalid_date_is_not_a_due_date() -> None:
    parsed = parse_entry("due:2026-13-45 is not a date", PEOPLE, THEMES, TODAY)
    assert parsed.due is None
    assert parsed.kind is None


def test_fold_ignores_case_and_accents() -> None:
    assert fold("Jörg MÜLLER") == fold("jorg muller")


def test_a_kind_chosen_outside_the_text_wins_and_decides_who_the_mention_is() -> None:
    parsed = parse_entry("send the OS data @Weber", PEOPLE, THEMES, TODAY, kind=EntryKind.ACTION)
    assert (parsed.kind, parsed.owner_id, parsed.speaker_id, parsed.text) == (
        EntryKind.ACTION, 1, None, "send the OS data",
    )  # fmt: skip
    quoted = parse_entry("! a marker typed anyway @Weber", PEOPLE, THEMES, TODAY, kind=EntryKind.QUOTE)
    assert (quoted.kind, quoted.speaker_id, quoted.text) == (EntryKind.QUOTE, 1, "a marker typed anyway")


# -- issue 12 §4: the grammar never changes what was typed ------------------------------------------

ATTENDEES = [(7, "María José García"), (8, "王小明"), (1, "Anna Weber")]
TAXONOMY = ["Evidence gaps", "Evidence", "患者教育", "Dosing"]


def test_a_hash_takes_the_longest_defined_theme_over_several_words() -> None:
    # The theme's words belong to the marker; every other word stays, in order.
    parsed = parse_entry("#Evidence gaps are widening", ATTENDEES, TAXONOMY, TODAY)
    assert (parsed.themes, parsed.text) == (("Evidence gaps",), "are widening")
    assert parse_entry("#evidence GAPS are widening", ATTENDEES, TAXONOMY, TODAY).themes == ("Evidence gaps",)
    assert parse_entry("#Evidence is thin", ATTENDEES, TAXONOMY, TODAY).text == "is thin"


def test_a_new_theme_is_one_word_or_quoted() -> None:
    quoted = parse_entry('#"unmet access needs" keep growing', ATTENDEES, TAXONOMY, TODAY)
    assert (quoted.themes, quoted.text) == (("unmet access needs",), "keep growing")
    one_word = parse_entry("#access keeps growing", ATTENDEES, TAXONOMY, TODAY)
    assert (one_word.themes, one_word.text) == (("access",), "keeps growing")
    # A defined theme is not taken out of the middle of a longer word.
    hyphen = parse_entry("#dosing-related issues", ATTENDEES, TAXONOMY, TODAY)
    assert (hyphen.themes, hyphen.text) == (("dosing-related",), "issues")


def test_a_quoted_theme_keeps_its_quotes_out_of_a_quote_entry() -> None:
    parsed = parse_entry('"It works" #"evidence gaps" @Weber', ATTENDEES, TAXONOMY, TODAY)
    assert (parsed.kind, parsed.text, parsed.themes, parsed.speaker_id) == (
        EntryKind.QUOTE, "It works", ("Evidence gaps",), 1,
    )  # fmt: skip


def test_an_attendee_named_over_several_words_without_accents() -> None:
    parsed = parse_entry("@Maria José García said the label is unclear", ATTENDEES, TAXONOMY, TODAY)
    assert (parsed.speaker_id, parsed.text) == (7, "said the label is unclear")
    inside = parse_entry("we asked @maria jose garcia about it", ATTENDEES, TAXONOMY, TODAY)
    assert (inside.speaker_id, inside.text) == (7, "we asked maria jose garcia about it")
    short = parse_entry("@Maria Garcia: the label is unclear", ATTENDEES, TAXONOMY, TODAY)
    assert (short.speaker_id, short.text) == (7, "the label is unclear")


def test_cjk_themes_and_names_run_into_the_text() -> None:
    parsed = parse_entry("@王小明 #患者教育很重要", ATTENDEES, TAXONOMY, TODAY)
    assert (parsed.speaker_id, parsed.themes, parsed.text) == (8, ("患者教育",), "很重要")
    spaced = parse_entry("#患者教育 需要更多材料", ATTENDEES, TAXONOMY, TODAY)
    assert (spaced.themes, spaced.text) == (("患者教育",), "需要更多材料")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("-5% change in HbA1c #Dosing", "-5% change in HbA1c"),
        ("a, b ,c  two  spaces", "a, b ,c  two  spaces"),
        ("renal dosing @Anna Weber, she said", "renal dosing Anna Weber, she said"),
        ("@Anna Weber: - the minus stays", "- the minus stays"),
        ("#Dosing: renal", "renal"),
        ("line one #Dosing\nline two", "line one\nline two"),
        ("our #1 concern is the label", "our #1 concern is the label"),
        ("approval is due 2027-01-15 in the EU", "approval is due 2027-01-15 in the EU"),
    ],
)
def test_only_markers_leave_the_text(typed: str, stored: str) -> None:
    assert parse_entry(typed, ATTENDEES, TAXONOMY, TODAY).text == stored


_TYPED = "abcxyzÄéßΩжя患者教育很要 -–,.;:!?'()%/0123456789\t"
_TEXT = st.text(alphabet=st.sampled_from(list(_TYPED)), min_size=1, max_size=30).filter(
    lambda t: t[0].isalpha() and t == t.strip()
)
_MARKERS = st.sampled_from(
    ["#Evidence gaps", "#evidence GAPS", "#患者教育", '#"new theme"', "#dosing-related"]
)


@settings(max_examples=60, deadline=None)
@given(
    st.booleans(),
    st.lists(st.one_of(_TEXT.map(lambda t: ("text", t)), _MARKERS.map(lambda m: ("marker", m))), min_size=1),
)
def test_removing_the_markers_from_what_was_typed_gives_the_stored_text(
    speaker_first: bool, pieces: list[tuple[str, str]]
) -> None:
    texts = [value for what, value in pieces if what == "text"]
    assume(texts and not re.match(r"(note|insight|quote|question|action|todo)\s*:", texts[0], re.I))
    typed = " ".join(value for _what, value in pieces)
    if speaker_first:
        typed = "@Maria Jose Garcia " + typed
    parsed = parse_entry(typed, ATTENDEES, TAXONOMY, TODAY, kind=EntryKind.NOTE)
    assert parsed.text == " ".join(texts)
    assert parsed.speaker_id == (7 if speaker_first else None)
