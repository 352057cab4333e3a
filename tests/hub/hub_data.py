"""A hub with one user of each kind and a few records, built with plain SQL as each user (the way an
attacker with a psql prompt would, not through msldesk)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg

from msldesk.hub.schema import init_hub
from msldesk.hub.users import add_user
from tests.hub.cluster import Cluster

CHUNK = 4


@dataclass
class Hub:
    cluster: Cluster
    database: str
    users: dict[str, str] = field(default_factory=dict)  # kind -> login name
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    def owner(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.cluster.owner_dsn(self.database), autocommit=True)

    def as_(self, kind: str) -> psycopg.Connection[Any]:
        name = self.users[kind]
        return psycopg.connect(self.cluster.dsn(name, f"pw-{name}", self.database), autocommit=True)


def upload(connection: psycopg.Connection[Any], data: bytes) -> str:
    """Store `data` as a deck file in CHUNK-byte chunks; its SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    connection.execute(
        "INSERT INTO msldesk.deck_files (sha256, size, chunk_size, chunk_count) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT DO NOTHING",
        (sha, len(data), CHUNK, len(chunks)),
    )
    for n, chunk in enumerate(chunks):
        connection.execute(
            "INSERT INTO msldesk.file_chunks (file_sha256, n, data, chunk_sha256) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING",
            (sha, n, chunk, hashlib.sha256(chunk).hexdigest()),
        )
    return sha


def publish(connection: psycopg.Connection[Any], title: str, data: bytes) -> uuid.UUID:
    uid = uuid.uuid4()
    sha = upload(connection, data)
    connection.execute(
        "INSERT INTO msldesk.decks (uid, title, file_name, file_sha256, slide_count, approval_code, tags, "
        "companions) VALUES (%s, %s, %s, %s, 3, 'MA-1', '{oncology}', '{\"2\": [3]}')",
        (uid, title, f"{title}.pptx", sha),
    )
    return uid


def push_meeting(
    connection: psycopg.Connection[Any], title: str, shared: bool, said: str
) -> dict[str, uuid.UUID]:
    """A finalized meeting with an agenda item, an attendee, an entry, a payment and an amendment."""
    ids = {k: uuid.uuid4() for k in ("event", "agenda", "attendance", "entry", "payment", "amendment")}
    connection.execute(
        "INSERT INTO msldesk.events (uid, shared, title, finalized_at) VALUES (%s, %s, %s, now())",
        (ids["event"], shared, title),
    )
    connection.execute(
        "INSERT INTO msldesk.agenda_items (uid, event_uid, position, title) VALUES (%s, %s, 1, 'Data')",
        (ids["agenda"], ids["event"]),
    )
    connection.execute(
        "INSERT INTO msldesk.attendance (uid, event_uid, person_name, npi) "
        "VALUES (%s, %s, 'Dr Ames', '1234567893')",
        (ids["attendance"], ids["event"]),
    )
    connection.execute(
        "INSERT INTO msldesk.entries (uid, event_uid, agenda_uid, kind, theme, body, recorded_at) "
        "VALUES (%s, %s, %s, 'insight', 'dosing', %s, now())",
        (ids["entry"], ids["event"], ids["agenda"], said),
    )
    connection.execute(
        "INSERT INTO msldesk.payments (uid, event_uid, recipient_name, amount, nature, paid_on) "
        "VALUES (%s, %s, 'Dr Ames', 250, 'Food and Beverage', current_date)",
        (ids["payment"], ids["event"]),
    )
    connection.execute(
        "INSERT INTO msldesk.amendments (uid, target_table, target_uid, reason, changes, made_at) "
        "VALUES (%s, 'entries', %s, 'typo', '{\"body\": \"corrected\"}', now())",
        (ids["amendment"], ids["entry"]),
    )
    return ids


def build_hub(cluster: Cluster) -> Hub:
    database = cluster.new_database()
    hub = Hub(cluster, database)
    dsn = cluster.owner_dsn(database)
    init_hub(dsn)
    for kind, role in (
        ("publisher", "publisher"),
        ("msl_a", "msl"),
        ("msl_b", "msl"),
        ("reviewer", "reviewer"),
    ):
        name = f"{database}_{kind}"
        add_user(dsn, name, role, f"pw-{name}")
        hub.users[kind] = name
    with hub.as_("publisher") as publisher:
        hub.ids["deck"] = publish(publisher, "Dosing update", b"deck file bytes, several chunks long")
    with hub.as_("msl_a") as msl:
        hub.ids.update(
            {
                f"a_{k}": v
                for k, v in push_meeting(msl, "A's private", False, "patients ask about renal dosing").items()
            }
        )
    with hub.as_("msl_b") as msl:
        hub.ids.update(
            {
                f"b_{k}": v
                for k, v in push_meeting(msl, "B's shared", True, "hepatic dosing questions").items()
            }
        )
    return hub
