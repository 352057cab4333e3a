"""Protecting the library as a user meets it: the passphrase prompt and the locked state, the daily
backup, File › Back up and Restore, the History dialogs, Tools › Verify audit trail, and the privacy
requests (export, erase) in the People section. Dialogs are replaced through their ask_* methods."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox

from msldesk.boards.records import AttendanceFields, EventFields, Invitation, PersonFields
from msldesk.core.changes import Changes
from msldesk.core.errors import MsldeskError
from msldesk.decks.records import DeckUpdate
from msldesk.ui.context import AppContext
from msldesk.ui.main_window import MainWindow
from msldesk.ui.ops import Lane, Op
from msldesk.ui.protect.backup_dialogs import BackupLock, BackupLockDialog
from msldesk.ui.protect.history import CHANGES, HistoryDialog
from msldesk.ui.protect.passphrase import MIN_PASSPHRASE, PassphraseDialog
from msldesk.ui.protect.prompter import ATTEMPTS, PassphrasePrompter
from msldesk.ui.tasks import TaskRunner
from msldesk.ui.widgets import export_banner
from tests import library_db
from tests.ui.helpers import make_deck, status_messages

pytestmark = pytest.mark.usefixtures("no_libreoffice")

WAIT_MS = 20_000
PASSPHRASE = "correct horse battery"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """A laptop with no usable keyring (keyring's "fail" backend): the library needs a passphrase."""
    import keyring.core
    from keyring.backends import fail

    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())


class Answers:
    """Replaces PassphrasePrompter.ask: records each request (and the thread asked on), answers in turn."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: str | None) -> None:
        self.answers = list(answers)
        self.requests: list[object] = []
        self.threads: list[threading.Thread] = []
        answers_ = self

        def ask(_prompter: PassphrasePrompter, request: object) -> str | None:
            answers_.requests.append(request)
            answers_.threads.append(threading.current_thread())
            return answers_.answers.pop(0)

        monkeypatch.setattr(PassphrasePrompter, "ask", ask)

    def asked(self) -> list[tuple[bool, bool]]:
        return [(r.new, r.retry) for r in self.requests]  # type: ignore[attr-defined]


def _unopened_window(qtbot, tmp_path: Path, data_dir: Path) -> tuple[MainWindow, AppContext]:  # type: ignore[no-untyped-def]
    """A main window whose library may stay locked (make_window waits for it to open)."""
    runner = TaskRunner()
    context = AppContext(runner, data_dir)
    context.seed_demo = False
    window = MainWindow(context, QSettings(str(tmp_path / "ui-unopened.ini"), QSettings.Format.IniFormat))
    runner.setParent(window)
    context.setParent(window)
    qtbot.addWidget(window)
    window.show()
    return window, context


def _event(app, title: str = "Lupus advisory board"):  # type: ignore[no-untyped-def]
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=20), dt.time(9), BERLIN)
    event, _ = app.events.create(
        EventFields(
            title=title, starts_at=start, ends_at=start + dt.timedelta(hours=3), timezone="Europe/Berlin"
        )
    )
    return event


def _idle(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: context.runner.active == 0, timeout=WAIT_MS)


def _rows(dialog: HistoryDialog) -> list[list[str]]:
    model = dialog.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def _open_history(qtbot, dialog: HistoryDialog | None) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert dialog is not None  # a child of the window; it deletes itself once closed
    if not dialog.model.rowCount():
        with qtbot.waitSignal(dialog.loaded, timeout=WAIT_MS):
            pass
    assert dialog.isVisible()
    assert not dialog.isModal()
    return _rows(dialog)


# ---- passphrase -------------------------------------------------------------------------------------


def test_passphrase_dialog_asks_twice_for_a_new_one_and_says_it_cannot_be_recovered(qtbot) -> None:  # type: ignore[no-untyped-def]
    from msldesk.db.crypto import MIN_PASSPHRASE as CORE_MIN
    from msldesk.db.crypto import PASSPHRASE_ATTEMPTS, PassphraseRequest

    assert (MIN_PASSPHRASE, ATTEMPTS) == (CORE_MIN, PASSPHRASE_ATTEMPTS)
    request = PassphraseRequest(
        Path("/data/msldesk"), new=True, reason="No secure system keyring is available."
    )
    dialog = PassphraseDialog(request, ATTEMPTS)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.small_print)))
    assert "cannot be recovered" in texts
    assert "No secure system keyring" in texts
    assert "/data/msldesk" in texts
    assert dialog.field.second is not None
    assert dialog.warning.isVisible()
    assert not dialog.retry_label.isVisible()
    assert not dialog.ok_button.isEnabled()
    dialog.field.first.setText("short")
    assert "At least 8 characters" in dialog.field.hint.text()
    assert not dialog.ok_button.isEnabled()
    dialog.field.first.setText(PASSPHRASE)
    dialog.field.second.setText(PASSPHRASE[:-1])
    assert "not the same" in dialog.field.hint.text()
    assert not dialog.ok_button.isEnabled()
    dialog.field.second.setText(PASSPHRASE)
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert dialog.passphrase() == PASSPHRASE

    retry = PassphraseDialog(PassphraseRequest(Path("/data/msldesk"), new=False, retry=True), attempts_left=3)
    qtbot.addWidget(retry)
    retry.show()
    assert retry.field.second is None
    assert not retry.warning.isVisible()
    assert retry.retry_label.isVisible()
    assert "3 attempts left" in retry.retry_label.text()
    retry.field.first.setText("x")
    assert retry.ok_button.isEnabled()  # an existing passphrase is checked by trying it, not by length
    retry.reject()
    assert retry.passphrase() is None


def test_without_a_keyring_the_window_asks_for_a_passphrase_on_the_gui_thread(
    no_keyring, make_window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "locked-library"
    answers = Answers(monkeypatch, PASSPHRASE)
    window, context = make_window(seed_demo=False, data_dir=folder)
    assert answers.asked() == [(True, False)]
    assert "keyring" in answers.requests[0].reason.lower()  # type: ignore[attr-defined]
    assert answers.threads == [threading.main_thread()]  # the dialog is the GUI thread's; a worker waited
    assert context.app.library_key.source == "passphrase"
    assert not window.protect.is_locked
    context.app.people.add(PersonFields(first_name="Ilaria", last_name="Passphrasová"))
    window.close()

    # Next start: a wrong passphrase is asked again (saying so), the right one opens the library.
    answers = Answers(monkeypatch, "not the passphrase", PASSPHRASE)
    again, again_context = make_window(seed_demo=False, data_dir=folder)
    assert answers.asked() == [(False, False), (False, True)]
    assert [p.fields.last_name for p in again_context.app.people.search("Passphrasová")] == ["Passphrasová"]
    qtbot.waitUntil(lambda: again.people.model.total == 1, timeout=WAIT_MS)


def test_cancel_leaves_a_locked_library_with_retry_and_five_wrong_answers_keep_it_locked(
    no_keyring, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from msldesk.app.services import App

    folder = tmp_path / "existing"
    App(folder, passphrase_provider=lambda _request: PASSPHRASE).close()

    answers = Answers(monkeypatch, None)
    window, context = _unopened_window(qtbot, tmp_path, folder)
    with qtbot.waitSignal(context.locked, timeout=WAIT_MS):
        context.start()
    panel = window.protect.locked_panel
    assert window.protect.is_locked
    assert panel.isVisible()
    assert context.app is None
    assert "no passphrase was given" in panel.message.text()
    assert panel.retry_button.isVisible()
    assert panel.retry_button.isEnabled()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]

    answers.answers = ["wrong passphrase"] * ATTEMPTS
    with qtbot.waitSignal(context.locked, timeout=WAIT_MS) as locked:
        panel.retry_button.click()
    assert answers.asked()[1:] == [(False, False)] + [(False, True)] * (ATTEMPTS - 1)
    assert "passphrase is wrong" in locked.args[0]
    assert "5 attempts" in locked.args[0]
    assert window.protect.is_locked
    assert context.app is None

    answers.answers = [PASSPHRASE]
    with qtbot.waitSignal(context.ready, timeout=WAIT_MS):
        panel.retry_button.click()
    assert not window.protect.is_locked
    assert window.sections.isVisible()
    window.close()


def test_closing_the_window_while_the_passphrase_is_asked_does_not_hang(
    no_keyring, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    window, context = _unopened_window(qtbot, tmp_path, tmp_path / "new")
    asked = threading.Event()
    monkeypatch.setattr(
        PassphrasePrompter, "ask", lambda _self, _request: asked.set() or window.close() or None
    )
    started = time.monotonic()
    context.start()
    qtbot.waitUntil(asked.is_set, timeout=WAIT_MS)
    assert context.runner.wait_all(10_000)
    # Without the prompter letting go, closing would wait 30 s for the worker that waits for it.
    assert time.monotonic() - started < 10
    assert context.app is None


# ---- backups ----------------------------------------------------------------------------------------


def _daily_files(context: AppContext) -> list[Path]:
    return sorted(context.app.paths.backups.glob("daily-*"))


def test_the_daily_backup_is_taken_once_after_start_and_quietly(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "daily"
    window, context = make_window(seed_demo=False, data_dir=folder)
    qtbot.waitUntil(lambda: len(_daily_files(context)) == 1, timeout=WAIT_MS)
    _idle(qtbot, context)
    assert "Daily backup saved" in window.statusBar().currentMessage()
    first = _daily_files(context)
    window.close()

    _again, again_context = make_window(seed_demo=False, data_dir=folder)
    _idle(qtbot, again_context)
    assert _daily_files(again_context) == first  # not due again the same day


def test_a_failed_daily_backup_is_reported_without_blocking_work(
    make_window, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from msldesk.protect.backup import BackupService

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise MsldeskError("The disk is full.", "ENOSPC")

    monkeypatch.setattr(BackupService, "take_daily", broken)
    window, _context = make_window(seed_demo=False)

    def error_box() -> QMessageBox | None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        return boxes[0] if boxes else None

    qtbot.waitUntil(lambda: error_box() is not None, timeout=WAIT_MS)
    box = error_box()
    assert "automatic backup could not be made" in box.text()
    assert "The disk is full." in box.text()
    assert not box.isModal()
    assert QApplication.activeModalWidget() is None
    assert window.people.isEnabled()
    assert window.boards.isEnabled()
    box.close()


def test_back_up_then_restore_through_the_menu(make_window, qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    protect, app = window.protect, context.app
    _idle(qtbot, context)
    app.people.add(PersonFields(first_name="Bea", last_name="Beforebackup"))
    target = tmp_path / "backups" / "friday"
    target.parent.mkdir()
    suggested: list[Path] = []
    protect.ask_backup_path = lambda s: suggested.append(s) or target  # type: ignore[method-assign]
    protect.ask_backup_lock = lambda source: BackupLock("backup passphrase 1")  # type: ignore[method-assign]
    with qtbot.waitSignal(protect.backup_made, timeout=WAIT_MS) as made:
        window.actions_by_key["backup"].trigger()
    info = made.args[0]
    written = target.with_name("friday.msldesk-backup")  # the suffix is added when it is missing
    assert info.path == written
    assert written.is_file()
    assert info.locked_with == "passphrase"
    assert suggested[0].startswith("msldesk-")
    assert suggested[0].endswith(".msldesk-backup")
    assert info.tables["people"] == 1
    # Ends like every export: the banner over the sections, no dialog to close. Show in folder, but
    # no Open: no desktop application opens a backup.
    banner, opened = protect.banner, []
    assert banner.isVisible()
    assert not banner.running
    assert f"Backup saved to {written}" in banner.message.text()
    assert "1 person," in banner.message.text()
    assert "Locked with a passphrase" in banner.message.text()
    assert banner.reveal_button.isVisible()
    assert not banner.open_button.isVisible()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
    monkeypatch.setattr(export_banner, "open_url", lambda url: opened.append(url.toLocalFile()) or True)
    banner.reveal_button.click()
    assert opened == [str(written.parent)]

    app.people.add(PersonFields(first_name="Alf", last_name="Afterbackup"))
    context.changed.emit(Changes(people=True))
    qtbot.waitUntil(lambda: window.people.model.total == 2, timeout=WAIT_MS)

    # Other work is finished (or stopped) before the library is replaced: some is still running when
    # the user confirms.
    order: list[str] = []
    confirmed = []

    def confirm(info):  # type: ignore[no-untyped-def]
        confirmed.append(info)
        Op(context, lambda _work: time.sleep(0.6) or order.append("other work"), Lane.EXPORT).run()
        return True

    real_restore = app.backups.restore
    app.backups.restore = lambda *a, **k: order.append("restore") or real_restore(*a, **k)  # type: ignore[method-assign]

    typed: list[bool] = []
    shown = []
    protect.ask_restore_path = lambda: written  # type: ignore[method-assign]
    protect.ask_backup_passphrase = lambda path, retry: (
        typed.append(retry)
        or (  # type: ignore[method-assign]
            "backup passphrase 1" if retry else "a wrong guess"
        )
    )
    protect.ask_confirm_restore = confirm  # type: ignore[method-assign]
    protect.show_restored = shown.append  # type: ignore[method-assign]
    with qtbot.waitSignal(protect.restored, timeout=WAIT_MS) as restored:
        window.actions_by_key["restore"].trigger()
    assert typed == [False, True]  # the library's own key did not open it; a wrong passphrase, then right
    assert confirmed[0].tables["people"] == 1
    assert confirmed[0].locked_with == "passphrase"
    assert order == ["other work", "restore"]
    result = restored.args[0]
    assert shown == [result]
    assert result.safety_backup is not None
    assert result.safety_backup.is_file()
    assert [p.fields.last_name for p in app.people.search("")] == ["Beforebackup"]
    qtbot.waitUntil(lambda: window.people.model.total == 1, timeout=WAIT_MS)  # views refreshed
    assert not context.undo_stack.count()


def test_a_backup_cancelled_or_failed_says_so_in_the_banner(
    make_window, qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    protect, app = window.protect, context.app
    _idle(qtbot, context)
    started = threading.Event()

    def slow_create(path, passphrase, progress, cancel):  # type: ignore[no-untyped-def]
        from msldesk.core.errors import CancelledError

        started.set()
        while not cancel.cancelled:
            time.sleep(0.01)
        raise CancelledError()

    app.backups.create = slow_create  # type: ignore[method-assign]
    protect.ask_backup_path = lambda s: tmp_path / "stopped.msldesk-backup"  # type: ignore[method-assign]
    protect.ask_backup_lock = lambda source: BackupLock(None)  # type: ignore[method-assign]
    window.actions_by_key["backup"].trigger()
    banner = protect.banner
    assert banner.running
    assert "Backing up the library to stopped.msldesk-backup" in banner.message.text()
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
    banner.cancel_button.click()
    assert not banner.cancel_button.isEnabled(), "asked once; the job answers when it has stopped"
    qtbot.waitUntil(lambda: not banner.running, timeout=WAIT_MS)
    assert banner.message.text() == "Backup cancelled; nothing was written."
    assert banner.path is None
    assert not banner.reveal_button.isVisible()
    assert not (tmp_path / "stopped.msldesk-backup").exists()

    def full_disk(path, passphrase, progress, cancel):  # type: ignore[no-untyped-def]
        raise MsldeskError("The disk is full.", "ENOSPC")

    app.backups.create = full_disk  # type: ignore[method-assign]
    reported: list[BaseException] = []
    monkeypatch.setattr(
        "msldesk.ui.protect.controller.report_error",
        lambda error, details, parent=None: reported.append(error),
    )
    window.actions_by_key["backup"].trigger()
    assert banner.cancel_button.isEnabled(), "a new backup can be cancelled again"
    qtbot.waitUntil(lambda: not banner.running, timeout=WAIT_MS)
    assert banner.message.text() == "The backup was not made. The disk is full."
    assert len(reported) == 1
    assert not banner.reveal_button.isVisible()


def test_restore_shows_what_the_backup_holds_and_cancel_changes_nothing(
    make_window, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    protect, app = window.protect, context.app
    app.people.add(PersonFields(first_name="Bea", last_name="Kept"))
    info = app.backups.create(tmp_path / "b.msldesk-backup")  # locked with the library's key
    app.people.add(PersonFields(first_name="Alf", last_name="Added"))
    protect.ask_restore_path = lambda: info.path  # type: ignore[method-assign]
    protect.ask_backup_passphrase = lambda path, retry: pytest.fail("the library's key opens it")  # type: ignore[method-assign]

    def look(checked):  # type: ignore[no-untyped-def]
        from msldesk.ui.protect.backup_dialogs import describe_backup

        text = describe_backup(checked)
        assert "Made on " in text
        assert "1 person," in text
        assert "this library's key" in text
        assert "all checked" in text
        assert f"revision {info.schema_revision}" in text
        return False

    protect.ask_confirm_restore = look  # type: ignore[method-assign]
    with qtbot.waitSignal(protect.restore_ended, timeout=WAIT_MS) as ended:
        window.actions_by_key["restore"].trigger()
    assert ended.args == [False]
    assert {p.fields.last_name for p in app.people.search("")} == {"Kept", "Added"}


def test_backup_lock_dialog_needs_a_repeated_passphrase_or_the_library_key(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = BackupLockDialog("keyring")
    qtbot.addWidget(dialog)
    dialog.show()
    texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.field.hint)))
    assert "another one" in texts
    assert "restores only here" in texts
    assert not dialog.ok_button.isEnabled()
    dialog.field.first.setText("backup passphrase 1")
    dialog.field.second.setText("backup passphrase 1")
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert dialog.choice() == BackupLock("backup passphrase 1")

    keyed = BackupLockDialog("keyring")
    qtbot.addWidget(keyed)
    keyed.with_library_key.setChecked(True)
    assert keyed.ok_button.isEnabled()
    keyed.ok_button.click()
    assert keyed.choice() == BackupLock(None)


# ---- history and the audit trail ----------------------------------------------------------------------


def test_event_history_shows_changes_attendance_and_an_export_in_plain_words(
    make_window, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    app = context.app
    event = _event(app, "Lupus advisory board")
    person, _ = app.people.add(PersonFields(first_name="Ann", last_name="Lee", email="ann@x.org"))
    attendance, _ = app.events.add_attendee(event.event_id, person.person_id)
    app.events.update_attendance(
        attendance.attendance_id,
        AttendanceFields(
            invitation=Invitation.ACCEPTED, honorarium_amount=Decimal("900"), contract_signed=True
        ),
    )
    app.events.update(event.event_id, replace(event.fields, title="Lupus nephritis advisory board"))
    app.outputs.attendees(event.event_id, tmp_path / "attendees.csv")
    other = _event(app, "Another board")  # its records are not this event's
    app.events.update(other.event_id, replace(other.fields, venue="Rome"))
    context.changed.emit(Changes(events=True, people=True))

    view = window.boards
    window.show_section(view)
    qtbot.waitUntil(lambda: view.model.row_of(event.event_id) >= 0, timeout=WAIT_MS)
    assert view.select_event(event.event_id)
    qtbot.waitUntil(lambda: view.editor.bundle is not None and view.editor.bundle.event_id == event.event_id)
    view.editor.history_button.click()
    rows = _open_history(qtbot, view.editor.history_dialog)
    by_what = {row[3]: row for row in rows}
    assert [row[3] for row in rows] == [
        "Created the event",
        "Added to the attendee list",
        "Changed attendance or payment",
        "Changed the event",
        "Exported the attendee list",
    ]
    changed = by_what["Changed attendance or payment"]
    assert changed[2] == "Attendance · Ann Lee"
    assert set(changed[CHANGES].splitlines()) == {
        "Contract signed: no → yes",
        "Honorarium: 0.00 → 900.00",
        "Invitation: not sent → accepted",
    }
    assert by_what["Changed the event"][CHANGES] == (
        "Title: Lupus advisory board → Lupus nephritis advisory board"
    )
    export = by_what["Exported the attendee list"][CHANGES]
    assert f"File: {tmp_path / 'attendees.csv'}" in export
    assert "Checksum (SHA-256):" in export
    assert "Starts: " in by_what["Created the event"][CHANGES]
    for row in rows:
        assert "{" not in row[CHANGES]
        assert '"' not in row[CHANGES]  # readable, not JSON
        when = dt.datetime.strptime(row[0], "%Y-%m-%d %H:%M")  # local time, to the minute
        assert abs(when - dt.datetime.now()) < dt.timedelta(minutes=5)
        assert row[1]  # who
    dialog = view.editor.history_dialog
    dialog.search.setText("ann lee")
    assert {row[3] for row in _rows(dialog)} == {
        "Added to the attendee list",
        "Changed attendance or payment",
    }
    dialog.copy_all()
    assert "Attendance · Ann Lee" in QApplication.clipboard().text()
    QApplication.clipboard().clear()
    QTest.keyClick(dialog.search, Qt.Key.Key_Return)  # Enter closes; it does not copy
    assert not dialog.isVisible()
    assert QApplication.clipboard().text() == ""


def test_deck_history_from_the_deck_details(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    app = context.app
    (outcome,) = app.decks.import_paths([make_deck(tmp_path / "efficacy.pptx", ["Efficacy"])])
    app.decks.update_deck(
        outcome.deck_id, DeckUpdate(approval_code="MED-US-0123", expires_on=dt.date(2028, 1, 31))
    )
    editor = window.library.editor
    editor.show_deck(app.decks.deck(outcome.deck_id))
    editor.history_button.click()
    rows = _open_history(qtbot, window.library.history_dialog)
    assert [row[3] for row in rows] == ["Changed the approval details"]
    assert set(rows[0][CHANGES].splitlines()) == {
        "Approval code: — → MED-US-0123",
        "Expires on: — → 2028-01-31",
    }
    window.library.history_dialog.close()


def test_verify_audit_trail_says_ok_then_names_the_altered_record(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    app, protect = context.app, window.protect
    _event(app, "Board one")
    _event(app, "Board two")
    with qtbot.waitSignal(protect.audit_verified, timeout=WAIT_MS) as verified:
        window.actions_by_key["verify_audit"].trigger()
    assert verified.args[0].ok
    box = protect.last_box
    assert box.isVisible()
    assert not box.isModal()
    assert "intact" in box.text()
    assert "all 2 records" in box.text()
    box.close()

    # Someone with the file and its key changes a record behind the app's back.
    app.engine.dispose()
    with library_db.connect(app.paths.database) as db:
        db.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        db.execute(
            "UPDATE audit_log SET after_json = replace(after_json, 'Board one', 'Board 1') WHERE id = 1"
        )
    with qtbot.waitSignal(protect.audit_verified, timeout=WAIT_MS) as verified:
        window.actions_by_key["verify_audit"].trigger()
    report = verified.args[0]
    assert not report.ok
    box = protect.last_box
    assert "changed outside msldesk" in box.text()
    assert "1 problem found" in box.text()
    assert "Records with problems: 1." in box.text()
    assert "record 1 was altered after it was written" in box.informativeText()
    box.close()


@pytest.mark.parametrize(
    ("anchor", "words"),
    [(None, "is missing"), ("{damaged", "is damaged"), ("STALE", "is stale (it names an older record")],
)
def test_verify_audit_trail_says_when_the_anchor_cannot_confirm_the_newest_record(
    make_window, qtbot, anchor: str | None, words: str
) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    app, protect = context.app, window.protect
    _event(app, "Board one")
    first_anchor = app.paths.audit_anchor.read_text()
    _event(app, "Board two")
    if anchor is None:
        app.paths.audit_anchor.unlink()
    else:
        app.paths.audit_anchor.write_text(first_anchor if anchor == "STALE" else anchor)
    with qtbot.waitSignal(protect.audit_verified, timeout=WAIT_MS) as verified:
        window.actions_by_key["verify_audit"].trigger()
    assert not verified.args[0].ok
    box = protect.last_box
    assert box.windowTitle() == "Audit trail incomplete"
    assert box.icon() == QMessageBox.Icon.Warning
    assert "All 2 records are in order" in box.text()
    assert f"the newest one {words}" in box.text()
    assert "changed outside msldesk" not in box.text()
    box.close()


def test_recent_changes_list_the_whole_library_newest_first(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    event = _event(context.app, "Board one")
    context.app.events.update(event.event_id, replace(event.fields, venue="Lisbon"))
    window.actions_by_key["recent_changes"].trigger()
    rows = _open_history(qtbot, window.protect.history)
    assert [(row[2], row[3]) for row in rows] == [
        ("Event · Board one", "Changed the event"),
        ("Event · Board one", "Created the event"),
    ]
    window.protect.history.close()


# ---- privacy ----------------------------------------------------------------------------------------


def test_export_then_erase_a_person_from_the_people_view(
    make_window, qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    app = context.app
    person, _ = app.people.add(
        PersonFields(
            first_name="Ann", last_name="Lee", credentials="MD", specialty="Nephrology", email="ann@x.org",
            phone="+1 555 0100", institution="St Mary", npi="1234567893", city="Boston", state="MA",
        )
    )  # fmt: skip
    event = _event(app)
    attendance, _ = app.events.add_attendee(
        event.event_id,
        person.person_id,
        AttendanceFields(invitation=Invitation.ACCEPTED, honorarium_amount=Decimal("900")),
    )
    app.meetings.add_entry(event.event_id, "Ann Lee said the trial answers the wrong question")
    context.changed.emit(Changes(people=True, events=True))
    view = window.people
    window.show_section(view)
    qtbot.waitUntil(lambda: view.select_person(person.person_id), timeout=WAIT_MS)
    assert view.editor.person.person_id == person.person_id
    assert view.editor.privacy_box.isVisible()

    target = tmp_path / "requests" / "ann"
    target.parent.mkdir()
    view.privacy.ask_export_path = lambda p, suggested: target  # type: ignore[method-assign]
    shown = status_messages(window)
    with qtbot.waitSignal(view.privacy.exported, timeout=WAIT_MS) as exported:
        view.editor.export_button.click()
    written = exported.args[0]
    assert written == target.with_name("ann.json")
    # Ends like every export: the banner, whose Show in folder reaches the desktop through the hook.
    banner, opened = view.privacy.banner, []
    assert banner.isVisible()
    assert banner.open_button.isVisible()
    assert str(written) in banner.message.text()
    monkeypatch.setattr(export_banner, "open_url", lambda url: opened.append(url.toLocalFile()) or True)
    banner.reveal_button.click()
    assert opened == [str(written.parent)]
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["person"]["email"] == "ann@x.org"
    assert data["attendance"][0]["attendance_id"] == attendance.attendance_id
    assert "the wrong question" in data["note_entries"][0]["text"]
    assert any(str(written) in message for message in shown)

    # Cancel: nothing happens.
    plans = []
    view.privacy.ask_erase = lambda plan: plans.append(plan) or None  # type: ignore[method-assign]
    view.editor.erase_button.click()
    qtbot.waitUntil(lambda: len(plans) == 1, timeout=WAIT_MS)
    _idle(qtbot, context)
    assert app.people.get(person.person_id).fields.email == "ann@x.org"

    view.privacy.ask_erase = lambda plan: plans.append(plan) or "Request by email of 2026-11-30"  # type: ignore[method-assign]
    with qtbot.waitSignal(view.privacy.erased, timeout=WAIT_MS):
        view.editor.erase_button.click()
    plan = plans[-1]
    assert plan.keeps_payment_record
    assert plan.attendance_kept == (attendance.attendance_id,)
    kept = app.people.get(person.person_id).fields
    assert (kept.last_name, kept.npi, kept.email, kept.phone, kept.institution) == (
        "Lee",
        "1234567893",
        "",
        "",
        "",
    )
    assert "[Erased person]" in app.meetings.entries(event.event_id)[0].text
    qtbot.waitUntil(lambda: view.editor.inputs["email"].text() == "", timeout=WAIT_MS)  # the view refreshed
    assert any("Erased Ann Lee" in message for message in shown)
    assert not context.undo_stack.count()

    view.editor.history_button.click()
    rows = _open_history(qtbot, view.privacy.history_dialog)
    whats = [row[3] for row in rows]
    assert whats[:2] == ["Added to the attendee list", "Exported the person's data"]
    assert whats[-1] == "Erased the person's data"
    assert rows[0][2] == "Attendance · Lupus advisory board"
    assert "Reason: Request by email of 2026-11-30" in rows[-1][CHANGES]
    assert "ann@x.org" not in " ".join(" ".join(row) for row in rows)  # the history does not bring it back
    view.privacy.history_dialog.close()


def test_erase_dialog_says_what_is_kept_and_needs_a_reason(qtbot) -> None:  # type: ignore[no-untyped-def]
    from msldesk.boards.privacy.erase import ErasurePlan
    from msldesk.ui.people.privacy import EraseDialog

    paid = ErasurePlan(7, "Ann Lee", (3,), (4, 5), (), (9,), (2,))
    dialog = EraseDialog(paid)
    qtbot.addWidget(dialog)
    dialog.show()
    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "Erase Ann Lee?" in text
    assert "cannot be undone" in text
    assert "2 payment records" in text
    assert "NPI" in text
    assert "Open Payments" in text
    assert "1 place on attendee lists" in text
    assert "1 meeting note" in text
    assert "finalized notes of 1 event" in text
    assert not dialog.erase_button.isEnabled()
    dialog.reason.setText("   ")
    assert not dialog.erase_button.isEnabled()
    dialog.reason.setText("Request of 2026-11-30")
    assert dialog.erase_button.isEnabled()
    QTest.keyClick(dialog.reason, Qt.Key.Key_Return)  # Enter is Cancel: a keystroke never erases
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.chosen_reason() is None
    dialog.erase_button.click()
    assert dialog.chosen_reason() == "Request of 2026-11-30"

    unpaid = EraseDialog(ErasurePlan(8, "Bo Kim", (), (), (), (), ()))
    qtbot.addWidget(unpaid)
    unpaid_text = " ".join(label.text() for label in unpaid.findChildren(QLabel))
    assert "nothing is kept" in unpaid_text
    assert "Erased person 8" in unpaid_text


def test_the_restored_message_says_erasures_were_made_again(make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from msldesk.protect.backup import RestoreResult
    from msldesk.protect.backup_check import BackupInfo

    window, _context = make_window(seed_demo=False)
    info = BackupInfo(
        tmp_path / "b.msldesk-backup", dt.datetime(2026, 11, 1, tzinfo=dt.UTC), "1", "r", {}, 0, 0,
        "passphrase", True,
    )  # fmt: skip
    window.protect.show_restored(RestoreResult(info, tmp_path / "saved.msldesk-backup", 2))
    box = window.protect.last_box
    assert "2 erasures made since this backup were applied again" in box.informativeText()
    assert "saved.msldesk-backup" in box.informativeText()
    box.close()
