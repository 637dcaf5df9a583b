"""First-party clickstream analytics: raw events, session state and daily rollups.

No IP address and no raw user agent are stored here: the IP is resolved to a location in
memory and dropped, the user agent is reduced to browser, OS and device class. Page and
link addresses are kept as host and path only (utm_* of the page URL go to their own
columns; no other query string is kept).
"""
from sqlalchemy import (JSON, BigInteger, Date, ForeignKey, Index, Integer, LargeBinary,
                        SmallInteger, String)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import BigId, UTCDateTime

EVENT_TYPES = ("pageview", "outbound", "download", "engagement", "custom")


class Event(db.Model):
    """One stored clickstream event (only while the visitor's analytics consent held)."""

    __tablename__ = "analytics_events"
    __table_args__ = (
        Index("ix_analytics_events_site_time", "site_id", "occurred_at"),
        Index("ix_analytics_events_site_visitor", "site_id", "visitor_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    visitor_id: Mapped[str] = mapped_column(String(32))
    # Random, per visit: a new one after 30 minutes without events (see services/analytics).
    session_id: Mapped[str] = mapped_column(String(16))
    # Server time of receipt, UTC.
    occurred_at = mapped_column(UTCDateTime, nullable=False)
    type: Mapped[str] = mapped_column(String(12))
    path: Mapped[str] = mapped_column(String(1024))
    title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    referrer_host: Mapped[str | None] = mapped_column(String(255), nullable=True)
    referrer_path: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    utm_source: Mapped[str | None] = mapped_column(String(200), nullable=True)
    utm_medium: Mapped[str | None] = mapped_column(String(200), nullable=True)
    utm_campaign: Mapped[str | None] = mapped_column(String(200), nullable=True)
    utm_term: Mapped[str | None] = mapped_column(String(200), nullable=True)
    utm_content: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Outbound link or download: the link's scheme, host and path (no query string).
    target: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    # Custom events: name and a flat object of scalars (bounded by the API).
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    props: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    browser: Mapped[str | None] = mapped_column(String(64), nullable=True)
    os: Mapped[str | None] = mapped_column(String(64), nullable=True)
    device: Mapped[str | None] = mapped_column(String(16), nullable=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    region: Mapped[str | None] = mapped_column(String(8), nullable=True)
    city: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # Engagement: engaged time on the page and deepest scroll position (percent).
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    scroll: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)


class VisitorSession(db.Model):
    """The current visit of a visitor: where the next event's session is decided.

    A row is only needed while the visit may continue (30 minutes idle); older rows are
    pruned by the flush."""

    __tablename__ = "analytics_sessions"
    __table_args__ = (Index("ix_analytics_sessions_last_seen", "last_seen"),)

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    visitor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(16))
    started_at = mapped_column(UTCDateTime, nullable=False)
    last_seen = mapped_column(UTCDateTime, nullable=False)
    pageviews: Mapped[int] = mapped_column(Integer, default=0)
    # The last page viewed (the visit's exit page so far).
    last_path: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    last_pageview_at = mapped_column(UTCDateTime, nullable=True)


class IngestState(db.Model):
    """Per site: events stored so far and when. Every flush updates this row first, which
    serializes flushes of one site across workers (a row lock on PostgreSQL, the write
    lock on SQLite), so session state and visitor sketches are read-modified-written safely."""

    __tablename__ = "analytics_ingest_state"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    events: Mapped[int] = mapped_column(BigInteger, default=0)
    first_event_at = mapped_column(UTCDateTime, nullable=True)
    last_event_at = mapped_column(UTCDateTime, nullable=True)


class DailyStats(db.Model):
    """Totals of one site on one UTC day, updated incrementally by every flush."""

    __tablename__ = "analytics_daily"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    day = mapped_column(Date, primary_key=True)
    events: Mapped[int] = mapped_column(BigInteger, default=0)
    pageviews: Mapped[int] = mapped_column(BigInteger, default=0)
    # Sessions, bounces (sessions with one pageview), entries and exits count on the day
    # the session started.
    sessions: Mapped[int] = mapped_column(BigInteger, default=0)
    bounces: Mapped[int] = mapped_column(BigInteger, default=0)
    # Sum of engaged time and of scroll depth over engagement events, and their number.
    engagements: Mapped[int] = mapped_column(BigInteger, default=0)
    duration_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    scroll_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    # Distinct visitors of the day: the estimate of ``visitor_sketch``, a HyperLogLog
    # (Apache DataSketches, compact form) that reports merge to count a range.
    visitors: Mapped[int] = mapped_column(BigInteger, default=0)
    visitor_sketch: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class DimensionCount(db.Model):
    """Counts per value of one dimension (page, referrer, browser...) per site and period.

    Each count is kept at three grains: the day, its week and its 28-day block (``grain``
    1, 7 or 28; ``day`` is the period's first day; weeks and blocks are aligned to Monday
    1970-01-05). A report over any range reads whole blocks and weeks where they fit and
    single days at the edges: at most 12 periods for 90 days instead of 90. The primary
    key starts with (site, dimension, grain, day), so each period is a contiguous slice."""

    __tablename__ = "analytics_dimension_counts"
    __table_args__ = {"sqlite_with_rowid": False}

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    grain: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    day = mapped_column(Date, primary_key=True)
    value: Mapped[str] = mapped_column(String(512), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
