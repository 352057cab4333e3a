"""RequiredTextDialog: asks for one line that must not be blank (a reason, a name); OK stays disabled
until something other than spaces is typed, so an empty answer cannot be given by accident."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class RequiredTextDialog(QDialog):
    def __init__(
        self,
        title: str,
        prompt: str,
        parent: QWidget | None = None,
        placeholder: str = "",
        ok_text: str = "OK",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.text = QLineEdit()
        self.text.setPlaceholderText(placeholder)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.text)
        layout.addWidget(self.buttons)
        self.text.textChanged.connect(self._on_text_text_changed)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(420)
        self.text.setFocus()

    def answer(self) -> str | None:
        """The stripped text once accepted; None when cancelled."""
        text = self.text.text().strip()
        return text if self.result() == QDialog.DialogCode.Accepted and text else None

    def _on_text_text_changed(self, text: str) -> None:
        self.ok_button.setEnabled(bool(text.strip()))

    def _on_buttons_accepted(self) -> None:
        if self.text.text().strip():  # Enter in the field reaches here even while OK is disabled
            self.accept()


def ask_required_text(parent: QWidget | None, title: str, prompt: str, placeholder: str = "") -> str | None:
    dialog = RequiredTextDialog(title, prompt, parent, placeholder)
    try:
        dialog.exec()
        return dialog.answer()
    finally:
        dialog.deleteLater()
