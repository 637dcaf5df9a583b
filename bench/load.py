"""Sustained load on gunicorn (2+ workers) over PostgreSQL: a mix of config GETs, consent
POSTs, event beacons (and a trivial endpoint for reference) from many client threads, for
--seconds. Prints p50/p99 per endpoint and the error rate; afterwards every 201 consent
answer must be in the ledger with the hash it was answered with, and the chain verifies.

    .venv/bin/python bench/load.py [--seconds 60] [--clients 16] [--workers 2]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]   (or CONSENT_BENCH_DATABASE_URL)

Without a PostgreSQL URL it runs on a SQLite file. Loopback only; stops by itself.
Rate limits stay on, set far above the load (every client is 127.0.0.1).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import SITE, ledger_check, serving, throwaway_database  # noqa: E402

MIX = (("config", 5), ("consent", 2), ("event", 4), ("trivial", 1))
UA = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)          # endpoint -> seconds
        self.status = defaultdict(lambda: defaultdict(int))  # endpoint -> status -> count
        self.acknowledged: dict[int, str] = {}    # record id -> hash of every 201
        self.visitors: list[tuple[str, str]] = []  # (visitor id, token) who granted analytics

    def add(self, endpoint, status, seconds):
        with self.lock:
            self.latency[endpoint].append(seconds)
            self.status[endpoint][status] += 1

    def errors(self) -> int:
        """Answers that are not what the endpoint answers to a good request."""
        good = {"config": 200, "consent": 201, "event": 204, "trivial": 200}
        return sum(n for ep, by in self.status.items() for s, n in by.items() if s != good[ep])

    def total(self) -> int:
        return sum(sum(by.values()) for by in self.status.values())


def _request(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read()


def client_loop(base: str, origin: str, stats: Stats, stop: threading.Event, seed: int) -> None:
    rnd = random.Random(seed)
    host, port = base.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    endpoints = [name for name, weight in MIX for _ in range(weight)]
    headers = {"Origin": origin, "User-Agent": UA, "Content-Type": "text/plain"}
    while not stop.is_set():
        endpoint = rnd.choice(endpoints)
        if endpoint == "config":
            method, path, body = "GET", f"/api/v1/sites/{SITE}/config?lang=de", None
        elif endpoint == "trivial":
            method, path, body = "GET", "/.well-known/gpc.json", None
        elif endpoint == "consent":
            granted = rnd.random() < 0.6
            method, path = "POST", f"/api/v1/sites/{SITE}/consents"
            body = json.dumps({"choices": {"analytics": granted, "advertising": rnd.random() < 0.3},
                               "action": "save", "revision": 1, "language": "de",
                               "page_url": f"{origin}/p/{rnd.randrange(100)}"})
        else:
            with stats.lock:
                visitor = rnd.choice(stats.visitors) if stats.visitors else None
            if visitor is None:
                continue
            method, path = "POST", f"/api/v1/sites/{SITE}/events"
            body = json.dumps({"visitor_id": visitor[0], "token": visitor[1], "type": "pageview",
                               "url": f"{origin}/p/{rnd.randrange(100)}?utm_source=bench"})
        started = time.perf_counter()
        try:
            status, data = _request(conn, method, path, body, headers)
        except (OSError, http.client.HTTPException):
            status, data = 0, b""
            conn.close()
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            time.sleep(0.05)
        stats.add(endpoint, status, time.perf_counter() - started)
        if endpoint == "consent" and status == 201:
            answer = json.loads(data)
            with stats.lock:
                stats.acknowledged[answer["record_id"]] = answer["hash"]
                if granted:
                    stats.visitors.append((answer["visitor_id"], answer["token"]))
    conn.close()


def run_load(base: str, origin: str, seconds: float, clients: int, stats: Stats | None = None,
             during=None) -> Stats:
    """``clients`` threads for ``seconds``; ``during(elapsed_fraction)`` is called about
    10 times a second from the main thread (fault injection)."""
    stats = stats or Stats()
    stop = threading.Event()
    threads = [threading.Thread(target=client_loop, args=(base, origin, stats, stop, i), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        if during:
            during(elapsed / seconds)
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(15)
    return stats


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def report(stats: Stats, seconds: float) -> str:
    lines = [f"{'endpoint':<8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses"]
    for endpoint, _ in MIX:
        lat = stats.latency.get(endpoint, [])
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(stats.status[endpoint].items()))
        lines.append(f"{endpoint:<8} {len(lat):>9} {len(lat) / seconds:>8.1f} {percentile(lat, 50) * 1000:>8.1f} "
                     f"{percentile(lat, 99) * 1000:>8.1f}  {statuses}")
    total = stats.total()
    lines.append(f"total {total} requests, {total / seconds:.1f} req/s, errors {stats.errors()} "
                 f"({100 * stats.errors() / max(total, 1):.3f} %)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg-url", default=os.environ.get("CONSENT_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with throwaway_database(args.pg_url) as db_url:
        with serving(db_url, workers=args.workers) as server:
            stats = run_load(server.url, server.url, args.seconds, args.clients)
        check = ledger_check(db_url, SITE, stats.acknowledged)
    engine = "PostgreSQL" if args.pg_url else "SQLite"
    print(f"gunicorn {args.workers} workers (gthread x4) on {engine}, {args.clients} client threads, "
          f"{args.seconds:.0f} s, {os.cpu_count()} CPUs (clients and server on one machine)")
    print(report(stats, args.seconds))
    print(f"ledger: {check['acknowledged']} consents acknowledged with 201, {check['stored']} stored, "
          f"{len(check['missing'])} missing; {check['verify']}")
    if check["missing"] or not check["verified"] or stats.errors():
        raise SystemExit(1)


if __name__ == "__main__":
    main()
