"""Form fields as people expect them: text shown from its start, dates and times typed whole, and
nothing stale in a field that is switched off."""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, QDateTime, QEvent, QLocale, QTime, QTimer
from PySide6.QtGui import QFocusEvent, QValidator
from PySide6.QtWidgets import QDateTimeEdit, QLineEdit, QPlainTextEdit, QWidget

from msldesk.core.text_safety import LIMITS, shorten

ISO = "yyyy-MM-dd"
ISO_TIME = "yyyy-MM-dd HH:mm"
# Month names as people write them ("18 Jan 2027", "January 18, 2027"), the weekday optional.
_NAMED_MONTHS = ("d MMM yyyy", "d MMMM yyyy", "ddd d MMM yyyy", "MMM d yyyy", "MMMM d yyyy")
# What a date (and time) looks like while it is being typed: digits, separators, month names, am/pm.
_TYPING = re.compile(r"[\w\-/.:, ]{0,40}")
# A time at the end of what was typed: "09:00", "9:00 pm", "2027-01-18T09:00".
_TIME_AT_END = re.compile(r"(?:^|[\sT])(\d{1,2}:\d{2}(?:\s*[ap]\.?\s?m\.?)?)$", re.IGNORECASE)
# The time sections of a display format ("ddd d MMM yyyy  HH:mm" -> "ddd d MMM yyyy").
_TIME_SECTIONS = re.compile(r"[\sT]*[hHmszaApP].*$")


def typed_date_formats(locale: QLocale | None = None) -> tuple[str, ...]:
    """Whole dates a user may type: ISO first, then day and month in this locale's order (and the
    other order, which only applies when the first cannot be a date: 01/15/2027), then month names."""
    month_first = (locale or QLocale()).dateFormat(QLocale.FormatType.ShortFormat).lstrip("'").startswith("M")
    orders = ("M/d/yyyy", "d/M/yyyy") if month_first else ("d/M/yyyy", "M/d/yyyy")
    return (ISO, *orders, *(order.replace("/", ".") for order in orders), *_NAMED_MONTHS)


def parse_typed_date(text: str, formats: tuple[str, ...] | None = None) -> QDate | None:
    """The first of `formats` that reads `text`; spaces and commas loosely ("Jan 18, 2027"), month
    names in English and in the user's language."""
    text = " ".join(text.replace(",", " ").split())
    locale = QLocale()
    foreign = locale.language() not in (QLocale.Language.C, QLocale.Language.English)
    for form in formats or typed_date_formats():
        form = " ".join(form.split())
        date = QDate.fromString(text, form)
        if not date.isValid() and foreign:
            date = locale.toDate(text, form)
        if date.isValid():
            return date
    return None


def parse_typed_time(text: str) -> QTime | None:
    """ "9:00", "09:00", "9:00 pm", "9.00 p.m." (the last two as 21:00)."""
    compact = text.upper().replace(".", "").replace(" ", "")
    for form in ("H:mm", "h:mmAP"):
        time = QTime.fromString(compact, form)
        if time.isValid():
            return time
    return None


def parse_typed_date_time(
    text: str, date_formats: tuple[str, ...] | None = None, shown: QDateTime | None = None
) -> tuple[QDate, QTime] | None:
    """A typed date and time, as a wall date and time (no zone: the field's own applies). A date
    alone keeps the time `shown`, a time alone its date."""
    text = text.strip()
    match = _TIME_AT_END.search(text)
    date_text = text[: match.start(1)].rstrip(" T,") if match else text
    time = parse_typed_time(match.group(1)) if match else shown.time() if shown else None
    date = parse_typed_date(date_text, date_formats) if date_text else shown.date() if shown else None
    return (date, time) if date is not None and time is not None else None


# Text longer than its field takes reaches a form only from outside msldesk (a database edited by
# hand, a damaged one): Qt lays out a long unbroken line in quadratic time (100,000 characters: 2.5 s,
# 1,000,000: minutes and gigabytes), so such text is shown cut and kept as it was unless edited.
_KEPT, _SHOWN = "msldesk_kept_text", "msldesk_shown_text"
LABEL_MOST = 500  # a heading or a one-line summary: more is never read there


def show_text(field: QLineEdit | QPlainTextEdit, text: str, kind: str = "") -> None:
    """Show `text` in `field` from its start (QLineEdit.setText leaves the cursor at the end, so a long
    title opened showing its last words). Longer than a `kind` field takes (core/text_safety LIMITS;
    by default "text" for a box, "link" for a line), it is shown cut, and field_text() gives the whole
    text back until the user changes what is shown."""
    box = isinstance(field, QPlainTextEdit)
    most = LIMITS[kind or ("text" if box else "link")]
    cut = len(text) > most
    shown = shorten(text, most) if cut else text
    field.setProperty(_KEPT, text if cut else None)
    field.setProperty(_SHOWN, shown if cut else None)
    if isinstance(field, QPlainTextEdit):
        field.setPlainText(shown)
    else:
        field.setText(shown)
        field.setCursorPosition(0)
    field.setToolTip(
        f"This text is {len(text):,} characters long, more than the {most:,} this field takes: it is "
        "shown cut and kept unchanged unless you edit it."
        if cut
        else ""
    )


def field_text(field: QLineEdit | QPlainTextEdit) -> str:
    """What `field` holds: the whole text show_text() was given while what it shows is untouched."""
    shown = field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()
    kept = field.property(_KEPT)
    return kept if isinstance(kept, str) and shown == field.property(_SHOWN) else shown


def label_text(text: str) -> str:
    """`text` short enough for a label or tooltip (see _KEPT on why it matters)."""
    return shorten(text, LABEL_MOST)


class DateTimeEdit(QDateTimeEdit):
    """A QDateTimeEdit where selecting the field and typing "2027-01-18 09:00", "18.01.2027 9:00" or
    "18 Jan 2027 9:00" sets that moment (a plain one edits one section at a time and drops such
    typing), that selects all when it gets the focus so typing replaces the value, and that shows
    `blank_text` rather than an old value while it is disabled, keeping the value for when it is
    enabled again. Typed wall times are taken in the field's own time zone."""

    def __init__(self, blank_text: str = "—", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.blank_text = blank_text
        self._kept: QDateTime | None = None  # the value while disabled
        self._own_special = ""
        self.setCalendarPopup(True)
        self.setDisplayFormat(self.default_format())

    def default_format(self) -> str:
        return ISO_TIME

    # ---- typing -------------------------------------------------------------------------------

    def typed(self, text: str) -> QDateTime | None:
        """`text` read as a whole value (in any typed form, or as the field shows it), else None."""
        own = _TIME_SECTIONS.sub("", self.displayFormat())
        parsed = parse_typed_date_time(text, (*typed_date_formats(), own), super().dateTime())
        return QDateTime(*parsed, self.timeZone()) if parsed is not None else None

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if text == self.specialValueText() or self.typed(text) is not None:
            return QValidator.State.Acceptable, text, pos
        if _TYPING.fullmatch(text):
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)

    def dateTimeFromText(self, text: str) -> QDateTime:
        value = self.typed(text)
        return value if value is not None else super().dateTimeFromText(text)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        # After Qt has placed the cursor for the click. The line edit's selectAll(): with the spin
        # box's own, QDateTimeEdit still edits a single section and drops the typed value.
        QTimer.singleShot(0, self.lineEdit().selectAll)

    # ---- blank while disabled -----------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() != QEvent.Type.EnabledChange:
            return
        # The value as read does not change, so nobody is told (an end that follows the start
        # would otherwise follow it to the blank).
        blocked = self.blockSignals(True)
        try:
            if not self.isEnabled() and self._kept is None:
                self._kept = super().dateTime()
                self._own_special = self.specialValueText()
                self.setSpecialValueText(self.blank_text)
                super().setDateTime(self.minimumDateTime())
            elif self.isEnabled() and self._kept is not None:
                kept, self._kept = self._kept, None
                self.setSpecialValueText(self._own_special)
                super().setDateTime(kept)
        finally:
            self.blockSignals(blocked)

    def setDateTime(self, value: QDateTime) -> None:
        if self._kept is not None:
            self._kept = QDateTime(value)  # shown when the field is enabled again
        else:
            super().setDateTime(value)

    def dateTime(self) -> QDateTime:
        return QDateTime(self._kept) if self._kept is not None else super().dateTime()

    def setDate(self, date: QDate) -> None:
        self.setDateTime(QDateTime(date, self.dateTime().time(), self.timeZone()))

    def date(self) -> QDate:
        return self.dateTime().date()

    def python_date(self) -> dt.date:
        """date() as a datetime.date (what QDate.toPython() returns, typed)."""
        date = self.date()
        return dt.date(date.year(), date.month(), date.day())


class DateEdit(DateTimeEdit):
    """The same for a date alone: "2027-01-15", "15/01/2027", "15 Jan 2027"."""

    def default_format(self) -> str:
        return ISO

    def typed(self, text: str) -> QDateTime | None:
        date = parse_typed_date(text, (*typed_date_formats(), self.displayFormat()))
        return QDateTime(date, QTime(0, 0), self.timeZone()) if date is not None else None
