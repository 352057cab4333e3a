"""The PyInstaller bundle builds from installer.spec, passes its self-test offscreen, and runs the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("PyInstaller", reason="PyInstaller is in the test extras; install them")
    work = tmp_path_factory.mktemp("bundle")
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(REPO / "installer.spec")],
        check=True, cwd=REPO, timeout=900, capture_output=True,
    )  # fmt: skip
    return work / "dist" / "msldesk"


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MSLDESK_DATA_DIR": str(tmp_path / "data"),
            "MSLDESK_PASSPHRASE": "bundle-test-passphrase"}  # fmt: skip


def test_the_bundle_passes_its_self_test(bundle: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(bundle / "msldesk"), "--self-test"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(frozen bundle;" in result.stdout
    for check in ("library database", "keyring", "PDF writer", "PPTX writer", "Qt"):
        assert any(line.split()[:1] == ["ok"] and check in line for line in result.stdout.splitlines()), check
    assert "encrypted (SQLCipher)" in result.stdout


def test_the_bundle_runs_the_command_line_and_its_migrations(bundle: Path, tmp_path: Path) -> None:
    env = _env(tmp_path)
    run = [str(bundle / "msldesk"), "--data-dir", str(tmp_path / "lib")]
    created = subprocess.run(
        [*run, "event", "create", "--title", "Frozen board", "--start", "2027-03-02T09:00",
         "--end", "2027-03-02T12:00", "--tz", "Europe/Berlin"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert created.returncode == 0, created.stdout + created.stderr
    listed = subprocess.run([*run, "events"], env=env, capture_output=True, text=True, timeout=120)
    assert "Frozen board" in listed.stdout
    verified = subprocess.run([*run, "audit", "verify"], env=env, capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0
    assert "OK" in verified.stdout


def test_the_bundle_leaves_unused_qt_out_and_stays_small(bundle: Path) -> None:
    files = [p for p in bundle.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert not any(
        n.startswith(("libQt6Quick", "libQt6Qml", "libQt6WebEngine", "libQt6Network")) for n in names
    )
    size_mb = sum(p.stat().st_size for p in files if not p.is_symlink()) / 1e6
    assert size_mb <= 250, f"{size_mb:.0f} MB"
