"""A typist for the kill -9 test: starts the real app shell on a library folder, opens meeting mode on
the demo advisory board with Ctrl+M and types into it at a person's pace, logging every keystroke.

    python -m tests.ui.meeting_typist --data-dir DIR --progress FILE --mode type|resume

type:   F8 starts the first agenda item; ENTRIES are typed and filed with Enter; then PARTIAL is typed
        without a pause and never finished (the test kills the process while it is being typed).
resume: meeting mode is opened again (the restored field text is logged), RESUME_TEXT is typed after
        it, then the typist stops ("idle") and waits to be killed.

Each line of the progress file is JSON with "t" (time.time()) and "event": "opened" (event_id, field),
"key" (phase, text: the field's text after the keystroke), "entered" (text), "idle".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

DEMO_EVENT_TITLE = "Demo: NSCLC second-line advisory board"
# (typed, kind the service gives it, text it stores)
ENTRIES = (
    ("Second-line choice depends on PD-L1 status", "note", "Second-line choice depends on PD-L1 status"),
    (
        "! Re-challenge is rare after early progression",
        "insight",
        "Re-challenge is rare after early progression",
    ),
    ("? What evidence would change practice", "question", "What evidence would change practice"),
)
PARTIAL = (
    "Registries could close the gap on real-world outcomes in elderly patients, especially those with "
    "brain metastases who were excluded from the pivotal trials; the panel wants a follow-up call"
)
RESUME_TEXT = " and a written summary"
PACE_MS = 50  # 20 characters a second: a fast typist


def _typing_steps(mode: str) -> list[tuple[str, str]]:
    """(action, character) in the order the typist does them: F8, keys, Enter, ... then idle."""
    steps: list[tuple[str, str]] = []
    if mode == "type":
        steps.append(("f8", ""))
        for typed, _kind, _stored in ENTRIES:
            steps.extend(("key:entry", ch) for ch in typed)
            steps.append(("enter", ""))
        steps.extend(("key:partial", ch) for ch in PARTIAL)
    else:
        steps.extend(("key:resume", ch) for ch in RESUME_TEXT)
    steps.append(("idle", ""))
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--progress", type=Path, required=True)
    parser.add_argument("--mode", choices=("type", "resume"), required=True)
    parser.add_argument("--pace-ms", type=int, default=PACE_MS)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    import msldesk.decks.soffice as soffice
    from msldesk.ui.app import build_window
    from msldesk.ui.meeting.day_dialogs import MOVED
    from msldesk.ui.meeting.window import MeetingWindow
    from msldesk.ui.theme import apply_theme

    # The demo board is weeks ahead: meeting mode asks what today is. The typist answers as a user
    # running the meeting now would: it moved to today (confirmed).
    MeetingWindow.ask_day_choice = lambda self, day: MOVED  # type: ignore[method-assign]
    MeetingWindow.ask_confirm_move = lambda self, day: True  # type: ignore[method-assign]

    # No LibreOffice children: a killed app would leave them behind, and thumbnails are not tested here.
    soffice.find_soffice = lambda configured="": None  # type: ignore[assignment]
    qt_app = QApplication(sys.argv[:1])
    apply_theme(qt_app)  # the application's look, as msldesk.ui.app gives it
    window, context = build_window(args.data_dir, seed_demo=True)
    window.show()
    log = args.progress.open("a", encoding="utf-8", buffering=1)

    def note(event: str, **fields: object) -> None:
        log.write(json.dumps({"t": time.time(), "event": event, **fields}) + "\n")
        log.flush()

    def wait_for(condition: Callable[[], bool], then: Callable[[], None]) -> None:
        if condition():
            then()
        else:
            QTimer.singleShot(50, lambda: wait_for(condition, then))

    def open_meeting() -> None:
        boards = window.boards
        window.show_section(boards)

        def demo_row() -> int:
            return next((r for r, e in enumerate(boards.model.events()) if e.title == DEMO_EVENT_TITLE), -1)

        def press_ctrl_m() -> None:
            event = boards.model.event_at(demo_row())
            assert event is not None
            assert boards.select_event(event.event_id)
            window.activateWindow()
            QTest.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
            meeting = boards.meetings.window_for(event.event_id)
            if meeting is None:
                raise SystemExit("Ctrl+M did not open meeting mode")
            wait_for(
                lambda: meeting.bundle is not None and not meeting.field.isReadOnly(),
                lambda: start_typing(meeting, event.event_id),
            )

        wait_for(lambda: demo_row() >= 0, press_ctrl_m)

    def start_typing(meeting: object, event_id: int) -> None:
        field = meeting.field  # type: ignore[attr-defined]
        note("opened", event_id=event_id, field=field.toPlainText())
        steps = _typing_steps(args.mode)
        field.setFocus()

        def step() -> None:
            if not steps:
                return
            action, ch = steps.pop(0)
            if action == "f8":
                QTest.keyClick(field, Qt.Key.Key_F8)
            elif action == "enter":
                text = field.toPlainText()
                QTest.keyClick(field, Qt.Key.Key_Return)
                note("entered", text=text)
            elif action == "idle":
                note("idle")
                return
            else:
                QTest.keyClicks(field, ch)
                note("key", phase=action.split(":")[1], text=field.toPlainText())
            QTimer.singleShot(args.pace_ms, step)

        QTimer.singleShot(args.pace_ms, step)

    context.ready.connect(lambda: QTimer.singleShot(0, open_meeting))
    context.start()
    return qt_app.exec()


if __name__ == "__main__":
    sys.exit(main())
