"""Sites, their categories and services, and published revisions."""
from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import urlsplit

from sqlalchemy import select

from ..extensions import db
from ..models import Category, LedgerHead, Organization, Revision, Service, Site
from ..models.site import REGIME_OVERRIDES

DEFAULT_CATEGORIES = (
    ("necessary", True),
    ("analytics", False),
    ("advertising", False),
)
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
MAX_LIFETIME_DAYS = 395  # 13 months: never keep a choice longer (TCF guidance)


class SiteError(ValueError):
    pass


def normalize_origin(value: str) -> str:
    """'https://www.Example.com/path' -> 'https://www.example.com' (scheme, host, port)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteError(f"not an http(s) origin: {value!r}")
    default_port = {"http": 80, "https": 443}[parts.scheme]
    try:
        port = parts.port
    except ValueError as exc:
        raise SiteError(f"bad port in {value!r}") from exc
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")


def get_by_key(key: str) -> Site | None:
    if not isinstance(key, str) or not KEY_RE.match(key):
        return None
    return db.session.scalar(select(Site).where(Site.key == key))


def origin_allowed(site: Site, origin: str | None) -> bool:
    if not origin:
        return False
    try:
        return normalize_origin(origin) in set(site.domains or [])
    except SiteError:
        return False


def create_site(organization: Organization, *, key: str, domains: list[str], name: str | None = None,
                regime_override: str = "auto", default_language: str = "en",
                consent_lifetime_days: int = 182, published_by: str = "",
                services: tuple[tuple[str, dict], ...] = ()) -> Site:
    """A new site with the default categories (and ``services``: (category key, fields)
    pairs), published as revision 1."""
    if not KEY_RE.match(key or ""):
        raise SiteError("site key: 2-64 characters, lowercase letters, digits, - and _")
    if db.session.scalar(select(Site.id).where(Site.key == key)) is not None:
        raise SiteError(f"a site with key {key!r} exists")
    if regime_override not in REGIME_OVERRIDES:
        raise SiteError(f"regime override must be one of {', '.join(REGIME_OVERRIDES)}")
    if not 1 <= consent_lifetime_days <= MAX_LIFETIME_DAYS:
        raise SiteError(f"consent lifetime must be 1..{MAX_LIFETIME_DAYS} days")
    site = Site(organization=organization, key=key, name=name or key,
                domains=sorted({normalize_origin(d) for d in domains}),
                regime_override=regime_override, default_language=default_language,
                consent_lifetime_days=consent_lifetime_days, revision=1)
    for position, (cat_key, required) in enumerate(DEFAULT_CATEGORIES):
        site.categories.append(Category(key=cat_key, required=required, position=position))
    for category_key, fields in services:
        _new_service(site, category_key, fields)
    db.session.add(site)
    db.session.flush()
    db.session.add(LedgerHead(site_id=site.id))
    db.session.add(_revision(site, 1, published_by))
    db.session.commit()
    return site


def add_service(site: Site, category_key: str, *, name: str, provider: str = "", purpose: str = "",
                privacy_policy_url: str = "", cookies: list[dict] | None = None,
                legal_basis: str = "consent") -> Service:
    """Add a service to a category (a draft change: visitors see it after ``publish``)."""
    service = _new_service(site, category_key, dict(
        name=name, provider=provider, purpose=purpose, privacy_policy_url=privacy_policy_url,
        cookies=cookies, legal_basis=legal_basis))
    db.session.commit()
    return service


def _new_service(site: Site, category_key: str, fields: dict) -> Service:
    category = category_by_key(site, category_key)
    if category is None:
        raise SiteError(f"no category {category_key!r} on site {site.key!r}")
    url = fields.get("privacy_policy_url") or ""
    if url and urlsplit(url).scheme not in ("http", "https"):
        raise SiteError("the privacy policy link must be an http(s) URL")
    cookies = list(fields.get("cookies") or [])
    for cookie in cookies:
        try:
            re.compile(cookie.get("pattern") or re.escape(cookie["name"]))
        except (re.error, KeyError, TypeError) as exc:
            raise SiteError(f"bad cookie entry {cookie!r}: {exc}") from None
    service = Service(name=fields["name"], provider=fields.get("provider") or "",
                      purpose=fields.get("purpose") or "",
                      legal_basis=fields.get("legal_basis") or "consent",
                      privacy_policy_url=url, cookies=cookies, position=len(category.services))
    category.services.append(service)
    return service


def category_by_key(site: Site, key: str) -> Category | None:
    return next((c for c in site.categories if c.key == key), None)


def snapshot(site: Site) -> dict:
    """What visitors are shown for this site, as data: the proof of what was asked."""
    return {
        "site": site.key,
        "categories": [
            {"key": c.key, "name": c.name, "description": c.description, "required": c.required,
             "services": [
                 {"name": s.name, "provider": s.provider, "purpose": s.purpose,
                  "legal_basis": s.legal_basis, "privacy_policy_url": s.privacy_policy_url,
                  "cookies": s.cookies}
                 for s in c.services]}
            for c in site.categories],
        "texts": {f"{t.language}:{t.key}": t.value
                  for t in sorted(site.texts, key=lambda t: (t.language, t.key))},
    }


def _revision(site: Site, number: int, published_by: str) -> Revision:
    snap = snapshot(site)
    digest = hashlib.sha256(json.dumps(snap, sort_keys=True, separators=(",", ":"),
                                       ensure_ascii=False).encode()).hexdigest()
    return Revision(site_id=site.id, number=number, published_by=published_by, snapshot=snap,
                    snapshot_hash=digest)


def publish(site: Site, published_by: str = "") -> Revision:
    """Publish the current categories, services and texts as a new revision: visitors
    are asked again, and the revision stays on file for the records made on it."""
    site.revision += 1
    revision = _revision(site, site.revision, published_by)
    db.session.add(revision)
    db.session.commit()
    return revision


def revision(site: Site, number: int) -> Revision | None:
    return db.session.scalar(select(Revision).where(Revision.site_id == site.id,
                                                    Revision.number == number))
