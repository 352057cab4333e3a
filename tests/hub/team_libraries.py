"""Real libraries against one real hub: a hub with a publisher and two MSLs, libraries connected to it as
each, and a publisher's deck with its approval data, tags and companions."""

from __future__ import annotations

import datetime as dt
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
