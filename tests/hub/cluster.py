"""A throw-away PostgreSQL cluster: initdb in a fresh folder under /tmp, the server on its own port on
127.0.0.1 and on a Unix socket in that folder, stopped and removed when the `throwaway_cluster` block
ends (an exception or Ctrl-C included); a shared or system server is never used. The hub's tests
(tests/hub/conftest.py) and bench/hub_scale.py both start theirs here.

PostgreSQL refuses to run as root, so under root (CI) initdb and pg_ctl run as the `postgres` user (or
`nobody`) through runuser (or setpriv), and the folder is handed to that user. The binaries are found
on PATH, then in Debian's /usr/lib/postgresql/<version>/bin (newest first), or in $MSLDESK_PG_BIN.
If the process is killed outright, its server may be left running:
`pg_ctl -D /tmp/msldesk-hub-pg-*/data stop` ends it."""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER, SUPERUSER_PASSWORD = "hub_super", "super-secret-pw"
OWNER, OWNER_PASSWORD = "hub_owner", "owner-secret-pw"
# Settings for a server whose data may be lost: no waiting on the disk.
THROWAWAY_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "16MB",
    "max_connections": "60",
}
MISSING = "PostgreSQL 15+ (initdb, pg_ctl, postgres) is not installed: apt-get install postgresql"
_names = itertools.count(1)


class ClusterError(RuntimeError):
    """PostgreSQL is missing, or initdb or the server failed (the message says why)."""


def pg_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl of PostgreSQL 15 or later, or None."""
    candidates: list[Path] = []
    if override := os.environ.get("MSLDESK_PG_BIN"):
        candidates.append(Path(override))
    if found := shutil.which("initdb"):
        candidates.append(Path(found).resolve().parent)  # /usr/local/bin/initdb may link into Debian's folder
    debian = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(
        debian, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True
    )
    for folder in candidates:
        initdb = folder / "initdb"
        if initdb.is_file() and (folder / "pg_ctl").is_file() and (folder / "postgres").is_file():
            version = subprocess.run([str(initdb), "--version"], capture_output=True, text=True).stdout
            match = re.search(r"(\d+)", version)
            if match and int(match.group(1)) >= 15:
                return folder
    return None


def _as_server_user(folder: Path) -> list[str]:
    """The command prefix that runs the server's tools as an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return []
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        user = pwd.getpwnam("nobody")
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    if shutil.which("runuser"):
        return ["runuser", "-u", user.pw_name, "--"]
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Cluster:
    socket_dir: Path
    port: int
    folder: Path
    pg_ctl: tuple[str, ...] = ()  # the command (as the server's user) and -D data folder, to stop and start
    start_options: tuple[str, ...] = ()

    def stop(self) -> None:
        """Stop the server at once (as a crash or a network cut looks to a client)."""
        done = subprocess.run([*self.pg_ctl, "-m", "immediate", "stop"], capture_output=True, timeout=120)
        if done.returncode != 0 and self.running():  # under load pg_ctl can give up waiting: look again
            raise ClusterError(f"the test server did not stop: {done.stderr.decode(errors='replace')}")

    def start(self) -> None:
        """Start the server again; a second try after a moment (a stop under load can leave its socket or
        shared memory to be released a little later)."""
        for attempt in range(3):
            command = [*self.pg_ctl, *self.start_options, "start"]
            done = subprocess.run(command, capture_output=True, timeout=120)
            if done.returncode == 0 or self.running():
                return
            time.sleep(1 + attempt)
        log = (self.folder / "server.log").read_text(errors="replace")[-3000:]
        said = done.stderr.decode(errors="replace")
        raise ClusterError(f"the test server did not start again: {said}\n{log}")

    def restart(self) -> None:
        """Every connection dropped, what was committed kept: a CHECKPOINT first, since this server
        commits asynchronously and an immediate stop may lose what it acknowledged a moment ago (the
        users a test just added)."""
        import psycopg

        with psycopg.connect(self.superuser_dsn(), autocommit=True) as admin:
            admin.execute("CHECKPOINT")
        self.stop()
        self.start()

    def running(self) -> bool:
        """pg_ctl status: 0 running, 3 not running."""
        return subprocess.run([*self.pg_ctl, "status"], capture_output=True, timeout=60).returncode == 0

    def dsn(self, user: str, password: str, dbname: str = "postgres", tcp: bool = False) -> str:
        host = "127.0.0.1" if tcp else str(self.socket_dir)
        return f"host={host} port={self.port} dbname={dbname} user={user} password={password}"

    def superuser_dsn(self, dbname: str = "postgres") -> str:
        return self.dsn(SUPERUSER, SUPERUSER_PASSWORD, dbname)

    def new_database(self) -> str:
        """A fresh database owned by the hub's owner role (which may create roles, as init needs)."""
        import psycopg
        from psycopg import sql

        name = f"hub_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.superuser_dsn(), autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (OWNER,)).fetchone()
            if not exists:
                connection.execute(
                    sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
                        sql.Identifier(OWNER), sql.Literal(OWNER_PASSWORD)
                    )
                )
            connection.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(OWNER))
            )
        return name

    def owner_dsn(self, dbname: str) -> str:
        return self.dsn(OWNER, OWNER_PASSWORD, dbname)


@contextmanager
def throwaway_cluster(**settings: str) -> Iterator[Cluster]:
    """A running throw-away cluster (`settings` override THROWAWAY_SETTINGS, e.g. max_connections="300"),
    stopped and removed when the block ends. ClusterError when PostgreSQL 15+ is missing or fails."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        raise ClusterError(
            "PostgreSQL 15+ (initdb, pg_ctl, postgres) is not installed: apt-get install postgresql"
        )
    folder = Path(tempfile.mkdtemp(prefix="msldesk-hub-pg-", dir="/tmp"))
    data, sockets, pwfile = folder / "data", folder / "sock", folder / "pwfile"
    sockets.mkdir()
    pwfile.write_text(SUPERUSER_PASSWORD + "\n")
    run_as = _as_server_user(folder)
    port = _free_port()

    def tool(*args: str) -> None:
        done = subprocess.run([*run_as, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = folder / "server.log"
            raise ClusterError(
                f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()}\n"
                + (log.read_text(errors="replace")[-2000:] if log.exists() else "")
            )

    options = f"-p {port} -k {sockets} " + " ".join(
        f"-c {key}={value}" for key, value in {**THROWAWAY_SETTINGS, **settings}.items()
    )
    pg_ctl = (*run_as, str(bin_dir / "pg_ctl"), "-D", str(data))
    start = ("-l", str(folder / "server.log"), "-w", "-t", "60", "-o", options)
    try:
        tool(str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, f"--pwfile={pwfile}",
             "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync")  # fmt: skip
        tool(*pg_ctl[len(run_as) :], *start, "start")
        yield Cluster(sockets, port, folder, pg_ctl, start)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
