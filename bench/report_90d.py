"""The 90-day traffic report on 10 million generated events, on SQLite and PostgreSQL.

The events (pageviews, engagement, outbound, download and custom events of ~1.3 visits per
visitor-day, 2,000 pages, 200 referrers, 30 campaigns, 10,000 user agents, 2,000 cities)
go through the same code as the batch writer: ``rollups.Rollup.add`` decides the visits
(30 minutes idle) and accumulates the deltas, ``rollups.write`` upserts them, one day per
transaction. Raw events are not inserted: the report never reads them (visitors over a
range come from the daily HyperLogLog sketches), so they would only make the run longer.

Then ``traffic_report(site, day 1, day 90)`` is timed: once right after opening a new
connection pool ("first") and then repeated (median and worst of 7); twice: straight after
the bulk load, and after ``ANALYZE`` (PostgreSQL: ``VACUUM ANALYZE``, which autovacuum does
by itself on a live server: the load leaves planner statistics empty and, on PostgreSQL,
the dead row versions of a million upserts in the way).

    .venv/bin/python bench/report_90d.py [--events 10000000] [--days 90]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

With --pg-url (or CONSENT_BENCH_DATABASE_URL) a throwaway database is created on that
server and dropped afterwards; without it only SQLite runs.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from databases import prepare, throwaway  # noqa: E402

from consent_server.extensions import db  # noqa: E402
from consent_server.services import sites  # noqa: E402
from consent_server.services.analytics import rollups, traffic_report  # noqa: E402
from consent_server.services.useragent import classify  # noqa: E402

START = date(2026, 1, 1)


class Zipf:
    """Draws from ``values`` with weight 1/rank (a few pages get most of the traffic)."""

    def __init__(self, values, rng):
        self.values, self.rng = list(values), rng
        self.cum = list(itertools.accumulate(1 / (i + 1) for i in range(len(self.values))))

    def __call__(self):
        return self.values[bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])]


def generate_day(day: date, n_events: int, rng: random.Random, pools, returning: list[str], counter):
    """Events of one day, in time order, as rows shaped like the batch writer's."""
    rows = []
    midnight = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    end = midnight + timedelta(days=1)
    kept = 0
    while kept < n_events:
        if returning and rng.random() < 0.3:
            vid = rng.choice(returning)
        else:
            vid = f"{next(counter):032x}"
            returning.append(vid)
        client = pools["client"]()
        where = pools["place"]()
        t = midnight + timedelta(seconds=rng.uniform(0, 86_000))
        referrer = pools["referrer"]() if rng.random() < 0.6 else None
        campaign = pools["campaign"]() if rng.random() < 0.05 else None
        for _visit in range(1 if rng.random() < 0.75 else 2):
            for i in range(max(1, int(rng.expovariate(1 / 2.5)))):
                path = pools["page"]()
                base = {"site_id": 0, "visitor_id": vid, "session_id": None, "occurred_at": t,
                        "path": path, "title": None, "referrer_host": referrer if i == 0 else None,
                        "referrer_path": "/" if referrer and i == 0 else None,
                        "utm_source": "newsletter" if campaign else None,
                        "utm_medium": "email" if campaign else None, "utm_campaign": campaign,
                        "utm_term": None, "utm_content": None, "target": None, "name": None,
                        "props": None, "browser": client.browser, "os": client.os, "device": client.device,
                        "country": where[0], "region": where[1], "city": where[2],
                        "duration_ms": None, "scroll": None}
                if t >= end:
                    break
                rows.append({**base, "type": "pageview"})
                kept += 1
                roll = rng.random()
                if roll < 0.03:
                    rows.append({**base, "type": "outbound", "target": f"https://partner{rng.randrange(80)}.example/"})
                elif roll < 0.05:
                    rows.append({**base, "type": "download", "target": f"https://site.example/files/{rng.randrange(60)}.pdf"})
                elif roll < 0.07:
                    rows.append({**base, "type": "custom", "name": rng.choice(("signup", "play", "share", "cart"))})
                kept += roll < 0.07
                t += timedelta(seconds=rng.uniform(5, 240))
                if rng.random() < 0.5 and t < end:
                    rows.append({**base, "type": "engagement", "occurred_at": t,
                                 "duration_ms": rng.randrange(1000, 180_000), "scroll": rng.randrange(0, 101)})
                    kept += 1
            t += timedelta(minutes=rng.uniform(31, 300))  # a second visit starts after a pause
    rows.sort(key=lambda r: r["occurred_at"])
    return rows


def make_pools(rng):
    from uagen import user_agents

    clients = [c for c in (classify(ua) for ua in user_agents(10_000)) if not c.is_bot]
    countries = [f"{a}{b}" for a in "ADEFGIKLNPSU" for b in "ABEKLRST"][:60]
    places = []
    for i in range(2000):
        country = countries[i % len(countries)]
        places.append((country, f"R{i % 5}", f"City {i}"))
    return {
        "client": Zipf(clients, rng),
        "place": Zipf(places, rng),
        "page": Zipf([f"/p/{i}" for i in range(2000)], rng),
        "referrer": Zipf([f"ref{i}.example" for i in range(200)], rng),
        "campaign": Zipf([f"campaign-{i}" for i in range(30)], rng),
    }


def time_report(app, site_id, days):
    with app.app_context():
        db.engine.dispose()
        site = sites.get_by_key("bench")
        end = START + timedelta(days=days - 1)
        t = time.perf_counter()
        report = traffic_report(site, START, end)
        first = time.perf_counter() - t
        repeats = []
        for _ in range(7):
            t = time.perf_counter()
            traffic_report(site, START, end)
            repeats.append(time.perf_counter() - t)
        db.session.remove()
    return report, first, repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--pg-url", default=os.environ.get("CONSENT_BENCH_DATABASE_URL"))
    parser.add_argument("--keep", action="store_true", help="keep the databases (to look at the queries)")
    args = parser.parse_args()
    rng = random.Random(90)
    with throwaway(args.pg_url, "report.db", keep=args.keep) as targets:
        apps = {name: prepare(url) for name, url in targets.items()}
        pools = make_pools(rng)
        counter = itertools.count(1)
        returning: list[str] = []
        visits: dict = {}
        per_day = args.events // args.days
        total = 0
        t_gen = t_roll = 0.0
        t_write = {name: 0.0 for name in apps}
        started = time.perf_counter()
        for d in range(args.days):
            day = START + timedelta(days=d)
            t = time.perf_counter()
            rows = generate_day(day, per_day, rng, pools, returning, counter)
            t_gen += time.perf_counter() - t
            t = time.perf_counter()
            rollup = rollups.Rollup({"site.example"})
            for row in rows:
                rollup.add(row, visits)
            horizon = rows[-1]["occurred_at"] - 2 * rollups.SESSION_IDLE
            visits = {k: v for k, v in visits.items() if v.last_seen >= horizon}
            t_roll += time.perf_counter() - t
            total += len(rows)
            for name, (app, site_id) in apps.items():
                t = time.perf_counter()
                with app.app_context():
                    rollups.write(site_id, rollup, app.config["SECRET_KEY"])
                    db.session.commit()
                    db.session.remove()
                t_write[name] += time.perf_counter() - t
            if d % 10 == 9:
                print(f"  day {d + 1}/{args.days}: {total:,} events, {len(returning):,} visitor ids, "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
        print(f"generated {total:,} events in {args.days} days ({len(returning):,} visitor ids): "
              f"generation {t_gen:.0f} s, visits and rollup deltas {t_roll:.0f} s "
              f"({total / t_roll:,.0f} events/s), writes " +
              ", ".join(f"{n} {s:.0f} s" for n, s in t_write.items()))
        print(f"{'engine':<11} {'state':<15} {'daily rows':>10} {'dimension rows':>14} {'first':>9} {'median':>9}"
              f" {'worst':>9}  report: pageviews, visitors (HLL), sessions")
        for name, (app, site_id) in apps.items():
            with app.app_context():
                daily_rows = db.session.execute(db.text("SELECT count(*) FROM analytics_daily")).scalar()
                dim_rows = db.session.execute(db.text("SELECT count(*) FROM analytics_dimension_counts")).scalar()
                db.session.remove()
            for state in ("after the load", "analyzed"):
                if state == "analyzed":
                    with app.app_context():
                        db.session.remove()
                        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                            conn.exec_driver_sql("VACUUM ANALYZE" if name == "PostgreSQL" else "ANALYZE")
                report, first, repeats = time_report(app, site_id, args.days)
                print(f"{name:<11} {state:<15} {daily_rows:>10,} {dim_rows:>14,} {first * 1000:>7.0f}ms "
                      f"{statistics.median(repeats) * 1000:>7.0f}ms {max(repeats) * 1000:>7.0f}ms"
                      f"  {report.pageviews:,}, {report.visitors:,}, {report.sessions:,} "
                      f"(distinct visitor ids generated: {len(returning):,})")
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
