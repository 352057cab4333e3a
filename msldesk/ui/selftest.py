"""The desktop's part of `msldesk --self-test`: can Qt start its platform and paint text here?"""

from __future__ import annotations

import os
import sys


def check_qt() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "")
    if not os.environ["QT_QPA_PLATFORM"]:
        del os.environ["QT_QPA_PLATFORM"]
    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QGuiApplication, QImage, QPainter

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    assert isinstance(app, QGuiApplication)  # instance() is typed as the QCoreApplication base
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.drawText(4, 32, "ok")
    painter.end()
    return f"PySide6 {pyside_version}, platform {app.platformName()}"
