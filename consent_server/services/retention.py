"""Retention: keep data only as long as the site's policy says (docs/RETENTION.md).

Per site, with ``now`` given:
- analytics events older than ``retention_events_days`` are obfuscated: visitor id and
  session id emptied, city dropped. The daily rollups are not touched, so reports stay
  the same; the events can no longer be tied to a visitor (an access request no longer
  finds them, which is the point).
- visit state rows (``analytics_sessions``) last seen before that cut-off are deleted.
- consent records older than ``retention_consents_months`` (30-day months) are deleted
  from the start of the chain, behind a signed checkpoint (HMAC with the secret key over
  site, seq and hash of the last deleted record) from which ``ledger verify`` starts. The
  ORM refuses to delete consent records; this is the one explicit path that does, with a
  Core DELETE marked ``execution_options(ledger_retention=True)``.
- data requests closed before that same cut-off are deleted with their log (the request
  log holds identifiers and export documents; it is kept as long as the proof of consent).
- a site deactivated more than ``retention_site_days`` ago loses all its data: events,
  visits, rollups, data requests and consent records (behind a checkpoint at the head, so
  its empty chain still verifies). The site row and its revisions stay.

Every step is idempotent (running again finds nothing past the limits) and works in
batches of ``BATCH`` rows per transaction, so a run never holds a long lock. ``preview``
counts what ``run`` would do, without changing anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, delete, func, select, update

from ..extensions import db
from ..models import (ConsentRecord, DailyStats, DataRequest, DataRequestAction, DimensionCount,
                      Event, IngestState, LedgerCheckpoint, LedgerHead, Site, VisitorSession)
from . import ledger

BATCH = 20_000
MONTH_DAYS = 30
OBFUSCATED = ""  # the visitor and session id of an obfuscated event


@dataclass
class SiteRetention:
    site: str
    obfuscated_events: int = 0
    deleted_sessions: int = 0
    deleted_consent_records: int = 0
    deleted_requests: int = 0
    checkpoint_seq: int | None = None
    site_data_deleted: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.obfuscated_events or self.deleted_sessions or self.deleted_consent_records
                    or self.deleted_requests or any(self.site_data_deleted.values()))

    def describe(self) -> str:
        if self.site_data_deleted:
            parts = ", ".join(f"{n} {what}" for what, n in self.site_data_deleted.items() if n)
            return f"{self.site}: deactivated site, deleted {parts or 'nothing (already done)'}"
        if not self.changed:
            return f"{self.site}: nothing past the retention limits"
        out = [f"{self.obfuscated_events} events obfuscated", f"{self.deleted_sessions} visits deleted",
               f"{self.deleted_consent_records} consent records deleted"]
        if self.checkpoint_seq is not None:
            out[-1] += f" (checkpoint at seq {self.checkpoint_seq})"
        if self.deleted_requests:
            out.append(f"{self.deleted_requests} closed data requests deleted")
        return f"{self.site}: " + ", ".join(out)


@dataclass(frozen=True)
class Cutoffs:
    events: datetime
    consents: datetime
    site: datetime | None  # deactivated sites: the time their data goes; None for active sites


def cutoffs(site: Site, now: datetime) -> Cutoffs:
    return Cutoffs(
        events=now - timedelta(days=site.retention_events_days),
        consents=now - timedelta(days=site.retention_consents_months * MONTH_DAYS),
        site=(site.deactivated_at + timedelta(days=site.retention_site_days)
              if not site.active and site.deactivated_at is not None else None))


def _site_expired(site: Site, now: datetime) -> bool:
    limit = cutoffs(site, now).site
    return limit is not None and limit <= now


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _old_events(site_id: int, cutoff: datetime):
    t = Event.__table__
    return select(t.c.id).where(t.c.site_id == site_id, t.c.occurred_at < cutoff,
                                t.c.visitor_id != OBFUSCATED)


def _old_sessions(site_id: int, cutoff: datetime):
    t = VisitorSession.__table__
    return select(t.c.visitor_id).where(t.c.site_id == site_id, t.c.last_seen < cutoff)


def _consent_prefix(site_id: int, cutoff: datetime) -> int:
    """The last seq of the chain's leading run of records older than ``cutoff`` (0: none).
    A record younger than the cut-off is never deleted, even if a later one is older."""
    t = ConsentRecord.__table__
    first_young = db.session.scalar(select(func.min(t.c.seq)).where(t.c.site_id == site_id,
                                                                     t.c.recorded_at >= cutoff))
    query = select(func.max(t.c.seq)).where(t.c.site_id == site_id)
    if first_young is not None:
        query = query.where(t.c.seq < first_young)
    return db.session.scalar(query) or 0


def _first_seq(site_id: int) -> int | None:
    t = ConsentRecord.__table__
    return db.session.scalar(select(func.min(t.c.seq)).where(t.c.site_id == site_id))


SITE_TABLES = (("events", Event), ("visits", VisitorSession), ("daily totals", DailyStats),
               ("dimension counts", DimensionCount), ("ingest state", IngestState))


def preview(site: Site, now: datetime | None = None) -> dict[str, int]:
    """What ``run`` would do to this site now: counts per action, nothing changed."""
    now = now or datetime.now(timezone.utc)
    if _site_expired(site, now):
        out = {f"delete {name}": _count(select(model).where(model.site_id == site.id))
               for name, model in SITE_TABLES}
        out["delete data requests"] = _count(select(DataRequest).where(DataRequest.site_id == site.id))
        out["delete consent records"] = _count(select(ConsentRecord.id).where(ConsentRecord.site_id == site.id))
        return out
    cut = cutoffs(site, now)
    prefix = _consent_prefix(site.id, cut.consents)
    first = _first_seq(site.id)
    return {
        "obfuscate events": _count(_old_events(site.id, cut.events)),
        "delete visits": _count(_old_sessions(site.id, cut.events)),
        "delete consent records": prefix - first + 1 if first is not None and prefix >= first else 0,
        "delete closed data requests": _count(_requests(site.id, closed_before=cut.consents)),
    }


def run(site: Site, secret_key: str, now: datetime | None = None, batch: int = BATCH) -> SiteRetention:
    """Apply the site's retention policy as of ``now``; returns what was done."""
    now = now or datetime.now(timezone.utc)
    db.session.commit()
    report = SiteRetention(site.key)
    if _site_expired(site, now):
        report.site_data_deleted = _delete_site_data(site, secret_key, now, batch)
        return report
    cut = cutoffs(site, now)
    report.obfuscated_events = _obfuscate_events(site.id, cut.events, batch)
    report.deleted_sessions = _batched(lambda: delete(VisitorSession).where(
        VisitorSession.site_id == site.id,
        VisitorSession.visitor_id.in_(_old_sessions(site.id, cut.events).limit(batch))))
    deleted, seq = _delete_consent_prefix(site, secret_key, _consent_prefix(site.id, cut.consents),
                                          now, batch, "retention")
    report.deleted_consent_records, report.checkpoint_seq = deleted, seq
    report.deleted_requests = _delete_requests(_requests(site.id, closed_before=cut.consents))
    return report


def _batched(make_statement) -> int:
    """Run a statement that handles at most one batch, one transaction each, until it
    changes nothing."""
    total = 0
    while True:
        n = db.session.execute(make_statement().execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        total += n
        if not n:
            return total


def _by_time(site_id: int, where, batch: int, change) -> int:
    """Handle the site's events matching ``where`` in time order, about ``batch`` at a time
    (the (site, occurred_at) index), ``change(condition)`` each in its own transaction.
    Keyset paging: each batch starts where the last one ended, so rows already handled (or
    their dead versions on PostgreSQL) are not read again, and no id list is sent."""
    t = Event.__table__
    total, since = 0, None
    while True:
        bounds = [t.c.site_id == site_id, *where]
        if since is not None:
            bounds.append(t.c.occurred_at >= since)
        upto = db.session.scalar(select(t.c.occurred_at).where(*bounds)
                                 .order_by(t.c.occurred_at).offset(batch - 1).limit(1))
        if upto is not None:
            bounds.append(t.c.occurred_at <= upto)
        total += change(and_(*bounds))
        db.session.commit()
        if upto is None:
            return total
        since = upto


def _obfuscate_events(site_id: int, cutoff: datetime, batch: int) -> int:
    t = Event.__table__
    return _by_time(site_id, (t.c.occurred_at < cutoff, t.c.visitor_id != OBFUSCATED), batch,
                    lambda cond: db.session.execute(update(t).where(cond).values(
                        visitor_id=OBFUSCATED, session_id=OBFUSCATED, city=None)).rowcount)


def _delete_consent_prefix(site: Site, secret_key: str, through_seq: int, now: datetime, batch: int,
                           reason: str) -> tuple[int, int | None]:
    """Delete the site's records with seq <= ``through_seq``, behind a signed checkpoint.

    The checkpoint is written (and committed) before the first deletion: if the run stops
    half-way, verification starts at the checkpoint and the records still there before it
    are simply not checked; the next run deletes them."""
    t = ConsentRecord.__table__
    first = _first_seq(site.id)
    if not through_seq or first is None or through_seq < first:
        return 0, None
    last = db.session.execute(select(t.c.seq, t.c.hash).where(t.c.site_id == site.id,
                                                              t.c.seq == through_seq)).one()
    db.session.add(LedgerCheckpoint(
        site_id=site.id, seq=last.seq, hash=last.hash, created_at=now, reason=reason,
        signature=ledger.checkpoint_signature(secret_key, site.id, last.seq, last.hash)))
    db.session.commit()
    deleted = 0
    for low in range(first, through_seq + 1, batch):  # seq ranges: the (site, seq) index
        deleted += db.session.execute(
            delete(t).where(t.c.site_id == site.id, t.c.seq >= low,
                            t.c.seq <= min(low + batch - 1, through_seq))
            .execution_options(ledger_retention=True)).rowcount
        db.session.commit()
    return deleted, last.seq


def _delete_site_data(site: Site, secret_key: str, now: datetime, batch: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, model in SITE_TABLES:
        out[name] = _site_rows(model, site.id, batch)
    out["data requests"] = _delete_requests(_requests(site.id))
    head = db.session.get(LedgerHead, site.id)
    deleted, _ = _delete_consent_prefix(site, secret_key, head.seq if head else 0, now, batch,
                                        "site deactivated")
    out["consent records"] = deleted
    return out


def _requests(site_id: int, closed_before: datetime | None = None):
    query = select(DataRequest.id).where(DataRequest.site_id == site_id)
    if closed_before is not None:
        query = query.where(DataRequest.status == "closed", DataRequest.closed_at < closed_before)
    return query


def _delete_requests(ids) -> int:
    """Delete the data requests selected by ``ids`` (a query of ids) and their actions."""
    n = _count(ids)
    if n:
        db.session.execute(delete(DataRequestAction).where(DataRequestAction.request_id.in_(ids)))
        db.session.execute(delete(DataRequest).where(DataRequest.id.in_(ids)))
    db.session.commit()
    return n


def _site_rows(model, site_id: int, batch: int) -> int:
    t = model.__table__
    if model is Event:
        return _by_time(site_id, (), batch, lambda cond: db.session.execute(delete(t).where(cond)).rowcount)
    # composite keys (rollups, visits): at most a few rows per day and value; one statement
    n = db.session.execute(delete(t).where(t.c.site_id == site_id)).rowcount
    db.session.commit()
    return n


def sites_for(key: str | None) -> list[Site]:
    query = select(Site).order_by(Site.id)
    if key is not None:
        query = query.where(Site.key == key)
    return list(db.session.scalars(query))
