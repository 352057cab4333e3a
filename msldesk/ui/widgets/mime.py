"""Drag-and-drop payloads shared by the slide grid and the deck builder tray."""

from __future__ import annotations

import json
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QMimeData

SLIDES_MIME = "application/x-msldesk-slide-ids"
TRAY_ROWS_MIME = "application/x-msldesk-tray-rows"


def encode_ids(kind: str, values: Sequence[int]) -> QMimeData:
    mime = QMimeData()
    mime.setData(kind, QByteArray(json.dumps(list(values)).encode()))
    return mime


def decode_ids(mime: QMimeData, kind: str) -> list[int]:
    try:
        return [int(v) for v in json.loads(bytes(mime.data(kind).data()).decode() or "[]")]
    except (ValueError, TypeError):
        return []
