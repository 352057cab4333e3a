"""Screenshots of the library-protection UI: the passphrase dialog (new, and after a wrong answer), the
locked window, a History dialog, the backup lock and erase dialogs.

Usage: xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/screenshot_protect.py --data-dir DIR \\
           --what passphrase-new|passphrase-retry|locked|history-event|history-person|backup-lock|erase \\
           --out shot.png

No keyring is used: the keyring backend is keyring's "fail" one, so the library is locked with a
passphrase, typed into the real dialog by a stub (the prompter's ask) that grabs it first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import keyring.core
from keyring.backends import fail
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from screenshot import save_shot

from msldesk.ui.app import build_window
from msldesk.ui.theme import apply_theme
from msldesk.ui.widgets.geometry import clamp_to_screen

PASSPHRASE = "correct horse battery staple"
WHAT = (
    "passphrase-new",
    "passphrase-retry",
    "locked",
    "history-event",
    "history-person",
    "backup-lock",
    "backup-done",
    "restore-confirm",
    "erase",
    "people-editor",
    "event-editor",
)


def grab(widget: QWidget, out: Path) -> None:
    save_shot(out, widget)


def make_passphrase_library(data_dir: Path) -> None:
    from msldesk.app.services import App

    App(data_dir, passphrase_provider=lambda _request: PASSPHRASE).close()


def seed_history(app: Any, out_dir: Path) -> tuple[int, int]:
    """An advisory board with a few recorded changes and an export; returns (event id, person id)."""
    from zoneinfo import ZoneInfo

    from msldesk.boards.records import AttendanceFields, AttendeeRole, EventFields, Invitation, PersonFields

    berlin = ZoneInfo("Europe/Berlin")
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=21), dt.time(9), berlin)
    event, _ = app.events.create(
        EventFields(
            title="EU oncology advisory board — 2L NSCLC",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=4),
            timezone="Europe/Berlin",
            venue="Hotel Adlon, Berlin",
            objectives="Understand treatment sequencing after first-line immunotherapy.",
        )
    )
    hart, _ = app.people.add(
        PersonFields("Amelia", "Hart", "MD", "Medical Oncology", "Charité Berlin", "Berlin", "", "DE",
                     "a.hart@example.org", tier="1")
    )  # fmt: skip
    keller, _ = app.people.add(
        PersonFields("Jonas", "Keller", "MD, PhD", "Hematology", "LMU Klinikum", "Munich")
    )
    a1, _ = app.events.add_attendee(event.event_id, hart.person_id, AttendanceFields(role=AttendeeRole.CHAIR))
    a2, _ = app.events.add_attendee(event.event_id, keller.person_id)
    app.events.update_attendance(
        a1.attendance_id,
        AttendanceFields(
            role=AttendeeRole.CHAIR, invitation=Invitation.ACCEPTED, contract_signed=True, coi_disclosed=True,
            honorarium_hours=Decimal("6"), honorarium_rate=Decimal("550"), honorarium_amount=Decimal("3300"),
            currency="EUR",
        ),
    )  # fmt: skip
    app.events.update_attendance(a2.attendance_id, AttendanceFields(invitation=Invitation.DECLINED))
    app.events.update(event.event_id, replace(event.fields, venue="Hotel de Rome, Berlin"))
    app.outputs.attendees(event.event_id, out_dir / "attendees.csv")
    app.privacy.write_person_export(hart.person_id, out_dir / "hart.json")
    return event.event_id, hart.person_id


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--what", choices=WHAT, required=True)
    args = parser.parse_args()
    keyring.core.set_keyring(fail.Keyring())  # no keyring: the passphrase path
    if args.what in ("passphrase-retry", "locked") and not (args.data_dir / "encryption.json").exists():
        make_passphrase_library(args.data_dir)

    app = QApplication(sys.argv[:1])
    apply_theme(app)  # the application's look, as msldesk.ui.app gives it
    window, context = build_window(args.data_dir, seed_demo=False)
    window.resize(1500, 900)
    clamp_to_screen(window)
    shot = _ProtectShot(args, window, context)
    window.protect.prompter.ask = shot.ask  # type: ignore[method-assign]
    window.show()
    context.start()
    context.ready.connect(shot.on_ready)
    context.locked.connect(shot.on_locked)
    QTimer.singleShot(60_000, window.close)  # never hang a screenshot run
    return app.exec()


class _ProtectShot:
    """The steps of one shot, run from the context's signals and timers."""

    def __init__(self, args: argparse.Namespace, window: Any, context: Any) -> None:
        self.args, self.window, self.context = args, window, context
        self.prompter = window.protect.prompter
        self.original_ask = self.prompter.ask
        self.answers = {
            "passphrase-retry": ["not the passphrase", PASSPHRASE],
            "locked": [None],
        }.get(args.what, [PASSPHRASE])

    def grab_and_close(self, widget: Any) -> None:
        grab(widget, self.args.out)
        self.window.close()

    def ask(self, request: Any) -> str | None:
        """The real dialog: typed into, grabbed when it is the one wanted, then answered."""
        answer = self.answers.pop(0) if self.answers else PASSPHRASE
        QTimer.singleShot(700, lambda: self.type_and_answer(request, answer))
        return self.original_ask(request)

    def type_and_answer(self, request: Any, answer: str | None) -> None:
        what = self.args.what
        dialog = self.prompter.dialog
        if dialog is None:
            return
        if answer is None:
            dialog.reject()
            return
        dialog.field.first.setText(answer)
        if dialog.field.second is not None:
            dialog.field.second.setText(answer)
        wanted = (what == "passphrase-new" and request.new) or (what == "passphrase-retry" and request.retry)
        if wanted:
            grab(dialog, self.args.out)
        dialog.accept()

    def on_locked(self, _message: str) -> None:
        if self.args.what == "locked":
            QTimer.singleShot(500, lambda: self.grab_and_close(self.window))

    def on_ready(self) -> None:
        what, window = self.args.what, self.window
        if what in ("passphrase-new", "passphrase-retry"):
            QTimer.singleShot(300, window.close)
            return
        if what == "backup-lock":
            from msldesk.ui.protect.backup_dialogs import BackupLockDialog

            dialog = BackupLockDialog(self.context.app.library_key.source, window)
            dialog.show()
            dialog.field.first.setText("a backup passphrase")
            QTimer.singleShot(500, lambda: self.grab_and_close(dialog))
            return
        event_id, person_id = seed_history(self.context.app, self.args.data_dir.parent)
        if what in ("backup-done", "restore-confirm"):
            QTimer.singleShot(300, self.back_up)
            return
        from msldesk.core.changes import Changes

        self.context.changed.emit(Changes(events=True, people=True))
        step: dict[str, Callable[[], None]] = {
            "history-event": lambda: self.open_event(event_id),
            "history-person": lambda: self.open_person(person_id),
            "people-editor": lambda: self.select_person(person_id),
            "event-editor": lambda: self.select_event(event_id),
            "erase": lambda: self.erase(person_id),
        }
        if what in step:
            QTimer.singleShot(800, step[what])

    def back_up(self) -> None:
        from msldesk.ui.protect.backup_dialogs import BackupLock

        protect = self.window.protect
        target = self.args.data_dir.parent / "friday.msldesk-backup"
        target.unlink(missing_ok=True)
        protect.ask_backup_path = lambda _suggested: target
        protect.ask_backup_lock = lambda _source: BackupLock("a backup passphrase")
        if self.args.what == "backup-done":
            protect.backup_made.connect(
                lambda _info: QTimer.singleShot(300, lambda: self.grab_and_close(self.window))
            )
        else:
            protect.backup_made.connect(lambda _info: QTimer.singleShot(300, self.restore))
        protect.backup()

    def restore(self) -> None:
        protect = self.window.protect
        protect.ask_restore_path = lambda: self.args.data_dir.parent / "friday.msldesk-backup"

        def confirm(info: Any) -> bool:
            QTimer.singleShot(500, self.grab_box)
            return type(protect).ask_confirm_restore(protect, info)

        protect.ask_confirm_restore = confirm
        protect.ask_backup_passphrase = lambda path, retry: "a backup passphrase"
        protect.restore()

    def grab_box(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        grab(box, self.args.out)
        box.reject()
        self.window.close()

    def open_event(self, event_id: int) -> None:
        window = self.window
        window.show_section(window.boards)
        window.boards.select_event(event_id)
        QTimer.singleShot(800, self.show_event_history)

    def show_event_history(self) -> None:
        dialog = self.window.boards.editor.show_history()
        assert dialog is not None
        dialog.loaded.connect(lambda _n: QTimer.singleShot(300, lambda: self.grab_and_close(dialog)))

    def select_person(self, person_id: int) -> None:
        window = self.window
        window.show_section(window.people)
        window.people.select_person(person_id)
        QTimer.singleShot(800, lambda: self.grab_and_close(window))

    def select_event(self, event_id: int) -> None:
        window = self.window
        window.show_section(window.boards)
        window.boards.select_event(event_id)
        QTimer.singleShot(1200, lambda: self.grab_and_close(window))

    def open_person(self, person_id: int) -> None:
        window = self.window
        window.show_section(window.people)
        window.people.select_person(person_id)
        QTimer.singleShot(500, lambda: self.show_person_history(person_id))

    def show_person_history(self, person_id: int) -> None:
        person = self.context.app.people.get(person_id)
        dialog = self.window.people.privacy.show_history(person)
        assert dialog is not None
        dialog.loaded.connect(lambda _n: QTimer.singleShot(300, lambda: self.grab_and_close(dialog)))

    def erase(self, person_id: int) -> None:
        from msldesk.ui.people.privacy import EraseDialog

        dialog = EraseDialog(self.context.app.privacy.erasure_plan(person_id), self.window)
        dialog.show()
        dialog.reason.setText("Request by email of 2026-11-30, ticket 4711")
        QTimer.singleShot(500, lambda: self.grab_and_close(dialog))


if __name__ == "__main__":
    sys.exit(main())
