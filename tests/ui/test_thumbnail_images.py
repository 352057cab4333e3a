"""Thumbnails are read from the cache as regular files only."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage

from msldesk.ui.library.thumbnail_images import read_thumbnail


def test_a_thumbnail_is_read_and_a_pipe_or_missing_file_gives_no_image(tmp_path: Path) -> None:
    good = tmp_path / "1.png"
    image = QImage(QSize(32, 18), QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    assert image.save(str(good))
    assert read_thumbnail(str(good)).size() == QSize(32, 18)
    assert read_thumbnail(str(tmp_path / "missing.png")).isNull()

    pipe = tmp_path / "2.png"
    os.mkfifo(pipe)
    results: list[bool] = []
    reader = threading.Thread(target=lambda: results.append(read_thumbnail(str(pipe)).isNull()), daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # QImage(path) waited here for a writer that never comes
        with open(pipe, "wb"):  # let the stuck read end so that the test run can
            pass
    assert results == [True]
