"""Consent POSTs per second through gunicorn (2 workers), on SQLite and PostgreSQL.

Each engine: a fresh database, `db upgrade`, one site; gunicorn with the project's
gunicorn.conf.py; wrk (Debian package `wrk`) on 127.0.0.1 drives first a trivial endpoint
of the same app (`/.well-known/gpc.json`, no database) and then `POST .../consents`. The
ratio consents/trivial is the figure to compare across machines. Afterwards the ledger is
verified and its record count compared with the 2xx answers wrk saw.

    .venv/bin/python bench/consents.py [--duration 15] [--connections 8]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

With --pg-url (or CONSENT_BENCH_DATABASE_URL) a throwaway database is created on that
server and dropped afterwards; without it only SQLite runs.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
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
BODY = {"choices": {"analytics": True, "advertising": False}, "action": "save", "revision": 1,
        "language": "en", "page_url": "http://127.0.0.1/bench/"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env, *args) -> str:
    out = subprocess.run([str(VENV_BIN / "consent-server"), *args], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
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


def run_engine(name: str, db_url: str, args) -> dict:
    port = free_port()
    env = dict(os.environ, CONSENT_DATABASE_URL=db_url, CONSENT_SECRET_KEY="bench-secret",
               CONSENT_RATELIMIT_ENABLED="false", CONSENT_BIND=f"127.0.0.1:{port}")
    cli(env, "db", "upgrade")
    cli(env, "site", "create", "--key", "bench", "--domain", f"http://127.0.0.1:{port}")
    server = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "-w", "2",
                               "--access-logfile", "/dev/null", "consent_server:create_app()"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write('wrk.method = "POST"\n'
                      f'wrk.body = {json.dumps(json.dumps(BODY))}\n'
                      'wrk.headers["Content-Type"] = "text/plain"\n'
                      f'wrk.headers["Origin"] = "{base}"\n')
        wrk(base + "/.well-known/gpc.json", 2, args.connections)  # warm up
        trivial = wrk(base + "/.well-known/gpc.json", args.duration, args.connections)
        consents = wrk(base + "/api/v1/sites/bench/consents", args.duration, args.connections, Path(lua.name))
        os.unlink(lua.name)
    finally:
        server.terminate()
        server.wait(timeout=30)
    verify = cli(env, "ledger", "verify", "--site", "bench")
    stored = int(re.search(r"OK: (\d+) records", verify).group(1)) if "OK:" in verify else None
    return {"engine": name, "trivial": trivial, "consents": consents, "verify": verify,
            "stored": stored}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--pg-url", default=os.environ.get("CONSENT_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    results = []
    tmp = tempfile.mkdtemp()
    try:
        results.append(run_engine("SQLite", f"sqlite:///{tmp}/bench.db", args))
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
            results.append(run_engine("PostgreSQL", url, args))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(f"gunicorn 2 workers (gthread x4), wrk -t2 -c{args.connections}, {args.duration}s per run, "
          f"{os.cpu_count()} CPUs")
    print(f"{'engine':<11} {'trivial req/s':>13} {'consents/s':>11} {'ratio':>7} "
          f"{'p50':>8} {'p99':>8} {'non-2xx':>8} {'stored':>8}  ledger")
    for r in results:
        t, c = r["trivial"], r["consents"]
        print(f"{r['engine']:<11} {t['rps']:>13.0f} {c['rps']:>11.0f} {c['rps'] / t['rps']:>7.3f} "
              f"{c['p50']:>8} {c['p99']:>8} {c['non2xx']:>8} {r['stored']!s:>8}  {r['verify']}")
        if c["socket_errors"]:
            print(f"  socket errors: {c['socket_errors']}")


if __name__ == "__main__":
    main()
