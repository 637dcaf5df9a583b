"""Visits (sessions) and daily rollups, computed incrementally from each batch of events.

``Rollup.add`` is pure: it decides each event's session from the visitor's current visit
(``Visit``, 30 minutes idle) and accumulates the deltas of the daily totals, dimension
counts and visitor sets. ``write`` applies them with upserts (INSERT ... ON CONFLICT DO
UPDATE, on SQLite and PostgreSQL alike), so the rows are always the sums of everything
flushed so far. The batch writer (ingest.py) and the benchmark use the same two steps.

What each number counts:
- ``pageviews``, the ``page`` dimension: pageview events, on the day of the event.
- ``sessions``, ``bounces`` (visits with exactly one pageview), ``entry`` and ``exit``
  pages, and the visit's attributes (``referrer`` host when external, ``utm_source``,
  ``utm_medium``, ``utm_campaign``, ``browser``, ``os``, ``device``, ``country``,
  ``region``, ``city``): visits, on the day the visit started, from its first event.
- ``download``, ``outbound`` (link targets), ``custom`` (event names): events.
- ``duration_ms``, ``scroll_sum``, ``engagements``: sums over engagement events.
- ``visitors``: distinct visitor ids with an event that day, kept as a HyperLogLog sketch
  per day; a range merges the daily sketches (never a sum of days).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import datasketches
from sqlalchemy import select, update

from ...extensions import db
from ...models import DailyStats, DimensionCount, VisitorSession

SESSION_IDLE = timedelta(minutes=30)
# HyperLogLog: 2^14 buckets, 4 bits each: at most ~8 KB per site and day, about 0.8%
# standard error; below a few thousand visitors a day the sketch is exact in practice
# (it keeps the hashes themselves until then).
SKETCH_LG_K = 14
SKETCH_TYPE = datasketches.tgt_hll_type.HLL_4
DAILY_FIELDS = ("events", "pageviews", "sessions", "bounces", "engagements", "duration_ms",
                "scroll_sum")
DIMENSIONS = ("page", "entry", "exit", "referrer", "utm_source", "utm_medium", "utm_campaign",
              "download", "outbound", "custom", "browser", "os", "device", "country", "region",
              "city")
MAX_VALUE = 512
# Dimension counts are kept per day, per week and per 28-day block (see DimensionCount).
GRAINS = (1, 7, 28)
GRAIN_EPOCH = date(1970, 1, 5)  # a Monday: weeks run Monday to Sunday


def period_start(day: date, grain: int) -> date:
    """The first day of the ``grain``-day period that holds ``day``."""
    return day - timedelta(days=(day - GRAIN_EPOCH).days % grain)


def periods(start: date, end: date) -> list[tuple[int, date]]:
    """[start, end] as the fewest whole periods: (grain, first day), left to right. Each
    step takes the largest grain that starts at the cursor and ends inside the range."""
    out, cursor = [], start
    while cursor <= end:
        grain = next(g for g in reversed(GRAINS)
                     if period_start(cursor, g) == cursor and cursor + timedelta(days=g - 1) <= end)
        out.append((grain, cursor))
        cursor += timedelta(days=grain)
    return out


def new_session_id() -> str:
    return secrets.token_hex(8)


@dataclass
class Visit:
    """A visitor's current visit (one row of ``analytics_sessions``)."""

    session_id: str
    started_at: datetime
    last_seen: datetime
    pageviews: int = 0
    last_path: str | None = None
    last_pageview_at: datetime | None = None


def _region(row) -> str | None:
    if row["country"] and row["region"]:
        return f"{row['country']}-{row['region']}"
    return None


def _city(row) -> str | None:
    if not row["city"]:
        return None
    where = _region(row) or row["country"]
    return f"{row['city']}, {where}" if where else row["city"]


class Rollup:
    """The deltas of one batch of one site's events (in the order they arrived)."""

    def __init__(self, site_hosts=()):
        self.site_hosts = {h.lower() for h in site_hosts}
        self.daily: dict[date, Counter] = defaultdict(Counter)
        self.dims: Counter = Counter()
        self.visitors: dict[date, set[str]] = defaultdict(set)
        self.changed: set[str] = set()

    def _dim(self, dimension: str, day: date, value, delta: int = 1) -> None:
        if value:
            self.dims[(dimension, day, str(value)[:MAX_VALUE])] += delta

    def _start(self, row, t: datetime) -> Visit:
        visit = Visit(new_session_id(), t, t)
        day = t.date()
        self.daily[day]["sessions"] += 1
        ref = row["referrer_host"]
        if ref and ref.lower() not in self.site_hosts:
            self._dim("referrer", day, ref.lower())
        for field in ("utm_source", "utm_medium", "utm_campaign", "browser", "os", "device", "country"):
            self._dim(field, day, row[field])
        self._dim("region", day, _region(row))
        self._dim("city", day, _city(row))
        return visit

    def add(self, row: dict, visits: dict[str, Visit]) -> None:
        """Assign ``row["session_id"]`` and count the row. ``visits`` (visitor id -> Visit)
        is updated in place; ``self.changed`` names the visitors whose visit changed."""
        vid, t = row["visitor_id"], row["occurred_at"]
        visit = visits.get(vid)
        if visit is None or t - visit.last_seen > SESSION_IDLE:
            visit = visits[vid] = self._start(row, t)
        elif t > visit.last_seen:
            visit.last_seen = t
        self.changed.add(vid)
        row["session_id"] = visit.session_id
        day = t.date()
        daily = self.daily[day]
        daily["events"] += 1
        self.visitors[day].add(vid)
        kind = row["type"]
        if kind == "pageview":
            daily["pageviews"] += 1
            path = row["path"]
            self._dim("page", day, path)
            start_day = visit.started_at.date()
            if visit.pageviews == 0:
                self._dim("entry", start_day, path)
                self._dim("exit", start_day, path)
                self.daily[start_day]["bounces"] += 1
                visit.last_path, visit.last_pageview_at = path, t
            else:
                if visit.pageviews == 1:
                    self.daily[start_day]["bounces"] -= 1
                if visit.last_pageview_at is None or t >= visit.last_pageview_at:
                    self._dim("exit", start_day, visit.last_path, -1)
                    self._dim("exit", start_day, path)
                    visit.last_path, visit.last_pageview_at = path, t
            visit.pageviews += 1
        elif kind == "engagement":
            daily["engagements"] += 1
            daily["duration_ms"] += row["duration_ms"] or 0
            daily["scroll_sum"] += row["scroll"] or 0
        elif kind in ("outbound", "download"):
            self._dim(kind, day, row["target"])
        elif kind == "custom":
            self._dim("custom", day, row["name"])


# -- writing ---------------------------------------------------------------------------

def dialect_insert(table):
    """INSERT for the session's engine, with ``on_conflict_do_update`` (SQLite or PostgreSQL)."""
    name = db.session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the project supports these two
        raise RuntimeError(f"analytics rollups need SQLite or PostgreSQL, not {name}")
    return insert(table)


def load_visits(site_id: int, visitor_ids, chunk: int = 500) -> dict[str, Visit]:
    table = VisitorSession.__table__
    ids = sorted(set(visitor_ids))
    visits: dict[str, Visit] = {}
    for i in range(0, len(ids), chunk):
        rows = db.session.execute(select(table).where(table.c.site_id == site_id,
                                                      table.c.visitor_id.in_(ids[i:i + chunk])))
        for r in rows:
            visits[r.visitor_id] = Visit(r.session_id, r.started_at, r.last_seen, r.pageviews,
                                         r.last_path, r.last_pageview_at)
    return visits


def write_visits(site_id: int, visits: dict[str, Visit], changed) -> None:
    if not changed:
        return
    table = VisitorSession.__table__
    stmt = dialect_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.site_id, table.c.visitor_id],
        set_={c: stmt.excluded[c] for c in ("session_id", "started_at", "last_seen", "pageviews",
                                            "last_path", "last_pageview_at")})
    db.session.execute(stmt, [
        {"site_id": site_id, "visitor_id": vid, "session_id": v.session_id,
         "started_at": v.started_at, "last_seen": v.last_seen, "pageviews": v.pageviews,
         "last_path": v.last_path, "last_pageview_at": v.last_pageview_at}
        for vid in sorted(changed) for v in (visits[vid],)])


def new_sketch():
    return datasketches.hll_sketch(SKETCH_LG_K, SKETCH_TYPE)


def load_sketch(blob: bytes | None):
    return datasketches.hll_sketch.deserialize(blob) if blob else new_sketch()


def sketch_item(secret_key: str, site_id: int, visitor_id: str) -> str:
    """What a day's sketch counts for a visitor: an HMAC of the id under the server's
    secret, not the id. The sketch keeps small days' hashes as they are; with a public hash
    anyone holding the database could test whether an id (still in the ledger, or erased)
    was counted that day. Keyed, only the secret's holder can; the same visitor still gives
    the same item every day, so ranges merge without counting them twice."""
    return hmac.new(secret_key.encode(), f"sketch:{site_id}:{visitor_id}".encode(), hashlib.sha256).hexdigest()[:32]


def write(site_id: int, rollup: Rollup, secret_key: str) -> None:
    """Add the rollup's deltas to the stored rows (in key order: no deadlocks)."""
    daily = DailyStats.__table__
    if rollup.daily:
        stmt = dialect_insert(daily)
        stmt = stmt.on_conflict_do_update(
            index_elements=[daily.c.site_id, daily.c.day],
            set_={f: daily.c[f] + stmt.excluded[f] for f in DAILY_FIELDS})
        db.session.execute(stmt, [
            {"site_id": site_id, "day": day, "visitors": 0, **{f: counts.get(f, 0) for f in DAILY_FIELDS}}
            for day, counts in sorted(rollup.daily.items())])
    counts: Counter = Counter()
    for (dim, day, value), n in rollup.dims.items():
        if n:
            for grain in GRAINS:
                counts[(dim, grain, period_start(day, grain), value)] += n
    dims = DimensionCount.__table__
    deltas = [(key, n) for key, n in sorted(counts.items()) if n]
    if deltas:
        stmt = dialect_insert(dims)
        stmt = stmt.on_conflict_do_update(
            index_elements=[dims.c.site_id, dims.c.dimension, dims.c.grain, dims.c.day, dims.c.value],
            set_={"count": dims.c.count + stmt.excluded.count})
        db.session.execute(stmt, [
            {"site_id": site_id, "dimension": dim, "grain": grain, "day": day, "value": value, "count": n}
            for (dim, grain, day, value), n in deltas])
    # Visitor sketches: read, merge, write back. The caller holds the site's ingest lock,
    # so no other flush changes these rows meanwhile.
    for day, visitor_ids in sorted(rollup.visitors.items()):
        blob = db.session.scalar(select(daily.c.visitor_sketch)
                                 .where(daily.c.site_id == site_id, daily.c.day == day))
        sketch = load_sketch(blob)
        for vid in visitor_ids:
            sketch.update(sketch_item(secret_key, site_id, vid))
        db.session.execute(update(daily).where(daily.c.site_id == site_id, daily.c.day == day)
                           .values(visitor_sketch=sketch.serialize_compact(),
                                   visitors=round(sketch.get_estimate())))
