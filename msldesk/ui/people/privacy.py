"""Privacy requests from the People section: a person's history, the export of everything held about
them, and their erasure (after a confirmation that says what is kept for payment reporting)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from msldesk.app.history import Subject
from msldesk.boards.records import Person
from msldesk.core.changes import Changes
from msldesk.core.wording import plural
from msldesk.ui.context import AppContext
from msldesk.ui.errors import report_error
from msldesk.ui.ops import DbOp
from msldesk.ui.protect.history import HistoryDialog, open_history
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.export_banner import ExportBanner
from msldesk.ui.widgets.file_dialogs import ask_save_path, safe_file_name

if TYPE_CHECKING:
    from msldesk.boards.privacy.erase import ErasurePlan

# What a kept directory entry holds, in words (msldesk.boards.privacy.erase.RETAINED_FOR_PAYMENTS).
KEPT_WORDS = "name, credentials, specialty, NPI, city, state and country"


def erasure_points(plan: ErasurePlan) -> list[str]:
    """What erasing does to this person's data, one plain sentence each."""
    points = []
    if plan.keeps_payment_record:
        points.append(
            f"Kept, because payments to them must still be reported (transfer-of-value rules such as US "
            f"Open Payments): their {KEPT_WORDS}, and "
            f"{plural(len(plan.attendance_kept), 'payment record', 'payment records')} (amounts, "
            "currency, dates and events)."
        )
        points.append(
            "Wiped from the directory entry: email, phone, institution, FMV tier, notes and consent."
        )
    else:
        points.append(
            f"They received no reported payment, so nothing is kept: the directory entry becomes "
            f"“Erased person {plan.person_id}”."
        )
    if plan.attendance_removed:
        points.append(
            f"Removed: {plural(len(plan.attendance_removed), 'place', 'places')} on attendee lists "
            "(invitations, contracts, disclosures, check-in)."
        )
    named = []
    if plan.note_entries:
        named.append(plural(len(plan.note_entries), "meeting note", "meeting notes"))
    if plan.presented_items:
        named.append(plural(len(plan.presented_items), "agenda item", "agenda items"))
    if named:
        points.append(
            f"Their name and email address become “[Erased person]” in {' and '.join(named)}, "
            "and they are no longer linked as speaker, owner or presenter."
        )
    if plan.finalized_events:
        points.append(
            f"This changes the finalized notes of {plural(len(plan.finalized_events), 'event', 'events')}; "
            "the change is recorded in those events' audit trail."
        )
    points.append(
        "The erasure itself is recorded in the audit trail: who, when and why, never the erased data."
    )
    return points


class EraseDialog(QDialog):
    """Confirm an erasure: what happens, why (required), and a button that says it is permanent."""

    def __init__(self, plan: ErasurePlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Erase a person")
        self.setMinimumWidth(560)
        title = QLabel(f"Erase {plan.display_name}?")
        set_role(title, "title")
        warning = QLabel("This cannot be undone. Export their data first if they asked for a copy.")
        set_role(warning, "notice-error")
        warning.setWordWrap(True)
        points = QLabel(
            "<ul style='margin-left:-20px'>"
            + "".join(f"<li>{p}</li>" for p in erasure_points(plan))
            + "</ul>"
        )
        points.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. Request by email of 2026-11-30, ticket 4711")
        reason_label = QLabel("Why is this person erased? (required; kept in the audit trail)")
        small = QLabel("Their name is removed from the reason before it is stored.")
        set_role(small, "small")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.erase_button = self.buttons.addButton(
            "Erase permanently", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.erase_button.setEnabled(False)
        self.erase_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(lambda text: self.erase_button.setEnabled(bool(text.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(warning)
        layout.addWidget(points)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(small)
        layout.addWidget(self.buttons)
        # Enter cancels. Said once the buttons are in the dialog (a default is the dialog's), because
        # Qt otherwise takes the first button in tab order, which follows the button box's layout
        # once a stylesheet is set: "Erase permanently" came first.
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.reason.setFocus()

    def chosen_reason(self) -> str | None:
        text = self.reason.text().strip()
        return text if self.result() == QDialog.DialogCode.Accepted and text else None


def suggested_export_name(person: Person) -> str:
    return safe_file_name(
        person.display_name, "personal data", suffix=".json", fallback=f"person {person.person_id}"
    )


class PersonPrivacy(QObject):
    """The People section's privacy actions; dialogs through ask_* so tests can replace them."""

    status_message = Signal(str)
    exported = Signal(object)  # Path
    erased = Signal(object)  # ErasurePlan

    def __init__(self, context: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.parent_widget = parent
        self.history_dialog: HistoryDialog | None = None
        self.banner = ExportBanner()  # placed by the view; shows how an export ended

    def show_history(self, person: Person) -> HistoryDialog | None:
        subject = Subject("person", person.person_id, f"Person: {person.display_name}")
        self.history_dialog = open_history(self.context, subject, self.parent_widget.window())
        return self.history_dialog

    # ---- export -------------------------------------------------------------------------------

    def ask_export_path(self, person: Person, suggested: str) -> Path | None:
        return ask_save_path(
            self.parent_widget,
            self.context.settings,
            "people_exports",
            f"Export {person.display_name}'s data",
            suggested,
            "JSON (*.json)",
            (".json",),
        )

    def export(self, person: Person) -> None:
        if not self.context.is_open:
            return
        path = self.ask_export_path(person, suggested_export_name(person))
        if path is None:
            return
        if path.suffix.lower() != ".json":
            path = path.with_name(path.name + ".json")
        person_id = person.person_id
        self.banner.start(f"Exporting {person.display_name}'s data…")
        self.banner.cancel_button.hide()  # a short database read: nothing to cancel

        def done(written: Path) -> None:
            text = f"Saved everything held about {person.display_name} to {written}"
            self.banner.succeeded(written, text)
            self.status_message.emit(text)
            self.exported.emit(written)

        def failed(error: BaseException, details: str) -> bool:
            self.banner.stopped(f"{person.display_name}'s data was not exported.")
            return self._on_failed(error, details)

        # The db lane: the export reads the library and records itself in the audit trail.
        write = DbOp(self, lambda work: work.app.privacy.write_person_export(person_id, path, overwrite=True))
        write.success(done).failure(failed).run()

    # ---- erasure ------------------------------------------------------------------------------

    def ask_erase(self, plan: ErasurePlan) -> str | None:
        """The reason for the erasure, or None when the user does not go ahead."""
        dialog = EraseDialog(plan, self.parent_widget.window())
        try:
            dialog.exec()
            return dialog.chosen_reason()
        finally:
            dialog.deleteLater()

    def erase(self, person: Person) -> None:
        person_id = person.person_id

        def planned(plan: ErasurePlan) -> None:
            reason = self.ask_erase(plan)
            if reason is None:
                self.status_message.emit("Nothing was erased.")
                return
            erase = DbOp(self, lambda work: work.app.privacy.erase_person(person_id, reason))
            erase.success(lambda result: self._on_erased(*result)).failure(self._on_failed).run()

        DbOp(self, lambda work: work.app.privacy.erasure_plan(person_id)).success(planned).failure(
            self._on_failed
        ).run()

    def _on_erased(self, plan: ErasurePlan, _changes: Changes) -> None:
        kept = " (their payment records are kept for reporting)" if plan.keeps_payment_record else ""
        self.status_message.emit(f"Erased {plan.display_name}{kept}.")
        # An undo of an earlier edit would write their old details back: the erasure ends undo.
        self.context.undo_stack.clear()
        self.erased.emit(plan)  # the op announces the changes next

    def _on_failed(self, error: BaseException, details: str) -> bool:
        report_error(error, details, self.parent_widget)
        return True
