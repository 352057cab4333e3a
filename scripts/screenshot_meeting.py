"""Screenshots of meeting mode mid-meeting (to look at it): a board that started an hour ago, three
items done, one running, entries of every kind, people checked in and an unfinished entry restored.

Usage: MSLDESK_ENCRYPTION=off xvfb-run -a -s "-screen 0 1400x900x24" \\
           python scripts/screenshot_meeting.py --data-dir DIR --out meeting.png

Writes OUT (the window) and OUT with "-typing" (the whole screen while "@" suggests names for an action).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from screenshot import save_shot

from msldesk.ui.app import build_window
from msldesk.ui.theme import apply_theme
from msldesk.ui.widgets.geometry import clamp_to_screen

TITLE = "EU oncology advisory board — 2L NSCLC"


def seed(data_dir: Path) -> int:
    """The board as it stands 62 minutes in; returns its id."""
    from msldesk.app.services import App
    from msldesk.boards.meeting.service import with_fields
    from msldesk.boards.records import (
        AgendaItemFields,
        AgendaKind,
        AttendanceFields,
        AttendeeRole,
        EventFields,
        EventKind,
        Invitation,
        PersonFields,
    )

    app = App(data_dir)
    try:
        for event in app.events.list_events("all"):
            if event.title == TITLE:
                return event.event_id
        berlin = ZoneInfo("Europe/Berlin")
        now = dt.datetime.now(dt.UTC)
        start = (now - dt.timedelta(minutes=62)).astimezone(berlin).replace(second=0, microsecond=0)
        event = app.events.create(
            EventFields(
                kind=EventKind.ADVISORY_BOARD,
                title=TITLE,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=4),
                timezone="Europe/Berlin",
                venue="Hotel Adlon, Berlin",
            )
        )[0]
        eid = event.event_id
        people = [
            ("Amelia", "Hart", AttendeeRole.CHAIR, Invitation.ACCEPTED),
            ("Jonas", "Keller", AttendeeRole.ADVISOR, Invitation.ACCEPTED),
            ("Sofia", "Marchetti", AttendeeRole.ADVISOR, Invitation.ACCEPTED),
            ("Daniel", "Okafor", AttendeeRole.ADVISOR, Invitation.ACCEPTED),
            ("Marta", "Nowak", AttendeeRole.ADVISOR, Invitation.DECLINED),
            ("Lena", "Vogel", AttendeeRole.INTERNAL, Invitation.ACCEPTED),
        ]
        ids, attendance = [], []
        for first, last, role, invitation in people:
            person = app.people.add(PersonFields(first, last, email=f"{last.lower()}@example.org"))[0]
            ids.append(person.person_id)
            attendance.append(
                app.events.add_attendee(
                    eid, person.person_id, AttendanceFields(role=role, invitation=invitation)
                )[0].attendance_id
            )
        for attendance_id in attendance[:4]:
            app.events.check_in(attendance_id)
        agenda = [
            ("Welcome and objectives", 10, AgendaKind.PRESENTATION, ids[5]),
            ("Current treatment landscape", 30, AgendaKind.PRESENTATION, ids[1]),
            ("Coffee", 10, AgendaKind.BREAK, None),
            ("Case discussion: re-challenge", 45, AgendaKind.DISCUSSION, ids[3]),
            ("Breakout: evidence gaps", 60, AgendaKind.BREAKOUT, None),
            ("Summary and next steps", 20, AgendaKind.DISCUSSION, ids[0]),
        ]
        for title, minutes, kind, presenter in agenda:
            app.events.add_agenda_item(eid, AgendaItemFields(title, minutes, kind, presenter))
        meetings = app.meetings
        meetings.set_themes(eid, ["Treatment sequencing", "Unmet need", "Biomarkers", "Access"])

        def at(minutes: float) -> dt.datetime:
            return start.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)

        notes = [
            (1, "next", None),
            (3, "Objectives agreed; the chair asks for frank views on sequencing", None),
            (12, "next", None),
            (
                14,
                "@Jonas Keller: most centres now test for the full panel before first line #Biomarkers",
                None,
            ),
            (19, '"We still lose a third of patients before second line" @Amelia Hart #Unmet need', None),
            (24, "! Re-challenge with immunotherapy is rare after progression within 6 months", None),
            (31, "? What data exist for patients with brain metastases #Treatment sequencing", None),
            (38, "> @Lena Vogel sends the subgroup analysis to the panel due:+7d", None),
            (43, "next", None),
            (54, "next", None),
            (55, "@Daniel Okafor presents the first case: 67-year-old, progression at 5 months", None),
            (58, "One advisor called the combination a cure for fit patients", None),
            (60, "! Payers in Italy require a second biopsy before switching #Access", None),
        ]
        edited = None
        for minutes, text, _ in notes:
            if text == "next":
                meetings.next_item(eid, when=at(minutes))
            else:
                entry = meetings.add_entry(eid, text, when=at(minutes))[0]
                if "full panel" in text:
                    edited = entry
        if edited is not None:
            meetings.update_entry(
                edited.entry_id, with_fields(edited, text=edited.fields.text.replace("most", "nearly all"))
            )
        meetings.save_draft(eid, "@Sofia Marchetti: in our centre the tumour board decides on re-chall")
        return eid
    finally:
        app.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    event_id = seed(args.data_dir)
    qt_app = QApplication(sys.argv[:1])
    apply_theme(qt_app)  # the application's look, as msldesk.ui.app gives it
    window, context = build_window(args.data_dir, seed_demo=False)
    window.resize(1400, 880)
    clamp_to_screen(window)
    window.show()
    typing_out = args.out.with_name(f"{args.out.stem}-typing{args.out.suffix}")

    def when(ready: Callable[[], bool], then: Callable[[], None]) -> None:
        if ready():
            then()
        else:
            QTimer.singleShot(50, lambda: when(ready, then))

    def open_meeting() -> None:
        boards = window.boards
        window.show_section(boards)
        boards.show_period("all")

        def select() -> None:
            boards.select_event(event_id)
            boards.open_meeting()
            meeting = boards.meetings.window_for(event_id)
            assert meeting is not None
            meeting.move(0, 0)
            meeting.resize(1400, 880)
            clamp_to_screen(meeting)
            when(lambda: meeting.bundle is not None, lambda: QTimer.singleShot(1200, lambda: shoot(meeting)))

        when(lambda: boards.model.row_of(event_id) >= 0, select)

    def shoot(meeting: object) -> None:
        save_shot(args.out, meeting)  # type: ignore[arg-type]
        field = meeting.field  # type: ignore[attr-defined]
        field.setFocus()
        field.clear()
        QTest.keyClick(field, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(field, "@")

        def typing_shot() -> None:
            save_shot(typing_out, meeting, whole_screen=True)  # type: ignore[arg-type]
            meeting.close()  # type: ignore[attr-defined]
            QTimer.singleShot(300, window.close)

        QTimer.singleShot(600, typing_shot)

    context.ready.connect(lambda: QTimer.singleShot(300, open_meeting))
    context.start()
    return qt_app.exec()


if __name__ == "__main__":
    sys.exit(main())
