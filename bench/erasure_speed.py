"""Erasure figures: erasing one person from a library whose notes and audit trail are large, and
making that erasure again after restoring a backup from before it.

No fixed target (issue 11 names none); the baseline in the same run is a plain case-insensitive
substring scan of the same texts for the same name (what any search for the name pays at least),
so the ratio says what matching every spelling costs on top of it.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
from pathlib import Path

from _common import REPO_ROOT, header, median, parser, progress, runs_text, temp_dir

sys.path.insert(0, str(REPO_ROOT))
SEED = 20261204
WORDS = (  # noqa: SIM905 - a word list reads best as one string
    "the patient said dosing must follow eGFR and the renal outcome was unclear according to "
    "Dr Smith naïve crème São Paulo follow-up registry cohort biomarker 李 小 会议"
).split()


def _library(root: Path, entries: int) -> tuple[object, int]:
    from msldesk.app.services import App
    from msldesk.boards.records import AttendanceFields, EventFields, Invitation, PersonFields

    app = App(root, encryption=False)
    rng = random.Random(SEED)
    jose = app.people.add(PersonFields("José", "Müller-Ñúñez", email="jose.mn@example.org"))[0].person_id
    event = app.events.create(EventFields(title="Renal board with JOSE MULLER-NUNEZ"))[0].event_id
    app.events.add_attendee(event, jose, AttendanceFields(invitation=Invitation.INVITED))
    for n in range(entries):
        text = " ".join(rng.choice(WORDS) for _ in range(30))
        if n % 50 == 0:
            text += " — ask Jose Muller-Nunez"
        app.meetings.add_entry(event, text)
    return app, jose


def main() -> None:
    p = parser(__doc__.splitlines()[0], runs=3)
    p.add_argument("--entries", type=int, default=2000, help="note entries (default: %(default)s)")
    args = p.parse_args()
    os.environ.pop("MSLDESK_PASSPHRASE", None)
    header("Erasure: every spelling of a name, and again after a restore")
    print(f"runs: {args.runs} (a fresh library each); figures are medians")
    erase_s, restore_s, scan_s, chars = [], [], [], 0
    for run in range(args.runs):
        folder = temp_dir("erasure")
        try:
            progress(f"run {run + 1}: building a library with {args.entries} notes")
            app, jose = _library(folder / "lib", args.entries)
            from sqlalchemy import text

            with app.engine.connect() as connection:  # type: ignore[attr-defined]
                texts = [
                    r[0]
                    for r in connection.execute(
                        text("SELECT text FROM note_entries UNION ALL SELECT after_json FROM audit_log")
                    )
                ]
            chars = sum(len(t) for t in texts)
            start = time.perf_counter()
            sum("muller-nunez" in t.casefold() for t in texts)
            scan_s.append(time.perf_counter() - start)
            backup = app.backups.create(folder / "before.msldesk-backup")  # type: ignore[attr-defined]
            start = time.perf_counter()
            app.privacy.erase_person(jose, "request")  # type: ignore[attr-defined]
            erase_s.append(time.perf_counter() - start)
            result = app.backups.restore(backup.path, safety_backup=False)  # type: ignore[attr-defined]
            assert result.erasures_reapplied == 1
            start = time.perf_counter()
            assert app.privacy.reapply_erasures() == 0  # type: ignore[attr-defined]
            nothing_to_do = time.perf_counter() - start
            # The restore's own share: make the erasure again on a fresh restore, timed alone.
            app.backups.after_restore = None  # type: ignore[attr-defined]
            app.backups.restore(backup.path, safety_backup=False)  # type: ignore[attr-defined]
            start = time.perf_counter()
            assert app.privacy.reapply_erasures() == 1  # type: ignore[attr-defined]
            restore_s.append(time.perf_counter() - start)
            app.close()  # type: ignore[attr-defined]
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"library: {args.entries} note entries, {chars / 1e6:.2f} MB of note text and audit content")
    print(f"erase_person (plan, every free text, audit content, ledger): {median(erase_s):.2f} s "
          f"{runs_text(erase_s, '{:.2f}')}")  # fmt: skip
    print(f"erasure made again after a restore: {median(restore_s):.2f} s {runs_text(restore_s, '{:.2f}')}")
    print(f"start-up check with nothing to make again: {nothing_to_do * 1000:.1f} ms")
    print(f"baseline, casefolded substring scan of the same texts: {median(scan_s) * 1000:.1f} ms")
    print(f"ratio erase / baseline: {median(erase_s) / median(scan_s):.0f}x")


if __name__ == "__main__":
    main()
