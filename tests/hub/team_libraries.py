"""Real libraries against one real hub: a hub with a publisher and two MSLs, libraries connected to it as
each, a publisher's deck with its approval data, tags and companions, decks published in small chunks,
and the hub's sessions of a login (pg_stat_activity)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msldesk.decks.records import DeckUpdate
from msldesk.hub.schema import init_hub
from msldesk.hub.users import add_user
from tests.conftest import TODAY, DeckFactory
from tests.hub.cluster import Cluster


@dataclass
class DeckHub:
    cluster: Cluster
    database: str
    users: dict[str, str] = field(default_factory=dict)  # kind -> login name

    def dsn(self, kind: str, password: str | None = None) -> str:
        name = self.users[kind]
        return self.cluster.dsn(name, password or f"pw-{name}", self.database)

    def owner_dsn(self) -> str:
        return self.cluster.owner_dsn(self.database)


def build_deck_hub(cluster: Cluster) -> DeckHub:
    hub = DeckHub(cluster, cluster.new_database())
    init_hub(hub.owner_dsn())
    for kind, role in (("publisher", "publisher"), ("msl", "msl"), ("msl2", "msl")):
        name = f"{hub.database}_{kind}"
        add_user(hub.owner_dsn(), name, role, f"pw-{name}")
        hub.users[kind] = name
    return hub


def library(folder: Path, hub: DeckHub | None = None, kind: str = "") -> Any:
    """A library in `folder` (the test's today), connected to the hub as `kind` when given."""
    from msldesk.app.services import App

    app = App(folder, today=TODAY)
    if hub is not None:
        app.team.connect(hub.dsn(kind))
    return app


def approved_deck(app: Any, factory: DeckFactory, name: str = "dosing", slides: int = 3) -> int:
    """A deck imported into `app`, approved, with a therapeutic area, tags and a companion slide."""
    specs = [
        (f"{name.title()} slide {n}", f"{name} renal adjustment point {n}", f"note {n}")
        for n in range(1, slides + 1)
    ]
    path = factory.pptx(f"{name}.pptx", specs)
    (outcome,) = list(app.decks.import_paths([path]))
    assert outcome.deck_id is not None, outcome
    app.decks.update_deck(
        outcome.deck_id,
        DeckUpdate(
            title=f"{name.title()} update",
            approval_code=f"MA-{name.upper()}-1",
            approved_on=TODAY - dt.timedelta(days=10),
            expires_on=TODAY + dt.timedelta(days=300),
            therapeutic_area="Nephrology",
            tags=("renal", "dosing"),
        ),
    )
    app.assembly.set_companions(outcome.deck_id, 1, [slides])
    return outcome.deck_id


def publish_in_chunks(hub: DeckHub, folder: Path, names: list[str]) -> None:
    """Publish a deck per name from a publisher's library in `folder`, each file in 4 KiB chunks (several
    per file, so a transfer can be cut, or stopped, inside one)."""
    from msldesk.team import files
    from msldesk.team.publish import DeckPublisher

    publisher = library(folder / "lib", hub, "publisher")
    chunk_size, files.CHUNK_SIZE = files.CHUNK_SIZE, 4096
    try:
        ids = [approved_deck(publisher, DeckFactory(folder / "decks"), n) for n in names]
        assert all(p.chunks_sent > 3 for p in DeckPublisher(publisher.team, publisher.decks).publish(ids))
    finally:
        files.CHUNK_SIZE = chunk_size
        publisher.close()


def hub_sessions(hub: DeckHub, kind: str, settle: float = 0.0) -> list[tuple[int, str]]:
    """(backend pid, state) of every session `kind`'s login has on the hub, read as the superuser.
    `settle`: seconds to wait for a session that was just closed to leave (its backend ends a moment
    after the client said goodbye)."""
    import psycopg

    deadline = time.monotonic() + settle
    with psycopg.connect(hub.cluster.superuser_dsn(), autocommit=True) as admin:
        while True:
            rows = admin.execute(
                "SELECT pid, state FROM pg_stat_activity WHERE usename = %s ORDER BY pid", (hub.users[kind],)
            ).fetchall()
            if not rows or time.monotonic() >= deadline:
                return [(int(pid), str(state)) for pid, state in rows]
            time.sleep(0.05)
