"""End to end, two real libraries (a publisher's and an MSL's) against one real hub: publish, sync, the
Team deck searched and composed from, its metadata read-only; withdraw, sync, compose refused, the
saved collection and the built deck that used it named. The command line says the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from msldesk.cli.main import main
from msldesk.core.errors import InvalidInputError
from msldesk.decks.assembly import ComplianceError
from msldesk.decks.records import DeckUpdate
from msldesk.hub.errors import HubPermissionError
from msldesk.team.publish import DeckPublisher
from msldesk.team.pull import DeckPull
from tests.conftest import DeckFactory
from tests.hub.cluster import Cluster
from tests.hub.team_libraries import DeckHub, approved_deck, build_deck_hub, library


@pytest.fixture(scope="module")
def deck_hub(pg_cluster: Cluster) -> DeckHub:
    return build_deck_hub(pg_cluster)


def _pull(app: Any) -> DeckPull:
    return DeckPull(app.team, app.decks, app.paths.cache / "team")


def test_publish_sync_compose_withdraw(deck_hub: DeckHub, tmp_path: Path, deck_factory: DeckFactory) -> None:
    publisher = library(tmp_path / "publisher", deck_hub, "publisher")
    msl = library(tmp_path / "msl", deck_hub, "msl")
    try:
        own = approved_deck(publisher, deck_factory)
        (first,) = DeckPublisher(publisher.team, publisher.decks).publish([own])
        assert (first.outcome, first.revision, first.chunks_sent) == ("published", 1, 1)
        (again,) = DeckPublisher(publisher.team, publisher.decks).publish([own])
        assert (again.outcome, again.revision, again.chunks_sent, again.hub_uid) == (
            "unchanged", 1, 0, first.hub_uid
        )  # fmt: skip

        mine = msl.decks.import_paths([deck_factory.pptx("private.pptx", [("Mine", "my own words", "")])])
        (private,) = list(mine)
        private_id = private.deck_id
        report = _pull(msl).sync()
        assert report.complete
        assert report.full
        assert report.files_fetched == 1
        assert [(d.title, d.outcome) for d in report.decks] == [("Dosing update", "imported")]
        team_id = report.decks[0].deck_id
        assert team_id is not None
        deck = msl.decks.deck(team_id)
        assert (deck.origin, deck.is_team, deck.approval_code, deck.therapeutic_area, deck.status.value) == (
            "team", True, "MA-DOSING-1", "Nephrology", "approved"
        )  # fmt: skip
        assert set(deck.tags) == {"renal", "dosing"}
        assert msl.assembly.companions(team_id) == {1: [3]}
        assert msl.decks.deck(private_id).origin == "local"
        hits = msl.decks.search("renal adjustment")
        assert len(hits) == 3
        assert {(h.deck_id, h.deck_title) for h in hits} == {(team_id, "Dosing update")}
        with pytest.raises(InvalidInputError, match="is a Team deck"):
            msl.decks.update_deck(team_id, DeckUpdate(approval_code="MINE"))

        # The MSL cannot publish or withdraw: the database says no, in plain words; nothing changes here.
        with pytest.raises(HubPermissionError, match="does not allow this role to upload deck files"):
            DeckPublisher(msl.team, msl.decks).publish([private_id])
        with pytest.raises(HubPermissionError, match="does not allow this role to withdraw decks"):
            DeckPublisher(msl.team, msl.decks).withdraw(first.hub_uid, "not mine to withdraw")

        slides = [s.slide_id for s in msl.decks.list_slides(team_id)]
        built = msl.assembly.compose(slides[:2], tmp_path / "out" / "briefing.pptx", title="Renal briefing")
        assert [i.number for i in built.items] == [1, 3, 2]  # the companion of slide 1 travels with it
        msl.assembly.save_collection("Renal talk", slides[:1])
        assert not _pull(msl).sync().decks  # up to date: nothing read, nothing done

        gone = DeckPublisher(publisher.team, publisher.decks).withdraw(str(own), "label change")
        assert (gone.title, gone.revision) == ("Dosing update", 2)
        assert publisher.decks.deck(own).withdrawn

        report = _pull(msl).sync()
        assert [(d.deck_id, d.outcome) for d in report.decks] == [(team_id, "withdrawn")]
        assert msl.decks.deck(team_id).status.value == "withdrawn"
        assert [(u.kind, u.name, u.decks) for u in report.uses] == [
            ("collection", "Renal talk", ("Dosing update",)),
            ("assembly", "Renal briefing", ("Dosing update",)),
        ]
        with pytest.raises(ComplianceError, match="withdrawn"):
            msl.assembly.compose(slides[:1], tmp_path / "out" / "again.pptx")
        assert len(msl.decks.list_decks()) == 2  # no duplicate Team deck

        # The publisher's own library: its deck stays its own (never a Team copy of itself).
        own_report = _pull(publisher).sync()
        assert [d.outcome for d in own_report.decks] == ["unchanged"]
        assert [d.origin for d in publisher.decks.list_decks()] == ["local"]
    finally:
        publisher.close()
        msl.close()


def _cli(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), *args])


def test_the_command_line(
    deck_hub: DeckHub, tmp_path: Path, deck_factory: DeckFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    publisher = library(tmp_path / "pub", deck_hub, "publisher")
    try:
        deck_id = approved_deck(publisher, deck_factory, "hepatic")
    finally:
        publisher.close()
    msl = library(tmp_path / "msl2", deck_hub, "msl2")
    try:
        (own,) = list(msl.decks.import_paths([deck_factory.pptx("own.pptx", [("Own", "words", "")])]))
    finally:
        msl.close()
    capsys.readouterr()
    assert _cli(tmp_path / "pub", "team", "publish", str(deck_id)) == 0
    assert "published  deck" in capsys.readouterr().out
    assert _cli(tmp_path / "msl2", "team", "publish", str(own.deck_id)) == 2
    err = capsys.readouterr().err
    assert err.startswith("msldesk: The hub does not allow this role to upload deck files")
    assert err.count("\n") == 1
    assert _cli(tmp_path / "msl2", "team", "sync", "--json") == 0
    synced = json.loads(capsys.readouterr().out)
    assert synced["complete"]
    assert "Hepatic update" in [d["title"] for d in synced["decks"]]
    assert _cli(tmp_path / "msl2", "decks", "--json") == 0
    listed = {d["title"]: d["origin"] for d in json.loads(capsys.readouterr().out)}
    assert listed["Hepatic update"] == "team"
    assert _cli(tmp_path / "pub", "team", "withdraw", str(deck_id), "--reason", "expired label") == 0
    capsys.readouterr()
    assert _cli(tmp_path / "msl2", "team", "sync") == 0
    out = capsys.readouterr().out
    assert "1 deck withdrawn" in out
    assert "Hepatic update" in out
    assert _cli(tmp_path / "msl2", "team", "sync") == 0
    assert "already up to date" in capsys.readouterr().out


def test_publishing_a_withdrawn_deck_again_reinstates_it_everywhere(
    deck_hub: DeckHub, tmp_path: Path, deck_factory: DeckFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    publisher = library(tmp_path / "pub", deck_hub, "publisher")
    try:
        deck_id = approved_deck(publisher, deck_factory, "cardiac")
    finally:
        publisher.close()
    library(tmp_path / "msl2", deck_hub, "msl2").close()
    assert _cli(tmp_path / "pub", "team", "publish", str(deck_id)) == 0
    assert _cli(tmp_path / "msl2", "team", "sync") == 0
    assert _cli(tmp_path / "pub", "team", "withdraw", str(deck_id), "--reason", "wrong dosing table") == 0
    assert _cli(tmp_path / "msl2", "team", "sync") == 0
    capsys.readouterr()
    # Published again while still withdrawn here: refused, saying how to reinstate it.
    assert _cli(tmp_path / "pub", "team", "publish", str(deck_id)) == 2
    assert "to publish it again (which reinstates it on the hub), clear that first" in capsys.readouterr().err
    assert _cli(tmp_path / "pub", "deck", "set", str(deck_id), "--withdrawn", "no") == 0
    capsys.readouterr()
    assert _cli(tmp_path / "pub", "team", "publish", str(deck_id), "--json") == 0
    (done,) = json.loads(capsys.readouterr().out)
    assert (done["outcome"], done["revision"], done["chunks_sent"]) == ("reinstated", 3, 0)
    with psycopg.connect(deck_hub.owner_dsn()) as owner:
        actions = owner.execute(
            "SELECT action FROM msldesk.audit WHERE subject = 'deck' AND subject_id = %s ORDER BY seq",
            (done["hub_uid"],),
        ).fetchall()
    assert [a for (a,) in actions] == ["published", "withdrawn", "reinstated"]
    assert _cli(tmp_path / "msl2", "team", "sync") == 0
    out = capsys.readouterr().out
    assert "1 deck reinstated" in out
    assert any(
        line.startswith("  reinstated deck ") and line.endswith("  Cardiac update")
        for line in out.split("\n")
    )
    msl = library(tmp_path / "msl2")
    try:
        (team,) = [d for d in msl.decks.list_decks() if d.title == "Cardiac update"]
        assert (team.is_team, team.status.value) == (True, "approved")
    finally:
        msl.close()
