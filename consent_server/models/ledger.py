"""The consent ledger: append-only, hash-chained per site.

The ORM offers no update or delete path for ``ConsentRecord``: the guards at the bottom
refuse flushes that change or delete a record and ORM bulk UPDATE/DELETE statements on it.
Retention (deleting records past the site's limit behind a signed checkpoint) is the one
deliberate exception and must say so with ``execution_options(ledger_retention=True)``.
"""
from sqlalchemy import (JSON, Boolean, ForeignKey, Index, Integer, SmallInteger, String,
                        UniqueConstraint, event)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from .types import BigId, UTCDateTime

GENESIS_HASH = "0" * 64


class LedgerAppendOnly(Exception):
    """Raised when code tries to change or delete a ledger record."""


class ConsentRecord(db.Model):
    __tablename__ = "consent_records"
    __table_args__ = (
        UniqueConstraint("site_id", "seq"),
        Index("ix_consent_records_site_visitor", "site_id", "visitor_id"),
        Index("ix_consent_records_site_time", "site_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    # Position in the site's chain, from 1.
    seq: Mapped[int] = mapped_column(BigId)
    recorded_at = mapped_column(UTCDateTime, nullable=False)
    visitor_id: Mapped[str] = mapped_column(String(32))
    # The previous record of the same visitor on this site (None for the first).
    previous_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    revision: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(16))
    regime: Mapped[str] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    region: Mapped[str | None] = mapped_column(String(8), nullable=True)
    city: Mapped[str | None] = mapped_column(String(128), nullable=True)
    action: Mapped[str] = mapped_column(String(16))
    layer: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    # {"necessary": true, "analytics": false, "advertising": true}
    choices: Mapped[dict] = mapped_column(JSON)
    gpc: Mapped[bool] = mapped_column(Boolean, default=False)
    dnt: Mapped[bool] = mapped_column(Boolean, default=False)
    browser: Mapped[str | None] = mapped_column(String(64), nullable=True)
    os: Mapped[str | None] = mapped_column(String(64), nullable=True)
    device: Mapped[str | None] = mapped_column(String(16), nullable=True)
    page_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LedgerHead(db.Model):
    """The head of a site's chain: the last sequence number and hash.

    Appends update this row first, which serializes writers per site on every engine
    (a row lock on PostgreSQL, the database write lock on SQLite)."""

    __tablename__ = "ledger_heads"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigId, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    # HMAC of (site, seq, hash) under the server's secret, written with every append: a
    # chain rewritten with recomputed hashes (by someone holding the database but not the
    # secret) no longer matches its head. None only before the first record.
    signature: Mapped[str | None] = mapped_column(String(64), nullable=True)


class LedgerCheckpoint(db.Model):
    """Where verification starts after retention deleted the records before it.

    ``signature`` is an HMAC (server secret) over site, seq and hash, so a checkpoint
    cannot be forged to hide deleted records."""

    __tablename__ = "ledger_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    # Records with seq <= this were deleted; hash is that of record ``seq``.
    seq: Mapped[int] = mapped_column(BigId)
    hash: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UTCDateTime, nullable=False)
    reason: Mapped[str] = mapped_column(String(200), default="retention")
    signature: Mapped[str] = mapped_column(String(64))


@event.listens_for(Session, "before_flush")
def _refuse_ledger_changes(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, ConsentRecord) and (obj in session.deleted or session.is_modified(obj)):
            raise LedgerAppendOnly("consent records are append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_ledger_changes(state):
    if (state.is_update or state.is_delete) and not state.execution_options.get("ledger_retention"):
        mapper = state.bind_mapper
        table = getattr(state.statement, "table", None)
        if (mapper is not None and mapper.class_ is ConsentRecord) or (
                table is not None and getattr(table, "name", None) == ConsentRecord.__tablename__):
            raise LedgerAppendOnly("consent records are append-only")
