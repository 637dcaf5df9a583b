"""Analytics beacons per second through gunicorn (2 workers), on SQLite and PostgreSQL.

Each engine: a fresh database, `db upgrade`, one site, N visitors who granted analytics
(recorded through the ledger service); gunicorn with the project's gunicorn.conf.py (2
workers, rate limits on, with limits far above the load); wrk (Debian package `wrk`) on
127.0.0.1 drives first two trivial endpoints of the same app (`/.well-known/gpc.json`: no
database; `/healthz`: SELECT 1), then `POST /api/v1/sites/bench/events` with one pageview per
beacon (the worst case: no batching), a random visitor (with their token), page, referrer
and one of 10,000 distinct generated user agents per request (bench/uagen.py, ~0.4% of
requests are crawlers, which the server drops).

The events endpoint runs twice: "cold" is the first pass, in which each worker parses each
of the 10,000 user agents once (services/useragent caches the result); "warm" repeats it
with the caches filled. After the runs the server gets SIGTERM (the workers write their
buffers) and the stored events are counted against the 204 answers.

    .venv/bin/python bench/events.py [--duration 15] [--connections 8] [--visitors 2000]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

With --pg-url (or CONSENT_BENCH_DATABASE_URL) a throwaway database is created on that
server and dropped afterwards; without it only SQLite runs.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
SECRET = "bench-secret"
ORIGIN = "https://bench.example"
REQUESTS = 30_000  # distinct prepared beacons, cycled


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env, *args) -> str:
    out = subprocess.run([str(VENV_BIN / "consent-server"), *args], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"consent-server {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout.strip()


def wrk(url: str, duration: int, connections: int, script: Path | None = None) -> dict:
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    lat = {p: re.search(rf"\s{p}%\s+([\d.]+\w+)", out).group(1) for p in ("50", "99")}
    return {"rps": rps, "total": total, "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else "", "p50": lat["50"], "p99": lat["99"]}


def grant_visitors(db_url: str, n: int) -> list[tuple[str, str]]:
    """n visitors who accepted analytics, recorded through the ledger (as the API does)."""
    from consent_server import create_app
    from consent_server.extensions import db
    from consent_server.services import consents, sites

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False})
    with app.app_context():
        site = sites.get_by_key("bench")
        out = []
        for _ in range(n):
            r = consents.record_choice(
                site, secret_key=SECRET, visitor_id=None, token=None, choices={"analytics": True},
                action="accept_all", revision=1, language="en", page_url=f"{ORIGIN}/", layer=1,
                location=None, user_agent=None, gpc=False, dnt=False)
            out.append((r.record.visitor_id, r.token))
        db.session.remove()
        db.engine.dispose()
    return out


def lua_script(visitors, user_agents, path: Path) -> None:
    rng = random.Random(7)
    pages = [f"/products/{i}" for i in range(150)] + ["/", "/about", "/blog", "/pricing", "/contact"]
    referrers = [None] * 6 + ["https://www.google.com/", "https://duckduckgo.com/",
                              "https://news.example/story?id=4", f"{ORIGIN}/"]
    bodies, agents = [], []
    for i in range(REQUESTS):
        vid, token = rng.choice(visitors)
        url = f"{ORIGIN}{rng.choice(pages)}" + ("?utm_source=newsletter&utm_campaign=spring" if rng.random() < 0.05 else "")
        event = {"visitor_id": vid, "token": token, "type": "pageview", "url": url, "title": "Bench page"}
        ref = rng.choice(referrers)
        if ref:
            event["referrer"] = ref
        bodies.append(json.dumps(event))
        agents.append(user_agents[i % len(user_agents)])
    with open(path, "w") as fh:
        fh.write("local bodies = {\n")
        fh.writelines(f"  {json.dumps(b)},\n" for b in bodies)
        fh.write("}\nlocal agents = {\n")
        fh.writelines(f"  {json.dumps(a)},\n" for a in agents)
        fh.write("}\n")
        fh.write(f"""
local n = #bodies
local started = 0
function setup(thread)
  thread:set("offset", started * {REQUESTS // 2})
  started = started + 1
end
local counter = 0
function request()
  counter = counter + 1
  local k = (offset + counter) % n + 1
  return wrk.format("POST", "/api/v1/sites/bench/events",
    {{["Content-Type"] = "text/plain", ["Origin"] = "{ORIGIN}", ["User-Agent"] = agents[k]}}, bodies[k])
end
""")


def count_events(db_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM analytics_events")).scalar()
    engine.dispose()
    return n


def run_engine(name: str, db_url: str, args, user_agents) -> dict:
    port = free_port()
    # Rate limits stay on (their cost is part of every request), far above the load: the
    # default per client (the trivial endpoints) and the events endpoint's own pair.
    env = dict(os.environ, CONSENT_DATABASE_URL=db_url, CONSENT_SECRET_KEY=SECRET,
               CONSENT_RATELIMIT_DEFAULT='"10000000 per minute"',
               CONSENT_RATELIMIT_EVENTS='"10000000 per minute"',
               CONSENT_RATELIMIT_EVENTS_SITE='"10000000 per minute"',
               CONSENT_BIND=f"127.0.0.1:{port}")
    cli(env, "db", "upgrade")
    cli(env, "site", "create", "--key", "bench", "--domain", ORIGIN)
    visitors = grant_visitors(db_url, args.visitors)
    tmp = Path(tempfile.mkdtemp())
    script = tmp / "events.lua"
    lua_script(visitors, user_agents, script)
    server = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "-w", "2",
                               "--access-logfile", "/dev/null", "consent_server:create_app()"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(tmp / "err", "w"))
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        wrk(base + "/.well-known/gpc.json", 2, args.connections)  # warm up
        trivial = wrk(base + "/.well-known/gpc.json", args.duration, args.connections)
        health = wrk(base + "/healthz", args.duration, args.connections)
        cold = wrk(base + "/api/v1/sites/bench/events", args.duration, args.connections, script)
        warm = wrk(base + "/api/v1/sites/bench/events", args.duration, args.connections, script)
        time.sleep(2)
        in_db_before_stop = count_events(db_url)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    stored = count_events(db_url)
    shutil.rmtree(tmp, ignore_errors=True)
    sent_ok = cold["total"] - cold["non2xx"] + warm["total"] - warm["non2xx"]
    return {"engine": name, "trivial": trivial, "health": health, "cold": cold, "warm": warm,
            "stored": stored, "stored_before_stop": in_db_before_stop, "answered_204": sent_ok}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--visitors", type=int, default=2000)
    parser.add_argument("--pg-url", default=os.environ.get("CONSENT_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    from uagen import user_agents

    agents = user_agents(10_000)
    results = []
    tmp = tempfile.mkdtemp()
    try:
        results.append(run_engine("SQLite", f"sqlite:///{tmp}/bench.db", args, agents))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.pg_url:
        from sqlalchemy import create_engine, make_url, text

        name = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
            results.append(run_engine("PostgreSQL", url, args, agents))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    load = os.getloadavg()[0]
    print(f"gunicorn 2 workers (gthread x4), wrk -t2 -c{args.connections}, {args.duration}s per run, "
          f"{os.cpu_count()} CPUs, load average before the summary {load:.1f}; one pageview per beacon, "
          f"{len(agents)} distinct user agents, {args.visitors} consenting visitors")
    print(f"{'engine':<11} {'run':<12} {'req/s':>8} {'p50':>9} {'p99':>9} {'non-2xx':>8} {'ratio':>14}")
    for r in results:
        base = r["trivial"]["rps"]
        for label, key in (("gpc.json", "trivial"), ("healthz", "health"), ("events cold", "cold"),
                           ("events warm", "warm")):
            run = r[key]
            ratio = "" if key == "trivial" else f"{run['rps'] / base:.3f} of gpc"
            print(f"{r['engine']:<11} {label:<12} {run['rps']:>8.0f} {run['p50']:>9} {run['p99']:>9} "
                  f"{run['non2xx']:>8} {ratio:>14}")
            if run["socket_errors"]:
                print(f"  socket errors: {run['socket_errors']}")
            if run["non2xx"]:
                print(f"  {run['non2xx']} answers were not 2xx: this run's rate is not comparable")
        print(f"{r['engine']:<11} stored {r['stored']} events of {r['answered_204']} answered 204 "
              f"({r['stored_before_stop']} before SIGTERM; crawlers are dropped)")


if __name__ == "__main__":
    main()
