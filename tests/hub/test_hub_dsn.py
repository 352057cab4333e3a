"""The one rule every hub connection passes: TLS with a checked certificate unless the server is on
this computer (a Unix socket or loopback)."""

from __future__ import annotations

import pytest

from msldesk.core.errors import InvalidInputError
from msldesk.hub.connect import checked_params
from msldesk.hub.errors import InsecureHubError


@pytest.fixture(autouse=True)
def _no_libpq_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PGHOST", "PGHOSTADDR", "PGSSLMODE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    "dsn",
    [
        "dbname=hub",  # the default socket
        "host=/var/run/postgresql dbname=hub",
        "host=@abstract dbname=hub",
        "host=localhost dbname=hub",
        "host=127.0.0.1 port=6432 dbname=hub sslmode=disable",
        "host=127.8.9.10 dbname=hub",
        "postgresql://ana@[::1]:5432/hub",
        "host=hub.example.org dbname=hub sslmode=verify-full sslrootcert=/etc/ca.pem",
        "postgresql://ana@hub.example.org/hub?sslmode=verify-full",
        "host=localhost,hub-replica.example.org dbname=hub sslmode=verify-full",
    ],
)
def test_local_or_verified_servers_are_accepted(dsn: str) -> None:
    assert isinstance(checked_params(dsn), dict)


@pytest.mark.parametrize(
    "dsn",
    [
        "host=hub.example.org dbname=hub",
        "host=hub.example.org dbname=hub sslmode=require",  # encrypted, but to whoever answers
        "host=hub.example.org dbname=hub sslmode=verify-ca",  # any host with a certificate from the CA
        "postgresql://ana@10.0.0.5/hub",
        "host=localhost,hub-replica.example.org dbname=hub",
        "host=localhost hostaddr=10.1.2.3 dbname=hub",  # the name is local, the address is not
    ],
)
def test_network_servers_need_verify_full(dsn: str) -> None:
    with pytest.raises(InsecureHubError, match="sslmode=verify-full"):
        checked_params(dsn)


def test_libpq_environment_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGHOST", "hub.example.org")
    with pytest.raises(InsecureHubError):
        checked_params("dbname=hub")
    monkeypatch.setenv("PGSSLMODE", "verify-full")
    assert checked_params("dbname=hub")["dbname"] == "hub"


def test_a_malformed_dsn_is_said_plainly() -> None:
    with pytest.raises(InvalidInputError, match="not a PostgreSQL connection string"):
        checked_params("hub.example.org")
