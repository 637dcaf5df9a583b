"""Beacon ingestion: the consent gate on the request path, then a per-process buffer that a
background thread writes in batches.

Request path (``accept``): bots are dropped; each event must carry the visitor token (an
HMAC of site key and visitor id, checked without the database), and the visitor's analytics
consent must hold (services/consent_cache: a cache hit, or one indexed query on a miss).
Events that pass are normalized (no query strings, no IP, no raw user agent) and appended
to this process's buffer. No per-event database round trip.

Batch writer (``Ingestor.flush``): at least every ``ANALYTICS_FLUSH_INTERVAL`` seconds (1 s)
and when the process stops (atexit, gunicorn's ``worker_exit`` hook), one transaction per
site: take the site's ingest lock (the first statement upserts its ``analytics_ingest_state``
row: a row lock on PostgreSQL, the write lock on SQLite), check the ledger again for every
visitor of the batch (so an event received after a withdrawal is never stored, whatever a
worker's cache said), decide sessions from ``analytics_sessions``, insert the events and
upsert the rollups.

Loss window: events live only in memory until their batch commits. A hard kill (SIGKILL,
power loss) loses what was received since the last flush began: at most one flush interval
of events plus the batch being written. A normal stop (SIGTERM, SIGINT, exit) flushes first.
The buffer is bounded (``ANALYTICS_BUFFER_MAX``): when the database cannot keep up, new
events are dropped and counted (``stats()``) instead of exhausting memory.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

from cachetools import TTLCache
from flask import current_app
from sqlalchemy import delete, select, update

from ...extensions import db
from ...models import Event, IngestState, Site, VisitorSession
from .. import consent_cache, ledger
from .. import sites as sites_service
from ..useragent import classify
from . import rollups
from .events import Client, normalize

log = logging.getLogger(__name__)
EXTENSION = "analytics_ingest"
PRUNE_EVERY = 60.0  # seconds between deletions of visits idle for more than an hour
_live: "weakref.WeakSet[Ingestor]" = weakref.WeakSet()
_atexit_registered = False


@dataclass(frozen=True)
class SiteRef:
    """What the beacon path needs of a site (also enough for the origin check and CORS)."""

    id: int
    key: str
    domains: tuple[str, ...]
    consent_lifetime_days: int
    revision: int  # the published one: consents of an older revision collect nothing


SITE_TTL = 10.0  # seconds a worker keeps a site's beacon settings (domains, lifetime)
SITES_EXTENSION = "analytics_sites"
_MISSING = object()
_sites_lock = threading.Lock()


def site_for_beacons(key: str) -> SiteRef | None:
    """The active site with this key, cached per worker for ``SITE_TTL`` seconds so a
    beacon costs no site query (a deactivated site or a changed domain list takes effect
    within that time; the batch writer skips sites that no longer exist)."""
    with _sites_lock:
        cache = current_app.extensions.get(SITES_EXTENSION)
        if cache is None:
            cache = current_app.extensions[SITES_EXTENSION] = TTLCache(maxsize=4096, ttl=SITE_TTL)
        hit = cache.get(key, _MISSING)
    if hit is not _MISSING:
        return hit
    site = sites_service.get_by_key(key)
    ref = None
    if site is not None and site.active:
        ref = SiteRef(site.id, site.key, tuple(site.domains or ()), site.consent_lifetime_days, site.revision)
    with _sites_lock:
        cache[key] = ref
    return ref


@dataclass(frozen=True)
class Accepted:
    queued: int = 0
    no_token: int = 0
    no_consent: int = 0
    bot: bool = False


def accept(site, events: list[dict], *, secret_key: str, user_agent: str | None, location,
           query_allow=(), now: datetime | None = None) -> Accepted:
    """Gate and queue a beacon's events (validated dicts shaped like the API's EventIn).
    ``query_allow``: the page query parameters kept besides utm_* (``ANALYTICS_QUERY_ALLOW``).

    Raises ``EventError`` for an event that cannot be stored as sent (before anything is
    queued: a beacon is taken whole or not at all)."""
    now = now or datetime.now(timezone.utc)
    info = classify(user_agent)
    if not user_agent or info.is_bot:
        return Accepted(bot=True)
    client = Client(browser=info.browser, os=info.os, device=info.device,
                    country=getattr(location, "country", None), region=getattr(location, "region", None),
                    city=getattr(location, "city", None))
    rows = [normalize(e, site_id=site.id, client=client, now=now, query_allow=query_allow) for e in events]
    keep, no_token, no_consent = [], 0, 0
    decisions: dict[tuple, bool | None] = {}
    for event, row in zip(events, rows):
        key = (event["visitor_id"], event.get("token"))
        if key not in decisions:
            # A beacon forged with someone's visitor id but without their token is refused
            # before any lookup; the token is an HMAC, checked without the database.
            decisions[key] = (consent_cache.analytics_granted(site, key[0])
                              if ledger.token_matches(secret_key, site.key, *key) else None)
        if decisions[key] is None:
            no_token += 1
        elif not decisions[key]:
            no_consent += 1
        else:
            keep.append(row)
    queued = for_app(current_app._get_current_object()).submit(keep) if keep else 0
    return Accepted(queued=queued, no_token=no_token, no_consent=no_consent)


class Ingestor:
    """One process's buffer and its flusher thread, for one app."""

    def __init__(self, app):
        self.app = app
        self.interval = float(app.config.get("ANALYTICS_FLUSH_INTERVAL", 1.0))
        self.max_events = int(app.config.get("ANALYTICS_BUFFER_MAX", 50_000))
        self.pid = os.getpid()
        self._buffer: list[dict] = []
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_prune: dict[int, float] = {}
        self.counters = defaultdict(int)
        # An in-memory SQLite database is one connection shared by every thread: a writer
        # thread would interleave its transactions with the request's. Tests flush by hand.
        url = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
        self.background = url not in ("sqlite://", "sqlite:///:memory:") and self.interval > 0

    # -- buffer ---------------------------------------------------------------------
    def submit(self, rows: list[dict]) -> int:
        with self._lock:
            room = self.max_events - len(self._buffer)
            taken = rows[:max(room, 0)]
            self._buffer.extend(taken)
            self.counters["received"] += len(taken)
            self.counters["dropped_full"] += len(rows) - len(taken)
            size = len(self._buffer)
        if len(taken) < len(rows):
            log.warning("analytics buffer full: dropped %d events", len(rows) - len(taken))
        if self.background:
            self._ensure_thread()
            if size >= self.max_events // 4:
                self._wake.set()
        return len(taken)

    def pending(self) -> int:
        with self._lock:
            return len(self._buffer)

    def stats(self) -> dict:
        with self._lock:
            return {**self.counters, "buffered": len(self._buffer)}

    # -- flushing -------------------------------------------------------------------
    def flush(self) -> int:
        """Write everything buffered now; returns the number of events stored."""
        with self._flush_lock:
            with self._lock:
                batch, self._buffer = self._buffer, []
            if not batch:
                return 0
            by_site: dict[int, list[dict]] = defaultdict(list)
            for row in batch:
                by_site[row["site_id"]].append(row)
            stored = refused = 0
            started = time.perf_counter()
            with self.app.app_context():
                for site_id in sorted(by_site):
                    rows = by_site[site_id]
                    try:
                        n = store_batch(site_id, rows, prune=self._prune_due(site_id))
                    except Exception as exc:  # noqa: BLE001 - keep the events for one more try
                        db.session.rollback()
                        self._retry(rows, exc)
                        continue
                    stored += n
                    refused += len(rows) - n
                db.session.remove()
            with self._lock:
                self.counters["stored"] += stored
                self.counters["refused_at_flush"] += refused
                self.counters["flushes"] += 1
                self.counters["last_flush_ms"] = int((time.perf_counter() - started) * 1000)
            return stored

    def _retry(self, rows: list[dict], exc: Exception) -> None:
        fresh = [r for r in rows if not r.get("_retried")]
        for r in fresh:
            r["_retried"] = True
        with self._lock:
            room = self.max_events - len(self._buffer)
            again = fresh[:max(room, 0)]
            self._buffer[:0] = again
            self.counters["flush_errors"] += 1
            self.counters["dropped_error"] += len(rows) - len(again)
        log.warning("analytics flush failed (%s): %d events kept for another try, %d dropped",
                    exc.__class__.__name__, len(again), len(rows) - len(again))

    def _prune_due(self, site_id: int) -> bool:
        now = time.monotonic()
        if now - self._last_prune.get(site_id, 0.0) >= PRUNE_EVERY:
            self._last_prune[site_id] = now
            return True
        return False

    # -- the thread -----------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive() or self._stopping.is_set():
                return
            self._thread = threading.Thread(target=self._run, name="analytics-flush", daemon=True)
            self._thread.start()
        _register_atexit()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stopping.is_set():
                return  # shutdown() writes the rest
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - never let the writer thread die
                log.exception("analytics flush failed")

    def shutdown(self) -> int:
        """Stop the thread and write what is buffered (atexit, gunicorn ``worker_exit``)."""
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        stored = 0
        for _ in range(3):  # what failed once gets one more try
            if not self.pending():
                break
            stored += self.flush()
        return stored


def lock_site(site_id: int) -> None:
    """Take the site's ingest lock for the current transaction (upsert of its
    ``analytics_ingest_state`` row: a row lock on PostgreSQL, the write lock on SQLite).
    The batch writer and erasure (services/visitors) start with it."""
    state = IngestState.__table__
    lock = rollups.dialect_insert(state).values(site_id=site_id, events=0)
    db.session.execute(lock.on_conflict_do_update(index_elements=[state.c.site_id],
                                                  set_={"events": state.c.events}))


def store_batch(site_id: int, rows: list[dict], prune: bool = False) -> int:
    """Store one site's events and update its rollups, in one transaction.

    Returns the number of events stored (those whose visitor's consent still holds)."""
    session = db.session
    session.commit()  # start clean: the lock below must be the transaction's first statement
    now = datetime.now(timezone.utc)
    state = IngestState.__table__
    try:
        lock_site(site_id)
        site = session.execute(select(Site.consent_lifetime_days, Site.domains, Site.revision)
                               .where(Site.id == site_id)).one_or_none()
        if site is None:
            session.rollback()
            return 0
        granted = consent_cache.latest_decisions(site_id, site.consent_lifetime_days,
                                                 {r["visitor_id"] for r in rows}, now, revision=site.revision)
        rows = [r for r in rows if granted.get(r["visitor_id"])]
        if rows:
            visits = rollups.load_visits(site_id, {r["visitor_id"] for r in rows})
            hosts = {d.split("://", 1)[-1].split(":")[0] for d in site.domains or []}
            rollup = rollups.Rollup(hosts)
            for row in rows:
                rollup.add(row, visits)
            session.execute(Event.__table__.insert(), [_event_values(r) for r in rows])
            rollups.write_visits(site_id, visits, rollup.changed)
            rollups.write(site_id, rollup, current_app.config["SECRET_KEY"])
            first, last = rows[0]["occurred_at"], max(r["occurred_at"] for r in rows)
            session.execute(update(state).where(state.c.site_id == site_id).values(
                events=state.c.events + len(rows), last_event_at=last))
            session.execute(update(state).where(state.c.site_id == site_id,
                                                state.c.first_event_at.is_(None))
                            .values(first_event_at=first))
            if prune:
                # Visits idle for an hour cannot continue: their rows are no longer needed.
                # (Relative to the batch's newest event, which is "now" in production.)
                idle = VisitorSession.__table__
                session.execute(delete(idle).where(
                    idle.c.site_id == site_id, idle.c.last_seen < last - 2 * rollups.SESSION_IDLE))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(rows)


def _event_values(row: dict) -> dict:
    return {k: v for k, v in row.items() if not k.startswith("_")}


# -- per app, per process --------------------------------------------------------------

def for_app(app) -> Ingestor:
    ingestor = app.extensions.get(EXTENSION)
    if ingestor is None or ingestor.pid != os.getpid():
        # New, or inherited through fork (gunicorn --preload): threads do not survive a
        # fork, and the parent's buffer is not ours to write.
        ingestor = Ingestor(app)
        app.extensions[EXTENSION] = ingestor
        _live.add(ingestor)
    return ingestor


def flush(app) -> int:
    """Write what ``app``'s buffer holds now (tests, CLI)."""
    return for_app(app).flush()


def shutdown_all() -> int:
    """Flush every buffer of this process: gunicorn's ``worker_exit`` hook and atexit."""
    stored = 0
    for ingestor in list(_live):
        if ingestor.pid == os.getpid():
            try:
                stored += ingestor.shutdown()
            except Exception:  # noqa: BLE001 - exiting anyway; say so
                log.exception("analytics: flush on shutdown failed")
    return stored


def _register_atexit() -> None:
    global _atexit_registered
    if not _atexit_registered:
        _atexit_registered = True
        atexit.register(shutdown_all)
