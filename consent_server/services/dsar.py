"""The site owner's log of data subject requests, and the actions run from it.

A request has a type (access, portability, erasure, restriction, objection,
rectification), the visitor's consent id and/or other identifiers, the date received and
a due date 30 days later, which may be extended once to 60 days with a reason. Actions run
from the log (export, erasure, restrict, extend, close) are each recorded with who ran
them and what they produced: the export document (and its SHA-256) or the deletion counts.

Restriction: a restriction or objection request starts ``restricted``, and any open
request can be marked so; while it is open the consent gate (services/consent_cache)
refuses the visitor's analytics events. Closing the request lifts it.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from ..extensions import db
from ..models import ConsentRecord, DataRequest, DataRequestAction, Site
from ..models.dsar import REQUEST_STATUSES, REQUEST_TYPES
from . import visitors
from .errors import ServiceError
from .texts import N_

DUE_DAYS = 30
EXTENDED_DAYS = 60
RESTRICTING_TYPES = ("restriction", "objection")
VISITOR_ID = re.compile(r"^[0-9a-f]{32}$")


class RequestError(ServiceError):
    """The action does not fit the request (closed, no consent id, extended twice...)."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _record(request: DataRequest, kind: str, actor: str, now: datetime, detail: dict | None = None,
            document: dict | None = None) -> DataRequestAction:
    action = DataRequestAction(request=request, kind=kind, actor=actor, at=now, detail=detail or {})
    if document is not None:
        action.document = document
        action.document_sha256 = hashlib.sha256(json.dumps(
            document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    if actor:
        request.handled_by = actor
    db.session.add(action)
    return action


def _open(request: DataRequest) -> None:
    if request.status != "open":
        raise RequestError(N_("the request is closed"))


def _visitor(request: DataRequest) -> str:
    if not request.visitor_id:
        raise RequestError(N_("the request has no consent id: add the visitor's consent id to run this"))
    return request.visitor_id


def create_request(site: Site, *, type: str, actor: str, visitor_id: str | None = None,
                   identifiers: str = "", details: str = "", received_at: datetime | None = None,
                   now: datetime | None = None) -> DataRequest:
    now = _now(now)
    if type not in REQUEST_TYPES:
        raise RequestError(N_("type must be one of %(types)s"), types=", ".join(REQUEST_TYPES))
    visitor_id = (visitor_id or "").strip().lower() or None
    if visitor_id is not None and not VISITOR_ID.match(visitor_id):
        raise RequestError(N_("a consent id is 32 hexadecimal characters"))
    identifiers = (identifiers or "").strip()
    if visitor_id is None and not identifiers:
        raise RequestError(N_("give the visitor's consent id or another identifier"))
    received_at = received_at or now
    if received_at.tzinfo is None:
        raise RequestError(N_("the date received needs a time zone"))
    if received_at > now + timedelta(minutes=5):
        raise RequestError(N_("the date received is in the future"))
    request = DataRequest(site_id=site.id, type=type, visitor_id=visitor_id, identifiers=identifiers,
                          details=(details or "").strip(), received_at=received_at,
                          due_at=received_at + timedelta(days=DUE_DAYS), status="open",
                          restricted=type in RESTRICTING_TYPES, handled_by=actor, outcome="")
    db.session.add(request)
    _record(request, "created", actor, now, {"type": type, "restricted": request.restricted})
    db.session.commit()
    return request


def list_requests(site: Site, status: str | None = None) -> list[DataRequest]:
    query = select(DataRequest).where(DataRequest.site_id == site.id)
    if status is not None:
        if status not in REQUEST_STATUSES:
            raise RequestError(N_("status must be one of %(statuses)s"), statuses=", ".join(REQUEST_STATUSES))
        query = query.where(DataRequest.status == status)
    return list(db.session.scalars(query.order_by(DataRequest.status.desc(), DataRequest.due_at,
                                                  DataRequest.id)))


def get_request(site: Site, request_id: int) -> DataRequest | None:
    return db.session.scalar(select(DataRequest).where(DataRequest.site_id == site.id,
                                                       DataRequest.id == request_id))


def is_overdue(request: DataRequest, now: datetime | None = None) -> bool:
    return request.status == "open" and _now(now) > request.due_at


def run_export(site: Site, request: DataRequest, *, actor: str,
               now: datetime | None = None) -> DataRequestAction:
    """The visitor's access document (services/visitors), kept with the request."""
    now = _now(now)
    _open(request)
    document = visitors.access_document(site, _visitor(request), now=now)
    action = _record(request, "export", actor, now, {
        "consent_records": len(document["consent_records"]),
        "events": len(document["analytics"]["events"]),
        "sessions": len(document["analytics"]["sessions"])}, document)
    db.session.commit()
    return action


def run_erasure(site: Site, request: DataRequest, *, actor: str, secret_key: str,
                now: datetime | None = None) -> DataRequestAction:
    """Erase the visitor's analytics and record a withdrawal (as the visitor's own
    "Delete my data" does); exports kept with earlier requests of this visitor lose their
    document (their hash stays)."""
    now = _now(now)
    _open(request)
    visitor_id = _visitor(request)
    if not _has_records(site, visitor_id):
        # analytics are only stored with a consent record behind them
        raise RequestError(N_("no consent records for this consent id on this site"))
    erased = visitors.erase(site, secret_key=secret_key, visitor_id=visitor_id)
    exports = select(DataRequest.id).where(DataRequest.site_id == site.id,
                                           DataRequest.visitor_id == visitor_id)
    cleared = db.session.execute(
        update(DataRequestAction).where(DataRequestAction.request_id.in_(exports),
                                        DataRequestAction.document.is_not(None))
        .values(document=None).execution_options(synchronize_session=False)).rowcount
    action = _record(request, "erasure", actor, now, {
        **erased.counts(), "withdrawal_record_id": erased.record.id, "exports_cleared": cleared})
    db.session.commit()
    db.session.expire_all()
    return action


def _has_records(site: Site, visitor_id: str) -> bool:
    return db.session.scalar(select(ConsentRecord.id).where(
        ConsentRecord.site_id == site.id, ConsentRecord.visitor_id == visitor_id).limit(1)) is not None


def restrict(request: DataRequest, *, actor: str, now: datetime | None = None) -> DataRequestAction:
    """Stop processing the visitor's analytics while the request is open."""
    now = _now(now)
    _open(request)
    _visitor(request)
    if request.restricted:
        raise RequestError(N_("processing is already restricted for this request"))
    request.restricted = True
    action = _record(request, "restrict", actor, now)
    db.session.commit()
    return action


def extend(request: DataRequest, *, actor: str, reason: str, now: datetime | None = None) -> DataRequestAction:
    """Extend the due date once, to 60 days after receipt (GDPR Art. 12(3)), with a reason."""
    now = _now(now)
    _open(request)
    reason = (reason or "").strip()
    if not reason:
        raise RequestError(N_("an extension needs a reason (it is told to the person)"))
    if request.extension_reason is not None:
        raise RequestError(N_("the due date was already extended once"))
    before = request.due_at
    request.extension_reason = reason
    request.due_at = request.received_at + timedelta(days=EXTENDED_DAYS)
    action = _record(request, "extend", actor, now, {"reason": reason, "from": visitors.iso(before),
                                                     "to": visitors.iso(request.due_at)})
    db.session.commit()
    return action


def close(request: DataRequest, *, actor: str, outcome: str, now: datetime | None = None) -> DataRequestAction:
    """Close the request with its outcome; a restriction ends with it."""
    now = _now(now)
    _open(request)
    outcome = (outcome or "").strip()
    if not outcome:
        raise RequestError(N_("say how the request was answered"))
    request.status, request.outcome, request.closed_at = "closed", outcome, now
    action = _record(request, "close", actor, now, {"outcome": outcome, "restricted": request.restricted,
                                                    "late": now > request.due_at})
    db.session.commit()
    return action
