"""EventForm: the event's own fields (kind, title, objectives, dates in its time zone, venue,
status) and its budget, read back as EventFields for the service to check and save."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.records import Event, EventFields, EventKind, EventStatus
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.fields import DateTimeEdit, field_text, show_text

DATE_FORMAT = "ddd d MMM yyyy  HH:mm"
MAX_BUDGET = 1_000_000_000.0


def _to_qt(moment: dt.datetime) -> QDateTime:
    # The edits hold wall time in the event's zone. Qt is told it is UTC so that the computer's own
    # zone (and its daylight-saving gaps) never shifts or refuses a time.
    return QDateTime(
        QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute), QTimeZone.utc()
    )


def _from_qt(value: QDateTime) -> dt.datetime:
    d, t = value.date(), value.time()
    return dt.datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())


def _text_edit(placeholder: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(72)
    return edit


def _money_spin() -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(0.0, MAX_BUDGET)
    spin.setDecimals(2)
    spin.setGroupSeparatorShown(True)
    spin.setSingleStep(100.0)
    return spin


class EventForm(QWidget):
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shown_event: Event | None = None
        self._clean: EventFields | None = None
        self.kind = QComboBox()
        for kind in EventKind:
            self.kind.addItem(kind.label, kind.value)
        self.status = QComboBox()
        for status in EventStatus:
            self.status.addItem(status.label, status.value)
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. Oncology advisory board, spring")
        self.objectives = _text_edit("What the company wants to learn or achieve")
        self.key_questions = _text_edit("The questions for the advisors, one per line")
        self.therapeutic_area = QLineEdit()
        self.product = QLineEdit()
        self._build_when_and_where()
        self.error = QLabel()
        self.error.setWordWrap(True)
        set_role(self.error, "alert")
        self.error.hide()
        self.save_button = QPushButton("Save event")
        self.save_button.setToolTip("Save the event details (Ctrl+S); Ctrl+Z undoes a save")
        self.save_button.setDefault(True)
        self._build_budget()
        self._lay_out()
        self._connect_signals()

    def _build_when_and_where(self) -> None:
        """Start and end in the event's time zone (or not set yet), the zone, the venue and the link."""
        self.starts = DateTimeEdit()
        self.ends = DateTimeEdit()
        for edit in (self.starts, self.ends):
            edit.setTimeZone(QTimeZone.utc())
            edit.setDisplayFormat(DATE_FORMAT)
            edit.setToolTip(
                "Type a date and time such as 18.01.2027 09:00, 2027-01-18 09:00 or 18 Jan 2027 9:00 "
                "(in the event's time zone), or pick the day from the calendar"
            )
        self.undated = QCheckBox("Date not set yet")
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.timezone.setToolTip(
            "The event's time zone (an IANA name such as Europe/Berlin); times are in it"
        )
        completer = QCompleter(self.timezone.model(), self.timezone)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.timezone.setCompleter(completer)
        self.venue = QLineEdit()
        self.venue.setPlaceholderText("Hotel, city")
        self.virtual_link = QLineEdit()
        self.virtual_link.setPlaceholderText("https://…")

    def _build_budget(self) -> None:
        """The budget is saved with these fields but shown on the checklist tab, next to the payments."""
        self.currency = QLineEdit()
        self.currency.setMaxLength(3)
        self.currency.setFixedWidth(60)
        self.currency.setToolTip("Currency code, e.g. USD or EUR")
        self.budget_estimated = _money_spin()
        self.budget_committed = _money_spin()
        self.budget_actual = _money_spin()
        self.budget_box = QGroupBox("Budget (saved with the event details)")
        budget = QFormLayout(self.budget_box)
        budget.addRow("Currency", self.currency)
        budget.addRow("Estimated", self.budget_estimated)
        budget.addRow("Committed", self.budget_committed)
        budget.addRow("Actual", self.budget_actual)
        self.save_budget_button = QPushButton("Save budget")
        self.save_budget_button.setToolTip("Save the budget with the event details (Ctrl+S)")
        budget.addRow("", self.save_budget_button)

    def _lay_out(self) -> None:
        """The form, the error under it and the save button with its unsaved-changes note."""
        when = QHBoxLayout()
        when.addWidget(self.starts)
        when.addWidget(QLabel("to"))
        when.addWidget(self.ends)
        when.addWidget(self.undated)
        when.addStretch(1)
        kind_status = QHBoxLayout()
        kind_status.addWidget(self.kind)
        kind_status.addWidget(QLabel("Status"))
        kind_status.addWidget(self.status)
        kind_status.addStretch(1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Kind", kind_status)
        form.addRow("Title", self.title)
        form.addRow("Objectives", self.objectives)
        form.addRow("Key questions", self.key_questions)
        form.addRow("Therapeutic area", self.therapeutic_area)
        form.addRow("Product", self.product)
        form.addRow("When", when)
        form.addRow("Time zone", self.timezone)
        form.addRow("Venue", self.venue)
        form.addRow("Virtual link", self.virtual_link)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addStretch(1)
        self.setMaximumWidth(1000)  # long lines of text are hard to read on a wide screen
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(save_row)
        layout.addStretch(1)
        self.dirty_label = QLabel("Unsaved changes")
        set_role(self.dirty_label, "unsaved")
        self.dirty_label.hide()
        save_row.insertWidget(1, self.dirty_label)

    def _connect_signals(self) -> None:
        """A new start moves the end along; every field marks the form unsaved; the save buttons save."""
        self._start_before = self.starts.dateTime()
        self.starts.dateTimeChanged.connect(self._on_starts_date_time_changed)
        self.undated.toggled.connect(self._on_undated_toggled)
        for signal in (
            self.kind.currentIndexChanged, self.status.currentIndexChanged, self.title.textChanged,
            self.objectives.textChanged, self.key_questions.textChanged, self.therapeutic_area.textChanged,
            self.product.textChanged, self.starts.dateTimeChanged, self.ends.dateTimeChanged,
            self.undated.toggled, self.timezone.editTextChanged, self.venue.textChanged,
            self.virtual_link.textChanged, self.currency.textChanged, self.budget_estimated.valueChanged,
            self.budget_committed.valueChanged, self.budget_actual.valueChanged,
        ):  # fmt: skip
            signal.connect(self._on_field_changed)
        self.save_button.clicked.connect(self.save_requested)
        self.save_budget_button.clicked.connect(self.save_requested)
        self.title.returnPressed.connect(self.save_requested)

    # ---- in and out ---------------------------------------------------------------------------

    def show_event(self, event: Event) -> None:
        """Fill the form from `event`; what is shown now counts as saved."""
        self.shown_event = event
        f = event.fields
        self.kind.setCurrentIndex(max(self.kind.findData(f.kind.value), 0))
        self.status.setCurrentIndex(max(self.status.findData(f.status.value), 0))
        show_text(self.title, f.title)
        show_text(self.objectives, f.objectives)
        show_text(self.key_questions, f.key_questions)
        self.therapeutic_area.setText(f.therapeutic_area)
        self.product.setText(f.product)
        self.set_zone(f.timezone)
        starts = f.starts_at or dt.datetime.combine(dt.date.today() + dt.timedelta(days=7), dt.time(9))
        ends = f.ends_at or starts + dt.timedelta(hours=8)
        self.starts.blockSignals(True)
        self.starts.setDateTime(_to_qt(starts))
        self.starts.blockSignals(False)
        self._start_before = self.starts.dateTime()
        self.ends.setDateTime(_to_qt(ends))
        self.undated.setChecked(f.starts_at is None)
        self._on_undated_toggled(f.starts_at is None)
        show_text(self.venue, f.venue)
        show_text(self.virtual_link, f.virtual_link)
        self.currency.setText(f.currency)
        self.budget_estimated.setValue(float(f.budget_estimated))
        self.budget_committed.setValue(float(f.budget_committed))
        self.budget_actual.setValue(float(f.budget_actual))
        self.clear_error()
        self._clean = self.fields()
        self.dirty_label.hide()

    def fields(self) -> EventFields:
        """What the form says now; times are wall times in the chosen zone (the service attaches it)."""
        undated = self.undated.isChecked()
        return EventFields(
            kind=EventKind(self.kind.currentData()),
            title=field_text(self.title).strip(),
            objectives=field_text(self.objectives).strip(),
            key_questions=field_text(self.key_questions).strip(),
            therapeutic_area=self.therapeutic_area.text().strip(),
            product=self.product.text().strip(),
            starts_at=None if undated else _from_qt(self.starts.dateTime()),
            ends_at=None if undated else _from_qt(self.ends.dateTime()),
            timezone=self.timezone.currentText().strip(),
            venue=field_text(self.venue).strip(),
            virtual_link=field_text(self.virtual_link).strip(),
            status=EventStatus(self.status.currentData()),
            currency=self.currency.text().strip().upper(),
            budget_estimated=Decimal(str(round(self.budget_estimated.value(), 2))),
            budget_committed=Decimal(str(round(self.budget_committed.value(), 2))),
            budget_actual=Decimal(str(round(self.budget_actual.value(), 2))),
        )

    def is_dirty(self) -> bool:
        return self._clean is not None and self.fields() != self._clean

    def set_zone(self, name: str) -> None:
        index = self.timezone.findText(name)
        if index < 0:
            self.timezone.addItem(name)
            index = self.timezone.findText(name)
        self.timezone.setCurrentIndex(index)
        self.timezone.setEditText(name)

    def set_zone_names(self, names: list[str]) -> None:
        current = self.timezone.currentText()
        self.timezone.blockSignals(True)
        self.timezone.clear()
        self.timezone.addItems(names)
        self.timezone.blockSignals(False)
        self.set_zone(current or "UTC")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def clear_error(self) -> None:
        self.error.clear()
        self.error.hide()

    # ---- behaviour ----------------------------------------------------------------------------

    def _on_field_changed(self, *_args: object) -> None:
        self.dirty_label.setVisible(self.is_dirty())

    def _on_starts_date_time_changed(self, value: QDateTime) -> None:
        # Moving the start moves the end with it, keeping the length (as calendars do).
        length = self._start_before.secsTo(self.ends.dateTime())
        self._start_before = value
        if length > 0:
            self.ends.setDateTime(value.addSecs(length))

    def _on_undated_toggled(self, undated: bool) -> None:
        self.starts.setEnabled(not undated)
        self.ends.setEnabled(not undated)
