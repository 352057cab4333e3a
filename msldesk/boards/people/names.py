"""Find a person's names in free text whatever the case and accents ("JOSE MULLER-NUNEZ" is "José
Müller-Ñúñez"), and a Chinese or Japanese name inside a sentence written without spaces.

One matcher serves every place a name is looked for (a commercial report's redaction, a privacy
export, an erasure and its replay after a restore). It compares words, never raw text: the text is
split into words (each Han or kana character is a word of its own, since those scripts put no space
between words), each word is folded (case, accents and compatibility forms dropped), and a run of
words is a name when its folded form, passed through the finder's `digest`, is one of the finder's
forms. With the plain digest the forms are the folded words themselves; the erasure ledger keeps only
keyed digests of them (see msldesk.boards.erasures), so no name has to be kept to find it again.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from msldesk.core.folding import fold

FULL, EMAIL, FAMILY, SHORT_FAMILY, GIVEN = "full", "email", "family", "short family", "given"
# One word of the name. Never a match on its own: a text none of whose words is one cannot hold the
# name, which spares looking up every run of words (most texts name nobody).
WORD = "word"
# Courtesy titles taken with the name that follows them: "Dr. Souza" becomes "[Erased person]".
_TITLES = frozenset({"dr", "prof"})
_AFTER_TITLE = re.compile(r"\.?\s+")
# What may stand between two words of one name: "Müller-Ñúñez", "Souza, Ana", "muller_nunez.pdf".
_BETWEEN_WORDS = re.compile(r"[\s\-\u2010-\u2015.,_'\u2019]{1,3}")
# An address starts where its run of local-part characters starts (the look-behind): without it, a
# long run with no @ is tried again from each of its characters, and 1 MB of notes took minutes.
_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~-]"
_EMAIL = re.compile(rf"(?<!{_LOCAL}){_LOCAL}+@[\w-]+(?:\.[\w-]+)+")


def plain(words: str) -> str:
    return words


@dataclass(frozen=True)
class Form:
    """One way a name is written, as the finder looks it up."""

    key: str  # the folded words joined by one space ("@address" for an email), through the digest
    words: int  # how many words (0: an email address)
    tier: str  # FULL, EMAIL, FAMILY, SHORT_FAMILY, GIVEN (callers choose which count where) or WORD
    capitalised: bool = False  # a first name alone counts only capitalised: "Will" is a name, "will" not
    label: str = ""  # what a replacement writes, in brackets


@dataclass(frozen=True, slots=True)
class _Word:
    start: int  # in the original text
    end: int
    folded: str
    unspaced: bool  # a Han or kana character: a word of its own


# Scripts written without spaces between words (Chinese, Japanese, half-width kana included).
_UNSPACED = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff65-\uff9f\U00020000-\U0003134f"
)


@lru_cache(maxsize=1)
def _word_pattern() -> re.Pattern[str]:
    """A word: a letter or digit, then letters, digits and marks (an accent typed as its own
    character stays in its word); or one character of a script written without spaces."""
    marks = []  # the combining marks, as ranges for a character class (built once, on first use)
    start = None
    # Where Unicode has marks at all (Han, Hangul syllables, surrogates and private use have none).
    codes = [range(0x300, 0x3400), range(0xA000, 0xAC00), range(0xF900, 0x1E960), range(0xE0100, 0xE01F0)]
    for code in [c for block in codes for c in block] + [0x10FFFF]:
        mark = unicodedata.category(chr(code)).startswith("M")
        if mark and start is None:
            start = code
        elif not mark and start is not None:
            marks.append(f"{chr(start)}-{chr(code - 1)}")
            start = None
    letter = f"[^\\W_{_UNSPACED}]"
    return re.compile(f"(?P<unspaced>[{_UNSPACED}])|{letter}(?:{letter}|[{''.join(marks)}])*")


def _quick_words(text: str) -> set[str]:
    """The distinct words of a text, unfolded (for the quick "may it hold the name?" test)."""
    return {m.group() for m in _word_pattern().finditer(text)}


def _unspaced(ch: str) -> bool:
    return bool(re.fullmatch(f"[{_UNSPACED}]", ch))


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    return fold(word)


def _words(text: str) -> list[_Word]:
    return [
        _Word(m.start(), m.end(), _fold_word(m.group()), m.lastgroup == "unspaced")
        for m in _word_pattern().finditer(text)
    ]


def name_words(name: str) -> tuple[str, ...]:
    """The folded words of a name: "José Müller-Ñúñez" -> ("jose", "muller", "nunez")."""
    return tuple(w.folded for w in _words(name))


def email_key(email: str) -> str:
    return "@" + fold(email.strip())


def person_forms(
    given: str,
    family: str,
    email: str = "",
    label: str = "",
    digest: Callable[[str], str] = plain,
) -> list[Form]:
    """Every form of one person's name the finder knows: the full name in either order (and the first
    given name with the family name), the email address, the family name alone (SHORT_FAMILY when it
    has only two letters, like "Wu"), the first given name alone (capitalised), and each WORD."""
    given_words, family_words = name_words(given), name_words(family)
    forms: list[Form] = []

    def add(words: tuple[str, ...], tier: str, capitalised: bool = False) -> None:
        if words:
            forms.append(Form(digest(" ".join(words)), len(words), tier, capitalised, label))

    if not (given_words and family_words):  # the whole name typed in one field: "Ana Souza"
        whole = given_words + family_words
        if len(whole) > 1:
            add(whole, FULL)
        given_words, family_words = (whole[:1] if len(whole) > 1 else ()), whole[-1:]
    else:
        add(given_words + family_words, FULL)
        add(family_words + given_words, FULL)
    # Chinese and Japanese given names are one name however many characters: "小龙", never "小".
    unspaced = all(_unspaced(w[0]) for w in given_words + family_words)
    first_given = given_words if unspaced else given_words[:1]
    if family_words and len(given_words) > len(first_given):
        add(first_given + family_words, FULL)
        add(family_words + first_given, FULL)
    letters = len("".join(family_words))
    if letters >= 2:
        add(family_words, FAMILY if letters >= 3 else SHORT_FAMILY)
    if first_given and len("".join(first_given)) >= 2:
        add(first_given, GIVEN, capitalised=True)
    if "@" in email:
        forms.append(Form(digest(email_key(email)), 0, EMAIL, False, label))
    for word in dict.fromkeys(given_words + family_words):
        forms.append(Form(digest(word), 1, WORD))
    return forms


class NameFinder:
    """Finds and replaces the given forms in free text (see the module docstring)."""

    def __init__(
        self, forms: Iterable[Form], digest: Callable[[str], str] = plain, tiers: Iterable[str] | None = None
    ) -> None:
        """`tiers`: which kinds of form count (all by default)."""
        # Names repeat, and so do the words around them: each is digested once.
        self.digest = lru_cache(maxsize=65536)(digest)
        forms = list(forms)
        self.words = {f.key for f in forms if f.tier == WORD}
        wanted = None if tiers is None else set(tiers)
        self.forms: dict[str, Form] = {}
        for form in forms:  # the same words as a full name and as a first name: the full name wins
            if form.tier == WORD or (wanted is not None and form.tier not in wanted):
                continue
            known = self.forms.get(form.key)
            if known is None or (known.capitalised and not form.capitalised):
                self.forms[form.key] = form
        self.sizes = sorted({f.words for f in self.forms.values() if f.words}, reverse=True)
        self.emails = any(f.words == 0 for f in self.forms.values())

    def spans(self, text: str) -> list[tuple[int, int, Form]]:
        """(start, end, form) of each name found, in order, not overlapping (an email wins over the
        words inside it)."""
        if not text or not self.forms:
            return []
        found: list[tuple[int, int, Form]] = []
        taken: list[tuple[int, int]] = []
        if self.emails:
            for match in _EMAIL.finditer(text):
                form = self.forms.get(self.digest(email_key(match.group())))
                if form is not None and form.words == 0:
                    found.append((match.start(), match.end(), form))
                    taken.append((match.start(), match.end()))
        if self.words and not any(self.digest(_fold_word(w)) in self.words for w in _quick_words(text)):
            words: list[_Word] = []
        else:
            words = _words(text)
        index = 0
        while index < len(words):
            hit = self._match_at(text, words, index)
            if hit is None:
                index += 1
                continue
            size, form = hit
            start, end = words[index].start, words[index + size - 1].end
            before = words[index - 1] if index else None
            if before and before.folded in _TITLES and _AFTER_TITLE.fullmatch(text[before.end : start]):
                start = before.start
            if not any(a < end and start < b for a, b in taken):
                found.append((start, end, form))
            index += size
        return sorted(found, key=lambda s: s[0])

    def _match_at(self, text: str, words: list[_Word], index: int) -> tuple[int, Form] | None:
        for size in self.sizes:  # longest first: "Ana Souza" before "Souza"
            if index + size > len(words) or not _one_name(text, words[index : index + size]):
                continue
            form = self.forms.get(self.digest(" ".join(w.folded for w in words[index : index + size])))
            if form is None or form.words != size:
                continue
            first = text[words[index].start]
            if form.capitalised and first.lower() == first and first.upper() != first:
                continue
            return size, form
        return None

    def found(self, text: str) -> bool:
        return bool(self.spans(text))

    def replace(self, text: str, label: str | None = None) -> str:
        """The text with each name found replaced by "[label]" (the form's own label by default)."""
        spans = self.spans(text)
        if not spans:
            return text
        out, last = [], 0
        for start, end, form in spans:
            out.append(text[last:start])
            out.append(f"[{label if label is not None else form.label}]")
            last = end
        out.append(text[last:])
        return "".join(out)


def _one_name(text: str, words: list[_Word]) -> bool:
    """The words follow one another as the words of one name do."""
    for a, b in itertools.pairwise(words):
        gap = text[a.end : b.start]
        if a.unspaced or b.unspaced:
            if gap and not (gap.isspace() and len(gap) <= 2):
                return False
        elif not _BETWEEN_WORDS.fullmatch(gap):
            return False
    return True
