"""Every connection to the hub goes through here: TLS unless the server is on this computer, no
session state (pgbouncer in transaction mode), and connection failures said in plain words."""

from __future__ import annotations

import getpass
import ipaddress
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from msldesk.core.errors import InvalidInputError
from msldesk.hub.errors import (
    HubError,
    HubLoginError,
    HubNotReadyError,
    HubPermissionError,
    HubUnreachableError,
    InsecureHubError,
)

if TYPE_CHECKING:  # psycopg loads with the first hub command, never with the light ones
    import psycopg

CONNECT_TIMEOUT_SECONDS = 10


def _is_local(host: str) -> bool:
    """A Unix socket folder (or Linux's abstract socket), or a loopback name or address."""
    if not host or host.startswith(("/", "@")) or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_params(dsn: str) -> dict[str, Any]:
    """The DSN's parameters, once it is known to be safe to use: a server reached over the network
    needs sslmode=verify-full (the certificate checked against the organisation's CA and the host name).
    libpq takes what the DSN leaves out from PGHOST, PGHOSTADDR and PGSSLMODE, so they count too."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:  # libpq could not parse it; its words may repeat a password
        raise InvalidInputError(
            "This is not a PostgreSQL connection string (host=… dbname=… user=…, or postgresql://…)."
        ) from exc
    hosts = str(params.get("hostaddr") or os.environ.get("PGHOSTADDR") or "")
    hosts = hosts or str(params.get("host") or os.environ.get("PGHOST") or "")
    sslmode = str(params.get("sslmode") or os.environ.get("PGSSLMODE") or "")
    remote = [h for h in hosts.split(",") if not _is_local(h.strip())]
    if remote and sslmode != "verify-full":
        raise InsecureHubError(
            f"The hub at {remote[0]} is reached over the network, so the connection must be encrypted and "
            "the server's certificate checked: add sslmode=verify-full to the address (and sslrootcert= "
            "the organisation's CA certificate unless it is in ~/.postgresql/root.crt).",
            f"sslmode={sslmode or 'unset'}",
        )
    return params


def login_user(params: dict[str, Any]) -> str:
    """The user name libpq logs in as: the DSN's, $PGUSER, else this computer's login name."""
    if found := params.get("user") or os.environ.get("PGUSER"):
        return str(found)
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name in the environment or the password database
        return "this computer's user"


def _where(params: dict[str, Any]) -> str:
    host = str(params.get("host") or os.environ.get("PGHOST") or "the local socket")
    port = params.get("port") or os.environ.get("PGPORT")
    return f"{host}:{port}" if port else host


def connection_error(error: Exception, params: dict[str, Any]) -> HubError:
    """A failed connection attempt said in one sentence; libpq's own message goes to the details."""
    message = str(error)
    lowered = message.lower()
    where = _where(params)
    user = login_user(params)
    if "password authentication failed" in lowered or ("role" in lowered and "does not exist" in lowered):
        return HubLoginError(f"The hub at {where} refused the name or password of {user}.", message)
    if "no password supplied" in lowered:
        return HubLoginError(
            f"The hub at {where} asks for a password for {user}: put it in ~/.pgpass or $PGPASSWORD.", message
        )
    # Out of every hub group, or removed (`hub remove-user` disables the login): the same sentence.
    if "permission denied for database" in lowered or "is not permitted to log in" in lowered:
        return HubPermissionError(
            f"{user} may not use the hub at {where}: an administrator adds hub users with "
            "`msldesk hub add-user`.",
            message,
        )
    if "database" in lowered and "does not exist" in lowered:
        return HubNotReadyError(f"The hub at {where} has no database {params.get('dbname')!r}.", message)
    if "pg_hba.conf" in lowered:
        return HubLoginError(f"The hub at {where} does not accept {user} from this computer.", message)
    if "ssl" in lowered or "certificate" in lowered:
        return HubUnreachableError(f"The hub at {where} failed the TLS check: {message.strip()}", message)
    return HubUnreachableError(
        f"Cannot reach the hub at {where}: check the address and that the server is running.", message
    )


def connect(
    dsn: str, *, password: str | None = None, autocommit: bool = False, tcp_user_timeout_ms: int = 0
) -> psycopg.Connection[Any]:
    """An open connection to the hub (`password` None: the DSN's, else libpq's ~/.pgpass or $PGPASSWORD).
    Statements are never prepared on the server (a pooler in transaction mode hands each transaction to
    any server connection), and nothing is SET for the session. `tcp_user_timeout_ms`: data the server
    has not acknowledged by then ends the connection (0: the system's, ~15 minutes), unless the DSN says."""
    import psycopg

    params = checked_params(dsn)
    extra: dict[str, Any] = {} if password is None else {"password": password}
    if "connect_timeout" not in params:
        extra["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    if tcp_user_timeout_ms and "tcp_user_timeout" not in params:
        extra["tcp_user_timeout"] = tcp_user_timeout_ms
    if "application_name" not in params:
        extra["application_name"] = "msldesk"
    try:
        connection = psycopg.connect(dsn, autocommit=autocommit, **extra)
    except psycopg.OperationalError as exc:
        raise connection_error(exc, params) from exc
    connection.prepare_threshold = None
    return connection


def statement_error(error: Exception, doing: str) -> HubError:
    """An error the server returned for a statement, said in plain words (`doing`: "add the user")."""
    import psycopg

    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, psycopg.errors.InsufficientPrivilege):
        return HubPermissionError(f"The hub does not allow this role to {doing}: {first_line}", str(error))
    if isinstance(error, psycopg.OperationalError):
        return HubUnreachableError(f"The connection to the hub was lost while trying to {doing}.", str(error))
    return HubError(f"The hub could not {doing}: {first_line}", str(error))


@contextmanager
def hub_errors(doing: str) -> Iterator[None]:
    """Turn psycopg's errors raised inside into HubErrors that say what failed."""
    import psycopg

    try:
        yield
    except psycopg.Error as exc:
        raise statement_error(exc, doing) from exc
    except Exception as exc:
        wrapped = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError around psycopg's (hub init)
        if isinstance(wrapped, psycopg.Error):
            raise statement_error(wrapped, doing) from exc
        raise


def make_durable(connection: Any) -> None:
    """Inside a transaction: its commit returns only once it is in the server's WAL on disk, whatever the
    server's default. A laptop told "published" or "pushed" must never see the hub lose it in a crash
    (synchronous_commit=off would)."""
    connection.execute("SET LOCAL synchronous_commit = on")
