"""Exporting consent records to CSV: the app's streamed export beside the database's own
dump of the same table (``sqlite3 -csv``, ``psql \\copy``), at two sizes, on SQLite and
PostgreSQL.

For each engine the records of one site are generated (hash-chained like the ledger's,
bulk-inserted), then each export runs in a subprocess of its own, whose time and peak RSS
(``wait4`` rusage) are measured:

- app: ``exports.export(site, "consents", "csv")`` written to a file, as the CLI and the
  admin download do (the app's import and its database connection are part of the RSS);
- reference: ``sqlite3 -csv -header DB "SELECT ... ORDER BY seq"`` or
  ``psql -c "\\copy (SELECT ... ORDER BY seq) TO FILE CSV HEADER"``.

The ratio app/reference is the figure; the app's peak RSS at the small and the large size
shows whether memory grows with the row count (it must not).

    .venv/bin/python bench/export.py [--rows 1000000] [--small 100000]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

With --pg-url (or CONSENT_BENCH_DATABASE_URL) a throwaway database is created on that
server and dropped afterwards; without it only SQLite runs.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNTRIES = [("DE", "BE", "Berlin"), ("FR", "IDF", "Paris"), ("US", "CA", "Los Angeles"), ("US", "NY", "New York"),
             ("GB", "ENG", "London"), ("BR", "SP", "São Paulo"), ("JP", "13", "Tokyo"), (None, None, None)]
ACTIONS = ["accept_all", "reject_all", "save", "withdraw", "gpc"]


def make_app(url: str):
    from consent_server import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})


def generate(url: str, start_seq: int, count: int, prev_hash: str, site_key: str) -> str:
    """Append ``count`` chained records to the bench site; returns the last hash."""
    from sqlalchemy import insert, update

    from consent_server.extensions import db
    from consent_server.models import ConsentRecord, LedgerHead, Organization
    from consent_server.services import ledger, sites

    app = make_app(url)
    rng = random.Random(start_seq)
    with app.app_context():
        db.create_all()
        site = sites.get_by_key(site_key)
        if site is None:
            org = Organization(name="Bench")
            db.session.add(org)
            db.session.flush()
            site = sites.create_site(org, key=site_key, domains=["https://shop.example"])
        table = ConsentRecord.__table__
        base = datetime(2026, 1, 1, tzinfo=timezone.utc)
        batch = []
        for seq in range(start_seq, start_seq + count):
            country, region, city = rng.choice(COUNTRIES)
            analytics, advertising = rng.random() < 0.6, rng.random() < 0.4
            row = SimpleNamespace(
                site_id=site.id, seq=seq, recorded_at=base + timedelta(seconds=seq * 7),
                visitor_id=uuid.UUID(int=rng.getrandbits(128)).hex, previous_id=None, revision=1,
                language=rng.choice(["en", "de", "fr", "pt-BR"]), regime="opt-in" if country != "US" else "opt-out",
                country=country, region=region, city=city, action=rng.choice(ACTIONS), layer=rng.choice([1, 2]),
                choices={"necessary": True, "analytics": analytics, "advertising": advertising},
                gpc=False, dnt=False, browser="Chrome", os="Windows", device="desktop",
                page_url=f"https://shop.example/p/{rng.randrange(500)}", prev_hash=prev_hash)
            row.hash = ledger.chain_hash(prev_hash, row)
            prev_hash = row.hash
            batch.append(vars(row))
            if len(batch) == 20_000:
                db.session.execute(insert(table), batch)
                db.session.commit()
                batch = []
        if batch:
            db.session.execute(insert(table), batch)
        last = start_seq + count - 1
        db.session.execute(update(LedgerHead).where(LedgerHead.site_id == site.id).values(
            seq=last, hash=prev_hash,
            signature=ledger.head_signature(app.config["SECRET_KEY"], site.id, last, prev_hash)))
        db.session.commit()
        return prev_hash


def child_export(url: str, site_key: str, out: str) -> None:
    """Run in a subprocess: the app's CSV export of the site to ``out``."""
    import resource

    from consent_server.services import exports, sites

    app = make_app(url)
    with app.app_context():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        site = sites.get_by_key(site_key)
        rows = 0

        def count(n):
            nonlocal rows
            rows += n
        with open(out, "w", encoding="utf-8") as fh:
            for chunk in exports.export(site, "consents", "csv", on_rows=count).chunks:
                fh.write(chunk)
        print(json.dumps({"rows": rows, "rss_before_kb": before, "export_s": time.perf_counter() - started}))


def measure(cmd: list[str], env=None, stdout=None) -> dict:
    """Wall time and peak RSS (MB) of one subprocess."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {err[-2000:]}")
    return {"seconds": elapsed, "rss_mb": usage.ru_maxrss / 1024, "stdout": out}


def lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 20), b""))


def run_engine(name: str, url: str, sizes: list[int], tmp: Path, reference) -> list[dict]:
    results, done, prev = [], 0, "0" * 64
    for size in sizes:
        started = time.perf_counter()
        # In a subprocess: this process stays small, since a child's peak RSS as wait4 reports
        # it starts from the RSS of the process it was forked from.
        prev = subprocess.run([sys.executable, __file__, "--generate", url, str(done + 1), str(size - done), prev],
                              check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        done = size
        print(f"  {name}: {size:,} records generated in {time.perf_counter() - started:.0f} s", flush=True)
        app_out, ref_out = tmp / f"{name}-app.csv", tmp / f"{name}-ref.csv"
        app = measure([sys.executable, __file__, "--child", url, str(app_out)])
        ref = reference(ref_out)
        app_lines, ref_lines = lines(app_out), lines(ref_out)
        assert app_lines == ref_lines == size + 1, (app_lines, ref_lines, size)
        inside = json.loads(app["stdout"].strip().splitlines()[-1])
        results.append({"engine": name, "rows": size, "app_s": app["seconds"], "app_rss": app["rss_mb"],
                        "export_s": inside["export_s"], "start_rss": inside["rss_before_kb"] / 1024,
                        "ref_s": ref["seconds"], "ref_rss": ref["rss_mb"],
                        "app_mb": app_out.stat().st_size / 1e6, "ref_mb": ref_out.stat().st_size / 1e6})
        print(f"  {name} {size:,}: app {app['seconds']:.1f} s / {app['rss_mb']:.0f} MB RSS, "
              f"reference {ref['seconds']:.1f} s / {ref['rss_mb']:.0f} MB RSS", flush=True)
    return results


def sqlite_engine(sizes, tmp: Path) -> list[dict]:
    path = tmp / "bench.db"
    query = "SELECT * FROM consent_records WHERE site_id = (SELECT id FROM sites WHERE key = 'bench') ORDER BY seq"

    def reference(out: Path):
        if not shutil.which("sqlite3"):
            raise SystemExit("sqlite3 is missing: apt-get install -y sqlite3")
        with open(out, "wb") as fh:
            return measure(["sqlite3", "-csv", "-header", str(path), query], stdout=fh)
    return run_engine("SQLite", f"sqlite:///{path}", sizes, tmp, reference)


def postgres_engine(sizes, tmp: Path, server_url: str) -> list[dict]:
    name = f"consent_bench_export_{os.getpid()}"
    parts = urlsplit(server_url)
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    subprocess.run(["psql", admin, "-q", "-c", f'CREATE DATABASE "{name}"'], check=True)
    url = urlunsplit(parts._replace(path=f"/{name}"))
    psql_url = urlunsplit(parts._replace(scheme="postgresql", path=f"/{name}"))
    query = ("SELECT * FROM consent_records WHERE site_id = (SELECT id FROM sites WHERE key = 'bench') "
             "ORDER BY seq")

    def reference(out: Path):
        return measure(["psql", psql_url, "-q", "-c", f"\\copy ({query}) TO '{out}' CSV HEADER"])
    try:
        return run_engine("PostgreSQL", url, sizes, tmp, reference)
    finally:
        subprocess.run(["psql", admin, "-q", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child_export(sys.argv[2], "bench", sys.argv[3])
        return
    if len(sys.argv) == 6 and sys.argv[1] == "--generate":
        print(generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], "bench"))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--pg-url", default=os.environ.get("CONSENT_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    sizes = sorted({args.small, args.rows})
    tmp = Path(tempfile.mkdtemp(prefix="consent-bench-export-"))
    results = []
    floor = measure(["true"])["rss_mb"]
    print(f"peak RSS floor (a child of this process running `true`): {floor:.0f} MB", flush=True)
    try:
        results += sqlite_engine(sizes, tmp)
        if args.pg_url:
            results += postgres_engine(sizes, tmp, args.pg_url)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print("| engine | records | app (process) | of which export | app peak RSS (at start) | reference "
          "| reference peak RSS | time ratio | CSV size |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['engine']} | {r['rows']:,} | {r['app_s']:.1f} s | {r['export_s']:.1f} s "
              f"| {r['app_rss']:.0f} MB ({r['start_rss']:.0f} MB) | {r['ref_s']:.2f} s | {r['ref_rss']:.0f} MB "
              f"| {r['app_s'] / r['ref_s']:.1f}x | {r['app_mb']:.0f} MB |")
    for engine in dict.fromkeys(r["engine"] for r in results):
        rows = [r for r in results if r["engine"] == engine]
        if len(rows) == 2:
            small, large = rows
            print(f"{engine}: {large['rows'] // small['rows']}x the rows -> app peak RSS x"
                  f"{large['app_rss'] / small['app_rss']:.2f}, time x{large['app_s'] / small['app_s']:.1f}")


if __name__ == "__main__":
    main()
