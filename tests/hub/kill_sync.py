"""Run `team sync` on a library and kill this process (SIGKILL, as `kill -9` does) at a chosen point:
python -m tests.hub.kill_sync DATA_DIR POINT N

POINT: "chunk" (after N chunks of a file were written), "imported" (after the N-th deck's import
committed, before its metadata and revision are), "applied" (after the N-th deck was applied completely,
so with N the last one: before the cursor is written). Exits 3 if the point was never reached."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from msldesk.app.services import App
from msldesk.team import pull
from tests.conftest import TODAY


def main() -> int:
    folder, point, wanted = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    seen = [0]

    def tick() -> None:
        seen[0] += 1
        if seen[0] == wanted:
            os.kill(os.getpid(), signal.SIGKILL)

    app = App(folder, today=TODAY)
    if point == "imported":
        real_import = app.decks.import_paths

        def import_then_die(*args: Any, **kwargs: Any) -> Any:
            outcomes = list(real_import(*args, **kwargs))
            tick()
            return iter(outcomes)

        app.decks.import_paths = import_then_die  # type: ignore[method-assign]
    elif point == "applied":
        real_pull = pull.DeckPull._pull_one

        def pull_then_die(self: Any, connection: Any, published: Any) -> Any:
            done = real_pull(self, connection, published)
            tick()
            return done

        pull.DeckPull._pull_one = pull_then_die  # type: ignore[method-assign]
    syncing = pull.DeckPull(app.team, app.decks, app.paths.cache / "team", on_chunk=lambda _size: tick())
    if point != "chunk":
        syncing.on_chunk = lambda _size: None
    syncing.sync()
    return 3


if __name__ == "__main__":
    sys.exit(main())
