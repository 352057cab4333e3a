"""File kinds the library accepts (kept free of heavy imports: the GUI needs it at start-up)."""

from __future__ import annotations

DECK_EXTENSIONS = frozenset({".pptx", ".pptm", ".potx", ".potm", ".ppsx", ".ppsm"})
