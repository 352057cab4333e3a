"""Fonts for the PDFs we write, registered once per process, and Paragraph markup that uses them.

reportlab's built-in Helvetica only covers Windows-1252, so "Łukasz", "Ελληνικά" or "山田 太郎"
would print as black boxes. We bundle one TrueType font that covers Latin, Greek, Cyrillic and CJK
(resources/fonts/wqy-microhei.ttc.xz; its README says why that one, and why compressed) and register
it lazily, once: reportlab keeps fonts in process-wide state, and unpacking and parsing cost ~0.15 s
(the unpacked 5 MB stay in memory only). If the bundled file is
missing (a stripped-down install), we look for fonts on the machine instead: DejaVu Sans / Noto
Sans / Arial / Segoe UI for Latin, Greek and Cyrillic and, only when a text needs it, a TrueType CJK
font. Nothing is ever downloaded. reportlab cannot embed CFF-flavoured OpenType (the Noto Sans CJK
files many Linux systems ship), so without any TrueType CJK font CJK text uses reportlab's standard
Asian CID fonts, which are not embedded: Acrobat, Chrome and macOS show them, poppler-based viewers
need their poppler-data package. Without any TrueType font we fall back to Helvetica and spell
letters it lacks without their accents (Ł -> L, ő -> o).
"""

from __future__ import annotations

import functools
import io
import lzma
import os
import shutil
import struct
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from msldesk.core.paths import resource_path
from msldesk.core.text_safety import clean_text

if TYPE_CHECKING:
    from reportlab.pdfbase.ttfonts import TTFont

BUNDLED_FONT = "wqy-microhei.ttc.xz"
FONT_SUFFIXES = (".ttf", ".ttc", ".ttf.xz", ".ttc.xz")
_LATIN_PROBE = "AaÄäÖöÜüßŁłŚśŠšČčŘřőİıœ–’ΑαЖж"  # Latin Extended-A, Greek, Cyrillic, typographic dashes
_CJK_PROBE = "山田太郎あア"


@dataclass(frozen=True)
class PdfFonts:
    regular: str  # registered reportlab font names
    bold: str  # the same as `regular` when the font has no bold face (the bundled one has none)
    embedded: bool  # False: Helvetica fallback, limited to Windows-1252
    covered: frozenset[int] = frozenset()  # code points the regular font has glyphs for (TTF only)


# ---- finding fonts (no downloads, every path optional) ---------------------------------------------


def _windows_fonts() -> Path:
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


def bundled_fonts() -> list[Path]:
    folder = resource_path("fonts")
    if not folder.is_dir():
        return []
    preferred = folder / BUNDLED_FONT
    others = sorted(p for p in folder.iterdir() if p.name.lower().endswith(FONT_SUFFIXES) and p != preferred)
    return ([preferred] if preferred.is_file() else []) + others


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
    yield from ((p, None) for p in bundled_fonts() if "bold" not in p.name.lower())
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
    yield from bundled_fonts()
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
        source: str | io.BytesIO = str(path)
        if path.suffix.lower() == ".xz":  # the bundled font is stored compressed (a third of its size)
            source = io.BytesIO(lzma.decompress(path.read_bytes()))
            source.name = path.name  # reportlab names the embedded file after it
        font = TTFont(name, source, subfontIndex=0)
    except (TTFError, OSError, ValueError, KeyError, IndexError, struct.error, lzma.LZMAError):
        return None  # CFF outlines, a damaged file
    if not all(ord(ch) in font.face.charToGlyph for ch in probe):
        return None
    return font


@functools.cache
def text_fonts() -> PdfFonts:
    """The fonts for body text, found and registered once per process (reportlab keeps them globally)."""
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
        return PdfFonts("MsldeskSans", bold_name, True, frozenset(regular.face.charToGlyph))
    return PdfFonts("Helvetica", "Helvetica-Bold", False)


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


def is_cjk(ch: str) -> bool:
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


def fallback_char(ch: str) -> str:
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


def markup(text: str, fonts: PdfFonts) -> str:
    """Paragraph markup for `text`: cleaned, escaped (& < >), CJK runs switched to a font that has them."""
    text = clean_text(text)  # reportlab cannot encode a lone surrogate; controls would print as boxes
    if fonts.embedded and all(ord(c) in fonts.covered or c.isspace() for c in set(text)):
        return escape(text)  # the common case with the bundled font: nothing to switch
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
        if not has_glyph and is_cjk(ch):
            cjk_name = cjk_name or cjk_font() or _cid_font(text)
            font = cjk_name
        elif not has_glyph and not fonts.embedded:
            ch = fallback_char(ch)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return "".join(escape(t) if not f else f'<font name="{f}">{escape(t)}</font>' for f, t in runs)


def plain(text: str, fonts: PdfFonts) -> str:
    """`text` for canvas.drawString / chart labels (no markup): letters Helvetica lacks lose accents."""
    text = clean_text(text, breaks=False)
    if fonts.embedded:
        return text
    return "".join(fallback_char(c) if c.encode("cp1252", "ignore") == b"" else c for c in text)
