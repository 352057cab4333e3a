"""Form fields as people expect them: text shown from its start, dates typed whole, and nothing
stale in a field that is switched off."""

from __future__ import annotations

import re

from PySide6.QtCore import QDate, QDateTime, QEvent, QLocale, QTime, QTimer
from PySide6.QtGui import QFocusEvent, QValidator
from PySide6.QtWidgets import QDateEdit, QLineEdit, QWidget

ISO = "yyyy-MM-dd"
_TYPING = re.compile(r"[\d\-/. ]{0,10}")  # what a date looks like while it is being typed


def typed_date_formats(locale: QLocale | None = None) -> tuple[str, ...]:
    """Whole dates a user may type: ISO first, then day and month in this locale's order (and the
    other order, which only applies when the first cannot be a date: 01/15/2027)."""
    month_first = (locale or QLocale()).dateFormat(QLocale.FormatType.ShortFormat).lstrip("'").startswith("M")
    orders = ("M/d/yyyy", "d/M/yyyy") if month_first else ("d/M/yyyy", "M/d/yyyy")
    return (ISO, *orders, *(order.replace("/", ".") for order in orders))


def parse_typed_date(text: str, formats: tuple[str, ...] | None = None) -> QDate | None:
    for form in formats or typed_date_formats():
        date = QDate.fromString(text.strip(), form)
        if date.isValid():
            return date
    return None


def show_text(field: QLineEdit, text: str) -> None:
    """Put text in a field scrolled to its start: setText() leaves the cursor at the end, so a
    long title opened showing its last words."""
    field.setText(text)
    field.setCursorPosition(0)


class DateEdit(QDateEdit):
    """A QDateEdit where selecting the field and typing "2027-01-15" or "15/01/2027" sets that date
    (a plain QDateEdit edits one section at a time and drops such typing), that selects all when it
    gets the focus so typing replaces the date, and that shows `blank_text` rather than an old date
    while it is disabled, keeping the date for when it is enabled again."""

    def __init__(self, blank_text: str = "—", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat(ISO)
        self.blank_text = blank_text
        self._kept: QDate | None = None  # the date while disabled
        self._own_special = ""

    # ---- typing -------------------------------------------------------------------------------

    def validate(self, text: str, pos: int) -> object:
        if text == self.specialValueText() or parse_typed_date(text) is not None:
            return QValidator.State.Acceptable, text, pos
        if _TYPING.fullmatch(text):
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)

    def dateTimeFromText(self, text: str) -> QDateTime:
        date = parse_typed_date(text)
        return QDateTime(date, QTime(0, 0)) if date is not None else super().dateTimeFromText(text)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        # After Qt has placed the cursor for the click. The line edit's selectAll(): with the spin
        # box's own, QDateTimeEdit still edits a single section and drops the typed date.
        QTimer.singleShot(0, self.lineEdit().selectAll)

    # ---- blank while disabled -----------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() != QEvent.Type.EnabledChange:
            return
        if not self.isEnabled() and self._kept is None:
            self._kept = super().date()
            self._own_special = self.specialValueText()
            self.setSpecialValueText(self.blank_text)
            super().setDate(self.minimumDate())
        elif self.isEnabled() and self._kept is not None:
            kept, self._kept = self._kept, None
            self.setSpecialValueText(self._own_special)
            super().setDate(kept)

    def setDate(self, date: QDate) -> None:  # type: ignore[override]
        if self._kept is not None:
            self._kept = QDate(date)  # shown when the field is enabled again
        else:
            super().setDate(date)

    def date(self) -> QDate:  # type: ignore[override]
        return QDate(self._kept) if self._kept is not None else super().date()
