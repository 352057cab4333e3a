"""The laptop's one way to the hub: a connection string split from its password, a connection opened
(through msldesk.hub.connect, the helper every hub connection uses: TLS unless the server is on this
computer, failures in one sentence), and who the hub says this login is. psycopg loads here, with the
first team command that needs the hub."""

from __future__ import annotations

from typing import Any

from msldesk.core.errors import InvalidInputError
from msldesk.hub.connect import connect, login_user
from msldesk.hub.errors import HubUnreachableError
from msldesk.team.records import HUB_GROUPS, HubIdentity


def split_dsn(dsn: str) -> tuple[str, str | None, str]:
    """(the connection string without its password, the password it held or None, the user name).
    Errors never repeat the string: it may hold a password."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise InvalidInputError(
            "This is not a PostgreSQL connection string (host=… dbname=… user=…, or postgresql://…)."
        ) from exc
    password = params.pop("password", None)
    return make_conninfo("", **params), (str(password) if password is not None else None), login_user(params)


def open_hub(dsn: str, password: str | None) -> Any:
    """An open psycopg connection to the hub (the caller closes it); `password` None: libpq looks in
    ~/.pgpass and $PGPASSWORD."""
    return connect(dsn, password=password)


def who_am_i(dsn: str, password: str | None) -> HubIdentity:
    """The login's name and its msldesk roles, as the database grants them (pg_has_role, so a role
    given through another role counts). One short read-only transaction, then the connection closes."""
    import psycopg

    connection = open_hub(dsn, password)
    try:
        with connection.transaction():
            connection.execute("SET TRANSACTION READ ONLY")
            row = connection.execute("SELECT current_user::text").fetchone()
            groups = connection.execute(
                "SELECT rolname::text FROM pg_roles WHERE rolname = ANY(%s) "
                "AND pg_has_role(current_user, oid, 'MEMBER') ORDER BY rolname",
                (list(HUB_GROUPS),),
            ).fetchall()
    except psycopg.OperationalError as exc:
        raise HubUnreachableError("The connection to the hub was lost.", str(exc)) from exc
    finally:
        connection.close()
    roles = tuple(sorted(HUB_GROUPS[name] for (name,) in groups))
    return HubIdentity(str(row[0]) if row else "", roles)
