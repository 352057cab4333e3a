"""Real libraries on a real hub for the push tests: a hub with two MSLs and a reviewer, libraries
connected with `msldesk team connect`, and finalized meetings made the way a user makes them."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

from msldesk.app.services import App
from msldesk.boards.records import AgendaItemFields, AttendanceFields, EventFields, Invitation, PersonFields
from msldesk.hub.schema import init_hub
from msldesk.hub.users import add_user
from tests.cli.test_cli import msldesk_in_process as msldesk
from tests.hub.cluster import Cluster

START = dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC)


@dataclass
class Team:
    cluster: Cluster
    database: str

    def login(self, who: str) -> str:
        return f"{self.database}_{who}"

    def dsn(self, who: str) -> str:
        """Without the password: `team connect` reads it from standard input."""
        where = f"host={self.cluster.socket_dir} port={self.cluster.port}"
        return f"{where} dbname={self.database} user={self.login(who)}"

    def count(self, table: str, where: str = "true") -> int:
        """Rows in a hub table, all owners', read as the superuser (row-level security does not apply)."""
        with psycopg.connect(self.cluster.superuser_dsn(self.database)) as connection:
            row = connection.execute(f"SELECT count(*) FROM msldesk.{table} WHERE {where}").fetchone()
            return int(row[0]) if row else 0


def make_team(pg_cluster: Cluster, hub_database: str) -> Team:
    """A hub with two MSLs (ana, ben) and a reviewer (rita); passwords pw-<name>."""
    owner = pg_cluster.owner_dsn(hub_database)
    init_hub(owner)
    found = Team(pg_cluster, hub_database)
    for who, role in (("ana", "msl"), ("ben", "msl"), ("rita", "reviewer")):
        add_user(owner, found.login(who), role, f"pw-{who}")
    return found


def connect(team: Team, library: Path, who: str) -> None:
    saved = sys.stdin
    sys.stdin = io.StringIO(f"pw-{who}\n")
    try:
        msldesk(library, "team", "connect", team.dsn(who), "--password-stdin", check_exit=0)
    finally:
        sys.stdin = saved


def cli_json(library: Path, *args: str, check_exit: int = 0) -> Any:
    return json.loads(msldesk(library, *args, "--json", check_exit=check_exit).stdout)


def meeting(
    library: Path,
    title: str,
    said: list[tuple[str, str]],
    paid: Decimal = Decimal("0"),
    finalize: bool = True,
) -> int:
    """An event with an agenda item, an accepted expert (paid `paid`), and entries (text, theme); then
    finalized with `msldesk event finalize` unless `finalize` is false. Its id."""
    app = App(library)
    try:
        start = START + dt.timedelta(days=len(title))
        event, _ = app.events.create(
            EventFields(title=title, starts_at=start, ends_at=start + dt.timedelta(hours=2))
        )
        item, _ = app.events.add_agenda_item(event.event_id, AgendaItemFields("Renal data", 30))
        person, _ = app.people.add(
            PersonFields(first_name="Ada", last_name=f"Ames{len(title)}", credentials="MD", npi="1234567893")
        )
        app.events.add_attendee(
            event.event_id,
            person.person_id,
            AttendanceFields(invitation=Invitation.ACCEPTED, honorarium_amount=paid),
        )
        for text, theme in said:
            app.meetings.add_entry(event.event_id, text, agenda_item_id=item.item_id, themes=(theme,))
    finally:
        app.close()
    if finalize:
        msldesk(library, "event", "finalize", str(event.event_id), "--yes", check_exit=0)
    return event.event_id


def texts(found: list[dict[str, Any]]) -> set[str]:
    return {row["text"] for row in found}
