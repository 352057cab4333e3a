"""DialogOps: the ops of a dialog that may close first; it is deleted once no answer can come."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from msldesk.ui.ops import OpGroup


class DialogOps(OpGroup):
    """A dialog's ops run `.in_group(dialog.ops)`; after the dialog is closed and the last answer
    arrived, the dialog is deleted (deleteLater).

    Answers still arrive after the window closes (a merge finishing must still refresh the views), so
    the dialog lives until then; deleting it earlier would leave a callback calling a deleted widget.
    """

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.closed = False
        dialog.finished.connect(self._on_dialog_finished)
        self.idle_changed.connect(self._on_idle_changed)

    def _on_dialog_finished(self, _result: int) -> None:
        self.closed = True
        self._release()

    def _on_idle_changed(self, _idle: bool) -> None:
        self._release()

    def _release(self) -> None:
        if self.closed and self.pending == 0:
            self.dialog.deleteLater()
