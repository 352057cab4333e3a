"""The library's side reaches a real hub through msldesk.hub.connect: who_am_i names the login and the
groups `msldesk hub add-user` put it in, and a wrong password is one sentence."""

from __future__ import annotations

import psycopg
import pytest

from msldesk.hub.errors import HubLoginError
from msldesk.hub.schema import init_hub
from msldesk.hub.users import add_user
from msldesk.team.hub_link import split_dsn, who_am_i
from tests.hub.cluster import Cluster


def test_who_am_i_on_a_real_hub(pg_cluster: Cluster, hub_database: str) -> None:
    owner = pg_cluster.owner_dsn(hub_database)
    init_hub(owner)
    name = f"{hub_database}_eve"
    add_user(owner, name, "msl", "eve-pw")
    add_user(owner, name, "reviewer", "eve-pw")  # moves her: one role through add-user
    dsn, password, _user = split_dsn(pg_cluster.dsn(name, "eve-pw", hub_database, tcp=True))
    assert who_am_i(dsn, password).roles == ("reviewer",)
    with psycopg.connect(pg_cluster.superuser_dsn(), autocommit=True) as superuser:
        superuser.execute(f'GRANT msldesk_msl TO "{name}"')  # by hand: what the database grants counts
    dsn, password, user = split_dsn(pg_cluster.dsn(name, "eve-pw", hub_database, tcp=True))
    assert password == "eve-pw"
    assert user == name
    assert "eve-pw" not in dsn
    identity = who_am_i(dsn, password)
    assert (identity.user_name, identity.roles) == (name, ("msl", "reviewer"))
    with pytest.raises(HubLoginError, match=f"refused the name or password of {name}"):
        who_am_i(dsn, "not-eve-pw")
