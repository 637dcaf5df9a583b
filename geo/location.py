"""IP address -> Location, from a GeoIP2-City-layout MaxMind DB file.

MaxMind GeoLite2/GeoIP2 City and DB-IP City Lite both use this layout. The
database is opened once (memory-mapped, C extension when installed) and every
answer goes through a bounded in-memory LRU cache keyed by the normalized
address. Nothing here writes an address anywhere: not to disk, not to logs.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import re
from dataclasses import dataclass

import geoip2.database
import geoip2.errors
import maxminddb
from babel import Locale

log = logging.getLogger("geo")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_UNRESOLVED = "every location is unresolved (opt-in everywhere)"


@dataclass(frozen=True)
class Location:
    """Where a visitor is, as far as the database knows.

    country: ISO 3166-1 alpha-2 ("DE"); region: ISO 3166-2 subdivision code
    without the country prefix ("CA" for US-CA, "QC" for CA-QC); city: English
    name; time_zone: IANA name. Any of them may be None.
    """

    country: str | None = None
    region: str | None = None
    city: str | None = None
    time_zone: str | None = None


def public_address(ip: str) -> IPAddress | None:
    """Parse ``ip`` and return it when it can be located, else None.

    IPv4-mapped IPv6 (``::ffff:1.2.3.4``) becomes the IPv4 address. Private,
    loopback, link-local, site-local, reserved, multicast, unspecified and
    shared (CGNAT) addresses, and anything that is not an address, give None.
    """
    if not isinstance(ip, str):
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address.is_site_local:
            return None
    if not address.is_global or address.is_multicast or address.is_reserved:
        return None
    return address


class GeoReader:
    """Locates IP addresses in a GeoIP2-City-layout database.

    Never raises on lookups: a missing, unreadable or corrupt database sets
    ``warning`` (logged once on the "geo" logger) and every lookup gives None.
    ``cache_size=0`` disables the cache.
    """

    def __init__(self, path: str | None, cache_size: int = 65536):
        self.path = path
        self.warning: str | None = None
        self._reader: geoip2.database.Reader | None = None
        if not path:
            self._disable(f"no GeoIP database configured; {_UNRESOLVED}")
        else:
            self._open(path)
        self._cached_lookup = functools.lru_cache(maxsize=cache_size)(self._lookup)

    def _open(self, path: str) -> None:
        try:
            try:
                reader = geoip2.database.Reader(path, mode=geoip2.database.MODE_MMAP_EXT)
            except ValueError:  # the maxminddb C extension is not installed
                reader = geoip2.database.Reader(path, mode=geoip2.database.MODE_AUTO)
        except FileNotFoundError:
            self._disable(f"GeoIP database not found: {path}; {_UNRESOLVED}")
            return
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
            self._disable(f"GeoIP database {path} cannot be read ({exc}); {_UNRESOLVED}")
            return
        db_type = reader.metadata().database_type
        if "City" not in db_type:
            reader.close()
            self._disable(
                f"GeoIP database {path} is a {db_type!r} database, "
                f"not a City database; {_UNRESOLVED}"
            )
            return
        self._reader = reader

    def _disable(self, message: str) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self.warning is None:
            self.warning = message
            log.warning("%s", message)

    def locate(self, ip: str) -> Location | None:
        """The Location of ``ip``, or None when it cannot or must not be located."""
        address = public_address(ip)
        if address is None or self._reader is None:
            return None
        return self._cached_lookup(address)

    def cache_info(self):
        """functools.lru_cache statistics: hits, misses, maxsize, currsize."""
        return self._cached_lookup.cache_info()

    def _lookup(self, address: IPAddress) -> Location | None:
        reader = self._reader
        if reader is None:
            return None
        try:
            record = reader.city(address)
        except geoip2.errors.AddressNotFoundError:
            return None
        except ValueError:
            # An IPv6 address and an IPv4-only database (maxminddb's text names the address).
            return None
        except maxminddb.InvalidDatabaseError:
            # The exception text names the address: keep it out of the message.
            self._disable(f"GeoIP database {self.path} is corrupt; {_UNRESOLVED}")
            return None
        if not record.country.iso_code:
            return None
        subdivisions = record.subdivisions
        return Location(
            country=record.country.iso_code,
            region=subdivisions[0].iso_code if subdivisions else None,
            city=record.city.name,
            time_zone=record.location.time_zone,
        )

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._cached_lookup.cache_clear()

    def __enter__(self) -> GeoReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_PRETEND_RE = re.compile(r"([A-Za-z]{2})(?:-([A-Za-z0-9]{1,3}))?")


# CLDR territory codes of two letters that are not countries (the EU, the eurozone, the UN,
# outlying Oceania, pseudo-locales, unknown): a pretend "EU" would show no EU rule at all.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})


def pretend_location(code: str) -> Location:
    """A Location from a code like "US-CA", "DE" or "CA-QC" (demo and tests only).

    Raises ValueError unless ``code`` is a known ISO 3166-1 alpha-2 country,
    optionally followed by "-" and a subdivision code of 1 to 3 letters/digits.
    """
    match = _PRETEND_RE.fullmatch(code.strip()) if isinstance(code, str) else None
    if match is None:
        raise ValueError(f"not a location code like 'US-CA' or 'DE': {code!r}")
    country, region = match.group(1).upper(), match.group(2)
    if country in _NOT_COUNTRIES or country not in Locale("en").territories:
        raise ValueError(f"unknown country code: {country!r}")
    return Location(country=country, region=region.upper() if region else None)
