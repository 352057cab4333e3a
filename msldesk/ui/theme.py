"""The look in one place: a palette of named colour roles, spacing and type sizes, and the one
application stylesheet built from them. Widgets say what they are (`set_role(label, "hint")`, an
object name, a dynamic property) instead of carrying CSS; painters and models take their colours
from `palette()`. A dark palette is then one more `Palette` (nothing else names a colour)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QLabel, QWidget


@dataclass(frozen=True)
class Palette:
    """Colours by what they mean. Near-duplicates were merged into one role each (the issue's list)."""

    text: str  # strong text drawn by the app (clock, headings painted in lists)
    muted: str  # secondary text: hints, dates, counts, a draft's badge, a note's kind
    faint: str  # placeholder and "nothing here yet" text, ignored or declined rows
    slate: str  # neutral status: completed or closed events, withdrawn decks, automatic rows
    on_colour: str  # text on a coloured fill (badges, the meeting's kind button)
    veil: str  # laid over a blocked slide's thumbnail (white, half see-through: #AARRGGBB)
    accent: str  # information: a quote, a new or changed slide
    accent_bg: str  # the current agenda item, the export banner, a duplicate kept
    accent_border: str
    insight: str  # a meeting insight
    warning: str  # amber text or fill: an expiring deck, a question, "please check" lines
    warning_text: str  # text on warning_bg; an event still in planning
    warning_bg: str
    error: str  # red text or fill: expired decks, overruns, needs review, failures
    error_text: str  # text on error_bg
    error_bg: str  # error notices, rows that overrun or need review
    error_tint: str  # a flagged meeting entry (lighter than error_bg: a list can be full of them)
    error_border: str
    success: str  # approved, confirmed, finalized, time left, an action item
    success_bg: str  # a duplicate that will be merged
    surface_alt: str  # a slide with no thumbnail, group rows, the preview's frame, day bands
    border: str  # card outlines, separators between list rows


LIGHT = Palette(
    text="#202124",
    muted="#5f6368",
    faint="#80868b",
    slate="#37474f",
    on_colour="#ffffff",
    veil="#78ffffff",
    accent="#0b57d0",
    accent_bg="#e8f0fe",
    accent_border="#c6d5ee",
    insight="#6a1b9a",
    warning="#a15c00",
    warning_text="#663c00",
    warning_bg="#fff4e5",
    error="#c5221f",
    error_text="#a50e0e",
    error_bg="#fce8e6",
    error_tint="#fef7f6",
    error_border="#f4b5ae",
    success="#137333",
    success_bg="#e6f4ea",
    surface_alt="#eef1f5",
    border="#d0d4da",
)

# Spacing and type, in device-independent pixels (they follow QT_SCALE_FACTOR).
RADIUS = 4  # notices, banners, the kind button
BADGE_RADIUS = 3
NOTICE_PADDING = 6
EMPTY_PADDING = 24  # around a "nothing here yet" message
SMALL_PX = 11
EMPTY_PX = 14
LEAD_PX = 14
TITLE_PX = 16
DISPLAY_PX = 22  # the meeting's clock and countdown, the locked library's title
MENU_ARROW_GAP = 6  # between a menu button's label and its arrow

# What a label is; the stylesheet gives each its look (type selectors: Qt matches them only against
# labels, where a universal one is tried on every widget).
Role = Literal[
    "hint",  # secondary text
    "faint",  # a hint about an empty list or an ignored value
    "small",  # small print
    "unsaved",  # "edited, not saved yet"
    "empty",  # the message that stands in for an empty page
    "heading",  # a bold caption above a group
    "title",  # a page's or dialog's title
    "display",  # big figures: the clock, the countdown
    "lead",  # a line that reads before the rest
    "error",  # what went wrong, in red
    "alert",  # red and bold: needs attention now
    "caution",  # amber: worth checking
    "done",  # green and bold: finished
    "notice-warning",  # a boxed warning
    "notice-error",  # a boxed error
]
Tone = Literal["", "error", "success"]  # a display figure's state (over time, time left)

_current = LIGHT


def palette() -> Palette:
    return _current


@cache
def colour(code: str) -> QColor:
    """One QColor per code, shared: models return it from data() every time (a fresh QColor or
    QBrush per call ended in a refcount error at exit on PySide6 6.12). Do not modify it."""
    return QColor(code)


def deck_status_colours(p: Palette) -> dict[str, str]:
    """A deck status badge's fill, by DeckStatus value (a StrEnum: its members look up the same)."""
    return {
        "draft": p.muted,
        "approved": p.success,
        "expiring": p.warning,
        "expired": p.error,
        "withdrawn": p.slate,
    }


def event_status_colours(p: Palette) -> dict[str, str]:
    """An event's status text in the event list, by EventStatus value."""
    return {
        "planning": p.warning_text,
        "confirmed": p.success,
        "completed": p.slate,
        "closed": p.slate,
        "cancelled": p.error,
    }


def entry_kind_colours(p: Palette) -> dict[str, str]:
    """A meeting entry's kind (its chip in the list, the kind button), by EntryKind value."""
    return {
        "note": p.muted,
        "insight": p.insight,
        "quote": p.accent,
        "question": p.warning,
        "action": p.success,
    }


def stylesheet(p: Palette, menu_arrow: int = 12) -> str:
    """The application's one stylesheet. Selectors are roles, object names and properties, never a
    widget's own sheet, so what a widget looks like is decided here. `menu_arrow`: the width of the
    style's menu indicator, which a menu button keeps room for beside its label."""
    notice = f"padding: {NOTICE_PADDING}px; border-radius: {RADIUS}px;"
    rules = [
        f'QLabel[role="hint"] {{ color: {p.muted}; }}',
        f'QLabel[role="faint"] {{ color: {p.faint}; }}',
        f'QLabel[role="small"] {{ color: {p.muted}; font-size: {SMALL_PX}px; }}',
        f'QLabel[role="unsaved"] {{ color: {p.muted}; font-style: italic; }}',
        f'QLabel[role="empty"] {{ color: {p.muted}; font-size: {EMPTY_PX}px; padding: {EMPTY_PADDING}px; }}',
        'QLabel[role="heading"] { font-weight: bold; }',
        f'QLabel[role="title"] {{ font-size: {TITLE_PX}px; font-weight: bold; }}',
        f'QLabel[role="display"] {{ font-size: {DISPLAY_PX}px; font-weight: bold; color: {p.text}; }}',
        f'QLabel[role="display"][tone="error"] {{ color: {p.error}; }}',
        f'QLabel[role="display"][tone="success"] {{ color: {p.success}; }}',
        f'QLabel[role="lead"] {{ font-size: {LEAD_PX}px; }}',
        f'QLabel[role="error"] {{ color: {p.error}; }}',
        f'QLabel[role="alert"] {{ color: {p.error}; font-weight: bold; }}',
        f'QLabel[role="caution"] {{ color: {p.warning}; }}',
        f'QLabel[role="done"] {{ color: {p.success}; font-weight: bold; }}',
        f'QLabel[role="notice-warning"] {{ background: {p.warning_bg}; color: {p.warning_text}; {notice} }}',
        f'QLabel[role="notice-error"] {{ background: {p.error_bg}; color: {p.error_text}; {notice} }}',
        f'QLineEdit[invalid="true"] {{ border: 1px solid {p.error}; }}',
        f"#exportBanner {{ background: {p.accent_bg}; border: 1px solid {p.accent_border};"
        f" border-radius: {RADIUS}px; }}",
        f"#reviewBanner {{ background: {p.error_bg}; border: 1px solid {p.error_border};"
        f" border-radius: {RADIUS}px; }}",
        f"#slidePreview {{ background: {p.surface_alt}; border: 1px solid {p.border}; }}",
        f'QToolButton[menu="true"] {{ padding: 3px {menu_arrow + MENU_ARROW_GAP}px 3px 8px; }}',
        'QToolButton[menu="true"]::menu-indicator { subcontrol-origin: padding;'
        " subcontrol-position: right center; right: 4px; }",
        f"QToolButton#kindButton {{ color: {p.on_colour}; font-weight: bold; border-radius: {RADIUS}px;"
        " padding: 4px 8px; }",
        *(
            f'QToolButton#kindButton[kind="{kind}"] {{ background: {fill}; }}'
            for kind, fill in entry_kind_colours(p).items()
        ),
        'QToolButton#kindButton[marker="true"] { font-style: italic; }',
    ]
    return "\n".join(rules)


# Fusion's menu indicator at 100 %: the start styles menu buttons for it, then asks the style once
# the window is painted (asking builds QStyle's ~600 enum members, ~3.5 ms before the window shows).
FUSION_MENU_ARROW = 12
_menu_arrow: int | None = None  # the width the application's stylesheet keeps room for


def apply_theme(app: QCoreApplication, menu_arrow: int | None = None) -> None:
    """Give the application its stylesheet: once, where the QApplication is made. `menu_arrow`: the
    style's menu indicator width, asked of the style when None; the start passes FUSION_MENU_ARROW
    and calls fit_menu_arrows() once the window is painted."""
    global _menu_arrow
    if isinstance(app, QApplication):  # QApplication.instance() is typed as the core application
        arrow = _style_menu_arrow(app) if menu_arrow is None else menu_arrow
        app.setStyleSheet(_with_native_spin_boxes(app, stylesheet(palette(), arrow)))
        _menu_arrow = arrow


def fit_menu_arrows(app: QCoreApplication) -> None:
    """Ask the style how wide its menu indicator is and restyle only if the stylesheet assumed
    another width (another style, or a scaled screen)."""
    if isinstance(app, QApplication) and _style_menu_arrow(app) != _menu_arrow:
        apply_theme(app)


def _style_menu_arrow(app: QApplication) -> int:
    from PySide6.QtWidgets import QStyle

    return app.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator)


def _with_native_spin_boxes(app: QApplication, sheet: str) -> str:
    """`sheet` with spin and date boxes kept at the style's own height: under any application
    stylesheet Qt sizes them without their frame, 4 px shorter than a line edit beside them (Fusion,
    PySide6 6.12). A min-height gives the height back; the stylesheet adds its frame and padding to
    it as a hard minimum, so that is measured and taken off (it follows the font, scale and style)."""
    native = QDoubleSpinBox().sizeHint().height()
    app.setStyleSheet(f"{sheet}\nQAbstractSpinBox {{ min-height: {native}px; }}")
    probe = QDoubleSpinBox()
    probe.ensurePolished()  # the stylesheet sets the minimum when it polishes the box
    added = probe.minimumHeight() - native
    return f"{sheet}\nQAbstractSpinBox {{ min-height: {native - added}px; }}"


def set_property(widget: QWidget, name: str, value: object) -> None:
    """Set a property the stylesheet selects on; a widget already styled is styled again (Qt does
    not re-match selectors when a dynamic property changes). Nothing happens when it is unchanged,
    so a timer may call this every second."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def set_role(label: QLabel, role: Role) -> None:
    set_property(label, "role", role)
