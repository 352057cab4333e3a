"""The library's settings file: whatever it holds, the app starts with values it can use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msldesk.core.config import Settings


@pytest.mark.parametrize(
    "content",
    [
        b"[1, 2, 3]",
        b'"text"',
        b"42",
        b"null",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    ],
    ids=["list", "text", "number", "null", "deep-list", "deep-object"],
)
def test_a_settings_file_that_holds_no_settings_gives_the_defaults(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    assert Settings.load(path) == Settings()


def test_each_value_of_the_wrong_kind_or_out_of_range_falls_back_alone(tmp_path: Path) -> None:
    """A hand-edited file: the good values are kept; each bad one takes its default (a text where a
    number goes failed later as a TypeError; a sync every 10**9 minutes overflowed Qt's timer)."""
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "thumbnail_width": "wide",
                "render_processes": -3,
                "render_batch_size": 0,
                "team_sync_minutes": 10**9,
                "render_timeout_seconds": True,
                "render_memory_limit_mb": 1e308,
                "soffice_path": ["/usr/bin/soffice"],
                "exact_thumbnails": "yes",
                "expiring_within_days": 60,
                "import_max_slides": 500,
                "unknown": 1,
            }
        ),
        encoding="utf-8",
    )
    assert Settings.load(path) == Settings(expiring_within_days=60, import_max_slides=500)
    path.write_text(json.dumps({"soffice_path": "/opt/lo/soffice", "team_sync_minutes": 0}), encoding="utf-8")
    assert Settings.load(path) == Settings(soffice_path="/opt/lo/soffice", team_sync_minutes=0)


def test_saved_settings_load_as_they_were(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    saved = Settings(
        thumbnail_width=640,
        render_processes=4,
        team_sync_minutes=60,
        soffice_path="/x/soffice",
        exact_thumbnails=True,
    )
    saved.save(path)
    assert Settings.load(path) == saved
