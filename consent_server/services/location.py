"""The visitor's location, resolved from the IP in memory and then forgotten.

Until a GeoIP database is configured every location is unresolved (None), which the
regime rules treat as opt-in (fail safe)."""


def resolve(ip: str | None, pretend: str | None = None):
    return None
