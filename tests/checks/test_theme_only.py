"""The look lives in msldesk/ui/theme.py: no other UI module carries a stylesheet or names a colour
(a hex code, a colour word in CSS, a QColor built from literals). Read from the source, no Qt."""

from __future__ import annotations

import io
import re
import token
import tokenize
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "msldesk" / "ui"
THEME = UI / "theme.py"

# The only widget stylesheets left, each with why it cannot be a rule of the application's sheet.
ALLOWED_STYLESHEETS = {
    # A list or tree view's row padding is measured from that view's own font at run time (so rows
    # fit an in-place editor at any font size and scale); a layout metric, no colour.
    "widgets/table_fit.py": 1,
}

STYLESHEET_CALL = re.compile(r"\.setStyleSheet\(")
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
# A colour word in CSS or HTML (`color:white`, `background: palette(mid)`, `1px solid red`); hex codes
# are found above, and a value an f-string puts in (`color:{palette().error}`) is fine.
CSS_COLOUR = re.compile(r"\b(?:(?:color|background(?:-color)?)\s*:|(?:solid|dashed|dotted)\s)\s*[a-zA-Z]")
QCOLOR_LITERAL = re.compile(r"\bQColor\(\s*(?:[\"'\d]|Qt\.)")
GLOBAL_COLOUR = re.compile(
    r"\bQt\.(?:GlobalColor\.)?(?:white|black|(?:dark|light)?(?i:red|green|blue|cyan|magenta|yellow|gray))\b"
)


def _strings(source: str) -> list[str]:
    """Every string literal's text (f-strings whole on Python 3.11, in parts from 3.12)."""
    kinds = {token.STRING} | ({token.FSTRING_MIDDLE} if hasattr(token, "FSTRING_MIDDLE") else set())
    return [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type in kinds]


def findings(source: str) -> list[str]:
    """What names a colour or sets a stylesheet in one module's source (comments are not read)."""
    found = [f"setStyleSheet call: {m.group(0)}" for m in STYLESHEET_CALL.finditer(source)]
    found += [f"QColor from a literal: {m.group(0)}" for m in QCOLOR_LITERAL.finditer(source)]
    found += [f"Qt's colour: {m.group(0)}" for m in GLOBAL_COLOUR.finditer(source)]
    for text in _strings(source):
        found += [f"hex colour {m.group(0)} in {text[:60]}" for m in HEX_COLOUR.finditer(text)]
        found += [f"CSS colour {m.group(0)!r} in {text[:60]}" for m in CSS_COLOUR.finditer(text)]
    return found


def _all_findings() -> dict[str, list[str]]:
    return {
        str(path.relative_to(UI)): found
        for path in sorted(UI.rglob("*.py"))
        if path != THEME and (found := findings(path.read_text(encoding="utf-8")))
    }


def test_no_ui_module_but_the_theme_styles_or_colours_widgets() -> None:
    found = _all_findings()
    over = {
        name: found_here
        for name, found_here in found.items()
        if any(not f.startswith("setStyleSheet") for f in found_here)
        or len(found_here) > ALLOWED_STYLESHEETS.get(name, 0)
    }
    assert over == {}, "colours and stylesheets belong in msldesk/ui/theme.py (a role, a palette entry)"


def test_the_allowed_stylesheets_are_still_there() -> None:
    """An exception no longer needed is taken off the list."""
    counts = {name: len(found) for name, found in _all_findings().items()}
    assert {name: counts.get(name, 0) for name in ALLOWED_STYLESHEETS} == ALLOWED_STYLESHEETS


def test_the_checks_see_what_they_forbid() -> None:
    assert findings('label.setStyleSheet("font-weight:bold;")')
    assert findings('RED = "#c5221f"')
    assert findings("x = QColor('white')")
    assert findings("x = QColor(255, 255, 255, 120)")
    assert findings("painter.setPen(Qt.GlobalColor.darkGray)")
    assert findings('html = f"<span style=\\"color:white\\">{text}</span>"')
    assert findings('label.setText("<b>x</b>")  # colour #c5221f') == []  # a comment is not code
    assert findings("html = f\"<span style='color:{palette().error}'>x</span>\"") == []
    assert findings('frame.setObjectName("exportBanner"); colour(palette().muted)') == []
