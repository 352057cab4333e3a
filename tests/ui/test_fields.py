"""Date and date-time fields as a user types in them: a whole value typed at once, loose forms
(month names, 12-hour times), the field's own zone, and nothing stale while switched off."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from msldesk.ui.widgets.fields import DateEdit, DateTimeEdit, parse_typed_date_time

START = QDateTime(QDate(2026, 12, 4), QTime(14, 30), QTimeZone.utc())


def _form(qtbot, field: DateTimeEdit) -> QWidget:  # type: ignore[no-untyped-def]
    """The field with a neighbour to Tab to, shown and active."""
    form = QWidget()
    layout = QVBoxLayout(form)
    layout.addWidget(field)
    layout.addWidget(QLineEdit())
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=5_000)
    return form


def _type(qtbot, field: DateTimeEdit, text: str, finish: Qt.Key = Qt.Key.Key_Tab) -> None:  # type: ignore[no-untyped-def]
    """Click into the field (everything gets selected), type `text`, then leave with `finish`."""
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=5_000)
    qtbot.waitUntil(lambda: field.lineEdit().selectedText() == field.text(), timeout=5_000)
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, finish)


def _event_field() -> DateTimeEdit:
    """Set up as the event overview's start and end are."""
    field = DateTimeEdit()
    field.setTimeZone(QTimeZone.utc())
    field.setDisplayFormat("ddd d MMM yyyy  HH:mm")
    field.setDateTime(START)
    return field


@pytest.mark.parametrize(
    "typed",
    [
        "18.01.2027 09:00",
        "2027-01-18 09:00",
        "18 Jan 2027 9:00",
        "18/01/2027 9:00",
        "January 18, 2027 9:00 am",
        "2027-01-18T09:00",
        "Mon 18 Jan 2027  09:00",  # as the field shows it
    ],
)
def test_a_whole_date_and_time_can_be_typed(qtbot, typed: str) -> None:  # type: ignore[no-untyped-def]
    field = _event_field()
    _keep = _form(qtbot, field)  # the form owns the field
    _type(qtbot, field, typed)
    assert not field.hasFocus(), "Tab left the field"
    assert field.dateTime() == QDateTime(QDate(2027, 1, 18), QTime(9, 0), QTimeZone.utc())
    assert field.text() == "Mon 18 Jan 2027  09:00"


def test_enter_takes_the_typed_value_too_and_a_12_hour_time_is_read(qtbot) -> None:  # type: ignore[no-untyped-def]
    field = _event_field()
    _keep = _form(qtbot, field)  # the form owns the field
    _type(qtbot, field, "2027-01-18 9:15 pm", Qt.Key.Key_Return)
    assert field.dateTime().time() == QTime(21, 15)
    assert field.date() == QDate(2027, 1, 18)


def test_a_date_alone_keeps_the_time_and_a_time_alone_the_date(qtbot) -> None:  # type: ignore[no-untyped-def]
    field = _event_field()
    _keep = _form(qtbot, field)  # the form owns the field
    _type(qtbot, field, "18.01.2027")
    assert field.dateTime() == QDateTime(QDate(2027, 1, 18), QTime(14, 30), QTimeZone.utc())
    _type(qtbot, field, "8:45")
    assert field.dateTime() == QDateTime(QDate(2027, 1, 18), QTime(8, 45), QTimeZone.utc())


# (Each of these is wrong from its start: as in any spin box, a typed value that is whole on the way,
# "18.01.2027" before " 25:00", is taken while typing, and a wrong ending goes back to it.)
@pytest.mark.parametrize("typed", ["31.02.2027 09:00", "25:00", "next tuesday"])
def test_what_is_not_a_date_leaves_the_value_as_it_was(qtbot, typed: str) -> None:  # type: ignore[no-untyped-def]
    field = _event_field()
    _keep = _form(qtbot, field)  # the form owns the field
    changed: list[QDateTime] = []
    field.dateTimeChanged.connect(changed.append)
    _type(qtbot, field, typed)
    assert field.dateTime() == START
    assert changed == []
    assert field.text() == "Fri 4 Dec 2026  14:30"


def test_typed_wall_times_stay_in_the_fields_zone() -> None:
    assert parse_typed_date_time("2027-03-28 02:30") == (QDate(2027, 3, 28), QTime(2, 30))
    field = _event_field()
    value = field.typed("28.03.2027 02:30")  # a time that does not exist in Berlin that night
    assert value is not None
    assert value.timeZone() == QTimeZone.utc()
    assert value.time() == QTime(2, 30)


def test_a_switched_off_field_shows_no_stale_value_and_tells_nobody(qtbot) -> None:  # type: ignore[no-untyped-def]
    field = _event_field()
    _keep = _form(qtbot, field)  # the form owns the field
    changed: list[QDateTime] = []
    field.dateTimeChanged.connect(changed.append)
    field.setEnabled(False)
    assert field.text() == "—"
    assert field.dateTime() == START
    later = START.addDays(3)
    field.setDateTime(later)  # kept for when it is switched on again
    assert field.text() == "—"
    assert field.dateTime() == later
    field.setEnabled(True)
    assert field.text() == "Mon 7 Dec 2026  14:30"
    assert field.dateTime() == later
    assert changed == [], "switching the field off and on does not change its value"


def test_a_date_field_takes_month_names_whatever_it_shows(qtbot) -> None:  # type: ignore[no-untyped-def]
    field = DateEdit()
    field.setDate(QDate(2026, 12, 4))
    _keep = _form(qtbot, field)  # the form owns the field
    assert field.displayFormat() == "yyyy-MM-dd"
    _type(qtbot, field, "15 Jan 2027")
    assert field.date() == QDate(2027, 1, 15)
    assert field.text() == "2027-01-15"
