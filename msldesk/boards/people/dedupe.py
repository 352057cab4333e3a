"""Duplicate people: who in a list, or in the database, looks like the same person, and why."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from msldesk.boards.people.npi import is_valid_npi, normalise_npi
from msldesk.boards.records import DuplicateGroup, PersonFields
from msldesk.core.folding import UNSPLIT_LETTERS

REASON_NPI = "same NPI"
REASON_EMAIL = "same email"
REASON_NAME_EMAIL = "same name and email"
REASON_SIMILAR = "similar name at the same institution"
# Names alone, on both sides: nothing could tell two such records apart, and re-importing a plain
# list of names (a registrant export without emails) must not add everyone a second time.
REASON_NAME_ONLY = "same name, no other details"

# Strongest first. A shared email with agreeing names is better evidence than the email alone, so when
# two existing people share an email, the one whose name also agrees is the one re-import updates.
_RANK = {REASON_NPI: 4, REASON_NAME_EMAIL: 3, REASON_EMAIL: 2, REASON_SIMILAR: 1, REASON_NAME_ONLY: 0}

# Within "similar name at the same institution": exact beats a typo beats an initial.
_EXACT, _TYPO, _INITIAL = 3, 2, 1

_TITLES = frozenset("dr doctor prof professor mr mrs ms miss mx sir dame rev herr frau mme mlle dra".split())  # noqa: SIM905 - a word list reads best as one string
# Degrees and generational suffixes typed into the last-name column ("Smith, MD", "Jones Jr.").
# "do" (doctor of osteopathy) is left out: it is also a surname.
_SUFFIXES = frozenset(
    "md phd pharmd mph msc ms mba mbbs mbchb dnp rn np pa pac facc facp facs frcp frcpc frcs dds dmd "  # noqa: SIM905 - a word list reads best as one string
    "dvm jr sr ii iii iv".split()
)
_NON_WORD = re.compile(r"[^\w]+")

_INSTITUTION_WORDS = {
    "univ": "university",
    "uni": "university",
    "u": "university",
    "hosp": "hospital",
    "hospitals": "hospital",
    "ctr": "center",
    "cntr": "center",
    "centre": "center",
    "med": "medical",
    "inst": "institute",
    "st": "saint",
    "ste": "sainte",
    "mt": "mount",
    "dept": "department",
    "natl": "national",
    "intl": "international",
    "gen": "general",
    "mem": "memorial",
    "hlth": "health",
    "sch": "school",
    "coll": "college",
    "clin": "clinic",
    "assoc": "associates",
}
# "&" and "and", "The ..." and "...": words that never tell two institutions apart.
_INSTITUTION_NOISE = frozenset("the of and at for a inc llc ltd pc pllc".split())  # noqa: SIM905 - a word list reads best as one string


@lru_cache(maxsize=200_000)
def _fold(text: str) -> str:
    """Lower case, no accents, punctuation to spaces, apostrophes dropped ("O'Brien" -> "obrien")."""
    text = text.casefold().translate(UNSPLIT_LETTERS).replace("'", "").replace("\u2019", "")
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text).replace("_", " ").split())


def _first_tokens(first: str) -> list[str]:
    tokens = _fold(first).split()
    while len(tokens) > 1 and tokens[0] in _TITLES:
        tokens.pop(0)
    # A middle initial ("John A.") says little and is often left out; a lone initial ("J.") stays.
    if any(len(t) > 1 for t in tokens):
        tokens = [t for t in tokens if len(t) > 1]
    return tokens


def _last_tokens(last: str) -> list[str]:
    # Dots go without a trace here so that "M.D." and "Ph.D." are the suffixes "md" and "phd".
    tokens = _fold(last.replace(".", "")).split()
    while len(tokens) > 1 and tokens[-1] in _SUFFIXES:
        tokens.pop()
    return tokens


@lru_cache(maxsize=100_000)
def _first_key(first: str) -> str:
    return "".join(_first_tokens(first))


@lru_cache(maxsize=100_000)
def _last_key(last: str) -> str:
    return "".join(_last_tokens(last))


def name_key(first: str, last: str) -> str:
    """A comparable form of a name: "Dr. Jean-Pierre A." "Müller, MD" -> "jeanpierre muller".

    Case, accents, punctuation, titles, middle initials and degree suffixes are dropped, and hyphens
    and spaces inside each part are ignored ("Mary-Ann" = "Mary Ann" = "Maryann").
    """
    return f"{_first_key(first)} {_last_key(last)}".strip()


@lru_cache(maxsize=100_000)
def institution_key(institution: str) -> str:
    """ "The Univ. of Texas M.D. Anderson Cancer Ctr." -> "university texas md anderson cancer center"."""
    words: list[str] = []
    initials = ""  # a run of one-letter words: "M.D. Anderson" -> "md anderson", as typed without dots
    for word in [*_fold(institution.replace("&", " and ")).split(), ""]:
        if len(word) == 1:
            initials += word
            continue
        if initials:
            words.append(initials)
            initials = ""
        if word:
            words.append(word)
    words = [_INSTITUTION_WORDS.get(w, w) for w in words]
    return " ".join(w for w in words if w not in _INSTITUTION_NOISE)


def email_key(email: str) -> str:
    """Case-insensitive address, or "" when it is not an address at all."""
    text = email.strip().casefold().removeprefix("mailto:").strip("<> ")
    local, at, domain = text.partition("@")
    if not at or not local or "." not in domain or " " in text:
        return ""
    return text


@dataclass(frozen=True)
class MatchKeys:
    """The comparable parts of one person; "" where the person has nothing usable."""

    npi: str  # a valid, normalised NPI
    email: str
    first: str  # first name without spaces, titles or middle initials
    last: str  # last name without spaces or suffixes
    institution: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}" if self.first and self.last else ""

    @property
    def initial(self) -> str:
        return self.first[:1]


def match_keys(p: PersonFields) -> MatchKeys:
    npi = p.npi.strip()
    if npi and not (len(npi) == 10 and npi.isdigit()):  # the usual case needs no cleaning
        npi = normalise_npi(npi)
    return MatchKeys(
        npi=npi if npi and is_valid_npi(npi) else "",
        email=email_key(p.email) if p.email else "",
        first=_first_key(p.first_name),
        last=_last_key(p.last_name),
        institution=institution_key(p.institution) if p.institution else "",
    )


def within_one_edit(a: str, b: str) -> bool:
    """True if one substitution, insertion, deletion or swap of neighbours turns `a` into `b`."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:  # substitution
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :]  # b has one letter more


def _first_difference(a: str, b: str) -> int:
    i = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            return i
        i += 1
    return i


def _last_name_strength(a: str, b: str) -> int:
    if a == b:
        return _EXACT
    if len(a) >= 5 and len(b) >= 5 and within_one_edit(a, b):
        return _TYPO
    return 0


def _first_name_strength(a: str, b: str) -> int:
    if a == b:
        return _EXACT
    if len(a) == 1 or len(b) == 1:
        return _INITIAL if a[0] == b[0] else 0
    # The ending of a first name often marks a different person (Robert/Roberta, Louis/Louise,
    # Francis/Frances, Christian/Christina): a typo there is not forgiven.
    if (
        len(a) >= 5
        and len(b) >= 5
        and within_one_edit(a, b)
        and _first_difference(a, b) < max(len(a), len(b)) - 2
    ):
        return _TYPO
    return 0


def _name_strength(a: MatchKeys, b: MatchKeys) -> int:
    """_EXACT, _TYPO or _INITIAL when the names look like one person's, else 0.

    At most one weakness is forgiven: an initial or a typo, in one of the two names.
    """
    if not (a.first and a.last and b.first and b.last):
        return 0
    last = _last_name_strength(a.last, b.last)
    if not last:
        return 0
    first = _first_name_strength(a.first, b.first)
    if not first or (first < _EXACT and last < _EXACT):
        return 0
    return min(first, last)


@lru_cache(maxsize=100_000)
def _variants(word: str) -> tuple[str, ...]:
    """The word and the word with each letter left out in turn. Two words within one edit share one
    of these, so typos are found by dictionary look-ups instead of comparing every pair."""
    return tuple(dict.fromkeys([word, *(word[:i] + word[i + 1 :] for i in range(len(word)))]))


def _name_only(keys: MatchKeys) -> bool:
    return bool(keys.name) and not (keys.npi or keys.email or keys.institution)


def _conflict(a: MatchKeys, b: MatchKeys) -> bool:
    """Two different valid NPIs are two different people, whatever else agrees."""
    return bool(a.npi and b.npi and a.npi != b.npi)


@dataclass(frozen=True)
class _Hit:
    person_id: int
    reason: str
    strength: int  # within the reason: name agreement for email and similar-name hits

    def sort_key(self) -> tuple[int, int, int]:
        return (-_RANK[self.reason], -self.strength, self.person_id)


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


_SCAN_LIMIT = 64  # distinct last names at one institution below which typos are found by comparing


class _Institution:
    """The people of one institution by last name; the table for finding typos is built on first use,
    so indexing many people stays cheap and only places that imported rows mention pay for it."""

    __slots__ = ("_variants", "by_last")

    def __init__(self) -> None:
        self.by_last: dict[str, list[int]] = {}
        self._variants: dict[str, set[str]] | None = None  # last name or one deletion -> last names

    def add(self, last: str, person_id: int) -> None:
        ids = self.by_last.get(last)
        if ids is not None:
            ids.append(person_id)
            return
        self.by_last[last] = [person_id]
        if self._variants is not None:
            self._index(last, self._variants)

    def remove(self, last: str, person_id: int) -> None:
        ids = self.by_last[last]
        ids.remove(person_id)
        if not ids:
            del self.by_last[last]
            self._variants = None  # rare: rebuilt when next needed

    def similar_lasts(self, last: str) -> set[str]:
        """Last names here equal to `last` or, for names of five letters or more, one edit away.
        Names with digits ("Test12", placeholder rows) are never typos of each other: exact only."""
        found = {last} if last in self.by_last else set()
        if len(last) < 5 or _has_digit(last):
            return found
        if len(self.by_last) <= _SCAN_LIMIT:  # most places: comparing is cheaper than a table
            size = len(last)
            found.update(
                known
                for known in self.by_last
                if len(known) >= 5
                and abs(len(known) - size) <= 1
                and not _has_digit(known)
                and within_one_edit(last, known)
            )
            return found
        variants = self._variants
        if variants is None:
            variants = self._variants = {}
            for known in self.by_last:
                self._index(known, variants)
        for variant in _variants(last):
            found.update(variants.get(variant, ()))
        return found

    @staticmethod
    def _index(last: str, variants: dict[str, set[str]]) -> None:
        if len(last) >= 5 and not _has_digit(last):
            for variant in _variants(last):
                variants.setdefault(variant, set()).add(last)


class PersonIndex:
    """Existing people, indexed once so that each imported row is matched in a few look-ups."""

    def __init__(self, people: Iterable[tuple[int, PersonFields]] = ()) -> None:
        self._keys: dict[int, MatchKeys] = {}
        self._by_npi: dict[str, list[int]] = {}
        self._by_email: dict[str, list[int]] = {}
        self._places: dict[str, _Institution] = {}
        self._names_only: dict[str, list[int]] = {}
        for person_id, fields in people:
            self.add(person_id, fields)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, person_id: int, p: PersonFields) -> None:
        """Index a person; the same id again replaces what was known about them."""
        if person_id in self._keys:
            self._remove(person_id)
        keys = match_keys(p)
        self._keys[person_id] = keys
        if keys.npi:
            self._by_npi.setdefault(keys.npi, []).append(person_id)
        if keys.email:
            self._by_email.setdefault(keys.email, []).append(person_id)
        if keys.institution and keys.first and keys.last:
            place = self._places.get(keys.institution)
            if place is None:
                place = self._places[keys.institution] = _Institution()
            place.add(keys.last, person_id)
        if _name_only(keys):
            self._names_only.setdefault(keys.name, []).append(person_id)

    def find(self, p: PersonFields) -> tuple[int, str] | None:
        """The existing person `p` most likely is, and why; None when nobody matches."""
        hits = self._hits(match_keys(p))
        if not hits:
            return None
        best = min(hits, key=_Hit.sort_key)
        return best.person_id, best.reason

    def _hits(self, keys: MatchKeys, exclude: int | None = None) -> list[_Hit]:
        """Every indexed person `keys` matches, each once, under the strongest rule that applies."""
        hits: list[_Hit] = []
        considered: set[int] = set() if exclude is None else {exclude}

        def candidates(ids: Iterable[int]) -> Iterator[tuple[int, MatchKeys]]:
            for person_id in ids:
                if person_id not in considered:
                    considered.add(person_id)
                    other = self._keys[person_id]
                    if not _conflict(keys, other):
                        yield person_id, other

        if keys.npi:
            for person_id, _other in candidates(self._by_npi.get(keys.npi, ())):
                hits.append(_Hit(person_id, REASON_NPI, _EXACT))
        if keys.email:
            for person_id, other in candidates(self._by_email.get(keys.email, ())):
                strength = _name_strength(keys, other)
                hits.append(_Hit(person_id, REASON_NAME_EMAIL if strength else REASON_EMAIL, strength))
        place = self._places.get(keys.institution) if keys.first and keys.last else None
        if place is not None:
            hits += self._similar_at(place, keys, candidates)
        if _name_only(keys):
            for person_id, _other in candidates(self._names_only.get(keys.name, ())):
                hits.append(_Hit(person_id, REASON_NAME_ONLY, _EXACT))
        return hits

    def _similar_at(
        self,
        place: _Institution,
        keys: MatchKeys,
        candidates: Callable[[Iterable[int]], Iterator[tuple[int, MatchKeys]]],
    ) -> list[_Hit]:
        """People at the same institution with a similar name (a typo, an initial for a first name)."""
        hits: list[_Hit] = []
        for last in place.similar_lasts(keys.last):
            for person_id, other in candidates(place.by_last[last]):
                strength = _name_strength(keys, other)
                if strength == _INITIAL and self._ambiguous_initial(keys, other, place):
                    continue
                if strength:
                    hits.append(_Hit(person_id, REASON_SIMILAR, strength))
        return hits

    def _ambiguous_initial(self, a: MatchKeys, b: MatchKeys, place: _Institution) -> bool:
        """True if the initial could stand for more than one full first name at that institution
        ("J. Smith" where both John and Jane Smith work)."""
        initial = a.initial
        full = {k.first for k in (a, b) if len(k.first) > 1}
        for person_id in place.by_last.get(a.last, ()):
            first = self._keys[person_id].first
            if len(first) > 1 and first[0] == initial:
                full.add(first)
        return len(full) > 1

    def _remove(self, person_id: int) -> None:
        keys = self._keys.pop(person_id)
        if _name_only(keys):
            self._names_only[keys.name].remove(person_id)
        if keys.npi:
            self._by_npi[keys.npi].remove(person_id)
        if keys.email:
            self._by_email[keys.email].remove(person_id)
        if keys.institution and keys.first and keys.last:
            self._places[keys.institution].remove(keys.last, person_id)


class _Groups:
    """Union-find that refuses to join two groups holding different NPIs."""

    def __init__(self, ids: Iterable[int], npis: dict[int, str]) -> None:
        self._parent = {i: i for i in ids}
        self._npi = {i: npis.get(i, "") for i in self._parent}
        self._reason: dict[int, str] = {}

    def root(self, i: int) -> int:
        parent = self._parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, a: int, b: int, reason: str) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra == rb:
            self._keep_stronger(ra, reason)
            return
        na, nb = self._npi[ra], self._npi[rb]
        if na and nb and na != nb:
            return
        if rb < ra:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._npi[ra] = na or nb
        self._keep_stronger(ra, reason)
        if rb in self._reason:
            self._keep_stronger(ra, self._reason.pop(rb))

    def _keep_stronger(self, root: int, reason: str) -> None:
        current = self._reason.get(root)
        if current is None or _RANK[reason] > _RANK[current]:
            self._reason[root] = reason

    def groups(self) -> list[DuplicateGroup]:
        members: dict[int, list[int]] = defaultdict(list)
        for i in self._parent:
            members[self.root(i)].append(i)
        found = [
            DuplicateGroup(tuple(sorted(ids)), self._reason[root])
            for root, ids in members.items()
            if len(ids) > 1
        ]
        return sorted(found, key=lambda g: g.person_ids[0])


def find_duplicate_groups(people: Iterable[tuple[int, PersonFields]]) -> list[DuplicateGroup]:
    """People who look like one person, as groups (smallest id first) with the strongest reason."""
    index = PersonIndex(people)
    links: dict[tuple[int, int], str] = {}
    for person_id, own in index._keys.items():
        for hit in index._hits(own, exclude=person_id):
            pair = (min(person_id, hit.person_id), max(person_id, hit.person_id))
            known = links.get(pair)
            if known is None or _RANK[hit.reason] > _RANK[known]:
                links[pair] = hit.reason
    groups = _Groups(index._keys, {i: k.npi for i, k in index._keys.items() if k.npi})
    # Strongest links first, so that someone who could join either of two NPI holders joins the one
    # with the better evidence.
    for (a, b), reason in sorted(links.items(), key=lambda item: (-_RANK[item[1]], item[0])):
        groups.join(a, b, reason)
    return groups.groups()
