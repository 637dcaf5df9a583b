"""The data-request module's build: widget/dsar.js, minified, served at /d.js.

Separate from the widget bundle (which has no room for it in its 6,000 B budget): the
widget loads it the first time a visitor with a consent id opens the preferences, so
nobody else downloads it.
"""
from __future__ import annotations

import functools
from pathlib import Path

from . import Bundle, minified

SOURCE = Path(__file__).resolve().parent / "dsar.js"
BUDGET_GZIP = 1500  # bytes, gzip -9


@functools.cache
def build_dsar() -> Bundle:
    return minified(SOURCE.read_text(encoding="utf-8"))


__all__ = ["BUDGET_GZIP", "build_dsar"]
