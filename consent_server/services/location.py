"""The visitor's location, resolved from the IP in memory and then forgotten.

``init_app`` opens the GeoIP database (``CONSENT_GEOIP_DB``) once per process. Without
one, or with a missing or corrupt file, the ``geo`` logger warns once at start-up and
every location is unresolved, which the regime rules treat as opt-in (fail safe)."""
from __future__ import annotations

from geo import GeoReader, Location, pretend_location


def init_app(app) -> None:
    app.extensions["geo"] = GeoReader(app.config.get("GEOIP_DB"))


def reader(app) -> GeoReader:
    return app.extensions["geo"]


def resolve(geo: GeoReader, ip: str | None, pretend: str | None = None) -> Location | None:
    """Where the visitor at ``ip`` is, or None when unknown.

    ``pretend`` ("US-CA", "DE") replaces the lookup; callers pass it only when
    GEO_PRETEND is on (demo and tests). Raises ValueError for a malformed code."""
    if pretend is not None:
        return pretend_location(pretend)
    return geo.locate(ip) if ip else None
