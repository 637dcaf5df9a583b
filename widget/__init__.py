"""The browser widget: sources (core.js, gate.js, banner.js, boot.js, consent.css) and
their build into the one file the server sends at /consent.js.

``build_bundle()`` concatenates the scripts in order inside one strict-mode function
(called inside try/catch: no error of the start-up reaches the host page), embeds the minified CSS as a string literal
where the sources say ``"__CSS__"``, and minifies with rjsmin/rcssmin. The result is
cached for the life of the process; ``version`` is a short content hash for the
immutable URL ``/consent.<version>.js``.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import rcssmin
import rjsmin

SOURCE_DIR = Path(__file__).resolve().parent
SCRIPTS = ("core.js", "gate.js", "banner.js", "boot.js")
STYLESHEET = "consent.css"
CSS_PLACEHOLDER = '"__CSS__"'


@dataclass(frozen=True)
class Bundle:
    body: bytes  # minified JavaScript, CSS embedded
    version: str  # short content hash of body
    gzip_size: int  # len(gzip_body)
    gzip_body: bytes = b""  # body compressed with gzip -9 (what the server sends when gzip is accepted)


def _read(name: str) -> str:
    return (SOURCE_DIR / name).read_text(encoding="utf-8")


def bundle_source() -> str:
    """The unminified bundle (handy for debugging: the sources in one scope)."""
    css = rcssmin.cssmin(_read(STYLESHEET))
    js = "\n".join(_read(name) for name in SCRIPTS)
    if js.count(CSS_PLACEHOLDER) != 1:
        raise ValueError(f"the widget sources must hold {CSS_PLACEHOLDER} exactly once")
    # json.dumps gives a valid JS string literal; "<" is escaped so that the bundle can be
    # inlined in a page without "</style>" or "</script>" ending anything early.
    literal = json.dumps(css, ensure_ascii=True).replace("<", "\\u003c")
    js = js.replace(CSS_PLACEHOLDER, literal)
    return "try{(function(){'use strict';\n" + js + "\n})()}catch(e){}\n"


def gzip9(data: bytes) -> bytes:
    """gzip -9 with a fixed mtime, so the same input gives the same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def minified(source: str) -> Bundle:
    """``source`` minified (rjsmin), gzip -9 and a content-hash version."""
    body = rjsmin.jsmin(source).encode("utf-8")
    compressed = gzip9(body)
    return Bundle(body=body, version=hashlib.sha256(body).hexdigest()[:12],
                  gzip_size=len(compressed), gzip_body=compressed)


@functools.cache
def build_bundle() -> Bundle:
    return minified(bundle_source())


__all__ = ["Bundle", "build_bundle", "bundle_source", "gzip9", "minified"]
