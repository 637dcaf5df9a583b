"""Data subject requests: the site owner's log of requests and of what was done for each."""
from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

REQUEST_TYPES = ("access", "portability", "erasure", "restriction", "objection", "rectification")
REQUEST_STATUSES = ("open", "closed")
ACTION_KINDS = ("created", "export", "erasure", "restrict", "extend", "close")


class DataRequest(db.Model):
    """One request from a data subject (GDPR Art. 15-21), from receipt to closing.

    While a request is open and ``restricted``, the visitor's analytics are not processed
    (the consent gate, services/consent_cache, drops their events)."""

    __tablename__ = "data_requests"
    __table_args__ = (Index("ix_data_requests_site_visitor", "site_id", "visitor_id"),
                      Index("ix_data_requests_site_status_due", "site_id", "status", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    type: Mapped[str] = mapped_column(String(16))
    # The consent id the visitor quoted (from the widget's panel), if any.
    visitor_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Anything else that identifies the person or the request (e-mail, reference...).
    identifiers: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="")
    received_at = mapped_column(UTCDateTime, nullable=False)
    # received + 30 days; extended once to received + 60 days, with a reason.
    due_at = mapped_column(UTCDateTime, nullable=False)
    extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    handled_by: Mapped[str] = mapped_column(String(254), default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    closed_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    actions: Mapped[list["DataRequestAction"]] = relationship(
        back_populates="request", order_by="DataRequestAction.id", cascade="all, delete-orphan")


class DataRequestAction(db.Model):
    """Something done for a request, by whom, and what it produced: the export document
    (and its SHA-256) or the deletion counts."""

    __tablename__ = "data_request_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("data_requests.id"), index=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    actor: Mapped[str] = mapped_column(String(254), default="")
    kind: Mapped[str] = mapped_column(String(16))
    # Counts, reasons, notes.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    # An export: the document handed out (cleared when the visitor's data is erased; the
    # hash stays as the record of what was given).
    document: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    document_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)

    request: Mapped[DataRequest] = relationship(back_populates="actions")
