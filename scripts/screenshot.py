"""Start the real main window on a library folder and save a screenshot (to look at the UI).

Whole tour (every view and dialog, each shot on a fresh copy of one demo library, under Xvfb):
       python scripts/screenshot.py --all --out DIR [--scale 1,1.5,2] [--screen 1920x1200] [--display]
It prints the PNGs it wrote and, at the end, every shot whose window did not fit the screen.

One shot:
Usage: xvfb-run -a python scripts/screenshot.py --data-dir DIR --out shot.png [--search TEXT] [--wait-ms N]
       [--section library|boards|people] [--event ID] [--board-tab N] [--demo-event] [--demo-notes]
       [--tray 0,3,9 [--export-deck | --ask-reason]] [--help-sheet shortcuts|markers]
       [--new-event [--save-new]] [--zoom WIDTH] [--same-title] [--deck-tooltip ROW] [--confirm-remove]
High DPI: run with QT_SCALE_FACTOR=1.5 or 2 (the window is clamped to the screen as the app does).

Library tour: --zoom sets the grid's thumbnail width (120-320, as the slider does); --same-title gives
the second deck the first one's title (to see them told apart); --deck-tooltip hovers a deck row;
--confirm-remove selects --deck-row and opens Deck › Remove from library…; --ask-reason exports the
tray, which asks why a withdrawn slide is used (the shot is taken while it asks; it is then cancelled,
nothing is removed or written). Tooltips and questions are separate windows: these shots grab the
whole screen, so run them under Xvfb.

--demo-event adds a sample advisory board (people, agenda that overruns, attendees with travel) to the
library first, once, and opens it in Boards unless --event names another; --demo-notes gives it meeting
notes too (themes, quotes, a flagged entry waiting for review, an executive summary).
--new-event shows the New event draft (nothing saved); with --save-new it is saved and --board-tab of
the new, empty event is shown (its empty agenda and attendee list).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from msldesk.ui.app import build_window
from msldesk.ui.help_sheets import MARKERS, SHORTCUTS
from msldesk.ui.main_window import MainWindow
from msldesk.ui.theme import apply_theme
from msldesk.ui.widgets.geometry import clamp_to_screen

SECTIONS = ("library", "boards", "people")
DEMO_TITLE = "EU oncology advisory board — 2L NSCLC"
OFF_SCREEN = "OFF SCREEN"  # starts the line that says a shot's window did not fit the screen


def seed_demo_notes(app: object, event_id: int, person_ids: list[int]) -> None:
    """Notes as an MSL types them during the board, through the meeting service (markers and all)."""
    from msldesk.boards.records import EntryKind

    meetings, events = app.meetings, app.events  # type: ignore[attr-defined]
    meetings.set_themes(event_id, ["Sequencing", "Re-challenge", "Evidence gaps", "Access"])
    agenda = events.agenda(event_id)
    start = events.get(event_id).fields.starts_at.astimezone(dt.UTC)
    hart, keller, okafor, marchetti = person_ids[0], person_ids[1], person_ids[3], person_ids[2]
    notes = [
        (3, 0, "Chair framed the day around sequencing after IO progression", {}),
        (21, 1, "! Most centres switch to docetaxel-based regimens; few re-challenge #Sequencing",
         {"speaker_id": keller}),
        (29, 1, '"We have no biomarker that tells us who benefits from a second IO course"',
         {"speaker_id": keller, "themes": ["Re-challenge"]}),
        (35, 1, "! Real-world data from registries matter more to payers than the trial #Access",
         {"speaker_id": marchetti}),
        (81, 3, "! Re-challenge only after a treatment-free interval of 12+ months #Re-challenge #Sequencing",
         {"speaker_id": okafor}),
        (88, 3, "! Long treatment-free interval is the one signal people trust #Re-challenge",
         {"speaker_id": hart}),
        (94, 3, "Said the combination is superior to anything on the market #Sequencing",
         {"speaker_id": okafor}),
        (102, 3, "? Would a prospective re-challenge cohort be feasible in Germany? #Evidence gaps", {}),
        (130, 4, "! No data on re-challenge in patients over 75 #Evidence gaps", {"speaker_id": hart}),
        (141, 4, "Breakout asked for off-label dosing experience #Evidence gaps", {}),
        (152, 4, "> circulate the registry protocol draft @Lena Vogel due:+14d", {}),
        (171, 5, "> set up follow-up call on the cohort idea due:+30d", {"kind": EntryKind.ACTION}),
    ]  # fmt: skip
    ids = []
    for minutes, position, text, extra in notes:
        entry, _ = meetings.add_entry(
            event_id, text, agenda_item_id=agenda[position].item_id,
            when=start + dt.timedelta(minutes=minutes), **extra,
        )  # fmt: skip
        ids.append(entry.entry_id)
    meetings.set_key(ids[1])
    meetings.set_key(ids[4])
    meetings.review_flag(ids[9], acceptable=False)  # "off-label" reviewed and kept out; "superior to" waits
    meetings.set_executive_summary(
        event_id,
        "Advisors agree that a long treatment-free interval is the only accepted signal for IO "
        "re-challenge; evidence in older patients is missing. A registry-based cohort is the next step.",
    )


def seed_demo_event(data_dir: Path, notes: bool = False) -> int:
    """A populated advisory board: directory people, an agenda that overruns, mixed attendance.
    Added once (found again by its title); returns its id."""
    from msldesk.app.services import App
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
        for existing in app.events.list_events("all"):
            if existing.title == DEMO_TITLE:
                return existing.event_id
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
                title=DEMO_TITLE,
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
        if notes:
            seed_demo_notes(app, eid, ids)
        return eid
    finally:
        app.close()


def save_shot(out: Path, widget: QWidget, whole_screen: bool = False) -> None:
    """Save `widget` (or the whole screen, for tooltips and questions) and print the file's name. A
    widget's grab shows all of it even where its window runs off the screen, so say so: that is
    what a user would find cut off (the tour collects these lines)."""
    window = widget.window()
    frame, area = window.frameGeometry(), window.screen().availableGeometry()
    image = QApplication.primaryScreen().grabWindow(0) if whole_screen else widget.grab()
    image.save(str(out))
    print(out)
    if not area.contains(frame):
        least = window.minimumSizeHint()
        print(
            f"{OFF_SCREEN} {out.name}: {type(window).__name__} {frame.width()}x{frame.height()}"
            f"{frame.x():+d}{frame.y():+d} (at least {least.width()}x{least.height()}) on a screen"
            f" of {area.width()}x{area.height()}"
        )


def same_title(data_dir: Path) -> None:
    """Two decks with one title, as when a deck is imported again under another file name."""
    from msldesk.app.services import App
    from msldesk.decks.records import DeckUpdate

    app = App(data_dir)
    try:
        decks = app.decks.list_decks()
        if len(decks) >= 2 and decks[0].title != decks[1].title:
            app.decks.update_deck(decks[1].deck_id, DeckUpdate(title=decks[0].title))
    finally:
        app.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--search", default="")
    parser.add_argument("--deck-row", type=int, default=-1)
    parser.add_argument("--select", type=int, default=-1, help="grid row to select")
    parser.add_argument("--tab", type=int, default=0)
    parser.add_argument("--tray", default="", help="grid rows to put in the deck builder, e.g. 0,3,9")
    parser.add_argument("--section", choices=SECTIONS, default="library")
    parser.add_argument("--event", type=int, default=-1, help="event id to open in Boards")
    parser.add_argument(
        "--board-tab", type=int, default=0, help="event editor tab (0 overview .. 3 checklist, 4 notes)"
    )
    parser.add_argument("--demo-event", action="store_true", help="add a sample event first")
    parser.add_argument("--demo-notes", action="store_true", help="with --demo-event: add meeting notes")
    parser.add_argument(
        "--review-by", choices=("theme", "agenda"), default="theme", help="notes tab grouping"
    )
    parser.add_argument("--review-entry", type=int, default=-1, help="notes tab: entry id to select")
    parser.add_argument(
        "--export-deck",
        action="store_true",
        help="with --tray: export it next to the library (shows the banner)",
    )
    parser.add_argument("--help-sheet", choices=("shortcuts", "markers"), help="shoot Help's sheet instead")
    parser.add_argument("--new-event", action="store_true", help="Boards: show a New event draft")
    parser.add_argument("--save-new", action="store_true", help="with --new-event: save it, show --board-tab")
    parser.add_argument("--wait-ms", type=int, default=3000)
    parser.add_argument("--zoom", type=int, default=0, help="grid thumbnail width in pixels")
    parser.add_argument("--same-title", action="store_true", help="give deck 2 the title of deck 1")
    parser.add_argument("--deck-tooltip", type=int, default=-1, help="deck list row to hover")
    parser.add_argument("--confirm-remove", action="store_true", help="ask to remove --deck-row")
    parser.add_argument(
        "--ask-reason",
        action="store_true",
        help="with --tray: export; shoot the question why a withdrawn slide is used",
    )
    parser.add_argument(
        "--all", action="store_true", help="the whole tour, every view and dialog, to --out DIR"
    )
    parser.add_argument("--scale", default="1", help="with --all: QT_SCALE_FACTOR, or several: 1,1.5,2")
    parser.add_argument("--screen", default="1920x1200", help="with --all: the Xvfb screen, in device pixels")
    parser.add_argument("--display", action="store_true", help="with --all: use $DISPLAY, not xvfb-run")
    return parser


def main() -> int:
    parser = _parser()
    args = parser.parse_args()
    if args.all:
        from screenshot_tour import run_tour

        return run_tour(args.out, args.scale, args.screen, args.display)
    if args.data_dir is None:
        parser.error("--data-dir is required (except with --all)")
    if args.same_title:
        same_title(args.data_dir)
    if args.demo_event:
        event_id = seed_demo_event(args.data_dir, notes=args.demo_notes)
        args.event = event_id if args.event < 0 else args.event
    app = QApplication(sys.argv[:1])
    apply_theme(app)  # the application's look, as msldesk.ui.app gives it
    window, context = build_window(args.data_dir)
    window.resize(1500, 900)
    clamp_to_screen(window)
    window.show()
    context.start()
    one = _OneShot(args, window)
    context.ready.connect(lambda: QTimer.singleShot(500, one.act))
    context.ready.connect(lambda: QTimer.singleShot(1200, one.select))
    context.ready.connect(lambda: QTimer.singleShot(args.wait_ms - 600, one.library_tour))
    if one.asks:
        context.ready.connect(lambda: QTimer.singleShot(args.wait_ms + 1500, one.close))
    else:
        context.ready.connect(lambda: QTimer.singleShot(args.wait_ms, one.shoot))
    return app.exec()


class _OneShot:
    """The steps of one shot, run from timers once the library is open."""

    def __init__(self, args: argparse.Namespace, window: MainWindow) -> None:
        self.args, self.window = args, window
        self.asks = args.confirm_remove or args.ask_reason  # the shot is of a question, while it is asked
        self.whole_screen = args.deck_tooltip >= 0 or self.asks
        self.taken = False

    def act(self) -> None:
        args, window = self.args, self.window
        view = window.library
        if args.deck_row >= 0:
            view.deck_list.setCurrentIndex(view.deck_model.index(args.deck_row))
        if args.search:
            view.search.setText(args.search)
        view.side_tabs.setCurrentIndex(args.tab)
        section = {"library": window.library, "boards": window.boards, "people": window.people}[args.section]
        window.show_section(section)

    def select(self) -> None:
        args, window = self.args, self.window
        view = window.library
        if args.select >= 0:
            view.grid.setCurrentIndex(view.grid_model.index(args.select))
        if args.tray:
            rows = [int(r) for r in args.tray.split(",")]
            view.builder.add_slides([c.slide_id for r in rows if (c := view.grid_model.card(r))])
            if args.export_deck:
                out = args.data_dir.parent / "screenshot-export.pptx"
                view.builder.ask_output_path = lambda: out  # type: ignore[method-assign]
                view.builder.ask_override_reason = lambda _d: "Screenshot"  # type: ignore[method-assign]
                QTimer.singleShot(800, view.builder.export)
        if args.help_sheet:
            window.show_help(SHORTCUTS if args.help_sheet == "shortcuts" else MARKERS)
        if args.section == "boards":
            self.select_board()

    def select_board(self) -> None:
        args, boards = self.args, self.window.boards
        if args.new_event:
            boards.new_event()
            if args.save_new:
                boards.editor.form.title.setText("Empty board (screenshot)")
                boards.save()
                QTimer.singleShot(1000, lambda: boards.editor.tabs.setCurrentIndex(args.board_tab))
            return
        if args.event >= 0:
            if not boards.select_event(args.event):
                boards.editor.open_event(args.event)
        elif boards.proxy.rowCount():
            boards.list.setCurrentIndex(boards.proxy.index(0, 0))
        boards.editor.tabs.setCurrentIndex(args.board_tab)
        QTimer.singleShot(1200, self.review)

    def library_tour(self) -> None:
        args = self.args
        view = self.window.library
        if args.ask_reason:
            view.builder.ask_output_path = lambda: args.data_dir.parent / "never-written.pptx"  # type: ignore[method-assign]
            # No reason given: the export stops, nothing is written.
            QTimer.singleShot(800, self.shoot)
            QTimer.singleShot(1000, self.cancel_dialog)
            view.builder.export()
        if args.zoom:
            view.zoom.setValue(args.zoom)
        if args.deck_tooltip >= 0:
            index = view.deck_model.index(args.deck_tooltip)
            rect = view.deck_list.visualRect(index)
            spot = view.deck_list.viewport().mapToGlobal(rect.center())
            QToolTip.showText(spot, index.data(Qt.ItemDataRole.ToolTipRole), view.deck_list, rect)
        if args.confirm_remove:
            # The question is modal: the shot and the cancel run from timers inside its event loop.
            QTimer.singleShot(800, self.shoot)
            QTimer.singleShot(1000, self.cancel_dialog)
            view.remove_selected_deck()

    @staticmethod
    def cancel_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            dialog.reject()

    def review(self) -> None:
        panel = self.window.boards.editor.review
        panel.set_grouping(self.args.review_by)
        if self.args.review_entry >= 0:
            panel._select([self.args.review_entry])

    def shoot(self) -> None:
        if self.taken:
            return
        self.taken = True
        shown = QApplication.activeModalWidget() if self.asks else None
        shown = shown or (self.window.help_sheets if self.args.help_sheet else self.window)
        save_shot(self.args.out, shown, self.whole_screen)
        if not self.asks:
            self.close()

    def close(self) -> None:
        self.window.boards.editor.ask_discard_draft = lambda _title: "discard"  # type: ignore[method-assign]
        self.window.close()


if __name__ == "__main__":
    sys.exit(main())
