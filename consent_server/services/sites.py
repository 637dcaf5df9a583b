"""Sites, their categories and services, and published revisions."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from ..extensions import db
from ..models import Category, LedgerHead, Organization, Service, Site, SiteText
from ..models.site import REGIME_OVERRIDES
from . import revisions
from .errors import ServiceError
from .retention import MONTH_DAYS
from .texts import N_

DEFAULT_CATEGORIES = (
    ("necessary", True),
    ("analytics", False),
    ("advertising", False),
)
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
CATEGORY_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
LEGAL_BASES = ("consent", "legitimate_interest", "contract", "legal_obligation")
MAX_LIFETIME_DAYS = 395  # 13 months: never keep a choice longer (TCF guidance)


class SiteError(ServiceError):
    pass


def normalize_origin(value: str) -> str:
    """'https://www.Example.com/path' -> 'https://www.example.com' (scheme, host, port)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteError(N_("not an http(s) origin: %(value)r"), value=value)
    default_port = {"http": 80, "https": 443}[parts.scheme]
    try:
        port = parts.port
    except ValueError as exc:
        raise SiteError(N_("bad port in %(value)r"), value=value) from exc
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")


def get_by_key(key: str) -> Site | None:
    if not isinstance(key, str) or not KEY_RE.match(key):
        return None
    return db.session.scalar(select(Site).where(Site.key == key))


def for_organization(organization_id: int) -> list[Site]:
    return list(db.session.scalars(select(Site).where(
        Site.organization_id == organization_id).order_by(Site.name, Site.key)))


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
        raise SiteError(N_("site key: 2-64 characters, lowercase letters, digits, - and _"))
    if db.session.scalar(select(Site.id).where(Site.key == key)) is not None:
        raise SiteError(N_("a site with key %(key)r exists"), key=key)
    if regime_override not in REGIME_OVERRIDES:
        raise SiteError(N_("regime override must be one of %(regimes)s"), regimes=", ".join(REGIME_OVERRIDES))
    if not 1 <= consent_lifetime_days <= MAX_LIFETIME_DAYS:
        raise SiteError(N_("consent lifetime must be 1..%(max)s days"), max=MAX_LIFETIME_DAYS)
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
    db.session.add(revisions.new_revision(site, 1, published_by))
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
        raise SiteError(N_("no category %(category)r on site %(site)r"), category=category_key, site=site.key)
    service = Service(position=len(category.services), **_service_fields(fields))
    category.services.append(service)
    return service


def _service_fields(fields: dict) -> dict:
    """Validated service columns from ``fields``."""
    name = (fields.get("name") or "").strip()
    if not name or len(name) > 100:
        raise SiteError(N_("a service needs a name of at most 100 characters"))
    url = (fields.get("privacy_policy_url") or "").strip()
    if url and urlsplit(url).scheme not in ("http", "https"):
        raise SiteError(N_("the privacy policy link must be an http(s) URL"))
    legal_basis = fields.get("legal_basis") or "consent"
    if legal_basis not in LEGAL_BASES:
        raise SiteError(N_("legal basis must be one of %(bases)s"), bases=", ".join(LEGAL_BASES))
    cookies = list(fields.get("cookies") or [])
    for cookie in cookies:
        try:
            re.compile(cookie.get("pattern") or re.escape(cookie["name"]))
        except (re.error, KeyError, TypeError, AttributeError) as exc:
            raise SiteError(N_("bad cookie entry %(entry)r: %(problem)s"), entry=cookie, problem=str(exc)) from None
    return dict(name=name, provider=(fields.get("provider") or "").strip(),
                purpose=(fields.get("purpose") or "").strip(), legal_basis=legal_basis,
                privacy_policy_url=url, cookies=cookies)


def service_of(site: Site, service_id: int) -> Service | None:
    """A service of this site's draft (None for another site's service)."""
    return db.session.scalar(select(Service).join(Category).where(
        Service.id == service_id, Category.site_id == site.id))


def update_service(site: Site, service: Service, category_key: str, fields: dict) -> Service:
    category = category_by_key(site, category_key)
    if category is None:
        raise SiteError(N_("no category %(category)r on site %(site)r"), category=category_key, site=site.key)
    for column, value in _service_fields(fields).items():
        setattr(service, column, value)
    if service.category_id != category.id:
        service.category.services.remove(service)
        service.position = len(category.services)
        category.services.append(service)
    db.session.commit()
    return service


def delete_service(service: Service) -> None:
    db.session.delete(service)
    db.session.commit()


def add_category(site: Site, key: str, name: str = "", description: str = "") -> Category:
    """A custom category (draft): visitors are asked about it once it is published."""
    key = (key or "").strip().lower()
    if not CATEGORY_KEY_RE.match(key):
        raise SiteError(N_("category key: 2-32 characters, lowercase letters, digits and _"))
    if category_by_key(site, key) is not None:
        raise SiteError(N_("the site has a category %(key)r"), key=key)
    category = Category(key=key, name=name.strip(), description=description.strip(),
                        required=False, position=len(site.categories))
    site.categories.append(category)
    db.session.commit()
    return category


def update_category(category: Category, name: str, description: str) -> None:
    category.name = (name or "").strip()[:100]
    category.description = (description or "").strip()
    db.session.commit()


def delete_category(site: Site, category: Category) -> None:
    if category.key in {key for key, _required in DEFAULT_CATEGORIES}:
        raise SiteError(N_("the %(category)s category cannot be removed"), category=category.key)
    site.categories.remove(category)
    db.session.commit()


def update_settings(site: Site, *, name: str, domains: list[str], regime_override: str,
                    default_language: str, consent_lifetime_days: int, retention_events_days: int,
                    retention_consents_months: int, retention_site_days: int) -> Site:
    """Settings that apply at once (they are not part of a revision)."""
    if regime_override not in REGIME_OVERRIDES:
        raise SiteError(N_("regime override must be one of %(regimes)s"), regimes=", ".join(REGIME_OVERRIDES))
    if not 1 <= consent_lifetime_days <= MAX_LIFETIME_DAYS:
        raise SiteError(N_("consent lifetime must be 1..%(max)s days"), max=MAX_LIFETIME_DAYS)
    for value, top, message in (
            (retention_events_days, 3650, N_("events retention must be 1..%(max)s days")),
            (retention_consents_months, 120, N_("consent retention must be 1..%(max)s months")),
            (retention_site_days, 3650, N_("retention after deactivation must be 1..%(max)s days"))):
        if not 1 <= value <= top:
            raise SiteError(message, max=top)
    if retention_events_days > retention_consents_months * MONTH_DAYS:
        # A visitor's events outliving their consent records could no longer be found by
        # the visitor (download, erase) or by an erasure request: nothing ties them to a token.
        raise SiteError(N_("keep consent records at least as long as analytics events "
                           "(%(days)s days are more than %(months)s months)"),
                        days=retention_events_days, months=retention_consents_months)
    origins = sorted({normalize_origin(d) for d in domains if d.strip()})
    if not origins:
        raise SiteError(N_("a site needs at least one domain"))
    site.name = (name or "").strip()[:200] or site.key
    site.domains = origins
    site.regime_override = regime_override
    site.default_language = default_language
    site.consent_lifetime_days = consent_lifetime_days
    site.retention_events_days = retention_events_days
    site.retention_consents_months = retention_consents_months
    site.retention_site_days = retention_site_days
    db.session.commit()
    return site


def set_texts(site: Site, language: str, values: dict[str, str]) -> None:
    """The site's overrides of the shipped texts in ``language`` (draft): an empty value
    removes the override, so the shipped, translated text applies."""
    current = {t.key: t for t in site.texts if t.language == language}
    for key, value in values.items():
        value = (value or "").strip()
        row = current.get(key)
        if not value and row is not None:
            site.texts.remove(row)
        elif value and row is None:
            site.texts.append(SiteText(language=language, key=key, value=value))
        elif value and row is not None:
            row.value = value
    db.session.commit()


def category_by_key(site: Site, key: str) -> Category | None:
    return next((c for c in site.categories if c.key == key), None)
