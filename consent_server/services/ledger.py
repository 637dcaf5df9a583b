"""The consent ledger: append a choice, verify a site's chain, visitor tokens.

Each record's ``hash`` is SHA-256 over the previous record's hash (of the same site's
chain) and the record's canonical JSON, so any change to a stored record, a removed record
or a reordering breaks verification from that record on.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select, update

from ..extensions import db
from ..models import ConsentRecord, LedgerCheckpoint, LedgerHead, Site
from ..models.ledger import GENESIS_HASH

ACTIONS = ("accept_all", "reject_all", "save", "withdraw", "gpc", "api")


@dataclass(frozen=True)
class Signals:
    gpc: bool = False
    dnt: bool = False


@dataclass(frozen=True)
class Context:
    """Where and how a choice was made; everything but the IP, which never gets here."""

    regime: str = "opt-in"
    country: str | None = None
    region: str | None = None
    city: str | None = None
    browser: str | None = None
    os: str | None = None
    device: str | None = None
    signals: Signals = field(default_factory=Signals)


def new_visitor_id() -> str:
    """128 random bits; never derived from the person."""
    return secrets.token_hex(16)


def visitor_token(secret_key: str, site_key: str, visitor_id: str) -> str:
    msg = f"visitor-token|{site_key}|{visitor_id}".encode()
    return hmac.new(secret_key.encode(), msg, hashlib.sha256).hexdigest()


def token_matches(secret_key: str, site_key: str, visitor_id: str, token: str | None) -> bool:
    if not token:
        return False
    return hmac.compare_digest(visitor_token(secret_key, site_key, visitor_id), token)


def canonical(record) -> str:
    """The record as hashed: sorted keys, no whitespace, UTC time with microseconds."""
    recorded_at = record.recorded_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {
        "site_id": record.site_id, "seq": record.seq, "recorded_at": recorded_at,
        "visitor_id": record.visitor_id, "previous_id": record.previous_id,
        "revision": record.revision, "language": record.language, "regime": record.regime,
        "country": record.country, "region": record.region, "city": record.city,
        "action": record.action, "layer": record.layer,
        "choices": {k: bool(v) for k, v in sorted(record.choices.items())},
        "gpc": bool(record.gpc), "dnt": bool(record.dnt),
        "browser": record.browser, "os": record.os, "device": record.device,
        "page_url": record.page_url,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _booleans(record) -> bool:
    """The hash reads choices and signals as booleans: they must be stored as booleans, or
    a "false" string (which bool() reads as true) could pass for a refusal."""
    choices = record.choices if isinstance(record.choices, dict) else None
    return (choices is not None and all(isinstance(v, bool) for v in choices.values())
            and all(v is None or isinstance(v, bool) for v in (record.gpc, record.dnt)))


def chain_hash(prev_hash: str, record) -> str:
    """``record``: a ConsentRecord or a row of the consent_records table."""
    return hashlib.sha256(f"{prev_hash}\n{canonical(record)}".encode()).hexdigest()


def append(site: Site, *, secret_key: str, visitor_id: str | None, choices: dict[str, bool], action: str,
           revision: int, language: str, page_url: str | None, context: Context,
           layer: int | None = None, now: datetime | None = None) -> ConsentRecord:
    """Append one choice to the site's chain, sign the new head and commit.

    The first statement is the UPDATE of the chain head, so concurrent appends for the
    same site wait for each other (row lock on PostgreSQL, write lock on SQLite) and the
    chain never forks. ``choices`` must already hold every category of the site.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    site_id = site.id
    returning = visitor_id is not None
    visitor_id = visitor_id or new_visitor_id()
    session = db.session
    try:
        # The head UPDATE is the first write of the transaction: it takes the lock.
        seq, prev_hash = session.execute(
            update(LedgerHead).where(LedgerHead.site_id == site_id)
            .values(seq=LedgerHead.seq + 1)
            .returning(LedgerHead.seq, LedgerHead.hash)
        ).one()
        previous_id = session.scalar(
            select(ConsentRecord.id)
            .where(ConsentRecord.site_id == site_id, ConsentRecord.visitor_id == visitor_id)
            .order_by(ConsentRecord.seq.desc()).limit(1)) if returning else None
        record = ConsentRecord(
            site_id=site_id, seq=seq,
            recorded_at=now or datetime.now(timezone.utc),
            visitor_id=visitor_id, previous_id=previous_id, revision=revision,
            language=language, regime=context.regime, country=context.country,
            region=context.region, city=context.city, action=action, layer=layer,
            choices=dict(choices), gpc=context.signals.gpc, dnt=context.signals.dnt,
            browser=context.browser, os=context.os, device=context.device,
            page_url=page_url, prev_hash=prev_hash)
        record.hash = chain_hash(prev_hash, record)
        session.add(record)
        session.flush()
        session.execute(update(LedgerHead).where(LedgerHead.site_id == site_id)
                        .values(hash=record.hash, signature=head_signature(secret_key, site_id, seq, record.hash)))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return record


def latest_for_visitor(site_id: int, visitor_id: str) -> ConsentRecord | None:
    return db.session.scalar(
        select(ConsentRecord)
        .where(ConsentRecord.site_id == site_id, ConsentRecord.visitor_id == visitor_id)
        .order_by(ConsentRecord.seq.desc()).limit(1))


@dataclass
class Verification:
    ok: bool
    checked: int
    first_seq: int | None = None
    last_seq: int | None = None
    broken_record_id: int | None = None
    broken_seq: int | None = None
    reason: str | None = None

    def describe(self) -> str:
        if self.ok:
            if not self.checked:
                return "OK: the chain is empty"
            return f"OK: {self.checked} records verified (seq {self.first_seq}..{self.last_seq})"
        where = (f"record id {self.broken_record_id} (seq {self.broken_seq})"
                 if self.broken_record_id is not None else f"seq {self.broken_seq}")
        return f"BROKEN at {where}: {self.reason}; {self.checked} records before it verified"


def head_signature(secret_key: str, site_id: int, seq: int, hash_: str) -> str:
    msg = f"ledger-head|{site_id}|{seq}|{hash_}".encode()
    return hmac.new(secret_key.encode(), msg, hashlib.sha256).hexdigest()


def checkpoint_signature(secret_key: str, site_id: int, seq: int, hash_: str) -> str:
    msg = f"ledger-checkpoint|{site_id}|{seq}|{hash_}".encode()
    return hmac.new(secret_key.encode(), msg, hashlib.sha256).hexdigest()


def verify(site: Site, secret_key: str, batch: int = 5000) -> Verification:
    """Walk the site's chain in sequence order, in batches (constant memory)."""
    checkpoint = db.session.scalar(
        select(LedgerCheckpoint).where(LedgerCheckpoint.site_id == site.id)
        .order_by(LedgerCheckpoint.seq.desc()).limit(1))
    expected_seq, prev_hash = 1, GENESIS_HASH
    if checkpoint is not None:
        good = checkpoint_signature(secret_key, site.id, checkpoint.seq, checkpoint.hash)
        if not hmac.compare_digest(good, checkpoint.signature):
            return Verification(False, 0, reason=f"checkpoint at seq {checkpoint.seq} has a bad signature")
        expected_seq, prev_hash = checkpoint.seq + 1, checkpoint.hash
    result = Verification(True, 0)
    last_seq = expected_seq - 1
    while True:
        table = ConsentRecord.__table__
        rows = db.session.execute(
            select(table).where(table.c.site_id == site.id, table.c.seq > last_seq)
            .order_by(table.c.seq).limit(batch)).all()
        if not rows:
            break
        for rec in rows:
            problem = None
            if rec.seq != expected_seq:
                problem = f"expected seq {expected_seq}, found {rec.seq} (a record is missing)"
            elif rec.prev_hash != prev_hash:
                problem = "prev_hash does not match the previous record's hash"
            elif not _booleans(rec):
                problem = "a choice or signal is not a boolean (the record was altered)"
            elif chain_hash(prev_hash, rec) != rec.hash:
                problem = "content does not match its hash (the record was altered)"
            if problem:
                result.ok = False
                result.broken_record_id, result.broken_seq, result.reason = rec.id, rec.seq, problem
                return result
            if result.first_seq is None:
                result.first_seq = rec.seq
            result.last_seq = rec.seq
            result.checked += 1
            prev_hash, expected_seq = rec.hash, rec.seq + 1
        last_seq = rows[-1].seq
    head = db.session.get(LedgerHead, site.id)
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        result.ok = False
        result.broken_seq = last_seq + 1
        result.reason = (f"the chain head is at seq {head.seq} but the last record is seq "
                         f"{last_seq} (records removed from the end)")
    elif head is not None and head.seq > 0 and not hmac.compare_digest(
            head.signature or "", head_signature(secret_key, site.id, head.seq, head.hash)):
        result.ok = False
        result.broken_seq = head.seq
        result.reason = ("the chain head's signature does not match (the records and their hashes "
                         "were rewritten, or the server's secret key is not the one that signed)")
    return result
