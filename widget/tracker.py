"""The clickstream tracker's build: widget/tracker.js, minified, served at /t.js.

Separate from the widget bundle: the widget loads it only once analytics is granted
(gate.js), so a visitor who did not grant analytics never downloads it.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import rjsmin

from . import Bundle, gzip9

SOURCE = Path(__file__).resolve().parent / "tracker.js"
BUDGET_GZIP = 2000  # bytes, gzip -9 (peers: Plausible ~2.7 KB, Umami ~2.2 KB)


@functools.cache
def build_tracker() -> Bundle:
    body = rjsmin.jsmin(SOURCE.read_text(encoding="utf-8")).encode("utf-8")
    compressed = gzip9(body)
    return Bundle(body=body, version=hashlib.sha256(body).hexdigest()[:12],
                  gzip_size=len(compressed), gzip_body=compressed)


__all__ = ["BUDGET_GZIP", "build_tracker"]
