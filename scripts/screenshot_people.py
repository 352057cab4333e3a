"""Screenshots of the People section, its duplicates dialog and the import wizard (to look at the UI).

Usage: xvfb-run -a python scripts/screenshot_people.py --data-dir DIR --out-dir DIR [--file PEOPLE_FILE]

A library without people gets a small sample directory first (with one person entered twice). The
wizard reads --file (typed into its path field, as a user pastes one), or a sample CSV with a column
no guess can map, and imports it. Writes people.png, duplicates.png, duplicates_none.png (a search
that finds nobody), wizard_file.png, wizard_mapping.png, wizard_check.png (each list: _added,
_updated, _skipped, _errors) and wizard_summary.png to --out-dir. Window state is not saved (no
QSettings).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from screenshot import save_shot

from msldesk.ui.widgets.geometry import clamp_to_screen

SAMPLE = [
    ("Amelia", "Hart", "MD", "Medical Oncology", "Charité Berlin", "Berlin", "", "Germany", "1", True),
    ("Jonas", "Keller", "MD, PhD", "Hematology", "LMU Klinikum", "Munich", "", "Germany", "2", True),
    (
        "Sofia",
        "Marchetti",
        "PharmD",
        "Oncology Pharmacy",
        "Policlinico Gemelli",
        "Rome",
        "",
        "Italy",
        "",
        None,
    ),
    ("Daniel", "Okafor", "MD", "Radiation Oncology", "UCLH", "London", "", "UK", "2", False),
    ("Priya", "Raman", "MD", "Rheumatology", "Mayo Clinic", "Rochester", "MN", "USA", "1", True),
    ("Priya", "Raman", "", "Rheumatology", "Mayo Clinic", "", "", "", "", None),
    ("Marta", "Nowak", "MD", "Medical Oncology", "Warsaw Oncology Centre", "Warsaw", "", "Poland", "3", None),
    ("Carlos", "Mendes", "MD", "Nephrology", "Hospital de Santa Maria", "Lisbon", "", "Portugal", "", True),
]


def seed(data_dir: Path) -> None:
    from msldesk.app.services import App
    from msldesk.boards.records import PersonFields

    app = App(data_dir)
    try:
        if app.people.count():
            return
        for n, (first, last, cred, spec, inst, city, state, country, tier, consent) in enumerate(SAMPLE):
            email = f"{first}.{last}@example.org".lower() if n != 5 else ""
            npi = "1234567893" if last == "Raman" else ""
            app.people.add(
                PersonFields(
                    first, last, cred, spec, inst, city, state, country, email, "", npi, tier, "", consent
                )
            )
    finally:
        app.close()


def sample_csv(path: Path) -> Path:
    rows = [
        ["First name", "Last name", "Reachable at", "Clinic", "Rolle"],
        ["Anneliese", "Quarterman", "a.quarterman@north.example.org", "North Clinic", "Chair"],
        ["Benedikt", "Ravensworth", "not-an-email", "South Clinic", "Advisor"],
        ["Cordelia", "Sternberg", "c.sternberg@east.example.org", "East Clinic", "Advisor"],
        ["", "", "nobody@example.org", "West Clinic", ""],
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--file", type=Path, default=None)
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    seed(args.data_dir)
    source = args.file or sample_csv(args.out_dir / "sample people.csv")

    app = QApplication(sys.argv[:1])
    from msldesk.ui.context import AppContext
    from msldesk.ui.main_window import MainWindow
    from msldesk.ui.tasks import TaskRunner
    from msldesk.ui.theme import apply_theme

    apply_theme(app)  # the application's look, as msldesk.ui.app gives it

    runner = TaskRunner()
    context = AppContext(runner, args.data_dir)
    context.seed_demo = False
    window = MainWindow(context, None)
    runner.setParent(window)
    context.setParent(window)
    window.resize(1500, 860)
    clamp_to_screen(window)
    window.show()
    view = window.people

    def shoot(widget: QWidget, name: str) -> None:
        save_shot(args.out_dir / name, widget)

    steps: list[tuple[Callable[[], bool], Callable[[], None]]] = []

    def when(ready: Callable[[], bool], then: Callable[[], None]) -> None:
        steps.append((ready, then))

    def tick() -> None:
        if not steps:
            window.close()
            app.quit()
            return
        ready, then = steps[0]
        if ready() and runner.active == 0:
            steps.pop(0)
            then()
        QTimer.singleShot(150, tick)

    def people_shown() -> None:
        window.show_section(view)
        view.select_person(view.model.person(0).person_id)

    state: dict[str, object] = {}
    when(lambda: view.model.rowCount() > 0, people_shown)
    when(lambda: True, lambda: shoot(window, "people.png"))
    when(lambda: True, lambda: state.update(dialog=view.find_duplicates()))
    when(lambda: not state["dialog"].loading, lambda: shoot(state["dialog"], "duplicates.png"))  # type: ignore[attr-defined]

    def no_duplicates() -> None:
        from msldesk.ui.people.duplicates import DuplicatesDialog

        state["dialog"].close()  # type: ignore[attr-defined]
        state["dialog"] = DuplicatesDialog(context, [], window)  # what an empty search shows
        state["dialog"].show()  # type: ignore[attr-defined]

    when(lambda: True, no_duplicates)
    when(lambda: not state["dialog"].loading, lambda: shoot(state["dialog"], "duplicates_none.png"))  # type: ignore[attr-defined]

    def typed_path() -> None:
        state["dialog"].close()  # type: ignore[attr-defined]
        wizard = view.open_import_wizard()
        wizard.file_page.path_edit.setText(f'"{source}"')  # pasted with quotes, as "Copy as path" does
        wizard.load_typed_path()
        state["wizard"] = wizard

    when(lambda: True, typed_path)
    when(lambda: not state["wizard"].loading, lambda: shoot(state["wizard"], "wizard_file.png"))  # type: ignore[attr-defined]
    when(lambda: True, lambda: state["wizard"].next())  # type: ignore[attr-defined]
    when(lambda: not state["wizard"].loading, lambda: shoot(state["wizard"], "wizard_mapping.png"))  # type: ignore[attr-defined]
    when(lambda: True, lambda: state["wizard"].next())  # type: ignore[attr-defined]
    when(lambda: True, lambda: shoot(state["wizard"], "wizard_check.png"))
    for tab, name in enumerate(("added", "updated", "skipped", "errors")):
        when(lambda t=tab: True, lambda t=tab: state["wizard"].check_page.outcomes.setCurrentIndex(t))  # type: ignore[attr-defined]
        when(lambda: True, lambda n=name: shoot(state["wizard"], f"wizard_check_{n}.png"))
    when(lambda: True, lambda: state["wizard"].next())  # type: ignore[attr-defined]
    when(
        lambda: state["wizard"].import_result is not None,  # type: ignore[attr-defined]
        lambda: shoot(state["wizard"], "wizard_summary.png"),
    )
    when(lambda: True, lambda: state["wizard"].accept())  # type: ignore[attr-defined]

    context.start()
    QTimer.singleShot(300, tick)
    return app.exec()  # closing the window closes the library


if __name__ == "__main__":
    sys.exit(main())
