"""Start the real main window on a library folder and save a screenshot (to look at the UI).

Usage: xvfb-run -a python scripts/screenshot.py --data-dir DIR --out shot.png [--search TEXT] [--wait-ms N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from msldesk.ui.app import build_window


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--search", default="")
    parser.add_argument("--deck-row", type=int, default=-1)
    parser.add_argument("--select", type=int, default=-1, help="grid row to select")
    parser.add_argument("--tab", type=int, default=0)
    parser.add_argument("--tray", default="", help="grid rows to put in the deck builder, e.g. 0,3,9")
    parser.add_argument("--wait-ms", type=int, default=3000)
    args = parser.parse_args()
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

    def select() -> None:
        view = window.library
        if args.select >= 0:
            view.grid.setCurrentIndex(view.grid_model.index(args.select))
        if args.tray:
            rows = [int(r) for r in args.tray.split(",")]
            view.builder.add_slides([c.slide_id for r in rows if (c := view.grid_model.card(r))])

    def shoot() -> None:
        window.grab().save(str(args.out))
        window.close()

    context.ready.connect(lambda: QTimer.singleShot(500, act))
    context.ready.connect(lambda: QTimer.singleShot(1200, select))
    context.ready.connect(lambda: QTimer.singleShot(args.wait_ms, shoot))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
