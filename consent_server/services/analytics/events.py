"""A beacon's events reduced to what is stored: paths without query strings (but for a
short allow list), UTM fields, referrer host and path, browser/OS/device class and
location; never an IP or a raw UA.

Pure functions: no database, no Flask.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

EVENT_TYPES = ("pageview", "outbound", "download", "engagement", "custom")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_PATH, MAX_TITLE, MAX_HOST, MAX_UTM, MAX_TARGET = 1024, 300, 255, 200, 2048
MAX_KEPT_VALUE = 100  # characters of an allowed query parameter's value


class EventError(ValueError):
    """An event that cannot be stored as sent (not an http(s) page, a missing field...)."""


@dataclass(frozen=True)
class Client:
    """What the request says about the visitor, already reduced (see services/useragent)."""

    browser: str | None = None
    os: str | None = None
    device: str | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None


def _http(url: str | None, what: str):
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname  # raises ValueError on a malformed netloc (bad IPv6 literal)
        parts.port  # noqa: B018 - the same for a malformed port
    except ValueError:
        raise EventError(f"{what} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise EventError(f"{what} must be an http(s) URL")
    return parts


def query_allow(setting) -> tuple[str, ...]:
    """``ANALYTICS_QUERY_ALLOW`` as parameter names: a list, or a comma-separated string
    (``CONSENT_ANALYTICS_QUERY_ALLOW=page,ref``)."""
    names = setting.split(",") if isinstance(setting, str) else setting or ()
    return tuple(dict.fromkeys(n.strip().lower() for n in names if n and n.strip()))


def page_parts(url: str, allow=()) -> tuple[str, dict[str, str | None]]:
    """The page's path and its utm_* parameters. The path keeps no fragment and, of the
    query string, only the parameters named in ``allow`` (lower case; the first value of
    each, in the order of ``allow``)."""
    parts = _http(url, "url")
    if parts is None:
        raise EventError("url is required")
    utm: dict[str, str | None] = dict.fromkeys(UTM_FIELDS)
    kept: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        key = key.lower()
        if key in utm and utm[key] is None:
            utm[key] = value.strip()[:MAX_UTM] or None
        elif key in allow and key not in kept and value.strip():
            kept[key] = value.strip()[:MAX_KEPT_VALUE]
    path = parts.path or "/"
    if kept:
        path += "?" + urlencode([(k, kept[k]) for k in allow if k in kept])
    return path[:MAX_PATH], utm


def referrer_parts(url: str | None) -> tuple[str | None, str | None]:
    """Referrer host and path; its query string is never kept (it may carry search terms,
    session ids or e-mail addresses). A referrer that is not an http(s) URL is dropped."""
    try:
        parts = _http(url, "referrer")
    except EventError:
        return None, None
    if parts is None:
        return None, None
    return parts.hostname[:MAX_HOST], (parts.path or "/")[:MAX_PATH]


def link_target(url: str | None) -> str:
    """An outbound link or download: scheme, host (and port) and path; no query string."""
    parts = _http(url, "target")
    if parts is None:
        raise EventError("target is required for outbound and download events")
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return f"{parts.scheme}://{host}{parts.path or '/'}"[:MAX_TARGET]


def _text(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value[:limit] or None


def normalize(event: dict, *, site_id: int, client: Client, now: datetime, query_allow=()) -> dict:
    """One validated event (a dict shaped like the API's EventIn) -> a row for ``Event``
    without its session id (decided when the batch is written). ``query_allow``: the query
    parameters the page path keeps (see ``page_parts``)."""
    kind = event["type"]
    if kind not in EVENT_TYPES:
        raise EventError(f"unknown event type {kind!r}")
    path, utm = page_parts(event["url"], query_allow)
    ref_host, ref_path = referrer_parts(event.get("referrer"))
    row = {
        "site_id": site_id,
        "visitor_id": event["visitor_id"],
        "session_id": None,
        "occurred_at": now,
        "type": kind,
        "path": path,
        "title": _text(event.get("title"), MAX_TITLE),
        "referrer_host": ref_host,
        "referrer_path": ref_path,
        **utm,
        "target": None,
        "name": None,
        "props": None,
        "browser": client.browser,
        "os": client.os,
        "device": client.device,
        "country": client.country,
        "region": client.region,
        "city": client.city,
        "duration_ms": None,
        "scroll": None,
    }
    if kind in ("outbound", "download"):
        row["target"] = link_target(event.get("target"))
    elif kind == "custom":
        name = _text(event.get("name"), 100)
        if not name:
            raise EventError("custom events need a name")
        row["name"] = name
        row["props"] = dict(event["props"]) if event.get("props") else None
    elif kind == "engagement":
        row["duration_ms"] = event.get("duration_ms")
        row["scroll"] = event.get("scroll")
    return row
