"""`msldesk hub add-user` and `remove-user`: a login role in exactly one of the hub's groups, with a SCRAM
password; a member who leaves keeps their role (what they pushed keeps its owner) but can no longer log
in. Every change is a row of msldesk.members, which its trigger writes to the audit trail."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from msldesk.core.errors import InvalidInputError
from msldesk.hub.connect import connect, hub_errors
from msldesk.hub.schema import GROUPS, require_current

# Plain names only: they are shown in the audit trail and typed into DSNs.
_NAME = re.compile(r"[a-z_][a-z0-9_.@-]{0,62}")
_RESERVED_PREFIXES = ("pg_", "msldesk_")
_ROLE_OF_GROUP = {group: role for role, group in GROUPS.items()}


@dataclass(frozen=True)
class AddedUser:
    """`change`: "added" (a new login), "password" (same role, password set), "role" (their role changed
    from `previous_role`), "restored" (a removed member is back; `previous_role` what they had then)."""

    name: str
    role: str
    created: bool  # False: the login existed; its password was set
    change: str = "added"
    previous_role: str | None = None
    removed_at: dt.datetime | None = None  # when a restored member had been removed


@dataclass(frozen=True)
class RemovedUser:
    name: str
    roles: tuple[str, ...]  # the roles they had (for `already`: had when they were removed)
    already: bool  # True: they had been removed before; nothing changed
    removed_at: dt.datetime | None = None


def check_name(name: str) -> None:
    if not _NAME.fullmatch(name) or name.startswith(_RESERVED_PREFIXES):
        raise InvalidInputError(
            f"{name!r} cannot be a hub user name: use lower-case letters, digits and _ . @ - (at most 63, "
            "starting with a letter or _), not starting with pg_ or msldesk_."
        )


def _hub_groups(connection: Any, name: str) -> list[str]:
    """The hub's groups `name` is in (granted by add-user or by hand)."""
    rows = connection.execute(
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s AND g.rolname = ANY(%s) ORDER BY 1",
        (name, list(GROUPS.values())),
    ).fetchall()
    return [r[0] for r in rows]


def _revoke(connection: Any, groups: list[str], name: str) -> None:
    from psycopg import sql

    for group in groups:
        connection.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), sql.Identifier(name)))


def add_user(dsn: str, name: str, role: str, password: str) -> AddedUser:
    """Create (or update) the login `name` in the group for `role` and no other, in one transaction. The
    password is turned into a SCRAM-SHA-256 verifier here, so the plain password never reaches the server
    or its logs. A removed member is brought back; a member with another role has it changed."""
    from psycopg import sql

    check_name(name)
    if role not in GROUPS:
        raise InvalidInputError(f"Unknown hub role {role!r}: choose one of {', '.join(GROUPS)}.")
    if not password:
        raise InvalidInputError("The password is empty.")
    with connect(dsn) as connection, hub_errors(f"add the user {name}"):
        require_current(connection)
        verifier = connection.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")
        row = connection.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        if row is not None and row[0]:
            raise InvalidInputError(f"{name} is a superuser of this server; give the hub its own user name.")
        statement = (
            "CREATE ROLE {} LOGIN INHERIT PASSWORD {}" if row is None else "ALTER ROLE {} LOGIN PASSWORD {}"
        )
        connection.execute(sql.SQL(statement).format(sql.Identifier(name), sql.Literal(verifier.decode())))
        _revoke(connection, [g for g in _hub_groups(connection, name) if g != GROUPS[role]], name)
        connection.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(GROUPS[role]), sql.Identifier(name))
        )
        change, previous, removed_at = _one_membership(connection, name, role)
    return AddedUser(name, role, row is None, change if row is not None else "added", previous, removed_at)


def _one_membership(connection: Any, name: str, role: str) -> tuple[str, str | None, dt.datetime | None]:
    """Make msldesk.members hold one row for `name`, current, with `role`: (the change, the role they had,
    when they had been removed). The row kept is the one with this role if there is one, else the
    current one: its update is one audit record (restored, or role changed)."""
    rows = connection.execute(
        "SELECT role, removed_at FROM msldesk.members WHERE name = %s "
        "ORDER BY role = %s DESC, removed_at IS NULL DESC, added_at DESC",
        (name, role),
    ).fetchall()
    if not rows:
        connection.execute("INSERT INTO msldesk.members (name, role) VALUES (%s, %s)", (name, role))
        return "added", None, None
    kept_role, removed_at = rows[0]
    # Other current rows: roles granted before a member had exactly one (each audited as revoked).
    connection.execute("DELETE FROM msldesk.members WHERE name = %s AND role <> %s", (name, kept_role))
    connection.execute(
        "UPDATE msldesk.members SET role = %s, removed_at = NULL WHERE name = %s", (role, name)
    )
    if removed_at is not None:
        return "restored", kept_role, removed_at
    return ("password", None, None) if kept_role == role else ("role", kept_role, None)


def remove_user(dsn: str, name: str) -> RemovedUser:
    """The member `name` leaves the hub, in one transaction: out of every hub group, and unable to log in
    (the role stays: what they pushed keeps its owner and reviewers still read it). Running it again
    changes nothing and says so."""
    check_name(name)
    with connect(dsn) as connection, hub_errors(f"remove the user {name}"):
        require_current(connection)
        if connection.execute("SELECT 1 WHERE session_user = %s", (name,)).fetchone():
            raise InvalidInputError(
                f"{name} is the user running this command; another administrator removes it."
            )
        row = connection.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        if row is None:
            raise InvalidInputError(f"There is no user {name} on this hub's server.")
        if row[0]:
            raise InvalidInputError(f"{name} is a superuser of this server, not a hub member.")
        groups = _hub_groups(connection, name)
        members = connection.execute(
            "SELECT role, removed_at FROM msldesk.members WHERE name = %s "
            "ORDER BY removed_at DESC NULLS FIRST",
            (name,),
        ).fetchall()
        current = [r for r, removed in members if removed is None]
        if not groups and not current:
            if not members:
                raise InvalidInputError(f"{name} is not a hub member: `msldesk hub add-user` never added it.")
            _disable_login(connection, name)  # in case it was enabled by hand since
            return RemovedUser(name, tuple(r for r, _ in members), True, members[0][1])
        _revoke(connection, groups, name)
        _disable_login(connection, name)
        connection.execute(
            "UPDATE msldesk.members SET removed_at = now() WHERE name = %s AND removed_at IS NULL", (name,)
        )
        if not current:  # in a group by hand (psql), never through add-user: recorded now
            connection.execute(
                "INSERT INTO msldesk.members (name, role, removed_at) SELECT %s, unnest(%s::text[]), now() "
                "ON CONFLICT DO NOTHING",
                (name, [_ROLE_OF_GROUP[g] for g in groups]),
            )
        (removed_at,) = connection.execute("SELECT now()").fetchall()[0]
    return RemovedUser(name, tuple(current or [_ROLE_OF_GROUP[g] for g in groups]), False, removed_at)


def _disable_login(connection: Any, name: str) -> None:
    from psycopg import sql

    connection.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(name)))
