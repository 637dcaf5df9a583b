"""The clickstream tracker's build: widget/tracker.js, minified, served at /t.js.

Separate from the widget bundle: the widget loads it only once analytics is granted
(gate.js), so a visitor who did not grant analytics never downloads it.
"""
from __future__ import annotations

import functools
from pathlib import Path

from . import Bundle, minified

SOURCE = Path(__file__).resolve().parent / "tracker.js"
BUDGET_GZIP = 2000  # bytes, gzip -9 (peers: Plausible ~2.7 KB, Umami ~2.2 KB)


@functools.cache
def build_tracker() -> Bundle:
    return minified(SOURCE.read_text(encoding="utf-8"))


__all__ = ["BUDGET_GZIP", "build_tracker"]
