"""Start the real main window on a library folder and save a screenshot (to look at the UI).

Usage: xvfb-run -a python scripts/screenshot.py --data-dir DIR --out shot.png [--search TEXT] [--wait-ms N]
       [--section library|boards|people] [--event ID] [--board-tab N] [--demo-event]

--demo-event adds a sample advisory board (people, agenda, attendees) to the library first, unless it
already has events; --event opens that event in Boards (default: the first in the list).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from msldesk.ui.app import build_window

SECTIONS = ("library", "boards", "people")


def seed_demo_event(data_dir: Path) -> None:
    """A populated advisory board: directory people, an agenda that overruns, mixed attendance."""
    from msldesk.app import App
    from msldesk.boards.records import (
        AgendaItemFields,
        AgendaKind,
        AttendanceFields,
        AttendeeRole,
        EventFields,
        EventKind,
        EventStatus,
        Invitation,
        PersonFields,
    )

    app = App(data_dir)
    try:
        if app.events.list_events("all"):
            return
        people = [
            PersonFields("Amelia", "Hart", "MD", "Medical Oncology", "Charité Berlin", "Berlin", tier="1"),
            PersonFields("Jonas", "Keller", "MD, PhD", "Hematology", "LMU Klinikum", "Munich", tier="2"),
            PersonFields("Sofia", "Marchetti", "PharmD", "Oncology Pharmacy", "Policlinico Gemelli", "Rome"),
            PersonFields("Daniel", "Okafor", "MD", "Radiation Oncology", "UCLH", "London", tier="2"),
            PersonFields("Lena", "Vogel", "", "Medical Affairs", "Company", "Berlin"),
            PersonFields(
                "Marta", "Nowak", "MD", "Medical Oncology", "Warsaw Oncology Centre", "Warsaw", tier="3"
            ),
        ]
        ids = [app.people.add(p)[0].person_id for p in people]
        day = dt.date.today() + dt.timedelta(days=12)
        event, _ = app.events.create(
            EventFields(
                kind=EventKind.ADVISORY_BOARD,
                title="EU oncology advisory board — 2L NSCLC",
                objectives="Understand treatment sequencing after progression on first-line immunotherapy.",
                key_questions="Which patients are re-challenged?\nWhat evidence would change practice?",
                therapeutic_area="Oncology",
                product="Examplinib",
                starts_at=dt.datetime.combine(day, dt.time(9)),
                ends_at=dt.datetime.combine(day, dt.time(13)),
                timezone="Europe/Berlin",
                venue="Hotel Adlon, Berlin",
                status=EventStatus.CONFIRMED,
                currency="EUR",
                budget_estimated=Decimal("45000"),
                budget_committed=Decimal("30000"),
            )
        )
        eid = event.event_id
        attendance = [
            (AttendeeRole.CHAIR, Invitation.ACCEPTED, True, True, "6", "6500"),
            (AttendeeRole.ADVISOR, Invitation.ACCEPTED, True, False, "4", ""),
            (AttendeeRole.ADVISOR, Invitation.TENTATIVE, False, False, "4", ""),
            (AttendeeRole.ADVISOR, Invitation.ACCEPTED, False, True, "4", ""),
            (AttendeeRole.INTERNAL, Invitation.ACCEPTED, False, False, "0", ""),
            (AttendeeRole.ADVISOR, Invitation.DECLINED, False, False, "0", ""),
        ]
        for person_id, (role, invitation, contract, coi, hours, amount) in zip(ids, attendance, strict=True):
            app.events.add_attendee(
                eid,
                person_id,
                AttendanceFields(
                    role=role,
                    invitation=invitation,
                    contract_signed=contract,
                    coi_disclosed=coi,
                    honorarium_hours=Decimal(hours),
                    honorarium_amount=Decimal(amount or "0"),
                    currency="EUR",
                    travel_amount=Decimal("450") if invitation is Invitation.ACCEPTED else Decimal("0"),
                ),
            )
        agenda = [
            ("Welcome and objectives", 15, AgendaKind.PRESENTATION, ids[0]),
            ("Current treatment landscape", 45, AgendaKind.PRESENTATION, ids[1]),
            ("Coffee", 15, AgendaKind.BREAK, None),
            ("Case discussion: re-challenge", 60, AgendaKind.DISCUSSION, ids[3]),
            ("Breakout: evidence gaps", 90, AgendaKind.BREAKOUT, None),
            ("Summary and next steps", 30, AgendaKind.DISCUSSION, ids[0]),
        ]
        for title, minutes, kind, presenter in agenda:
            questions = "What would you need to see?" if kind is AgendaKind.DISCUSSION else ""
            app.events.add_agenda_item(eid, AgendaItemFields(title, minutes, kind, presenter, questions))
        app.events.set_checklist(eid, "venue", True)
    finally:
        app.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--search", default="")
    parser.add_argument("--deck-row", type=int, default=-1)
    parser.add_argument("--select", type=int, default=-1, help="grid row to select")
    parser.add_argument("--tab", type=int, default=0)
    parser.add_argument("--tray", default="", help="grid rows to put in the deck builder, e.g. 0,3,9")
    parser.add_argument("--section", choices=SECTIONS, default="library")
    parser.add_argument("--event", type=int, default=-1, help="event id to open in Boards")
    parser.add_argument(
        "--board-tab", type=int, default=0, help="event editor tab (0 overview .. 3 checklist)"
    )
    parser.add_argument("--demo-event", action="store_true", help="add a sample event first")
    parser.add_argument("--wait-ms", type=int, default=3000)
    args = parser.parse_args()
    if args.demo_event:
        seed_demo_event(args.data_dir)
    app = QApplication(sys.argv[:1])
    window, context = build_window(args.data_dir)
    window.resize(1500, 900)
    window.show()
    context.start()

    def act() -> None:
        view = window.library
        if args.deck_row >= 0:
            view.deck_list.setCurrentIndex(view.deck_model.index(args.deck_row))
        if args.search:
            view.search.setText(args.search)
        view.side_tabs.setCurrentIndex(args.tab)
        section = {"library": window.library, "boards": window.boards, "people": window.people}[args.section]
        window.show_section(section)

    def select() -> None:
        view = window.library
        if args.select >= 0:
            view.grid.setCurrentIndex(view.grid_model.index(args.select))
        if args.tray:
            rows = [int(r) for r in args.tray.split(",")]
            view.builder.add_slides([c.slide_id for r in rows if (c := view.grid_model.card(r))])
        if args.section == "boards":
            boards = window.boards
            if args.event >= 0:
                if not boards.select_event(args.event):
                    boards.editor.open_event(args.event)
            elif boards.proxy.rowCount():
                boards.list.setCurrentIndex(boards.proxy.index(0, 0))
            boards.editor.tabs.setCurrentIndex(args.board_tab)

    def shoot() -> None:
        window.grab().save(str(args.out))
        window.close()

    context.ready.connect(lambda: QTimer.singleShot(500, act))
    context.ready.connect(lambda: QTimer.singleShot(1200, select))
    context.ready.connect(lambda: QTimer.singleShot(args.wait_ms, shoot))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
