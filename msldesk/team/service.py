"""The library's team state: which hub it is connected to (and where that hub's password is kept), what
the hub says this user is, and which finalized meetings wait to be pushed. Local work never depends on
the hub: every question here is answered from the library, the hub only adds who you are right now."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from msldesk.boards.orm import EventRow
from msldesk.core import clock
from msldesk.core.errors import InvalidInputError, MsldeskError
from msldesk.core.secrets import KeyringUnavailableError, SecretStore
from msldesk.protect import audit
from msldesk.team.hub_link import KeptHub
from msldesk.team.orm import TeamHubRow, TeamUidRow
from msldesk.team.records import HubIdentity, PendingEvent, TeamLink, TeamStatus

HUB_ROW = 1
EVENT = "event"  # TeamUidRow.kind of a pushed meeting

# Asks the hub who a login is (msldesk.team.hub_link.who_am_i; tests give a stand-in).
IdentityCheck = Callable[[str, str | None], HubIdentity]


class NoHubError(InvalidInputError):
    """The library is not connected to a team hub."""

    kind = "no-hub"


def _default_check(dsn: str, password: str | None) -> HubIdentity:
    from msldesk.team.hub_link import who_am_i  # psycopg loads with the first call, not with the service

    return who_am_i(dsn, password)


class TeamService:
    """`encrypted`: whether the library's database is encrypted, so it may keep the hub's password
    where the computer has no usable keyring."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        secrets: SecretStore,
        *,
        encrypted: bool,
        check: IdentityCheck = _default_check,
    ) -> None:
        self.sessions = sessions
        self.secrets = secrets
        self.encrypted = encrypted
        self.check = check
        # The desktop's syncs keep their connection here between syncs (the CLI opens one per command).
        self.kept = KeptHub()

    def close(self) -> None:
        """The library closes (another one opens, the app exits): log out of the hub."""
        self.kept.close()

    # -- the remembered hub ----------------------------------------------------------------------

    def link(self) -> TeamLink | None:
        with self.sessions() as session:
            row = session.get(TeamHubRow, HUB_ROW)
            return None if row is None else _link(row)

    def connect(self, dsn: str, password: str | None = None) -> tuple[TeamLink, HubIdentity]:
        """Check the hub answers to this login, then remember it. A password inside `dsn` is taken out
        of it (and used unless `password` is given); it is kept in the keyring, or in this encrypted
        library where there is no keyring, never in the connection string. Nothing is kept when the
        hub refuses or cannot be reached."""
        from msldesk.team.hub_link import split_dsn

        clean, in_dsn, user = split_dsn(dsn)
        password = password or in_dsn or None
        identity = self.check(clean, password)  # raises, in one sentence, before anything is kept
        self.kept.close()  # opened with the hub or password this replaces
        previous = self.link()
        secret_name, password_in, kept = self._keep_password(password)
        try:
            with self.sessions.begin() as session:
                row = session.get(TeamHubRow, HUB_ROW)
                old_secret = row.secret_name if row is not None and row.password_in == "keyring" else ""
                if row is None or row.dsn != clean:  # another hub: its cursor means nothing here
                    if row is not None:
                        session.delete(row)
                        session.flush()
                    row = TeamHubRow(id=HUB_ROW, last_sync_utc=None, pull_cursor=None)
                    session.add(row)
                row.dsn, row.user_name, row.connected_at_utc = (
                    clean,
                    identity.user_name or user,
                    clock.utc_now(),
                )
                row.password_in, row.secret_name, row.password = password_in, secret_name, kept
                audit.record(
                    session, "team.connect", "team", "hub",
                    {"dsn": previous.dsn, "user": previous.user_name} if previous else None,
                    {"dsn": clean, "user": row.user_name, "password_in": password_in},
                )  # fmt: skip
                link = _link(row)
        except BaseException:
            self._forget_secret(secret_name)
            raise
        if old_secret and old_secret != secret_name:
            self._forget_secret(old_secret)
        return link, identity

    def disconnect(self) -> tuple[bool, str]:
        """Forget the hub and its password: (whether there was one, a warning when the keyring could not
        forget the password). What was pushed stays on the hub, and in the ledger here so that a
        reconnection does not push it twice."""
        self.kept.close()
        with self.sessions.begin() as session:
            row = session.get(TeamHubRow, HUB_ROW)
            if row is None:
                return False, ""
            secret = row.secret_name if row.password_in == "keyring" else ""
            before = {"dsn": row.dsn, "user": row.user_name}
            audit.record(session, "team.disconnect", "team", "hub", before, None)
            session.delete(row)
        if secret and not self._forget_secret(secret):
            return True, (
                f"The system keyring could not be reached to remove the hub's password (entry {secret!r} "
                f"of {self.secrets.describe()}): remove it there by hand."
            )
        return True, ""

    def password(self) -> str | None:
        """The hub's password as kept at connect (None: libpq finds it itself)."""
        with self.sessions() as session:
            row = session.get(TeamHubRow, HUB_ROW)
            if row is None:
                raise NoHubError("This library is not connected to a team hub: run msldesk team connect DSN.")
            if row.password_in == "library":
                return row.password
            if row.password_in != "keyring":
                return None
            name = row.secret_name
        try:
            return self.secrets.get(name)
        except KeyringUnavailableError as exc:
            raise KeyringUnavailableError(
                "The team hub's password is kept in the system keyring, which cannot be used now.",
                exc.details,
            ) from exc

    # -- status ----------------------------------------------------------------------------------

    def status(self, ask_hub: bool = True, check: IdentityCheck | None = None) -> TeamStatus:
        """The remembered hub, what waits to be pushed, and (when `ask_hub`) who the hub says you are
        (asked through `check`, else the service's); a hub that cannot be asked is `problem`, one
        sentence, and changes nothing here."""
        link = self.link()
        pending, pushed = self.pending_events()
        identity, problem = None, ""
        if link is not None and ask_hub:
            try:
                identity = (check or self.check)(link.dsn, self.password())
            except MsldeskError as exc:
                problem = exc.user_message
        return TeamStatus(link, identity, problem, pending, pushed)

    def pending_events(self) -> tuple[tuple[PendingEvent, ...], int]:
        """Finalized meetings not yet pushed, oldest finalization first; and how many were pushed."""
        with self.sessions() as session:
            pushed_ids = set(
                session.scalars(
                    select(TeamUidRow.local_id).where(
                        TeamUidRow.kind == EVENT, TeamUidRow.pushed_at_utc.is_not(None)
                    )
                )
            )
            finalized = session.execute(
                select(EventRow.id, EventRow.title, EventRow.finalized_at_utc)
                .where(EventRow.finalized_at_utc.is_not(None))
                .order_by(EventRow.finalized_at_utc, EventRow.id)
            ).all()
        pending = tuple(
            PendingEvent(event_id, title, clock.stored(at))
            for event_id, title, at in finalized
            if event_id not in pushed_ids and at is not None
        )
        return pending, sum(1 for event_id, _t, _a in finalized if event_id in pushed_ids)

    # -- the password's keeping ------------------------------------------------------------------

    def _keep_password(self, password: str | None) -> tuple[str, str, str | None]:
        """(keyring entry name, where it is kept, the value for the library's column)."""
        if not password:
            return "", "none", None
        name = f"team-hub-{uuid.uuid4().hex}"
        try:
            self.secrets.set(name, password)
            return name, "keyring", None
        except KeyringUnavailableError as exc:
            if self.encrypted:
                return "", "library", password
            raise KeyringUnavailableError(
                "There is no usable keyring and this library is not encrypted, so msldesk will not keep the "
                "hub's password: put it in ~/.pgpass and connect without one.",
                exc.details,
            ) from exc

    def _forget_secret(self, name: str) -> bool:
        """Remove a keyring entry; False when the keyring still has it (or could not be asked)."""
        if not name:
            return True
        try:
            self.secrets.delete(name)
        except KeyringUnavailableError:  # the entry already gone, or the keyring unusable: which?
            try:
                return self.secrets.get(name) is None
            except KeyringUnavailableError:
                return False
        return True


def _link(row: TeamHubRow) -> TeamLink:
    return TeamLink(
        dsn=row.dsn,
        user_name=row.user_name,
        password_in=row.password_in,
        connected_at=clock.stored(row.connected_at_utc),
        last_sync=None if row.last_sync_utc is None else clock.stored(row.last_sync_utc),
        pull_cursor=row.pull_cursor,
    )
