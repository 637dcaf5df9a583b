"""Write small (or large) MaxMind DB files in the GeoIP2-City record layout.

Used by the geo tests and by bench/geo_lookup.py; no third-party database is
committed. Country names come from Babel's CLDR data.
"""

from __future__ import annotations

from collections.abc import Iterable

from babel import Locale
from mmdb_writer import MMDBWriter
from netaddr import IPSet

_CONTINENTS = {
    "AF": "Africa",
    "AN": "Antarctica",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "OC": "Oceania",
    "SA": "South America",
}


def city_record(
    country: str,
    continent: str,
    region: str | None = None,
    region_name: str | None = None,
    city: str | None = None,
    time_zone: str | None = None,
) -> dict:
    """A GeoIP2-City record: continent, country, subdivisions, city, location."""
    record: dict = {
        "continent": {"code": continent, "names": {"en": _CONTINENTS[continent]}},
        "country": {"iso_code": country, "names": {"en": Locale("en").territories[country]}},
    }
    if region:
        record["subdivisions"] = [{"iso_code": region, "names": {"en": region_name or region}}]
    if city:
        record["city"] = {"names": {"en": city}}
    if time_zone:
        record["location"] = {"time_zone": time_zone}
    return record


def write_city_db(path: str, entries: Iterable[tuple[Iterable[str], dict]]) -> int:
    """Write ``entries`` (CIDR strings, record) to an IPv6 GeoIP2-City mmdb at
    ``path``, IPv4 networks in the IPv4-compatible subtree as MaxMind does.
    Returns the number of networks written (after merging adjacent CIDRs)."""
    writer = MMDBWriter(
        ip_version=6,
        database_type="GeoIP2-City",
        languages=["en"],
        description="consent-server test database",
        ipv4_compatible=True,
    )
    networks = 0
    for cidrs, record in entries:
        ipset = IPSet(cidrs)
        networks += sum(1 for _ in ipset.iter_cidrs())
        writer.insert_network(ipset, record)
    writer.to_db_file(path)
    return networks
