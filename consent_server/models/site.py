from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

REGIME_OVERRIDES = ("auto", "opt-in", "opt-out", "notice")


class Site(db.Model):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Allowed origins ("https://www.example.com"), as a JSON list.
    domains: Mapped[list] = mapped_column(JSON, default=list)
    regime_override: Mapped[str] = mapped_column(String(16), default="auto")
    default_language: Mapped[str] = mapped_column(String(16), default="en")
    consent_lifetime_days: Mapped[int] = mapped_column(Integer, default=182)
    # The revision visitors are asked about; bumped by publishing.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at = mapped_column(UTCDateTime, nullable=True)
    retention_events_days: Mapped[int] = mapped_column(Integer, default=180)
    retention_consents_months: Mapped[int] = mapped_column(Integer, default=36)
    retention_site_days: Mapped[int] = mapped_column(Integer, default=180)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    organization = relationship("Organization", back_populates="sites")
    categories: Mapped[list["Category"]] = relationship(
        back_populates="site", order_by="Category.position", cascade="all, delete-orphan")
    texts: Mapped[list["SiteText"]] = relationship(
        back_populates="site", cascade="all, delete-orphan")


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("site_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    # Empty name/description: the shipped, translated texts for this key are used.
    name: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    site: Mapped[Site] = relationship(back_populates="categories")
    services: Mapped[list["Service"]] = relationship(
        back_populates="category", order_by="Service.position", cascade="all, delete-orphan")


class Service(db.Model):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    provider: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(String(32), default="consent")
    privacy_policy_url: Mapped[str] = mapped_column(String(500), default="")
    # [{"name": "_ga", "pattern": "^_ga(_.*)?$", "lifetime": "2 years"}]
    cookies: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)

    category: Mapped[Category] = relationship(back_populates="services")


class SiteText(db.Model):
    """A site's override of one shipped banner text in one language."""

    __tablename__ = "site_texts"
    __table_args__ = (UniqueConstraint("site_id", "language", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)

    site: Mapped[Site] = relationship(back_populates="texts")


class Revision(db.Model):
    """A published revision: the categories, services and texts exactly as shown.

    Kept as long as any consent record refers to it (proof of what was consented to)."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("site_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    published_by: Mapped[str] = mapped_column(String(254), default="")
    snapshot: Mapped[dict] = mapped_column(JSON)
    # SHA-256 of the canonical snapshot, quoted in proofs.
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    # Every text of the banner in every shipped language as shown on this revision
    # (catalogs and overrides resolved at publish): {language: {text key: text}}. Its
    # SHA-256 is in the snapshot (``shown_sha256``), so the snapshot hash covers the
    # wording. Loaded only when asked for (a few hundred KB). None: published before.
    shown: Mapped[dict | None] = mapped_column(JSON, nullable=True, deferred=True)
