"""Text measuring and fitting for generated slides: widths in ems, wrapping, paging and column widths."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Calibri/Carlito advance widths of ASCII 32..126, in thousandths of an em.
_ASCII_WIDTHS = (
    226, 326, 401, 498, 507, 715, 682, 221, 303, 303, 498, 498, 250, 306, 252, 386, 507, 507, 507,
    507, 507, 507, 507, 507, 507, 507, 268, 268, 498, 498, 498, 463, 894, 579, 544, 533, 615, 488,
    459, 631, 623, 252, 319, 520, 420, 855, 646, 662, 517, 673, 543, 459, 487, 642, 567, 890, 519,
    487, 468, 307, 386, 307, 498, 498, 291, 479, 525, 423, 525, 498, 305, 471, 525, 230, 239, 455,
    230, 799, 525, 527, 525, 525, 349, 391, 335, 525, 452, 715, 433, 453, 395, 314, 460, 314, 498,
)  # fmt: skip
SAFETY = 1.03  # renderers differ a little in kerning and where they break
BOLD = 1.05  # Carlito Bold is ~2.4% wider on average, up to 11% for a few letters
LINE_SPACING = 1.2  # line height as a multiple of the font size (Carlito's is ~1.22)
PT_PER_EMU = 1 / 12700
CELL_MARGIN_X_PT = 0.1 * 72  # PowerPoint's default cell margins
MIN_COLUMN_PT = 0.75 * 72


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _char_em(ch: str) -> float:
    code = ord(ch)
    if 32 <= code < 127:
        return _ASCII_WIDTHS[code - 32] / 1000
    if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf":
        return 0.0
    if _is_wide(ch):
        return 1.0
    return 0.68 if ch.isupper() else 0.56  # accented Latin, Greek, Cyrillic, Arabic, ...


def text_em(text: str) -> float:
    """Estimated width of `text` in ems of the font size."""
    return sum(_char_em(ch) for ch in text) * SAFETY


def _tokens(line: str) -> list[str]:
    """Break opportunities: a word with its trailing spaces, or a single CJK character."""
    tokens: list[str] = []
    current = ""
    for ch in line:
        if _is_wide(ch):
            if current:
                tokens.append(current)
            tokens.append(ch)
            current = ""
        elif ch.isspace():
            current += ch
        else:
            if current and current[-1].isspace():
                tokens.append(current)
                current = ""
            current += ch
    if current:
        tokens.append(current)
    return tokens


def wrap(text: str, width_em: float) -> list[str]:
    """The lines `text` wraps to in a box `width_em` ems wide; joined, they give back `text`.

    Greedy at word breaks (any character in CJK); a word wider than the box breaks inside it.
    Explicit line breaks stay at the end of their line.
    """
    width_em = max(width_em, 1.0)
    out: list[str] = []
    segments = text.replace("\v", "\n").split("\n")
    for number, segment in enumerate(segments):
        lines, used = [""], 0.0
        for token in _tokens(segment):
            ink = text_em(token.rstrip())
            if used + ink <= width_em:
                lines[-1] += token
                used += text_em(token)
                continue
            if lines[-1]:
                lines.append("")
            if ink > width_em:  # one pass over the word: re-measuring what is left was quadratic
                word = token.rstrip()
                piece, width = "", 0.0
                for ch in word:
                    ch_em = text_em(ch)
                    if piece and width + ch_em > width_em:
                        lines[-1] += piece
                        lines.append("")
                        piece, width = "", 0.0
                    piece, width = piece + ch, width + ch_em
                token = piece + token[len(word) :]
            lines[-1] += token
            used = text_em(token)
        if number < len(segments) - 1:
            lines[-1] += "\n"
        out.extend(lines)
    return out


def line_count(text: str, width_em: float) -> int:
    return len(wrap(text, width_em))


def split_lines(text: str, width_em: float, max_lines: int) -> list[str]:
    """`text` cut into pieces of at most `max_lines` wrapped lines each (one piece if it fits)."""
    lines = wrap(text, width_em)
    max_lines = max(max_lines, 1)
    if len(lines) <= max_lines:
        return [text]
    pieces = ["".join(lines[i : i + max_lines]).strip() for i in range(0, len(lines), max_lines)]
    return [piece for piece in pieces if piece] or [""]


def paginate(heights: Sequence[float], limit: float) -> list[list[int]]:
    """Split items of the given heights into pages of at most `limit`, evenly filled.

    Greedy filling gives the fewest pages; the items are then spread over that many pages, each
    taking about its fair share of the remaining height (10 + 10 + 10 rather than 13 + 13 + 4).
    An item taller than `limit` gets a page of its own (callers split such items first).
    """
    if not heights:
        return [[]]

    def greedy(cap: float) -> list[list[int]]:
        pages: list[list[int]] = [[]]
        used = 0.0
        for index, height in enumerate(heights):
            if pages[-1] and used + height > cap:
                pages.append([])
                used = 0.0
            pages[-1].append(index)
            used += height
        return pages

    fewest = greedy(limit)
    count = len(fewest)
    pages: list[list[int]] = []
    remaining = float(sum(heights))
    index = 0
    while index < len(heights):
        share = remaining / max(count - len(pages), 1)
        page: list[int] = []
        used = 0.0
        while index < len(heights):
            height = heights[index]
            # Take the next item while it fits, and while at least half of it lies within the share.
            if page and (used + height > limit or used + height / 2 > share):
                break
            page.append(index)
            used += height
            index += 1
        pages.append(page)
        remaining -= used
    return pages if len(pages) <= count else fewest


def is_rtl(text: str) -> bool:
    """True when the first strongly directional character is right-to-left (Arabic, Hebrew, ...)."""
    for ch in text:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def shorten_lines(text: str, width_em: float, max_lines: int) -> str:
    """`text` as it wraps in `max_lines` lines of `width_em`, cut at a word and ending in an ellipsis
    when it is longer."""
    text = " ".join(text.split())
    lines = wrap(text, width_em)
    if len(lines) <= max_lines:
        return text
    kept = "".join(lines[:max_lines]).rstrip()
    word_break = kept.rfind(" ")
    if word_break > len(kept) // 2:  # a word break not too far back; CJK text has none
        kept = kept[:word_break]
    while kept and line_count(kept + "…", width_em) > max_lines:
        kept = kept[:-1].rstrip()
    return kept.rstrip(" ,;:-") + "…"


@dataclass(frozen=True)
class Column:
    heading: str
    align: str = "left"  # left | center
    grow: bool = True  # takes a share of spare width when everything fits on one line


def column_widths(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], total: float, size: float
) -> list[float]:
    """Column widths in points: short columns get what they need, long ones share the rest."""
    padding = 2 * CELL_MARGIN_X_PT + 2
    minimum = min(total / len(columns), MIN_COLUMN_PT)
    needs = []
    for col, column in enumerate(columns):
        natural = text_em(column.heading) * size * BOLD
        for row in rows:
            longest_line = max((text_em(line) for line in row[col].split("\n")), default=0.0)
            natural = max(natural, longest_line * size)
        needs.append(max(natural + padding, minimum))
    if sum(needs) <= total:
        # Everything fits on one line: the growing columns share the spare width in proportion.
        growing = [col for col, column in enumerate(columns) if column.grow] or list(range(len(columns)))
        spare = total - sum(needs)
        weight = sum(needs[col] for col in growing)
        return [need + (spare * need / weight if col in growing else 0.0) for col, need in enumerate(needs)]
    # Water-filling: columns needing less than an even share keep their width, the rest share.
    widths = [0.0] * len(columns)
    open_columns = set(range(len(columns)))
    remaining = total
    while open_columns:
        share = remaining / len(open_columns)
        settled = {col for col in open_columns if needs[col] <= share}
        if not settled:
            weight = sum(needs[col] for col in open_columns)
            for col in open_columns:
                widths[col] = max(minimum, remaining * needs[col] / weight)
            break
        for col in settled:
            widths[col] = needs[col]
            remaining -= needs[col]
        open_columns -= settled
    scale = total / sum(widths)
    return [width * scale for width in widths]
