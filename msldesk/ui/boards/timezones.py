"""IANA time zone names for the event editor: read once in a worker, then cached for the session."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimeZone

from msldesk.ui.ops import HasContext, Lane, Op

_names: list[str] | None = None


def cached_zone_names() -> list[str] | None:
    return None if _names is None else list(_names)


def _read_zone_names() -> list[str]:
    import zoneinfo

    # "posix/…" and "right/…" are copies of the same zones; nobody picks them from a list.
    return sorted(n for n in zoneinfo.available_timezones() if not n.startswith(("posix/", "right/")))


def load_zone_names(parent: HasContext, on_done: Callable[[list[str]], None]) -> None:
    """Call `on_done` with the sorted names: at once if cached, else after reading them on the io lane."""
    if _names is not None:
        on_done(list(_names))
        return

    def done(names: list[str]) -> None:
        global _names
        _names = names
        on_done(list(names))

    Op(parent, lambda _work: _read_zone_names(), Lane.IO).success(done).run()


def system_zone_name() -> str:
    """This computer's IANA zone (new events start there), or UTC if it has none."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode(errors="ignore")
    if name.startswith("Etc/") or "/" not in name:
        return "UTC" if name in ("Etc/UTC", "UTC", "") else name
    return name
