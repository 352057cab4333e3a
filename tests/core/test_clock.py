"""The one time policy: zones, storage in UTC, and how times read."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import msldesk
from msldesk.core import clock
from msldesk.core.errors import InvalidInputError


def test_an_unknown_zone_is_refused_with_the_same_words_everywhere() -> None:
    with pytest.raises(InvalidInputError, match="“Mars/Olympus” is not a time zone msldesk knows"):
        clock.zone("Mars/Olympus")
    assert str(clock.zone("")) == "UTC"


def test_event_times_are_stored_in_utc_and_read_back_on_the_events_clock() -> None:
    berlin = clock.zone("Europe/Berlin")
    wall = dt.datetime(2027, 1, 18, 9, 0)  # naive: the event's own wall time
    stored = clock.to_utc(wall, berlin)
    assert stored == dt.datetime(2027, 1, 18, 8, 0)
    assert stored.tzinfo is None
    back = clock.from_utc(stored, berlin)
    assert back is not None
    assert back.replace(tzinfo=None) == wall
    assert back.utcoffset() == dt.timedelta(hours=1)
    assert clock.on_clock(wall, berlin).tzinfo is berlin


def test_times_read_the_way_people_write_them() -> None:
    assert clock.long_date(dt.date(2026, 3, 12)) == "Thursday 12 March 2026"
    assert clock.zone_abbreviation(dt.datetime(2027, 1, 18, 9, tzinfo=clock.zone("Europe/Berlin"))) == "CET"
    kolkata = dt.datetime(2027, 1, 18, 9, tzinfo=clock.zone("Asia/Kolkata"))
    assert clock.zone_abbreviation(kolkata) == "IST"
    dubai = dt.datetime(2027, 1, 18, 9, tzinfo=clock.zone("Asia/Dubai"))
    assert clock.zone_abbreviation(dubai) == "UTC+04:00"


def test_short_dates_are_unambiguous_and_english() -> None:
    day = dt.date(2027, 1, 4)
    assert clock.short_date(day) == "4 Jan 2027"
    assert clock.short_date(day, weekday=True) == "Mon 4 Jan 2027"
    assert clock.short_date(day, year=False) == "4 Jan"
    assert clock.short_weekday(day) == "Mon"


def test_day_and_month_names_come_only_from_the_clock_module() -> None:
    """strftime's %a, %A, %b and %B follow the process locale, which Qt sets from the system's:
    an English summary made on a German laptop said "Dez" (and meeting mode "04 Jan" beside the
    review's "4 Jan"). Names of days and months come from core.clock only."""
    package = Path(msldesk.__file__).parent
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        if path != package / "core" / "clock.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"%[aAbB]", line)
    ]
    assert found == []


@pytest.mark.skipif(
    shutil.which("localedef") is None or not Path("/usr/share/i18n/locales/de_DE").is_file(),
    reason="no locale sources to build a German locale from",
)
def test_dates_stay_english_under_a_german_locale(tmp_path: Path) -> None:
    built = subprocess.run(
        ["localedef", "-i", "de_DE", "-f", "UTF-8", str(tmp_path / "de_DE.UTF-8")],
        capture_output=True,
        timeout=120,
    )
    if built.returncode not in (0, 1):  # 1: warnings only
        pytest.skip(f"localedef could not build de_DE: {built.stderr[-300:]!r}")
    script = (
        "import datetime as dt, locale; locale.setlocale(locale.LC_ALL, '')\n"
        "from msldesk.boards.events.days import day_text\n"
        "from msldesk.core import clock\n"
        "day = dt.date(2026, 12, 5)\n"
        "print(f'{day:%a %b}|{clock.short_date(day, weekday=True)}|{day_text(day)}')\n"
    )
    env = {**os.environ, "LOCPATH": str(tmp_path), "LC_ALL": "de_DE.UTF-8"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60, check=True
    )
    german, ours, event_day = result.stdout.strip().split("|")
    assert german == "Sa Dez"  # the locale is in force: strftime says it in German
    assert (ours, event_day) == ("Sat 5 Dec 2026", "5 Dec 2026")
