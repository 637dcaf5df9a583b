"""Does this visitor's analytics consent hold on this site? The ledger, behind a cache.

The rule: the visitor's latest consent record for the site grants ``analytics``, was made
on the site's current revision (a published revision asks again: until the visitor answers,
nothing is collected), is younger than the site's consent lifetime, and no open data
request of the visitor restricts processing (a restriction or objection, services/dsar).
Nothing else (no cookie, no client claim) counts.

Where the answer is kept:
- Without ``REDIS_URL``: per worker process, an LRU with a short TTL
  (``ANALYTICS_CONSENT_TTL``). A new consent record removes the entry in the process
  that recorded it at once; other workers may answer from their entry until it expires,
  which is why the batch writer checks the ledger again before it stores anything
  (``latest_decisions``): no event received after a withdrawal is ever stored.
- With ``REDIS_URL``: in Redis, shared by every worker, and no per-process copy. A new
  consent record deletes the key and bumps a per-visitor version; a worker that read the
  ledger before the new record only writes its (now old) answer back if the version is
  unchanged, so a stale answer cannot be put back by a race. Every worker sees a
  withdrawal at once.

Invalidation hangs on the ORM: any commit that inserted a ``ConsentRecord`` or inserted or
changed a ``DataRequest`` invalidates that visitor's entry after the commit (see the
session listeners at the bottom), whichever code path made it.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from functools import partial

from cachetools import TTLCache
from flask import current_app, has_app_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import ConsentRecord, DataRequest

log = logging.getLogger(__name__)
EXTENSION = "consent_cache"
REDIS_PREFIX = "consent:analytics"
VERSION_TTL = 7 * 86400
# Write the decision back only if nobody bumped the visitor's version meanwhile.
_SET_IF_VERSION = """
if (redis.call('GET', KEYS[2]) or '') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""


def grants_analytics(record, lifetime_days: int, now: datetime, revision: int = 0) -> bool:
    """The rule, on one record (a ConsentRecord or a row with choices, revision and
    recorded_at); ``revision``: the site's current one."""
    if record is None or not (record.choices or {}).get("analytics") or record.revision < revision:
        return False
    return now - record.recorded_at <= timedelta(days=lifetime_days)


def latest_decisions(site_id: int, lifetime_days: int, visitor_ids, now: datetime,
                     chunk: int = 500, revision: int = 0) -> dict[str, bool]:
    """The rule for many visitors at once, straight from the ledger (no cache): one indexed
    query per ``chunk`` visitors. Visitors without any record are absent (not granted)."""
    table = ConsentRecord.__table__
    out: dict[str, bool] = {}
    ids = sorted(set(visitor_ids))
    for i in range(0, len(ids), chunk):
        part = ids[i:i + chunk]
        latest = (select(table.c.visitor_id, func.max(table.c.seq).label("seq"))
                  .where(table.c.site_id == site_id, table.c.visitor_id.in_(part))
                  .group_by(table.c.visitor_id).subquery())
        rows = db.session.execute(
            select(table.c.visitor_id, table.c.choices, table.c.revision, table.c.recorded_at)
            .join(latest, (table.c.visitor_id == latest.c.visitor_id) & (table.c.seq == latest.c.seq))
            .where(table.c.site_id == site_id))
        for row in rows:
            out[row.visitor_id] = grants_analytics(row, lifetime_days, now, revision)
        for visitor_id in restricted(site_id, [v for v in part if out.get(v)]):
            out[visitor_id] = False
    return out


def restricted(site_id: int, visitor_ids) -> set[str]:
    """Those of ``visitor_ids`` with an open request that restricts processing (dsar)."""
    ids = list(visitor_ids)
    if not ids:
        return set()
    requests = DataRequest.__table__
    return set(db.session.scalars(
        select(requests.c.visitor_id).where(
            requests.c.site_id == site_id, requests.c.visitor_id.in_(ids),
            requests.c.status == "open", requests.c.restricted.is_(True))))


def load_decision(site_id: int, lifetime_days: int, visitor_id: str, revision: int = 0) -> tuple[bool, float]:
    """(granted, seconds the answer stays true at most) from the ledger: one indexed query."""
    record = db.session.scalar(
        select(ConsentRecord)
        .where(ConsentRecord.site_id == site_id, ConsentRecord.visitor_id == visitor_id)
        .order_by(ConsentRecord.seq.desc()).limit(1))
    now = datetime.now(timezone.utc)
    if not grants_analytics(record, lifetime_days, now, revision) or restricted(site_id, [visitor_id]):
        return False, float("inf")
    expires = record.recorded_at + timedelta(days=lifetime_days)
    return True, (expires - now).total_seconds()


class ConsentCache:
    def __init__(self, ttl: float, maxsize: int, redis_url: str | None = None):
        self.ttl = max(1, int(ttl))
        self._local = TTLCache(maxsize=maxsize, ttl=self.ttl)
        self._lock = threading.Lock()
        # Bumped by every invalidation: an answer read from the ledger is cached only if
        # no invalidation happened while it was read.
        self._generation = 0
        self._redis = None
        self._set_if_version = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
            self._set_if_version = self._redis.register_script(_SET_IF_VERSION)

    @staticmethod
    def _keys(site_id: int, visitor_id: str) -> tuple[str, str]:
        return (f"{REDIS_PREFIX}:{site_id}:{visitor_id}", f"{REDIS_PREFIX}:v:{site_id}:{visitor_id}")

    def analytics_granted(self, site_id: int, visitor_id: str, lifetime_days: int, load=None,
                          revision: int = 0) -> bool:
        """``load(site_id, lifetime_days, visitor_id) -> (granted, valid_for_seconds)`` reads
        the ledger on a miss (default: one indexed query). An answer is kept with the
        site's ``revision`` it was read for: after a publish it is read again."""
        load = load or partial(load_decision, revision=revision)
        if self._redis is not None:
            try:
                return self._granted_shared(site_id, visitor_id, lifetime_days, load, revision)
            except Exception as exc:  # noqa: BLE001 - Redis down: ask the ledger, uncached
                log.warning("consent cache: Redis unavailable (%s), reading the ledger", exc.__class__.__name__)
                return load(site_id, lifetime_days, visitor_id)[0]
        key = (site_id, visitor_id)
        with self._lock:
            hit = self._local.get(key)
            generation = self._generation
        if hit is not None and hit[0] == revision:
            return hit[1]
        granted, valid_for = load(site_id, lifetime_days, visitor_id)
        if valid_for >= self.ttl:
            with self._lock:
                if generation == self._generation:
                    self._local[key] = (revision, granted)
        return granted

    def _granted_shared(self, site_id: int, visitor_id: str, lifetime_days: int, load, revision: int) -> bool:
        value_key, version_key = self._keys(site_id, visitor_id)
        value, version = self._redis.mget(value_key, version_key)
        if value is not None and value.startswith(f"{revision}:".encode()):
            return value.endswith(b":1")
        granted, valid_for = load(site_id, lifetime_days, visitor_id)
        ttl = int(min(self.ttl, valid_for))
        if ttl >= 1:
            self._set_if_version(keys=[value_key, version_key],
                                 args=[(version or b"").decode(), f"{revision}:{int(granted)}", ttl])
        return granted

    def invalidate(self, site_id: int, visitor_id: str) -> None:
        with self._lock:
            self._generation += 1
            self._local.pop((site_id, visitor_id), None)
        if self._redis is not None:
            value_key, version_key = self._keys(site_id, visitor_id)
            try:
                pipe = self._redis.pipeline(transaction=True)
                pipe.incr(version_key)
                pipe.expire(version_key, VERSION_TTL)
                pipe.delete(value_key)
                pipe.execute()
            except Exception as exc:  # noqa: BLE001 - the batch writer re-checks the ledger anyway
                log.warning("consent cache: could not invalidate in Redis (%s)", exc.__class__.__name__)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._local.clear()


def for_app(app) -> ConsentCache:
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        cfg = app.config
        cache = ConsentCache(cfg.get("ANALYTICS_CONSENT_TTL", 60), cfg.get("ANALYTICS_CONSENT_CACHE_SIZE", 100_000),
                             cfg.get("REDIS_URL"))
        cache = app.extensions.setdefault(EXTENSION, cache)
    return cache


def analytics_granted(site, visitor_id: str) -> bool:
    """Request path: the cached answer for (site, visitor)."""
    return for_app(current_app).analytics_granted(site.id, visitor_id, site.consent_lifetime_days,
                                                  revision=site.revision)


# Invalidation: after a commit that inserted consent records, drop those visitors' answers.
_PENDING = "consent_cache_pending"


@event.listens_for(Session, "after_flush")
def _collect_new_records(session, flush_context):
    for obj in session.new:
        if isinstance(obj, ConsentRecord):
            session.info.setdefault(_PENDING, set()).add((obj.site_id, obj.visitor_id))
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, DataRequest) and obj.visitor_id:
            session.info.setdefault(_PENDING, set()).add((obj.site_id, obj.visitor_id))


@event.listens_for(Session, "after_commit")
def _invalidate_committed(session):
    pending = session.info.pop(_PENDING, None)
    if pending and has_app_context():
        cache = for_app(current_app)
        for site_id, visitor_id in pending:
            cache.invalidate(site_id, visitor_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session):
    session.info.pop(_PENDING, None)
