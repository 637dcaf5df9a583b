"""What geo and language resolution add to the config endpoint, as a share of its time.

    .venv/bin/python bench/config_geo.py [--networks 200000] [--requests 3000]

Two apps on one SQLite file with the demo site: one without a GeoIP database, one with
a generated GeoIP2-City database. The Flask test client calls
GET /api/v1/sites/demo/config in interleaved rounds:

- baseline: no database, a private client address, no language headers;
- geo, uncached: the database, a different public address on every request and a
  browser's Accept-Language header;
- geo, cached: the same with 500 addresses that repeat.

Requests of the kinds alternate, so the load of the machine weighs on all alike. It
also times the geo and language calls alone (location lookup, regime, pre-choice
state, Consent Mode defaults, language negotiation) on the same inputs. Prints figures;
no pass/fail.
"""
from __future__ import annotations

import argparse
import ipaddress
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from consent_server import create_app
from consent_server.demo import DEMO_SERVICES
from consent_server.extensions import db
from consent_server.models import Organization
from consent_server.services import location as location_service
from consent_server.services import sites as sites_service
from consent_server.services import texts as texts_service
from geo import consent_mode_defaults, negotiate_language, pre_choice_state, regime_for

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "geo"))

from mmdbgen import city_record, write_city_db  # noqa: E402

URL = "/api/v1/sites/demo/config"
ACCEPT_LANGUAGE = "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7"
COUNTRIES = ("DE", "FR", "US", "GB", "BR", "JP", "CA", "ES", "IT", "NL")


def build_db(path: str, networks: int, rng: random.Random) -> list[str]:
    """``networks`` random public /24s over 1,000 cities; returns them."""
    blocks = set()
    while len(blocks) < networks:
        block = rng.randrange(1 << 16, 224 << 16)
        if ipaddress.IPv4Address(block << 8).is_global:
            blocks.add(block)
    cidrs = [f"{ipaddress.IPv4Address(b << 8)}/24" for b in sorted(blocks)]
    cities = [city_record(rng.choice(COUNTRIES), "EU", "01", "Region", f"City {n}", "Europe/Berlin")
              for n in range(1000)]
    by_city: dict[int, list[str]] = {}
    for cidr in cidrs:
        by_city.setdefault(rng.randrange(len(cities)), []).append(cidr)
    write_city_db(path, [(c, cities[i]) for i, c in by_city.items()])
    return cidrs


def make_app(database_url: str, geoip_db: str | None):
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                       "RATELIMIT_ENABLED": False, "GEOIP_DB": geoip_db})


def request_us(client, ip: str, headers: dict) -> float:
    started = time.perf_counter()
    resp = client.get(URL, headers=headers, environ_base={"REMOTE_ADDR": ip})
    elapsed = time.perf_counter() - started
    assert resp.status_code == 200, resp.data
    return elapsed * 1e6


def geo_alone_us(reader, supported: list[str], ip: str) -> float:
    """The geo and language work of one config request, without the rest."""
    started = time.perf_counter()
    where = location_service.resolve(reader, ip)
    decision = regime_for(where, "auto")
    pre_choice_state(decision.regime, False)
    consent_mode_defaults(decision.regime, gpc=False)
    negotiate_language(supported, accept_language=ACCEPT_LANGUAGE,
                       country=where.country if where else None, default="en")
    return (time.perf_counter() - started) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=5_000, help="of each kind")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory(prefix="config-geo-") as tmp:
        geoip = os.path.join(tmp, "Bench-City.mmdb")
        print(f"writing a GeoIP2-City database of {args.networks:,} networks ...", flush=True)
        cidrs = build_db(geoip, args.networks, rng)
        database_url = "sqlite:///" + os.path.join(tmp, "bench.db")

        plain, located = make_app(database_url, None), make_app(database_url, geoip)
        with plain.app_context():
            db.create_all()
            org = Organization(name="Bench")
            db.session.add(org)
            db.session.commit()
            sites_service.create_site(org, key="demo", domains=["https://bench.example"],
                                      services=DEMO_SERVICES, published_by="bench")
            db.session.remove()

        def visitors(n: int) -> list[str]:
            return [str(ipaddress.ip_network(rng.choice(cidrs))[rng.randrange(1, 255)])
                    for _ in range(n)]

        # One request of each kind in turn, in shuffled order, so that the load of the
        # machine weighs on all kinds alike; medians of the single requests.
        hot = visitors(500)
        with_language = {"Accept-Language": ACCEPT_LANGUAGE}
        plain_client, located_client = plain.test_client(), located.test_client()
        reader = location_service.reader(located)
        cold_reader = type(reader)(geoip, cache_size=0)
        supported = texts_service.available_locales(located.config["TRANSLATIONS_DIR"])
        kinds = {
            "baseline": lambda: request_us(plain_client, "10.0.0.1", {}),
            "uncached": lambda: request_us(located_client, visitors(1)[0], with_language),
            "cached": lambda: request_us(located_client, rng.choice(hot), with_language),
            "alone_uncached": lambda: geo_alone_us(cold_reader, supported, visitors(1)[0]),
            "alone_cached": lambda: geo_alone_us(reader, supported, rng.choice(hot)),
        }
        for ip in hot:  # warm up
            request_us(located_client, ip, with_language)
            request_us(plain_client, "10.0.0.1", {})
        timings: dict[str, list[float]] = {kind: [] for kind in kinds}
        order = list(kinds)
        for i in range(args.requests):
            rng.shuffle(order)
            for kind in order:
                timings[kind].append(kinds[kind]())
            if (i + 1) % 1000 == 0:
                print(f"  {i + 1:,}/{args.requests:,} requests of each kind", flush=True)
        cold_reader.close()

    med = {k: statistics.median(v) for k, v in timings.items()}
    print()
    print(f"GET {URL} through the Flask test client, SQLite, demo site "
          f"({len(DEMO_SERVICES)} services), {args.requests:,} requests of each kind, medians:")
    print(f"  baseline (no GeoIP database, private address, no Accept-Language): "
          f"{med['baseline']:,.0f} us/request")
    for kind in ("uncached", "cached"):
        added = med[kind] - med["baseline"]
        print(f"  with GeoIP database + Accept-Language, {kind} lookups: {med[kind]:,.0f} us/request; "
              f"adds {added:,.0f} us = {added / med[kind]:.1%} of the endpoint's time")
        print(f"    geo + language calls alone, {kind}: {med['alone_' + kind]:,.0f} us = "
              f"{med['alone_' + kind] / med[kind]:.1%} of the endpoint's time")


if __name__ == "__main__":
    main()
