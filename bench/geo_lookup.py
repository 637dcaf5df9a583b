"""Geo lookups per second on a generated GeoIP2-City database of realistic size.

    .venv/bin/python bench/geo_lookup.py [--networks 1000000] [--ipv6 50000]

Writes a database of random IPv4 /24s and IPv6 /48s, spread over a few
thousand city records, into a temporary directory (a few minutes: mmdb-writer
is pure Python), then measures GeoReader.locate() with the cache disabled on
distinct addresses, and with the cache on a hot set. Prints figures; no
pass/fail.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import maxminddb
from babel import Locale
from babel.core import get_global

from geo import GeoReader, public_address

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "geo"))

from mmdbgen import city_record, write_city_db  # noqa: E402

CONTINENT_BY_ZONE = {
    "Africa": "AF",
    "America": "NA",
    "Antarctica": "AN",
    "Asia": "AS",
    "Atlantic": "EU",
    "Australia": "OC",
    "Europe": "EU",
    "Indian": "AS",
    "Pacific": "OC",
}


def make_cities(count: int, rng: random.Random) -> list[dict]:
    zones = get_global("territory_zones")
    countries = [c for c in Locale("en").territories if len(c) == 2 and c.isalpha() and c in zones]
    cities = []
    for n in range(count):
        country = rng.choice(countries)
        zone = rng.choice(zones[country])
        continent = CONTINENT_BY_ZONE.get(zone.split("/")[0], "EU")
        region = f"{rng.randrange(1, 60):02d}"
        cities.append(
            city_record(country, continent, region, f"Region {region}", f"City {n}", zone)
        )
    return cities


def random_ipv4_24s(count: int, rng: random.Random) -> list[str]:
    networks: set[str] = set()
    while len(networks) < count:
        block = rng.randrange(1 << 16, 224 << 16)  # 1.0.0.0/24 .. 223.255.255.0/24
        address = str(ipaddress.IPv4Address(block << 8))
        if public_address(address) is not None:
            networks.add(f"{address}/24")
    return sorted(networks)


def random_ipv6_48s(count: int, rng: random.Random) -> list[str]:
    bases = [0x2400, 0x2600, 0x2800, 0x2A00, 0x2C00]  # RIR allocations, /12 each
    networks: set[str] = set()
    while len(networks) < count:
        prefix = (rng.choice(bases) << 32) | rng.getrandbits(36)
        networks.add(f"{ipaddress.IPv6Address(prefix << 80)}/48")
    return sorted(networks)


def entries(networks: list[str], cities: list[dict], rng: random.Random):
    by_city: dict[int, list[str]] = {}
    for network in networks:
        by_city.setdefault(rng.randrange(len(cities)), []).append(network)
    started = time.perf_counter()
    for done, (city, cidrs) in enumerate(sorted(by_city.items()), 1):
        yield cidrs, cities[city]
        if done % 500 == 0 or done == len(by_city):
            elapsed = time.perf_counter() - started
            print(f"  inserted {done}/{len(by_city)} cities ({elapsed:.0f} s)", flush=True)


def host_in(network: str, rng: random.Random) -> str:
    net = ipaddress.ip_network(network)
    return str(net[rng.randrange(1, min(net.num_addresses, 1 << 32) - 1)])


def rate(fn, items) -> float:
    started = time.perf_counter()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=1_000_000, help="IPv4 /24 networks")
    parser.add_argument("--ipv6", type=int, default=50_000, help="IPv6 /48 networks")
    parser.add_argument("--cities", type=int, default=3_000)
    parser.add_argument("--lookups", type=int, default=200_000)
    parser.add_argument("--hot", type=int, default=1_000, help="distinct addresses, cached run")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory(prefix="geo-bench-") as tmp:
        path = os.path.join(tmp, "Bench-City.mmdb")
        print(f"generating {args.networks:,} IPv4 /24s and {args.ipv6:,} IPv6 /48s ...", flush=True)
        v4, v6 = random_ipv4_24s(args.networks, rng), random_ipv6_48s(args.ipv6, rng)
        cities = make_cities(args.cities, rng)
        started = time.perf_counter()
        networks = write_city_db(path, entries(v4 + v6, cities, rng))
        build = time.perf_counter() - started
        size = os.path.getsize(path)

        # Visitors: 90 % IPv4, 10 % IPv6, all inside the database's networks.
        def visitor() -> str:
            return host_in(rng.choice(v6) if rng.random() < 0.1 else rng.choice(v4), rng)

        distinct = list(dict.fromkeys(visitor() for _ in range(args.lookups)))
        hot = [visitor() for _ in range(args.hot)]
        hot_stream = [rng.choice(hot) for _ in range(args.lookups)]

        with GeoReader(path, cache_size=0) as reader:
            found = sum(reader.locate(ip) is not None for ip in distinct[:1000])
            uncached = rate(reader.locate, distinct)
        with GeoReader(path) as reader:
            for ip in hot:
                reader.locate(ip)
            cached = rate(reader.locate, hot_stream)
            info = reader.cache_info()
        with maxminddb.open_database(path, maxminddb.MODE_MMAP_EXT) as raw:
            raw_rate = rate(raw.get, distinct)

    print()
    print(
        f"database: {networks:,} networks ({len(v4):,} IPv4 /24 + {len(v6):,} IPv6 /48), "
        f"{len(cities):,} city records, {size / 1e6:.1f} MB, built in {build:.0f} s"
    )
    print(f"found in the database: {found / 10:.1f} % of sampled visitor addresses")
    print(
        f"uncached GeoReader.locate: {uncached:,.0f} lookups/s "
        f"({len(distinct):,} distinct addresses, cache_size=0)"
    )
    print(
        f"cached GeoReader.locate:   {cached:,.0f} lookups/s "
        f"({args.hot:,} hot addresses, {info.hits:,} hits / {info.misses:,} misses)"
    )
    print(f"raw maxminddb C reader .get(), for reference: {raw_rate:,.0f} lookups/s")


if __name__ == "__main__":
    main()
