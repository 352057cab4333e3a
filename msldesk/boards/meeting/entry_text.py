"""Read what the MSL typed: a leading kind marker, @speaker (or an action's @owner), #themes, due dates.

The same rules serve the meeting window, `msldesk note add` and the review tab. Recognised markers
are taken out of the text and stored as fields; every other character stays in the text, in order
(the markers take with them only the space that separated them from the text, and a ":" or dash
that joined a leading tag to it: "@Weber: yes" is "yes").

"#" takes the longest theme the event already has, in any case and over several words
("#Evidence gaps are widening" files "are widening" under "Evidence gaps"); a new theme is one word
("#dosing-related") or quoted ("#\"evidence gaps\""). "@" takes the longest attendee's name the same
way; an unknown "@word" names an action's owner as written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from msldesk.boards.records import EntryKind
from msldesk.core.folding import fold

# A leading symbol or word chooses the kind: "! insight", "\" quote", "? question", "> action".
SYMBOL_MARKERS: dict[str, EntryKind] = {
    "!": EntryKind.INSIGHT,
    '"': EntryKind.QUOTE,
    "\u201c": EntryKind.QUOTE,  # “
    "\u201e": EntryKind.QUOTE,  # „
    "\u00ab": EntryKind.QUOTE,  # «
    "?": EntryKind.QUESTION,
    ">": EntryKind.ACTION,
}
WORD_MARKERS: dict[str, EntryKind] = {
    "note": EntryKind.NOTE,
    "insight": EntryKind.INSIGHT,
    "quote": EntryKind.QUOTE,
    "question": EntryKind.QUESTION,
    "action": EntryKind.ACTION,
    "todo": EntryKind.ACTION,
}
# Inside a note: who spoke (an action's owner), a theme, and when an action is due. The help sheet
# (Help › Note markers) is written from these, so keep them the ones the patterns below use.
MENTION_MARK = "@"
THEME_MARK = "#"
DUE_KEYWORD = "due"
DUE_WORDS = ("today", "tomorrow")
_WORD_MARKER = re.compile(r"^(" + "|".join(WORD_MARKERS) + r")\s*:\s*", re.IGNORECASE)
_CLOSING_QUOTES = {'"': '"', "\u201c": "\u201d", "\u201e": "\u201c", "\u00ab": "\u00bb"}
_DUE = re.compile(
    rf"(?<!\w){DUE_KEYWORD}\s*(?P<sep>[:=])?\s*(?P<value>\d{{4}}-\d{{2}}-\d{{2}}|\+\d{{1,3}}[dw]|{'|'.join(DUE_WORDS)})(?!\w)",
    re.IGNORECASE,
)
# What ends a one-word theme or a name typed after "@" (a hyphen or an underscore does not).
_TAG_END = '\\s#@,;:.!?()\\[\\]{}"\u201c\u201d'
_HASHTAG = re.compile(
    r"(?<![\w#])#(?:\"(?P<quoted>[^\"\n]+)\"|\u201c(?P<curly>[^\u201d\n]+)\u201d"
    r"|(?P<word>[^" + _TAG_END + r"]+))"
)
# A ":" or a dash (before a space) joining a leading tag to the text belongs to the tag.
_TAG_SEPARATOR = re.compile(r"[ \t]*(?:[:,]|[-\u2013\u2014](?=\s))")
# Scripts written without spaces between words: a theme or a name may run straight into the text.
_UNSPACED = re.compile("[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff65-\uff9f]")
_MENTION = re.compile(r"(?<![\w@])@(?P<word>[^\s#@,;:!?()\[\]{}\"]+)")


@dataclass(frozen=True)
class ParsedEntry:
    text: str
    kind: EntryKind | None  # None: no marker typed
    speaker_id: int | None = None
    themes: tuple[str, ...] = ()
    owner_id: int | None = None
    owner: str = ""
    due: dt.date | None = None


def _fold_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each folded character, the index of the original one it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        piece = fold(ch)
        folded.append(piece)
        origin.extend([index] * len(piece))
    return "".join(folded), origin


def split_kind_marker(text: str) -> tuple[EntryKind | None, str]:
    stripped = text.strip()
    match = _WORD_MARKER.match(stripped)
    if match:
        return WORD_MARKERS[match.group(1).lower()], stripped[match.end() :]
    if stripped[:1] in SYMBOL_MARKERS:
        first = stripped[0]
        kind = SYMBOL_MARKERS[first]
        rest = stripped[1:].lstrip()
        if kind is EntryKind.QUOTE:
            closing = _CLOSING_QUOTES[first]
            # Drop the matching closing quote, wherever the quote ends (an @speaker may follow it).
            # A quoted theme ("#\"evidence gaps\"") keeps its own quotes.
            masked = _HASHTAG.sub(lambda m: "\x00" * len(m.group()), rest)
            end = masked.rfind(closing)
            if end >= 0:
                rest = rest[:end] + rest[end + 1 :]
        return kind, rest
    return None, stripped


def _match_name(folded: str, start: int, people: Sequence[tuple[int, str]]) -> tuple[int, int] | None:
    """(person_id, folded length) of the longest directory name starting at `start`, by full name
    (or first and last word: "@Maria Garcia" is "María José García"), else by a last or first name
    that only one person has."""
    best: tuple[int, int] | None = None
    for person_id, name in people:
        words = fold(name).split()
        for candidate in {" ".join(words), " ".join(words[:1] + words[-1:])}:
            if candidate and folded.startswith(candidate, start):
                end = start + len(candidate)
                if _ends_tag(folded, end) and (best is None or len(candidate) > best[1]):
                    best = (person_id, len(candidate))
    if best:
        return best
    word = re.match(r"[\w'\-]+", folded[start:])
    if not word:
        return None
    token = word.group(0)
    for part in (-1, 0):  # last names first: "@weber", then "@anna"
        hits = {pid for pid, name in people if (words := fold(name).split()) and words[part] == token}
        if len(hits) == 1:
            return hits.pop(), len(token)
    return None


def _ends_tag(folded: str, end: int) -> bool:
    """A theme or name may end here: at the end of the text or of a word ("#dosing-related" is
    not "Dosing"), or between two characters of a script written without spaces."""
    if end >= len(folded):
        return True
    if re.match(f"[{_TAG_END}]", folded[end]):
        return True
    return bool(end and _UNSPACED.match(folded[end - 1]) and _UNSPACED.match(folded[end]))


def _match_theme(folded: str, start: int, themes: Sequence[str]) -> tuple[str, int] | None:
    best: tuple[str, int] | None = None
    for theme in themes:
        forms = {
            fold(theme),
            fold(theme).replace(" ", "-"),
            fold(theme).replace(" ", "_"),
            fold(theme).replace(" ", ""),
        }
        for form in forms:
            end = start + len(form)
            if (
                form
                and folded.startswith(form, start)
                and _ends_tag(folded, end)
                and (best is None or len(form) > best[1])
            ):
                best = (theme, len(form))
    return best


def _due(value: str, today: dt.date) -> dt.date | None:
    value = value.lower()
    if value == "today":
        return today
    if value == "tomorrow":
        return today + dt.timedelta(days=1)
    if value.startswith("+"):
        amount = int(value[1:-1])
        return today + dt.timedelta(days=amount * (7 if value.endswith("w") else 1))
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_entry(
    text: str,
    people: Sequence[tuple[int, str]] = (),
    themes: Sequence[str] = (),
    today: dt.date | None = None,
    kind: EntryKind | None = None,
) -> ParsedEntry:
    """Split typed text into the entry's fields. `people` are (id, display name) of those who may be
    mentioned (the attendees first); `themes` is the event's taxonomy; `kind`, if given, was chosen
    outside the text (a shortcut, a command-line option) and wins over a typed marker."""
    chosen = kind
    typed, body = split_kind_marker(text)
    kind = chosen or typed
    cuts: list[tuple[int, int]] = []  # spans of the original text that became fields
    due, due_span = _find_due(body, kind, today or dt.date.today())
    if due_span is not None:
        cuts.append(due_span)
        kind = EntryKind.ACTION if kind is None else kind
    folded, origin = _fold_map(body)
    mentions = _mentions(body, folded, origin, people)
    found_themes = _hashtags(body, folded, origin, themes, cuts)
    speaker_id = owner_id = None
    owner = ""
    for number, (at, end, person_id, written) in enumerate(mentions):
        if number == 0 and (kind is EntryKind.ACTION or person_id is not None):
            if kind is EntryKind.ACTION:
                owner_id, owner = person_id, written  # "> @Weber sends the paper": Weber does it
            else:
                speaker_id = person_id
            # A tag at the start or end ("@Weber: ...", "... @Weber") goes; a name inside a sentence
            # stays part of it, and so does one ending it after a preposition ("send it to Weber").
            where = _position(body, cuts, at, end)
            if where == "start" or (where == "end" and not _after_preposition(body, at)):
                cuts.append((at, end))
                continue
        if person_id is not None:
            cuts.append((at, at + 1))  # a known name stays in the text, without its "@"
    text = _cut(body, cuts)
    if typed is None:  # "@Weber: "quote"" puts the marker after the speaker tag
        late, text = split_kind_marker(text)
        kind = chosen or late or kind
    return ParsedEntry(text, kind, speaker_id, tuple(found_themes), owner_id, owner, due)


def _find_due(
    body: str, kind: EntryKind | None, today: dt.date
) -> tuple[dt.date | None, tuple[int, int] | None]:
    """The due date an action (or a plain note with "due:") names, and where it is written."""
    if kind not in (EntryKind.ACTION, None):
        return None, None
    for match in _DUE.finditer(body):
        if kind is None and not match.group("sep"):
            continue  # in a plain note, "approval is due 2027-01-15" is prose; "due:" is the marker
        found = _due(match.group("value"), today)
        if found is not None:
            return found, match.span()
    return None, None


def _original_end(origin: Sequence[int], folded_end: int) -> int:
    """Where in the text the folded text's position `folded_end` ends."""
    return origin[folded_end - 1] + 1 if folded_end > 0 else 0


def _mentions(
    body: str, folded: str, origin: Sequence[int], people: Sequence[tuple[int, str]]
) -> list[tuple[int, int, int | None, str]]:
    """Each "@": (start, end, person id or None, the name as written), the longest known name first."""
    mentions: list[tuple[int, int, int | None, str]] = []
    for match in _MENTION.finditer(body):
        at = match.start()
        folded_at = origin.index(at + 1) if at + 1 in origin else -1
        hit = _match_name(folded, folded_at, people) if folded_at >= 0 else None
        if hit:
            end = _original_end(origin, folded_at + hit[1])
            mentions.append((at, end, hit[0], body[at + 1 : end]))
        else:
            mentions.append((at, match.end(), None, match.group("word")))
    return mentions


def _hashtags(
    body: str, folded: str, origin: Sequence[int], themes: Sequence[str], cuts: list[tuple[int, int]]
) -> list[str]:
    """The themes "#" names (the taxonomy's spelling where it has them), each once; their spans go
    into `cuts`."""
    found: list[str] = []
    for match in _HASHTAG.finditer(body):
        at = match.start()
        quoted = match.group("quoted") or match.group("curly")
        theme = None
        if quoted is None:
            folded_at = origin.index(at + 1) if at + 1 in origin else -1
            theme = _match_theme(folded, folded_at, themes) if folded_at >= 0 else None
        if quoted is not None:
            name, end = " ".join(quoted.split()), match.end()
            name = next((t for t in themes if fold(t) == fold(name)), name)  # the taxonomy's spelling
        elif theme:
            name, end = theme[0], _original_end(origin, folded_at + theme[1])
        elif any(ch.isalpha() for ch in match.group("word")):
            name, end = match.group("word").replace("_", " "), match.end()
        else:
            continue  # "our #1 concern": a number is not a theme, and stays in the text
        if name and fold(name) not in {fold(t) for t in found}:
            found.append(name)
        cuts.append((at, end))
    return found


PREPOSITIONS = frozenset(
    "to for from with by at of about and or an von mit für zu à pour avec de par".split()  # noqa: SIM905 - a word list reads best as one string
)


def _after_preposition(body: str, at: int) -> bool:
    words = body[:at].split()
    return bool(words) and fold(words[-1]) in PREPOSITIONS


def _position(body: str, cuts: list[tuple[int, int]], at: int, end: int) -> str:
    """ "start", "end" or "inside": where a span sits once the other tags are taken out."""
    marker = "\x00"
    shift = end - at - 1
    moved = [(s, e) if s < at else (s - shift, e - shift) for s, e in cuts]
    probe = _cut(body[:at] + marker + body[end:], moved)
    if probe.startswith(marker):
        return "start"
    if probe.rstrip(" .,;:!?").endswith(marker):
        return "end"
    return "inside"


def _cut(body: str, cuts: list[tuple[int, int]]) -> str:
    """The body without the marker spans, every other character kept in order. A marker takes with
    it the space that separated it from the text (the one after it; at the end of a line or before
    punctuation, the one before it) and, at the start, a ":" or dash that joined it to the text."""
    out = ""
    cursor = 0
    for start, end in sorted(cuts):
        if start < cursor:
            continue
        out += body[cursor:start]
        cursor = end
        if not out.strip():
            joined = _TAG_SEPARATOR.match(body, cursor)
            cursor = joined.end() if joined else cursor
        space = re.match(r"[ \t]*", body[cursor:]).group()  # type: ignore[union-attr]
        if space and (not out or out[-1].isspace()):
            cursor += len(space)
        elif not space and (cursor == len(body) or body[cursor] in "\n,.;:!?)"):
            out = out.rstrip(" \t")
    return (out + body[cursor:]).strip()
