"""The laptop's one way to the hub: a connection string split from its password, a connection opened, and
who the hub says this login is. psycopg loads here, with the first team command that needs the hub.

`open_hub` is the seam to the hub package's connect helper (msldesk.hub.connect, on branch h-hub): until
it is on main, a minimal stand-in below opens the connection with the same rule (TLS with a checked
certificate unless the server is on this computer) and says failures in one sentence."""

from __future__ import annotations

import getpass
import ipaddress
import os
from typing import Any

from msldesk.core.errors import InvalidInputError, MsldeskError
from msldesk.team.records import HUB_GROUPS, HubIdentity

CONNECT_TIMEOUT_SECONDS = 10


class HubUnreachableError(MsldeskError):
    """No server answered at the address, or the network went away."""

    kind = "hub-unreachable"


class HubLoginError(MsldeskError):
    """The server answered but refused the name, the password or this computer."""

    kind = "hub-login"


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
    return make_conninfo("", **params), (str(password) if password is not None else None), _user(params)


def _user(params: dict[str, Any]) -> str:
    """The user name libpq logs in as: the DSN's, $PGUSER, else this computer's login name."""
    if found := params.get("user") or os.environ.get("PGUSER"):
        return str(found)
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name in the environment or the password database
        return "this computer's user"


def _is_local(host: str) -> bool:
    if not host or host.startswith(("/", "@")) or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _where(params: dict[str, Any]) -> str:
    host = str(params.get("host") or os.environ.get("PGHOST") or "the local socket")
    port = params.get("port") or os.environ.get("PGPORT")
    return f"{host}:{port}" if port else host


def open_hub(dsn: str, password: str | None) -> Any:
    """An open psycopg connection to the hub (the caller closes it). THE SEAM: replace the body with
    msldesk.hub.connect.connect(make_conninfo(dsn, password=password)) once msldesk.hub is on main."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(dsn)
    hosts = str(params.get("hostaddr") or params.get("host") or os.environ.get("PGHOST") or "")
    sslmode = str(params.get("sslmode") or os.environ.get("PGSSLMODE") or "")
    remote = [h for h in hosts.split(",") if not _is_local(h.strip())]
    if remote and sslmode != "verify-full":
        raise InvalidInputError(
            f"The hub at {remote[0]} is reached over the network, so the connection must be encrypted and "
            "the server's certificate checked: add sslmode=verify-full to the address."
        )
    extra: dict[str, Any] = {"password": password}  # None: libpq looks in ~/.pgpass, $PGPASSWORD
    if "connect_timeout" not in params:
        extra["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    try:
        connection = psycopg.connect(dsn, application_name="msldesk", **extra)
    except psycopg.OperationalError as exc:
        raise _connection_error(exc, params) from exc
    connection.prepare_threshold = None  # a pooler in transaction mode: nothing prepared on the server
    return connection


def _connection_error(error: Exception, params: dict[str, Any]) -> MsldeskError:
    """libpq's message in one sentence; its own words go to the details (it never holds the password)."""
    message, where = str(error), _where(params)
    lowered = message.lower()
    user = _user(params)
    if "password authentication failed" in lowered or ("role" in lowered and "does not exist" in lowered):
        return HubLoginError(f"The hub at {where} refused the name or password of {user}.", message)
    if "no password supplied" in lowered:
        return HubLoginError(f"The hub at {where} asks for a password for {user}.", message)
    if "pg_hba.conf" in lowered:
        return HubLoginError(f"The hub at {where} does not accept {user} from this computer.", message)
    if "database" in lowered and "does not exist" in lowered:
        return HubUnreachableError(f"The hub at {where} has no database {params.get('dbname')!r}.", message)
    return HubUnreachableError(
        f"Cannot reach the hub at {where}: check the address and that the server is running.", message
    )


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
