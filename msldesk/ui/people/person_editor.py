"""PersonEditor: the form for adding a person or editing the selected one; the service checks it on save."""

from __future__ import annotations

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import (
    QComboBox,
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

from msldesk.boards.records import Person, PersonFields
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.fields import field_text, label_text, show_text

# (field name, label, placeholder) for the one-line text fields, in form order.
_TEXT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("first_name", "First name", ""),
    ("last_name", "Last name", ""),
    ("credentials", "Credentials", "e.g. MD, PhD"),
    ("specialty", "Specialty", "e.g. Rheumatology"),
    ("institution", "Institution", "hospital, university or practice"),
    ("city", "City", ""),
    ("state", "State / province", ""),
    ("country", "Country", ""),
    ("email", "Email", "name@example.org"),
    ("phone", "Phone", ""),
    ("npi", "NPI", "10 digits (US prescribers)"),
    ("tier", "FMV tier", "1 (national) … 4 (local)"),
)
_CONSENT = (("Not recorded", None), ("Yes", True), ("No", False))


class PersonEditor(QWidget):
    # person id (None: a new person), the fields typed in, the fields before (None for a new person)
    save_requested = Signal(object, object, object)
    history_requested = Signal(object)  # Person
    export_requested = Signal(object)  # Person
    erase_requested = Signal(object)  # Person

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person: Person | None = None
        self.adding = False
        self.heading = QLabel()
        set_role(self.heading, "title")
        self.inputs: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for name, label, placeholder in _TEXT_FIELDS:
            edit = QLineEdit()
            edit.setPlaceholderText(placeholder)
            edit.returnPressed.connect(self.save)
            self.inputs[name] = edit
            form.addRow(label, edit)
        self.consent = QComboBox()
        self.consent.addItems([label for label, _ in _CONSENT])
        self.consent.setToolTip("Has this person agreed to be contacted?")
        form.addRow("Consent to contact", self.consent)
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(90)
        form.addRow("Notes", self.notes)
        self.error = QLabel()
        self.error.setWordWrap(True)
        set_role(self.error, "notice-error")
        self.error.hide()
        self.info = QLabel()
        set_role(self.info, "faint")
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Forget the changes typed here")
        self.revert_button.clicked.connect(self.revert)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        # Privacy requests about the person shown: what is recorded, a copy of it, erasure.
        self.history_button = QPushButton("History…")
        self.history_button.setToolTip("What was recorded about this person: attendance, payments, exports")
        self.history_button.clicked.connect(lambda: self._emit_for_person(self.history_requested))
        self.export_button = QPushButton("Export data…")
        self.export_button.setToolTip("Save everything held about this person as a JSON file (data requests)")
        self.export_button.clicked.connect(lambda: self._emit_for_person(self.export_requested))
        self.erase_button = QPushButton("Erase…")
        self.erase_button.setToolTip(
            "Erase this person's personal data, keeping only what payment reporting requires"
        )
        self.erase_button.clicked.connect(lambda: self._emit_for_person(self.erase_requested))
        self.privacy_box = QGroupBox("Personal data")
        privacy = QHBoxLayout(self.privacy_box)
        privacy.addWidget(self.history_button)
        privacy.addWidget(self.export_button)
        privacy.addWidget(self.erase_button)
        privacy.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addWidget(self.info)
        layout.addSpacing(8)
        layout.addWidget(self.privacy_box)
        layout.addStretch(1)
        self.show_person(None)

    # ---- what is shown ------------------------------------------------------------------------

    def show_person(self, person: Person | None) -> None:
        """Show a stored person (or nothing); unsaved typing is dropped."""
        self.person, self.adding = person, False
        self._fill(person.fields if person else PersonFields())
        self.setEnabled(person is not None)
        chosen = label_text(person.display_name) if person else "Select a person, or add one (Ctrl+N)"
        self.heading.setText(chosen)
        self.info.setText(
            f"Added {person.created_at:%Y-%m-%d}, changed {person.updated_at:%Y-%m-%d %H:%M}"
            if person
            else ""
        )
        self.privacy_box.setVisible(person is not None)
        self.show_error("")

    def _emit_for_person(self, signal: SignalInstance) -> None:
        if self.person is not None and not self.adding:
            signal.emit(self.person)

    def new_person(self) -> None:
        """An empty form for a new person, with the keyboard in the first field."""
        self.person, self.adding = None, True
        self._fill(PersonFields())
        self.setEnabled(True)
        self.heading.setText("New person")
        self.info.setText("")
        self.privacy_box.hide()
        self.show_error("")
        self.inputs["first_name"].setFocus()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _fill(self, fields: PersonFields) -> None:
        for name, edit in self.inputs.items():
            show_text(edit, getattr(fields, name))
        self.consent.setCurrentIndex([value for _, value in _CONSENT].index(fields.consent_to_contact))
        show_text(self.notes, fields.notes)

    # ---- what was typed -----------------------------------------------------------------------

    def current_fields(self) -> PersonFields:
        values = {name: field_text(edit) for name, edit in self.inputs.items()}
        return PersonFields(
            **values,
            notes=field_text(self.notes),
            consent_to_contact=_CONSENT[self.consent.currentIndex()][1],
        )

    @property
    def dirty(self) -> bool:
        if self.adding:
            return self.current_fields() != PersonFields()
        return self.person is not None and self.current_fields() != self.person.fields

    def save(self) -> None:
        if self.adding:
            self.save_requested.emit(None, self.current_fields(), None)
        elif self.person is not None:
            fields = self.current_fields()
            if fields == self.person.fields:
                return
            self.save_requested.emit(self.person.person_id, fields, self.person.fields)

    def revert(self) -> None:
        if self.adding:
            self.show_person(None)
        else:
            self.show_person(self.person)
