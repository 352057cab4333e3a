"""The theme: every role a widget can take has a look, and a widget that changes role changes look."""

from __future__ import annotations

from typing import get_args

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QDateTimeEdit, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QWidget

from msldesk.boards.records import EntryKind, EventStatus
from msldesk.decks.records import DeckStatus
from msldesk.ui import theme
from msldesk.ui.theme import LIGHT, Palette, palette, set_property, set_role


def _text_colour(label: QLabel) -> str:
    return label.palette().color(QPalette.ColorRole.WindowText).name()


def test_every_role_and_kind_has_a_rule() -> None:
    sheet = theme.stylesheet(LIGHT)
    assert [r for r in get_args(theme.Role) if f'[role="{r}"]' not in sheet] == []
    assert [k for k in EntryKind if f'[kind="{k.value}"]' not in sheet] == []


def test_every_status_and_kind_has_a_colour_of_the_palette() -> None:
    colours = set(vars(LIGHT).values())
    for mapping, values in (
        (theme.deck_status_colours(LIGHT), DeckStatus),
        (theme.event_status_colours(LIGHT), EventStatus),
        (theme.entry_kind_colours(LIGHT), EntryKind),
    ):
        assert set(mapping) == {v.value for v in values}
        assert set(mapping.values()) <= colours
    assert theme.deck_status_colours(LIGHT)[DeckStatus.EXPIRED] == LIGHT.error  # members look up too


def test_the_palette_is_what_the_app_uses() -> None:
    assert isinstance(palette(), Palette)
    assert palette() is LIGHT
    assert theme.colour(LIGHT.error) is theme.colour(LIGHT.error)  # one object, returned every time
    assert theme.colour(LIGHT.veil).alpha() == 120
    assert theme.colour(LIGHT.veil).red() == 255


def test_a_role_gives_a_label_its_look_and_a_new_role_restyles_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = QLabel("Draft saved 10:02")
    qtbot.addWidget(label)
    set_role(label, "hint")
    label.show()
    assert _text_colour(label) == LIGHT.muted
    set_role(label, "error")  # already shown: the stylesheet is matched again
    assert _text_colour(label) == LIGHT.error
    set_role(label, "title")
    assert label.font().bold()
    assert label.font().pixelSize() == theme.TITLE_PX


def test_a_display_figure_turns_red_when_over_time(qtbot) -> None:  # type: ignore[no-untyped-def]
    countdown = QLabel("2:00 left")
    qtbot.addWidget(countdown)
    set_role(countdown, "display")
    set_property(countdown, "tone", "success")
    countdown.show()
    assert _text_colour(countdown) == LIGHT.success
    set_property(countdown, "tone", "error")
    assert _text_colour(countdown) == LIGHT.error
    set_property(countdown, "tone", "")
    assert _text_colour(countdown) == LIGHT.text


def test_spin_and_date_boxes_keep_their_height_beside_a_line_edit(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Any application stylesheet makes Qt draw them 4 px shorter; the theme gives the height back."""
    form = QWidget()
    qtbot.addWidget(form)
    layout = QFormLayout(form)
    line, spin, date = QLineEdit(), QDoubleSpinBox(), QDateTimeEdit()
    for name, field in (("Currency", line), ("Estimated", spin), ("When", date)):
        layout.addRow(name, field)
    form.show()
    assert spin.height() >= line.height()
    assert date.height() >= line.height()


def test_menu_buttons_keep_room_for_the_styles_own_arrow_once_it_is_asked(qapp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The start styles menu buttons for Fusion's arrow without asking the style (that builds
    QStyle's enums before the window shows); fit_menu_arrows() then restyles only when the style's
    arrow is another width."""
    from PySide6.QtWidgets import QStyle

    arrow = qapp.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator)
    room = f"padding: 3px {arrow + theme.MENU_ARROW_GAP}px"
    try:
        theme.apply_theme(qapp, arrow + 5)  # a start that assumed a wider arrow than this style's
        assert room not in qapp.styleSheet()
        theme.fit_menu_arrows(qapp)
        assert room in qapp.styleSheet()
        restyled: list[object] = []
        monkeypatch.setattr(theme, "apply_theme", lambda *args: restyled.append(args))
        theme.fit_menu_arrows(qapp)  # already right: the application is not restyled
        assert restyled == []
        monkeypatch.undo()
    finally:
        theme.apply_theme(qapp)
