"""The hub's tests share one throw-away PostgreSQL cluster per test session (tests/hub/cluster.py starts
it; a shared or system server is never used); a module that stops and starts its server has its own.
Without PostgreSQL 15+ they skip and say so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hub.cluster import MISSING, Cluster, ClusterError, pg_bin_dir, throwaway_cluster


def _running_cluster() -> Iterator[Cluster]:
    if pg_bin_dir() is None:
        pytest.skip(MISSING)
    try:
        with throwaway_cluster() as cluster:
            yield cluster
    except ClusterError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    yield from _running_cluster()


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[Cluster]:
    """A cluster of the module's own, which its tests may stop and start (the shared one stays up)."""
    yield from _running_cluster()


@pytest.fixture(scope="module")
def hub_database(pg_cluster: Cluster) -> str:
    """A fresh database for one test module, with no hub in it yet: its name."""
    return pg_cluster.new_database()
