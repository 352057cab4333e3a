"""`msldesk hub add-user`: a login role in one of the hub's groups, with a SCRAM password."""

from __future__ import annotations

import re
from dataclasses import dataclass

from msldesk.core.errors import InvalidInputError
from msldesk.hub.connect import connect, hub_errors
from msldesk.hub.schema import GROUPS, require_current

# Plain names only: they are shown in the audit trail and typed into DSNs.
_NAME = re.compile(r"[a-z_][a-z0-9_.@-]{0,62}")
_RESERVED_PREFIXES = ("pg_", "msldesk_")


@dataclass(frozen=True)
class AddedUser:
    name: str
    role: str
    created: bool  # False: the login existed; its password was set and the group added


def check_name(name: str) -> None:
    if not _NAME.fullmatch(name) or name.startswith(_RESERVED_PREFIXES):
        raise InvalidInputError(
            f"{name!r} cannot be a hub user name: use lower-case letters, digits and _ . @ - (at most 63, "
            "starting with a letter or _), not starting with pg_ or msldesk_."
        )


def add_user(dsn: str, name: str, role: str, password: str) -> AddedUser:
    """Create (or update) the login `name` in the group for `role`, in one transaction. The password is
    turned into a SCRAM-SHA-256 verifier here, so the plain password never reaches the server or its logs."""
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
        connection.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(GROUPS[role]), sql.Identifier(name))
        )
        connection.execute(
            "INSERT INTO msldesk.members (name, role) VALUES (%s, %s) ON CONFLICT DO NOTHING", (name, role)
        )
    return AddedUser(name, role, created=row is None)
