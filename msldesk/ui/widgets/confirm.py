"""The one question asked before something that cannot be undone: a named button, Cancel by default."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm_destructive(
    parent: QWidget | None, title: str, question: str, details: str, action: str, warning: bool = False
) -> bool:
    """True when the user pressed the `action` button ("Remove", "Restore"); Cancel is the default,
    so Enter or Esc leaves everything as it is."""
    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Question
    box = QMessageBox(icon, title, question, parent=parent)
    box.setInformativeText(details)
    chosen = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is chosen
