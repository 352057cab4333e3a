"""The laptop's one way to the hub: a connection string split from its password, a connection opened
(through msldesk.hub.connect, the helper every hub connection uses: TLS unless the server is on this
computer, failures in one sentence), the desktop's connection kept between its syncs (KeptHub), and who
the hub says this login is. psycopg loads here, with the first team command that needs the hub."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from msldesk.core.errors import InvalidInputError
from msldesk.hub.connect import connect, login_user
from msldesk.hub.errors import HubError, HubUnreachableError
from msldesk.team.records import HUB_GROUPS, HubIdentity

# Opens the hub: open_hub (a connection per command, the CLI's), a KeptHub's `open` (the desktop's
# syncs), or a test's wrapper. The caller closes what it gets.
Opener = Callable[[str, str | None], Any]


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


# A kept connection outlives networks (a laptop sleeps, moves to another one): a statement sent on one
# cut silently fails after this long, not the system's ~15 minutes, and the sync logs in again.
KEPT_TCP_TIMEOUT_MS = 30_000


def open_kept_hub(dsn: str, password: str | None) -> Any:
    """open_hub for a connection kept between syncs (KeptHub's)."""
    return connect(dsn, password=password, tcp_user_timeout_ms=KEPT_TCP_TIMEOUT_MS)


class KeptHub:
    """One hub connection kept open between the desktop's syncs: an up-to-date sync then costs its
    query (a fraction of a millisecond), not a login (PostgreSQL's SCRAM, ~180 ms with 200 MSLs syncing).

    `open` is an Opener: pull, push and who_am_i take it instead of open_hub, and their `close()` gives
    the connection back. Nothing outlives a transaction on it (msldesk.hub.connect prepares no statement
    and SETs nothing for the session; a connection given back inside a transaction is closed), so a
    pooler in transaction mode works as before. One user at a time: the desktop's syncs run one after
    another on its database lane, and a second `open` while it is out is refused. A kept connection
    found broken is opened again, once: when psycopg knows it (closed, broken), or when the first
    statement on it fails with a connection error (the server restarted, the network was cut: within
    KEPT_TCP_TIMEOUT_MS)."""

    def __init__(self, opener: Opener = open_kept_hub) -> None:
        self.opener = opener
        self.logins = 0  # connections opened so far (the tests and the bench count them)
        self._lock = threading.Lock()  # close() comes from the GUI thread, open() from a worker
        self._connection: Any = None
        self._key: tuple[str, str | None] | None = None
        self._lent = False
        self._close_on_return = False

    def open(self, dsn: str, password: str | None) -> Any:
        """The kept connection (logging in first when there is none, or it is closed, or it was opened
        for another hub or password), lent until its `close()`."""
        with self._lock:
            if self._lent:
                raise HubError("Another team sync is using the hub's connection: try again when it is done.")
            self._lent, self._close_on_return = True, False
            kept, key, self._connection = self._connection, self._key, None
        try:
            if kept is not None and (kept.closed or key != (dsn, password)):
                kept.close()
                kept = None
            if kept is not None:
                return _Lent(self, kept, (dsn, password))
            return _Lent(self, self.login(dsn, password), (dsn, password), reused=False)
        except BaseException:
            with self._lock:
                self._lent = False
            raise

    def login(self, dsn: str, password: str | None) -> Any:
        connection = self.opener(dsn, password)
        self.logins += 1
        return connection

    def give_back(self, connection: Any, key: tuple[str, str | None]) -> None:
        """Kept if it is open and idle (no transaction left open) and nobody closed the keeper meanwhile;
        `connection` None: it was lost (logging in again failed)."""
        from psycopg.pq import TransactionStatus

        idle = connection is not None and not connection.closed
        idle = idle and connection.info.transaction_status == TransactionStatus.IDLE
        with self._lock:
            self._lent = False
            if idle and not self._close_on_return:
                self._connection, self._key = connection, key
                return
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """Log out now (Disconnect, another library, exit); a connection lent out closes on its return."""
        with self._lock:
            connection, self._connection, self._key = self._connection, None, None
            self._close_on_return = self._lent
        if connection is not None:
            connection.close()


class _Lent:
    """The kept connection as pull, push and who_am_i use it; `close()` gives it back. The first
    transaction (or statement) on a reused connection that fails with a connection error logs in again
    and is tried once more: nothing was done on the dead one."""

    def __init__(self, keeper: KeptHub, connection: Any, key: tuple[str, str | None], reused: bool = True):
        self.keeper, self.connection, self.key = keeper, connection, key
        self.unproven = reused  # reused and not yet answered: it may have died while kept
        self.returned = False

    def __getattr__(self, name: str) -> Any:  # cursor(), info, …: the connection's own
        return getattr(self.connection, name)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with ExitStack() as stack:
            yield self._first(lambda: stack.enter_context(self.connection.transaction()))

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self._first(lambda: self.connection.execute(*args, **kwargs))

    def _first(self, step: Callable[[], Any]) -> Any:
        import psycopg

        if not self.unproven:
            return step()
        try:
            done = step()
        except psycopg.OperationalError:
            self.connection.close()
            self.connection = None
            self.connection = self.keeper.login(*self.key)  # raises in plain words if it cannot
            done = step()
        self.unproven = False
        return done

    def close(self) -> None:
        if not self.returned:  # once: a second close must not free the keeper lent to someone else
            self.returned = True
            connection, self.connection = self.connection, None
            self.keeper.give_back(connection, self.key)


def who_am_i(dsn: str, password: str | None, opener: Opener = open_hub) -> HubIdentity:
    """The login's name and its msldesk roles, as the database grants them (pg_has_role, so a role
    given through another role counts). One short read-only transaction, then the connection closes."""
    import psycopg

    connection = opener(dsn, password)
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
