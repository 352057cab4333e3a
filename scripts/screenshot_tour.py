"""The screenshot tour: every view and dialog, shot by the screenshot scripts at one or more scale
factors under Xvfb, to look at after a change (`python scripts/screenshot.py --all --out DIR`).

Each shot runs in its own process on a fresh copy of one demo library (generated decks with their
thumbnails, the demo boards and a board whose agenda overruns, with notes to review), with its own
empty Qt settings, so no shot sees another's changes and nothing of the user's is read or written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from screenshot import OFF_SCREEN, seed_demo_event

SCRIPTS = Path(__file__).resolve().parent
SHOT_TIMEOUT_S = 180


@dataclass(frozen=True)
class Shot:
    name: str  # the PNG written (a folder, for screenshot_people.py, which writes several)
    args: tuple[str, ...] = ()
    script: str = "screenshot.py"
    demo: bool = True  # on a copy of the demo library; False: an empty folder the script fills
    plain: bool = True  # an unencrypted library; the protect shots lock theirs with a passphrase


BOARD = ("--section", "boards", "--demo-event", "--demo-notes")
NEW_EVENT = ("--section", "boards", "--new-event")

SHOTS = (
    # Library: the deck list, the grid and its slider, search, deck details, removal, the builder.
    Shot("library.png", ("--select", "1")),
    Shot("library-deck-tooltip.png", ("--deck-tooltip", "1")),
    Shot("library-grid-small.png", ("--zoom", "120")),
    Shot("library-grid-large.png", ("--zoom", "320", "--select", "0")),
    Shot("library-search-none.png", ("--search", "burden")),  # only in the expired deck: the offer
    Shot("library-search.png", ("--search", "week")),
    Shot("library-deck-details.png", ("--deck-row", "1", "--tab", "1")),
    Shot("library-same-title.png", ("--same-title", "--deck-row", "2", "--deck-tooltip", "2")),
    Shot("library-remove-deck.png", ("--deck-row", "1", "--confirm-remove")),
    Shot("builder.png", ("--tray", "0,3,9")),
    Shot("builder-reason.png", ("--tray", "0,3,9", "--ask-reason")),
    Shot("builder-export-banner.png", ("--tray", "0,3,9", "--export-deck", "--wait-ms", "6000")),
    # Boards: a board with everything filled in, each tab; a new event's draft and empty tabs.
    Shot("boards-overview.png", (*BOARD, "--board-tab", "0")),
    Shot("boards-agenda-overrun.png", (*BOARD, "--board-tab", "1")),
    Shot("boards-attendees.png", (*BOARD, "--board-tab", "2")),
    Shot("boards-budget.png", (*BOARD, "--board-tab", "3")),
    Shot("boards-review.png", (*BOARD, "--board-tab", "4")),
    Shot("boards-review-by-agenda.png", (*BOARD, "--board-tab", "4", "--review-by", "agenda")),
    Shot("boards-new-event.png", NEW_EVENT),
    Shot("boards-empty-agenda.png", (*NEW_EVENT, "--save-new", "--board-tab", "1")),
    Shot("boards-empty-attendees.png", (*NEW_EVENT, "--save-new", "--board-tab", "2")),
    # Help sheets.
    Shot("help-shortcuts.png", ("--help-sheet", "shortcuts")),
    Shot("help-markers.png", ("--help-sheet", "markers")),
    # People, duplicates (found and none), every import wizard page.
    Shot("people", script="screenshot_people.py", demo=False),
    # Meeting mode, and the names "@" offers while typing.
    Shot("meeting.png", script="screenshot_meeting.py", demo=False),
    # Protecting the library: passphrase, history, backups, erasure.
    *(
        Shot(f"protect-{what}.png", ("--what", what), "screenshot_protect.py", demo=False, plain=False)
        for what in ("passphrase-new", "passphrase-retry", "locked", "history-event", "backup-lock", "erase")
    ),
)


def prepare_library(folder: Path) -> None:
    """The demo library a new user gets, its thumbnails rendered, plus the tour's overrunning board."""
    from msldesk.app.services import App

    app = App(folder)
    try:
        app.seed_demo_content()
        if app.decks.can_render_thumbnails:
            app.decks.render_thumbnails()
        else:
            print("LibreOffice was not found: the slides are shot without thumbnails")
    finally:
        app.close()
    seed_demo_event(folder, notes=True)


def run_shot(
    shot: Shot, out: Path, work: Path, library: Path, env: dict[str, str], xvfb: list[str]
) -> list[str]:
    """Run one shot's script; returns what went wrong, and the shots whose window was off the screen."""
    data = work / "library"
    if shot.demo:
        shutil.copytree(library, data)
    target = (
        ["--out-dir", str(out / shot.name)]
        if shot.script == "screenshot_people.py"
        else ["--out", str(out / shot.name)]
    )
    command = [
        *xvfb,
        sys.executable,
        str(SCRIPTS / shot.script),
        "--data-dir",
        str(data),
        *target,
        *shot.args,
    ]
    shot_env = dict(env, XDG_CONFIG_HOME=str(work / "config"))  # Qt settings: none, and never the user's
    if not shot.plain:
        shot_env.pop("MSLDESK_ENCRYPTION", None)
    try:
        done = subprocess.run(command, env=shot_env, capture_output=True, text=True, timeout=SHOT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return [f"FAILED {shot.name}: no answer after {SHOT_TIMEOUT_S} s"]
    sys.stdout.write(done.stdout)
    problems = [line for line in done.stdout.splitlines() if line.startswith(OFF_SCREEN)]
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or [""]
        problems.append(f"FAILED {shot.name}: exit code {done.returncode}: {last[0]}")
    elif not (out / shot.name).exists():
        problems.append(f"FAILED {shot.name}: nothing was saved")
    return problems


def run_tour(out: Path, scales: str, screen: str, use_display: bool) -> int:
    """Every shot at every scale factor into OUT/x<scale>/; prints what did not fit or failed."""
    xvfb = [] if use_display else ["xvfb-run", "-a", "-s", f"-screen 0 {screen}x24"]
    if xvfb and shutil.which("xvfb-run") is None:
        print("xvfb-run was not found (Debian: apt-get install xvfb), or pass --display", file=sys.stderr)
        return 2
    # Plain libraries, no keyring (the protect shots ask for a passphrase), this checkout's code.
    env = dict(
        os.environ,
        MSLDESK_ENCRYPTION="off",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=os.pathsep.join(p for p in (str(SCRIPTS.parent), os.environ.get("PYTHONPATH")) if p),
    )
    os.environ.update(env)
    problems: list[str] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="msldesk-tour-") as temp:
        library = Path(temp) / "demo-library"
        prepare_library(library)
        for scale in scales.split(","):
            folder = out / f"x{scale}"
            folder.mkdir(parents=True, exist_ok=True)
            scale_env = dict(env, QT_SCALE_FACTOR=scale)
            for number, shot in enumerate(SHOTS):
                work = Path(temp) / f"x{scale}-{number}"
                work.mkdir()
                print(f"[x{scale} {number + 1}/{len(SHOTS)}] {shot.name}", flush=True)
                found = run_shot(shot, folder, work, library, scale_env, xvfb)
                problems += [f"x{scale}: {line}" for line in found]
                shutil.rmtree(work, ignore_errors=True)
    print(f"\nTour done in {time.monotonic() - started:.0f} s: {out}")
    print("\n".join(problems) or "Every shot's window fitted its screen.")
    return 1 if any("FAILED" in p for p in problems) else 0
