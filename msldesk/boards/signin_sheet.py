"""Write a printable PDF sign-in sheet for an event: attendees sorted by name, then blank walk-in rows.

Fonts: reportlab's built-in Helvetica only covers Windows-1252, so names such as "Łukasz" or
"山田 太郎" would print as black boxes. We register a TrueType font found on the machine (bundled
resources/fonts first, then DejaVu Sans / Noto Sans / Arial / Segoe UI) for Latin, Greek and
Cyrillic, and, only when a name needs it, a TrueType CJK font (Windows, macOS, WenQuanYi, Droid...).
Nothing is ever downloaded. Limitations: reportlab cannot embed CFF-flavoured OpenType fonts (the
Noto Sans CJK .ttc files many Linux systems ship), so without a TrueType CJK font CJK text uses
reportlab's standard Asian CID fonts, which are not embedded: Acrobat, Chrome and macOS show them,
poppler-based viewers need their poppler-data package. Without any TrueType font we fall back to
Helvetica and spell letters it lacks without their accents (Ł -> L, ő -> o).
"""

from __future__ import annotations

import functools
import os
import shutil
import struct
import subprocess
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from msldesk.boards.calendar_export import event_zone, local_time, long_date
from msldesk.boards.records import Attendance, Event, Invitation
from msldesk.errors import InvalidInputError
from msldesk.fileio import atomic_writer
from msldesk.paths import resource_path

if TYPE_CHECKING:
    from reportlab.pdfbase.ttfonts import TTFont

HEADERS = ("#", "Name", "Institution", "Role", "Signature", "Time in")
_LATIN_PROBE = "AaÄäÖöÜüßŁłŚśŠšČčŘřőİıœ–’ΑαЖж"  # Latin Extended-A, Greek, Cyrillic, typographic dashes
_CJK_PROBE = "山田太郎あア"
_LETTER_ZONES = ("America/", "US/", "Canada/")
_MIN_ROW_HEIGHT = 22.0  # points of writing space per row before padding: about 1 cm with padding


@dataclass(frozen=True)
class SheetFonts:
    regular: str  # registered reportlab font names
    bold: str
    embedded: bool  # False: Helvetica fallback, limited to Windows-1252
    covered: frozenset[int] = frozenset()  # code points the regular font has glyphs for (TTF only)


# ---- finding fonts (no downloads, every path optional) ---------------------------------------------


def _windows_fonts() -> Path:
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


def _bundled_fonts() -> list[Path]:
    folder = resource_path("fonts")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".ttf", ".ttc"))


def _fc_match(pattern: str) -> list[Path]:
    """fontconfig's best file for `pattern` (Linux, some macOS); nothing when fc-match is absent."""
    exe = shutil.which("fc-match")
    if not exe:
        return []
    try:
        result = subprocess.run(
            [exe, "--format=%{file}", pattern], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(result.stdout.strip())] if result.returncode == 0 and result.stdout.strip() else []


def latin_font_candidates() -> Iterator[tuple[Path, Path | None]]:
    """(regular, bold) TrueType files to try, best first; lazy, so fc-match runs only if needed."""
    win, mac = _windows_fonts(), Path("/System/Library/Fonts/Supplemental")
    yield from ((p, None) for p in _bundled_fonts() if "bold" not in p.name.lower())
    for folder in (
        Path("/usr/share/fonts/truetype/dejavu"),
        Path("/usr/share/fonts/dejavu"),
        Path("/usr/share/fonts/TTF"),
        Path("/usr/share/fonts/dejavu-sans-fonts"),
    ):
        yield folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    for folder in (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/noto")):
        yield folder / "NotoSans-Regular.ttf", folder / "NotoSans-Bold.ttf"
    yield win / "arial.ttf", win / "arialbd.ttf"
    yield win / "segoeui.ttf", win / "segoeuib.ttf"
    yield mac / "Arial.ttf", mac / "Arial Bold.ttf"
    yield Path("/Library/Fonts/Arial.ttf"), Path("/Library/Fonts/Arial Bold.ttf")
    yield from ((p, None) for p in _fc_match("sans-serif"))


def cjk_font_candidates() -> Iterator[Path]:
    """TrueType fonts with Chinese, Japanese and Korean glyphs (CFF/OTF ones are skipped on load)."""
    win, mac = _windows_fonts(), Path("/System/Library/Fonts/Supplemental")
    yield from _bundled_fonts()
    yield from [
        win / "msyh.ttc",
        win / "YuGothM.ttc",
        win / "msgothic.ttc",
        win / "simsun.ttc",
        mac / "Arial Unicode.ttf",
        Path("/Library/Fonts/Arial Unicode.ttf"),
        Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
        Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
        Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
        Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
        Path("/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf"),
    ]
    for lang in ("ja", "zh-cn", "ko"):
        yield from _fc_match(f"sans-serif:lang={lang}")


def _load_ttf(name: str, path: Path, probe: str) -> TTFont | None:
    """The font at `path` if reportlab can embed it and it has every glyph of `probe`."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if not path.is_file():
        return None
    try:
        font = TTFont(name, str(path), subfontIndex=0)
    except (TTFError, OSError, ValueError, KeyError, IndexError, struct.error):  # CFF outlines, damaged
        return None
    if not all(ord(ch) in font.face.charToGlyph for ch in probe):
        return None
    return font


@functools.cache
def sheet_fonts() -> SheetFonts:
    """The fonts for the sheet, found and registered once per process (reportlab keeps them globally)."""
    from reportlab.pdfbase import pdfmetrics

    seen: set[Path] = set()
    for regular_path, bold_path in latin_font_candidates():
        if regular_path in seen:
            continue
        seen.add(regular_path)
        regular = _load_ttf("MsldeskSans", regular_path, _LATIN_PROBE)
        if regular is None:
            continue
        bold = _load_ttf("MsldeskSans-Bold", bold_path, _LATIN_PROBE) if bold_path else None
        pdfmetrics.registerFont(regular)
        bold_name = "MsldeskSans"
        if bold is not None:
            pdfmetrics.registerFont(bold)
            bold_name = "MsldeskSans-Bold"
        return SheetFonts("MsldeskSans", bold_name, True, frozenset(regular.face.charToGlyph))
    return SheetFonts("Helvetica", "Helvetica-Bold", False)


@functools.cache
def cjk_font() -> str:
    """A registered TrueType CJK font name, or "" when the machine has none reportlab can embed."""
    from reportlab.pdfbase import pdfmetrics

    seen: set[Path] = set()
    for path in cjk_font_candidates():
        if path in seen:
            continue
        seen.add(path)
        font = _load_ttf("MsldeskCJK", path, _CJK_PROBE)
        if font is not None:
            pdfmetrics.registerFont(font)
            return "MsldeskCJK"
    return ""


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x9FFF  # radicals, CJK punctuation, kana, bopomofo, CJK ideographs
        or 0xAC00 <= cp <= 0xD7AF  # Hangul syllables
        or 0x1100 <= cp <= 0x11FF  # Hangul jamo
        or 0xF900 <= cp <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= cp <= 0xFFEF  # half/full-width forms
        or 0x20000 <= cp <= 0x3FFFF  # extension ideographs
    )


def _cid_font(text: str) -> str:
    """reportlab's standard (non-embedded) Asian font for `text`: Japanese when it has kana, Korean
    with Hangul, else Chinese (Adobe-GB1 covers every unified ideograph, Japanese kanji included)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if any(0x3040 <= ord(c) <= 0x30FF for c in text):
        name = "HeiseiKakuGo-W5"
    elif any(0xAC00 <= ord(c) <= 0xD7AF or 0x1100 <= ord(c) <= 0x11FF for c in text):
        name = "HYGothic-Medium"
    else:
        name = "STSong-Light"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    return name


def _fallback_char(ch: str) -> str:
    """A Windows-1252 spelling of `ch` for Helvetica: the letter without its accent when it has one."""
    special = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i"}
    if ch in special:
        return special[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    try:
        base.encode("cp1252")
    except UnicodeEncodeError:
        return ch  # nothing better: reportlab draws a box
    return base or ch


def markup(text: str, fonts: SheetFonts) -> str:
    """Paragraph markup for `text`: escaped (& < >), with CJK runs switched to a font that has them."""
    runs: list[tuple[str, str]] = []  # (font name or "" for the paragraph's own font, text)
    cjk_name = ""
    for ch in text:
        if fonts.embedded:
            has_glyph = ord(ch) in fonts.covered or ch.isspace()
        else:
            try:
                ch.encode("cp1252")
                has_glyph = True
            except UnicodeEncodeError:
                has_glyph = False
        font = ""
        if not has_glyph and _is_cjk(ch):
            cjk_name = cjk_name or cjk_font() or _cid_font(text)
            font = cjk_name
        elif not has_glyph and not fonts.embedded:
            ch = _fallback_char(ch)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return "".join(escape(t) if not f else f'<font name="{f}">{escape(t)}</font>' for f, t in runs)


# ---- the sheet -------------------------------------------------------------------------------------


def uses_letter_paper(timezone: str) -> bool:
    """US Letter for events in the Americas' zones (US, Canada, Mexico ...), A4 elsewhere."""
    return timezone.startswith(_LETTER_ZONES)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def when_text(event: Event) -> str:
    """"Thursday 12 March 2026, 09:00–17:00 CET (Europe/Berlin)" in the event's own zone."""
    f = event.fields
    if f.starts_at is None:
        return "Date to be confirmed"
    zone = event_zone(f.timezone)
    starts = local_time(f.starts_at, zone)
    suffix = f"{starts.tzname()} ({zone.key})" if starts.tzname() != zone.key else zone.key
    if f.ends_at is None:
        return f"{long_date(starts)}, {starts:%H:%M} {suffix}"
    ends = local_time(f.ends_at, zone)
    if ends.date() == starts.date():
        return f"{long_date(starts)}, {starts:%H:%M}–{ends:%H:%M} {suffix}"
    return f"{long_date(starts)} {starts:%H:%M} – {long_date(ends)} {ends:%H:%M} {suffix}"


def _folded(text: str) -> str:
    """Sort form: case and accents ignored, so "Ågård" files under A and "Łukasz" under L."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(_fallback_char(c) for c in decomposed if not unicodedata.combining(c))


def _sort_key(attendance: Attendance) -> tuple[str, str, str]:
    p = attendance.person.fields
    return (_folded(p.last_name or p.first_name or p.email), _folded(p.first_name), p.email.casefold())


def _name(attendance: Attendance) -> str:
    p = attendance.person.fields
    if p.last_name and p.first_name:
        name = f"{p.last_name}, {p.first_name}"
    else:
        name = p.last_name or p.first_name or p.email
    return f"{name}, {p.credentials}" if p.credentials else name


def write_sign_in_sheet(
    event: Event, attendees: Sequence[Attendance], path: Path, blank_rows: int = 10
) -> int:
    """Write the sign-in sheet PDF; return its page count.

    Everyone who has not declined gets a row (sorted by last name), then `blank_rows` numbered empty
    rows for walk-ins. The table's header row repeats on every page; each page's footer carries the
    event title and "Page N of M".
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape, letter
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if blank_rows < 0:
        raise InvalidInputError("The number of blank rows cannot be negative.")
    fonts = sheet_fonts()
    f = event.fields
    page_size = landscape(letter if uses_letter_paper(f.timezone) else A4)
    margin = 12 * mm

    def style(name: str, size: float, bold: bool = False, **kw: object) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=fonts.bold if bold else fonts.regular, fontSize=size, leading=size * 1.25, **kw
        )

    title_style = style("title", 16, bold=True, spaceAfter=4)
    info_style = style("info", 10, spaceAfter=2)
    cell_style = style("cell", 9.5)
    head_style = style("head", 9.5, bold=True)
    footer_style = style("footer", 8, textColor=colors.grey)

    story: list[object] = [
        Paragraph(markup(f.title or "Untitled event", fonts), title_style),
        Paragraph(markup(f"Sign-in sheet · {f.kind.label} · {when_text(event)}", fonts), info_style),
    ]
    if f.venue.strip():
        story.append(Paragraph(markup(f"Venue: {f.venue.strip()}", fonts), info_style))
    elif f.virtual_link.strip():
        story.append(Paragraph(markup(f"Online: {f.virtual_link.strip()}", fonts), info_style))
    story.append(Spacer(1, 4 * mm))

    present = sorted((a for a in attendees if a.fields.invitation != Invitation.DECLINED), key=_sort_key)
    rows: list[list[object]] = [[Paragraph(escape(h), head_style) for h in HEADERS]]
    for number, attendance in enumerate(present, start=1):
        p = attendance.person.fields
        rows.append([
            Paragraph(str(number), cell_style),
            Paragraph(markup(_name(attendance), fonts), cell_style),
            Paragraph(markup(p.institution, fonts), cell_style),
            Paragraph(markup(attendance.fields.role.label, fonts), cell_style),
            Spacer(1, _MIN_ROW_HEIGHT),  # keeps each row tall enough to sign in
            "",
        ])  # fmt: skip
    for number in range(len(present) + 1, len(present) + blank_rows + 1):
        rows.append([Paragraph(str(number), cell_style), "", "", "", Spacer(1, _MIN_ROW_HEIGHT), ""])

    usable = page_size[0] - 2 * margin
    shares = (0.04, 0.25, 0.25, 0.10, 0.26, 0.10)
    table = Table(rows, colWidths=[usable * s for s in shares], repeatRows=1)
    table.setStyle(
        TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 1), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 1), (-1, -1), 4),
        ])  # fmt: skip
    )
    story.append(table)

    footer_title = markup(_shorten(f.title or "Untitled event", 120), fonts)
    pages: list[int] = []

    class NumberedCanvas(Canvas):
        """Holds pages until the end so every footer can say "of M" (reportlab's usual recipe)."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            pages.append(total)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            left = Paragraph(footer_title, footer_style)
            left.wrapOn(self, usable * 0.75, margin)
            left.drawOn(self, margin, margin * 0.45)
            self.setFont(fonts.regular, 8)
            self.setFillColor(colors.grey)
            self.drawRightString(page_size[0] - margin, margin * 0.45, f"Page {number} of {total}")

    with atomic_writer(Path(path)) as handle:
        doc = SimpleDocTemplate(
            handle,
            pagesize=page_size,
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin,
            bottomMargin=margin * 1.4,
            title=f"Sign-in sheet: {f.title}",
            author="msldesk",
        )
        doc.build(story, canvasmaker=NumberedCanvas)
    return pages[0] if pages else 0
