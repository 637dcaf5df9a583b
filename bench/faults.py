"""Faults under load, on the real server (gunicorn, 2 workers) and a real database:

1. kill -9 one worker mid-load (gunicorn starts a new one), later kill -9 the master and
   every worker, start the server again, load on: every consent answered 201 is in the
   ledger with the hash it was answered with, and the chain verifies.
2. the database goes away (PostgreSQL behind a TCP proxy this script controls; the proxy
   is cut: connections reset and refused): the API answers 503 JSON within a second, no
   hang; the widget script is still served; when the proxy is back the service resumes
   by itself (no restart), and the ledger still verifies.

    .venv/bin/python bench/faults.py [--seconds 30] [--clients 8]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]   (or CONSENT_BENCH_DATABASE_URL)

Without a PostgreSQL URL, scenario 1 runs on a SQLite file and scenario 2 is skipped.
Loopback only; stops by itself.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import make_url  # noqa: E402

from bench.harness import SITE, TcpProxy, ledger_check, serving, throwaway_database  # noqa: E402
from bench.load import Stats, report, run_load  # noqa: E402

CONSENT = json.dumps({"choices": {"analytics": True}, "action": "save", "revision": 1, "language": "en"})


def kill_scenario(db_url: str, seconds: float, clients: int) -> dict:
    """Load for ``seconds``; kill -9 a worker at 1/3, the whole server at 2/3 (restarted)."""
    events = []
    with serving(db_url) as server:
        def during(fraction):
            if fraction >= 1 / 3 and not events:
                events.append(("worker killed", server.kill_worker()))
            elif fraction >= 2 / 3 and len(events) == 1:
                server.kill_all()
                down = time.monotonic()
                server.start()
                events.append(("server killed and restarted", round(time.monotonic() - down, 2)))

        stats = run_load(server.url, server.url, seconds, clients, during=during)
    check = ledger_check(db_url, SITE, stats.acknowledged)
    return {"stats": stats, "check": check, "events": events, "seconds": seconds}


def _timed(base: str, method: str, path: str, body: str | None = None) -> tuple[int, float, bytes]:
    host, port = base.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    started = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "text/plain"})
        response = conn.getresponse()
        data = response.read()
        return response.status, time.perf_counter() - started, data
    finally:
        conn.close()


PROBES = (("GET", f"/api/v1/sites/{SITE}/config", None), ("POST", f"/api/v1/sites/{SITE}/consents", CONSENT),
          ("GET", "/healthz", None))


def db_down_scenario(pg_url: str, probes: int = 10, down_seconds: float = 3.0) -> dict:
    """PostgreSQL behind a proxy; cut it under a little load, probe, restore, wait to resume."""
    url = make_url(pg_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        via_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        with serving(via_proxy) as server:
            stats = run_load(server.url, server.url, 2, 4)  # warm pools: connections to cut
            proxy.cut()
            cut_at = time.monotonic()
            down = {f"{m} {p}": [] for m, p, _ in PROBES}
            bodies = set()
            while time.monotonic() - cut_at < down_seconds or min(len(v) for v in down.values()) < probes:
                for method, path, body in PROBES:
                    status, seconds, data = _timed(server.url, method, path, body)
                    down[f"{method} {path}"].append((status, seconds))
                    if status >= 400:
                        bodies.add(data.decode(errors="replace").strip())
            widget = _timed(server.url, "GET", "/consent.js")
            proxy.restore()
            restored_at = time.monotonic()
            while True:
                status, _, data = _timed(server.url, "POST", f"/api/v1/sites/{SITE}/consents", CONSENT)
                if status == 201 or time.monotonic() - restored_at > 30:
                    break
                time.sleep(0.05)
            resumed_after = time.monotonic() - restored_at
            if status == 201:
                answer = json.loads(data)
                stats.acknowledged[answer["record_id"]] = answer["hash"]
            after = run_load(server.url, server.url, 2, 4, stats=Stats())
            stats.acknowledged.update(after.acknowledged)
        check = ledger_check(pg_url, SITE, stats.acknowledged)
    finally:
        proxy.cut()
    return {"down": down, "bodies": bodies, "widget_status": widget[0], "resumed_status": status,
            "resumed_after": resumed_after, "after": after, "check": check}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pg-url", default=os.environ.get("CONSENT_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    failed = False
    engine = "PostgreSQL" if args.pg_url else "SQLite"
    with throwaway_database(args.pg_url) as db_url:
        result = kill_scenario(db_url, args.seconds, args.clients)
    check = result["check"]
    print(f"1. kill -9 under load: gunicorn 2 workers on {engine}, {args.clients} client threads, {args.seconds:.0f} s")
    for what, value in result["events"]:
        print(f"   {what}: {value}")
    print("   " + report(result["stats"], args.seconds).replace("\n", "\n   "))
    print(f"   ledger: {check['acknowledged']} consents acknowledged with 201, {len(check['missing'])} missing, "
          f"{check['stored']} stored; {check['verify']}")
    failed |= bool(check["missing"]) or not check["verified"]
    if not args.pg_url:
        print("2. database down: skipped (needs --pg-url)")
    else:
        with throwaway_database(args.pg_url) as db_url:
            down = db_down_scenario(db_url)
        print("2. database down (PostgreSQL behind a cut TCP proxy):")
        for probe, answers in down["down"].items():
            statuses = sorted({s for s, _ in answers})
            slowest = max(t for _, t in answers)
            print(f"   {probe:<40} {len(answers)} requests, statuses {statuses}, slowest {slowest * 1000:.0f} ms")
            failed |= statuses != [503] or slowest >= 1.0
        print(f"   error answers: {' | '.join(sorted(down['bodies']))}")
        print(f"   GET /consent.js while down: {down['widget_status']}")
        print(f"   database back: first 201 after {down['resumed_after'] * 1000:.0f} ms (no restart); "
              f"then {down['after'].total()} requests, {down['after'].errors()} errors")
        check = down["check"]
        print(f"   ledger: {check['acknowledged']} acknowledged, {len(check['missing'])} missing; {check['verify']}")
        failed |= down["resumed_status"] != 201 or bool(check["missing"]) or not check["verified"]
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
