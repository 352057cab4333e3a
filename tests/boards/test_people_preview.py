"""The import preview reads the file once and carries what the wizard shows: example values."""

from __future__ import annotations

from pathlib import Path

import pytest

from msldesk.boards.intake import sources


def test_one_read_gives_the_mapping_its_example_values(
    app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    people = tmp_path / "people.csv"
    people.write_text("Vorname,Nachname,Lieblingsfarbe\nAda,Lovelace,\nGrace,Hopper,blau\n", encoding="utf-8")
    reads: list[Path] = []
    real = sources.read_source
    monkeypatch.setattr(
        sources, "read_source", lambda path, cancel=None: reads.append(path) or real(path, cancel)
    )

    preview = app.people_import.preview(people)
    assert reads == [people], "the file is read once per preview"
    assert preview.mapping["Lieblingsfarbe"] == "", "an unknown column is left unmapped"
    # ...and still shows what it holds, so the user can choose where it goes.
    assert preview.samples == {"Vorname": "Ada", "Nachname": "Lovelace", "Lieblingsfarbe": "blau"}
