"""Loads thumbnail PNGs off the GUI thread and keeps the recently shown ones as pixmaps."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from msldesk.ui.context import AppContext
from msldesk.ui.ops import Lane, Op, Work

CACHE_SIZE = 800


def read_thumbnail(path: str) -> QImage:
    """A thumbnail from the cache, read in a worker; a null image when it cannot be. Read as a
    regular file of bounded size: a pipe or device left under a thumbnail's name would otherwise
    hold the worker for good (QImage opens whatever it is given)."""
    from pathlib import Path

    from msldesk.core.user_files import read_small_file

    try:
        return QImage.fromData(read_small_file(Path(path)))
    except OSError:
        return QImage()


class ThumbnailImages(QObject):
    ready = Signal(str)  # a requested path is now available from get()

    def __init__(self, context: AppContext, size: QSize, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._size = QSize(size)  # images are scaled to this in the worker, not while painting
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._loading: set[str] = set()
        self._missing: set[str] = set()

    def get(self, path: str) -> QPixmap | None:
        """The pixmap if loaded; otherwise start loading it (QImage is safe in workers)."""
        pixmap = self._pixmaps.get(path)
        if pixmap is not None:
            self._pixmaps.move_to_end(path)
            return pixmap
        if path not in self._loading and path not in self._missing:
            self._loading.add(path)

            size = self._size

            def job(_work: Work) -> QImage:
                image = read_thumbnail(path)
                if image.isNull():
                    return image
                return image.scaled(
                    size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )

            def done(image: QImage, loaded_path: str = path) -> None:
                self._on_loaded(loaded_path, image)

            Op(self, job, Lane.IO).success(done).run()
        return None

    def forget(self) -> None:
        """Drop cached misses (after thumbnails were rendered)."""
        self._missing.clear()

    def _on_loaded(self, path: str, image: QImage) -> None:
        self._loading.discard(path)
        if image.isNull():
            self._missing.add(path)
            return
        self._pixmaps[path] = QPixmap.fromImage(image)
        while len(self._pixmaps) > CACHE_SIZE:
            self._pixmaps.popitem(last=False)
        self.ready.emit(path)
