"""`retention run` on a large table: events obfuscated, visits and consent records deleted.

Loads N raw events (default 1,000,000) for one site, spread evenly over 360 days, with
one visit-state row per 10 events and one consent record per 20 events (spread over 4
years, hash-chained like the ledger's), then times ``retention.preview`` and
``retention.run`` with the default policy (180 days, 36 months), and a second, idle run
(idempotence: nothing left to do). Half the events are past the limit; a quarter of the
consent records are.

    .venv/bin/python bench/retention.py [--events 1000000] [--batch 20000]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

With --pg-url (or CONSENT_BENCH_DATABASE_URL) a throwaway database is created on that
server and dropped afterwards; without it only SQLite (a file) runs.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from databases import prepare, throwaway  # noqa: E402
from sqlalchemy import update  # noqa: E402

from consent_server.extensions import db  # noqa: E402
from consent_server.models import ConsentRecord, Event, LedgerHead, VisitorSession  # noqa: E402
from consent_server.models.ledger import GENESIS_HASH  # noqa: E402
from consent_server.services import ledger, retention, sites  # noqa: E402

NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)
SECRET = "bench"
CHUNK = 50_000


def load(url: str, n_events: int):
    app, _ = prepare(url, SECRET)
    with app.app_context():
        site = sites.get_by_key("bench")
        span = timedelta(days=360).total_seconds()
        events = Event.__table__
        for start in range(0, n_events, CHUNK):
            rows = []
            for i in range(start, min(start + CHUNK, n_events)):
                rows.append(dict(
                    site_id=site.id, visitor_id=f"{i // 10:032x}", session_id=f"{i // 5:016x}",
                    occurred_at=NOW - timedelta(seconds=span * (1 - i / n_events)), type="pageview",
                    path=f"/p/{i % 2000}", title="Page", browser="Chrome", os="Linux", device="desktop",
                    country="DE", region="BE", city="Berlin"))
            db.session.execute(events.insert(), rows)
            db.session.execute(VisitorSession.__table__.insert(), [
                dict(site_id=site.id, visitor_id=r["visitor_id"], session_id=r["session_id"],
                     started_at=r["occurred_at"], last_seen=r["occurred_at"], pageviews=10)
                for r in rows[::10]])
            db.session.commit()
        n_records = n_events // 20
        prev, seq = GENESIS_HASH, 0
        span = timedelta(days=4 * 360).total_seconds()
        for start in range(0, n_records, CHUNK):
            rows = []
            for i in range(start, min(start + CHUNK, n_records)):
                seq += 1
                record = ConsentRecord(
                    site_id=site.id, seq=seq, visitor_id=f"{i:032x}", previous_id=None, revision=1,
                    language="en", regime="opt-in", action="accept_all", layer=1,
                    choices={"necessary": True, "analytics": True, "advertising": True},
                    recorded_at=NOW - timedelta(seconds=span * (1 - i / n_records)), gpc=False, dnt=False,
                    prev_hash=prev)
                record.hash = prev = ledger.chain_hash(prev, record)
                rows.append({c.name: getattr(record, c.key) for c in ConsentRecord.__table__.c if c.name != "id"})
            db.session.execute(ConsentRecord.__table__.insert(), rows)
            db.session.commit()
        db.session.execute(update(LedgerHead).where(LedgerHead.site_id == site.id).values(
            seq=seq, hash=prev, signature=ledger.head_signature(app.config["SECRET_KEY"], site.id, seq, prev)))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE")
        db.session.remove()
    return app, n_records


def bench(name: str, app, n_events: int, n_records: int, batch: int) -> float:
    with app.app_context():
        site = sites.get_by_key("bench")
        t = time.perf_counter()
        counts = retention.preview(site, NOW)
        t_preview = time.perf_counter() - t
        t = time.perf_counter()
        done = retention.run(site, SECRET, NOW, batch=batch)
        t_run = time.perf_counter() - t
        t = time.perf_counter()
        again = retention.run(site, SECRET, NOW, batch=batch)
        t_again = time.perf_counter() - t
        t = time.perf_counter()
        verified = ledger.verify(site, SECRET)
        t_verify = time.perf_counter() - t
        db.session.remove()
        db.engine.dispose()
    assert counts["obfuscate events"] == done.obfuscated_events and not again.changed and verified.ok
    changed = done.obfuscated_events + done.deleted_sessions + done.deleted_consent_records
    print(f"{name:<11} {n_events:>10,} {n_records:>8,} {t_preview:>8.2f}s {t_run:>8.2f}s "
          f"{changed / t_run:>10,.0f}/s {t_again:>8.2f}s {t_verify:>8.2f}s  "
          f"obfuscated {done.obfuscated_events:,}, visits {done.deleted_sessions:,}, "
          f"records {done.deleted_consent_records:,}; {verified.describe()}")
    return t_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=retention.BATCH)
    parser.add_argument("--pg-url", default=os.environ.get("CONSENT_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with throwaway(args.pg_url, "retention.db") as targets:
        print(f"{'engine':<11} {'events':>10} {'records':>8} {'preview':>9} {'run':>9} {'rows':>12} "
              f"{'again':>9} {'verify':>9}")
        runs = {}
        for name, url in targets.items():
            t = time.perf_counter()
            app, n_records = load(url, args.events)
            print(f"  ({name}: loaded in {time.perf_counter() - t:.0f} s)", flush=True)
            runs[name] = bench(name, app, args.events, n_records, args.batch)
        if len(runs) == 2:
            print(f"run time PostgreSQL / SQLite: {runs['PostgreSQL'] / runs['SQLite']:.1f}x")

if __name__ == "__main__":
    main()
