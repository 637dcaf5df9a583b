"""A visitor's own data: the access document (GDPR Art. 15 and 20) and erasure (Art. 17).

The visitor proves who they are with their visitor token (an HMAC of site key and visitor
id, kept in their consent cookie). A wrong or missing token and an unknown visitor id are
the same answer to the caller (``find`` returns None for both), so nobody learns whether an
id exists. The document's layout is described in docs/DSAR.md (``format``/``version``).

Erasure deletes the visitor's analytics events and visit state on the site, keeps the
daily rollups (counts without identifiers) and appends a ``withdraw`` record to the
ledger: the new record invalidates the consent cache at commit (services/consent_cache),
so ingestion stops at once. The consent records stay: they are the proof of consent the
site must be able to show (GDPR Art. 7(1)), which Art. 17(3)(e) exempts from erasure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import ConsentRecord, Event, Revision, Site, VisitorSession
from . import consents, ledger

FORMAT = "consent-server/visitor-data"
VERSION = 1
VISITOR_ID = re.compile(r"^[0-9a-f]{32}$")
KEPT_REASON = (
    "Consent records are kept: they are the proof of your choices that the website must "
    "be able to show (GDPR Art. 7(1)); Art. 17(3)(e) exempts them from erasure. They hold "
    "no IP address, only the choice, time, coarse location and browser family, and are "
    "deleted when the site's retention period for consent records ends.")
EVENT_FIELDS = ("occurred_at", "session_id", "type", "path", "title", "referrer_host",
                "referrer_path", "utm_source", "utm_medium", "utm_campaign", "utm_term",
                "utm_content", "target", "name", "props", "browser", "os", "device", "country",
                "region", "city", "duration_ms", "scroll")
RECORD_FIELDS = ("id", "seq", "recorded_at", "action", "layer", "choices", "revision", "language",
                 "regime", "country", "region", "city", "gpc", "dnt", "browser", "os", "device",
                 "page_url", "previous_id", "prev_hash", "hash")


@dataclass(frozen=True)
class Erased:
    events: int
    sessions: int
    record: ConsentRecord
    token: str
    cookie_value: str

    def counts(self) -> dict:
        return {"events": self.events, "sessions": self.sessions}


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def find(site: Site, secret_key: str, visitor_id: str, token: str | None) -> bool:
    """True when ``token`` is this visitor's and the visitor has records on the site.

    Every failure (malformed id, wrong or missing token, unknown id) is the same False;
    the token is compared in constant time before any query."""
    if not isinstance(visitor_id, str) or not VISITOR_ID.match(visitor_id):
        return False
    if not ledger.token_matches(secret_key, site.key, visitor_id, token):
        return False
    return db.session.scalar(
        select(ConsentRecord.id).where(ConsentRecord.site_id == site.id,
                                       ConsentRecord.visitor_id == visitor_id).limit(1)) is not None


def _plain(value):
    return iso(value) if isinstance(value, datetime) else value


def consent_records(site: Site, visitor_id: str) -> list[dict]:
    rows = db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.site_id == site.id,
                                    ConsentRecord.visitor_id == visitor_id)
        .order_by(ConsentRecord.seq)).all()
    numbers = {r.revision for r in rows}
    hashes = dict(db.session.execute(
        select(Revision.number, Revision.snapshot_hash)
        .where(Revision.site_id == site.id, Revision.number.in_(numbers))).all()) if numbers else {}
    out = []
    for r in rows:
        item = {name: _plain(getattr(r, name)) for name in RECORD_FIELDS}
        item["revision_hash"] = hashes.get(r.revision)
        out.append(item)
    return out


def analytics_events(site: Site, visitor_id: str) -> list[dict]:
    table = Event.__table__
    rows = db.session.execute(
        select(*(table.c[name] for name in ("id", *EVENT_FIELDS)))
        .where(table.c.site_id == site.id, table.c.visitor_id == visitor_id)
        .order_by(table.c.occurred_at, table.c.id))
    return [{name: _plain(value) for name, value in row._mapping.items()} for row in rows]


def sessions(site: Site, visitor_id: str, events: list[dict]) -> list[dict]:
    """One entry per visit seen in the events (first and last event, counts), the current
    visit's state row marked ``current``."""
    visits: dict[str, dict] = {}
    for e in events:
        v = visits.setdefault(e["session_id"], {"session_id": e["session_id"], "started_at": e["occurred_at"],
                                                "events": 0, "pageviews": 0})
        v["last_event_at"] = e["occurred_at"]
        v["events"] += 1
        v["pageviews"] += e["type"] == "pageview"
    state = db.session.get(VisitorSession, (site.id, visitor_id))
    if state is not None:
        v = visits.setdefault(state.session_id, {"session_id": state.session_id, "events": 0,
                                                 "pageviews": state.pageviews})
        v.update(started_at=iso(state.started_at), last_event_at=iso(state.last_seen),
                 last_path=state.last_path, current=True)
    return sorted(visits.values(), key=lambda v: (v["started_at"] or "", v["session_id"]))


def access_document(site: Site, visitor_id: str, now: datetime | None = None) -> dict:
    """Everything stored about this visitor on this site, as one JSON-ready document."""
    now = now or datetime.now(timezone.utc)
    events = analytics_events(site, visitor_id)
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": iso(now),
        "site": {"key": site.key, "name": site.name, "domains": list(site.domains or [])},
        "visitor_id": visitor_id,
        "consent_records": consent_records(site, visitor_id),
        "analytics": {"events": events, "sessions": sessions(site, visitor_id, events)},
        "retention": {"analytics_events_days": site.retention_events_days,
                      "consent_records_months": site.retention_consents_months},
        "not_stored": "No IP address, no full user agent, no query strings of page addresses.",
    }


def analytics_counts(site_id: int, visitor_id: str) -> dict:
    events = db.session.scalar(select(func.count()).select_from(Event)
                               .where(Event.site_id == site_id, Event.visitor_id == visitor_id))
    state = db.session.scalar(select(func.count()).select_from(VisitorSession)
                              .where(VisitorSession.site_id == site_id,
                                     VisitorSession.visitor_id == visitor_id))
    return {"events": events, "sessions": state}


def erase(site: Site, *, secret_key: str, visitor_id: str, location=None, user_agent: str | None = None,
          gpc: bool = False, dnt: bool = False) -> Erased:
    """Delete the visitor's analytics on the site and record a withdrawal, in one transaction.

    The site's ingest lock is taken first (the statement the batch writer starts with), so
    a batch being written waits, and then finds the withdrawal in the ledger; a batch
    written before is deleted here. The caller has checked the token (``find``)."""
    from .analytics.ingest import lock_site  # analytics imports consent_cache, not us

    session = db.session
    session.commit()  # the lock must be the transaction's first statement
    latest = ledger.latest_for_visitor(site.id, visitor_id)
    try:
        lock_site(site.id)
        events = session.execute(delete(Event).where(
            Event.site_id == site.id, Event.visitor_id == visitor_id)).rowcount
        visits = session.execute(delete(VisitorSession).where(
            VisitorSession.site_id == site.id, VisitorSession.visitor_id == visitor_id)).rowcount
        # record_choice appends through the ledger, which commits the deletions with it.
        recorded = consents.record_choice(
            site, secret_key=secret_key, visitor_id=visitor_id,
            token=ledger.visitor_token(secret_key, site.key, visitor_id), choices={},
            action="withdraw", revision=site.revision,
            language=latest.language if latest is not None else site.default_language,
            page_url=None, layer=None, location=location, user_agent=user_agent, gpc=gpc, dnt=dnt)
    except BaseException:
        session.rollback()
        raise
    return Erased(events=events, sessions=visits, record=recorded.record, token=recorded.token,
                  cookie_value=recorded.cookie_value)
