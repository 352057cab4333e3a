"""The one name matcher: case, accents, decomposed text, names in either order, file names, Chinese
names inside a sentence, and the keyed digests the erasure ledger keeps instead of names."""

from __future__ import annotations

import hashlib
import unicodedata

import pytest

from msldesk.boards.people.names import FULL, NameFinder, person_forms

JOSE = person_forms("José", "Müller-Ñúñez", "jose.mn@example.org", label="X")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Board with JOSE MULLER-NUNEZ in Lyon", "Board with [X] in Lyon"),
        (unicodedata.normalize("NFD", "Ask José Müller-Ñúñez"), "Ask [X]"),
        ("Müller\u2011Ñúñez, José led", "[X] led"),  # family name first, a non-breaking hyphen
        ("/home/u/exports/muller-nunez_jose summary.pdf", "/home/u/exports/[X] summary.pdf"),
        ("Hear Dr. müller-ñúñez first", "Hear [X] first"),  # the title goes with the name
        ("write to JOSE.MN@EXAMPLE.ORG", "write to [X]"),
        ("José said so", "[X] said so"),  # a first name alone, capitalised
        ("jose said so", "jose said so"),  # ... but not in lower case: could be a word
        ("JOSE MULLER-NUNEZ".lower().replace("u", "\u00fc", 1), "[X]"),
        ("Mullerx Nunez and Müllers", "Mullerx Nunez and Müllers"),  # whole words only
    ],
)
def test_names_are_found_whatever_the_case_and_accents(text: str, expected: str) -> None:
    assert NameFinder(JOSE).replace(text) == expected


def test_a_chinese_name_is_found_inside_a_sentence_but_not_its_parts_alone() -> None:
    finder = NameFinder(person_forms("小龙", "李", label="X"))
    assert finder.replace("李小龙说剂量需要调整") == "[X]说剂量需要调整"
    assert finder.replace("小李和李四") == "小李和李四"  # a one-character family name is not a name alone
    assert NameFinder(person_forms("小龙", "李"), tiers=[FULL]).replace("小龙来了") == "小龙来了"
    assert (
        NameFinder(person_forms("ｼｮｳ", "ﾀﾅｶ"), tiers=[FULL]).replace("田中 タナカショウです") == "田中 []です"
    )


def test_keyed_digests_find_the_same_names_without_holding_them() -> None:
    def digest(words: str) -> str:
        return hashlib.blake2b(words.encode(), key=b"k" * 32, digest_size=16).hexdigest()

    forms = person_forms("José", "Müller-Ñúñez", "jose.mn@example.org", label="X", digest=digest)
    assert not any("muller" in f.key or "jose" in f.key for f in forms)
    finder = NameFinder(forms, digest)
    assert finder.replace("Call JOSE MULLER-NUNEZ or jose.mn@example.org") == "Call [X] or [X]"


def test_the_commercial_cut_redacts_an_expert_written_without_accents() -> None:
    from msldesk.boards.meeting.audience import _Redactor

    redact = _Redactor([("José Müller-Ñúñez", "Advisor")])
    assert redact("MULLER-NUNEZ will present; Jose agrees") == "[Advisor] will present; [Advisor] agrees"


def test_letters_without_a_separate_accent_fold_too() -> None:
    assert NameFinder(person_forms("Søren", "Łukasiewicz", label="X")).replace("SOREN LUKASIEWICZ") == "[X]"


def test_a_long_run_without_spaces_is_searched_in_linear_time() -> None:
    """Finding an email address tried a long run of letters again from each of its characters:
    30,000 characters (a note at the input limit is 20,000) took ~5 s per note, 1 MB minutes, and a
    person's privacy export or erasure reads every note of every meeting they attended."""
    import time

    finder = NameFinder(person_forms("Ana", "Souza", email="ana.souza@example.org", label="X"))
    began = time.perf_counter()
    assert finder.replace("B" * 300_000) == "B" * 300_000
    assert finder.replace("x" * 30_000 + " write to ana.souza@example.org") == "x" * 30_000 + " write to [X]"
    assert time.perf_counter() - began < 2
    assert finder.replace("mailto:ana.souza@example.org, Ana Souza") == "mailto:[X], [X]"
