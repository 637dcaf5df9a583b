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


# The tests' database: network -> record. Addresses are ordinary public ones; the
# records are made up.
TEST_NETWORKS = {
    "85.214.0.0/16": city_record("DE", "EU", "BE", "Berlin", "Berlin", "Europe/Berlin"),
    "17.0.0.0/16": city_record("US", "NA", "CA", "California", "Cupertino", "America/Los_Angeles"),
    "24.120.0.0/16": city_record("US", "NA", "NV", "Nevada", "Las Vegas", "America/Los_Angeles"),
    "50.0.0.0/16": city_record("US", "NA"),
    "24.200.0.0/16": city_record("CA", "NA", "QC", "Quebec", "Montreal", "America/Toronto"),
    "24.114.0.0/16": city_record("CA", "NA", "ON", "Ontario", "Toronto", "America/Toronto"),
    "81.2.69.0/24": city_record("GB", "EU", "ENG", "England", "London", "Europe/London"),
    "82.130.64.0/18": city_record("CH", "EU", "ZH", "Zurich", "Zurich", "Europe/Zurich"),
    "84.208.0.0/16": city_record("NO", "EU", "03", "Oslo", "Oslo", "Europe/Oslo"),
    "177.0.0.0/16": city_record("BR", "SA", "SP", "Sao Paulo", "São Paulo", "America/Sao_Paulo"),
    "126.0.0.0/16": city_record("JP", "AS", "13", "Tokyo", "Tokyo", "Asia/Tokyo"),
    "2a01:4f8::/32": city_record("DE", "EU", "BY", "Bavaria", "Nuremberg", "Europe/Berlin"),
    # A continent but no country, as for some anycast networks.
    "45.0.0.0/24": {"continent": {"code": "EU", "names": {"en": "Europe"}}},
}


def write_test_db(path: str) -> int:
    return write_city_db(path, [([cidr], record) for cidr, record in TEST_NETWORKS.items()])
