"""What the widget needs to show the banner for one visitor: the site config."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from cachetools import LRUCache

from geo import Location, consent_mode_defaults, negotiate_language, pre_choice_state, regime_for

from ..models import Site
from . import revisions as revisions_service
from . import texts as texts_service

COOKIE_NAME = "consent"
# What a published revision shows in one language: built once per worker. A revision
# never changes once published, so an entry never goes stale; the key names the site by
# id and creation time (ids are reused after a database reset) and the revision number.
_shown_cache: LRUCache = LRUCache(maxsize=4096)
_shown_lock = threading.Lock()


@dataclass(frozen=True)
class VisitorHints:
    """What the request tells about the visitor, minus the IP (resolved before this)."""

    forced_language: str | None = None
    html_language: str | None = None
    accept_language: str | None = None
    gpc: bool = False


def regime_for_site(site: Site, location: Location | None) -> tuple[str, str]:
    decision = regime_for(location, site.regime_override)
    return decision.regime, decision.reason


def choose_language(site: Site, hints: VisitorHints, location: Location | None,
                    supported: list[str]) -> tuple[str, str]:
    return negotiate_language(supported, forced=hints.forced_language,
                              html_lang=hints.html_language,
                              accept_language=hints.accept_language,
                              country=location.country if location else None,
                              default=site.default_language)


def site_config(site: Site, *, location: Location | None, hints: VisitorHints,
                translations_dir: str) -> dict:
    regime, regime_reason = regime_for_site(site, location)
    supported = texts_service.available_locales(translations_dir)
    language, language_reason = choose_language(site, hints, location, supported)
    categories, texts = shown(site, language, translations_dir)
    return {
        "site": site.key,
        "revision": site.revision,
        "regime": regime,
        "regime_reason": regime_reason,
        "location": {"country": getattr(location, "country", None),
                     "region": getattr(location, "region", None),
                     "city": getattr(location, "city", None)},
        "language": language.replace("_", "-"),
        "language_reason": language_reason,
        "direction": texts_service.text_direction(language),
        "gpc": hints.gpc,
        "consent_lifetime_days": site.consent_lifetime_days,
        "defaults": pre_choice_state(regime, hints.gpc),
        "categories": categories,
        "texts": texts,
        "consent_mode": consent_mode_defaults(regime, gpc=hints.gpc),
        "cookie": {"name": COOKIE_NAME, "max_age": site.consent_lifetime_days * 86400},
    }


def shown(site: Site, language: str, translations_dir: str) -> tuple[list[dict], dict[str, str]]:
    """The categories (with services) and texts of the site's current published revision
    in ``language``: what the banner shows. Cached per site, revision and language."""
    key = (site.id, site.created_at, site.revision, language, translations_dir)
    with _shown_lock:
        hit = _shown_cache.get(key)
    if hit is None:
        hit = build_shown(revisions_service.published_snapshot(site), language, translations_dir,
                          revisions_service.frozen_texts(site, site.revision, language))
        with _shown_lock:
            _shown_cache[key] = hit
    return hit


def build_shown(snap: dict, language: str, translations_dir: str,
                frozen: dict[str, str] | None = None) -> tuple[list[dict], dict[str, str]]:
    """Categories and texts of a snapshot in ``language``: the texts ``frozen`` at publish
    when given (a published revision), else the shipped texts, then the overrides."""
    texts = frozen or texts_service.texts_for(translations_dir, language,
                                               revisions_service.texts_of(snap, language))
    categories = [{
        "key": c["key"],
        "name": c["name"] or texts.get(f"category.{c['key']}.name", c["key"]),
        "description": c["description"] or texts.get(f"category.{c['key']}.description", ""),
        "required": c["required"],
        "services": [
            {"name": s["name"], "provider": s["provider"], "purpose": s["purpose"],
             "privacy_policy_url": s["privacy_policy_url"], "cookies": s["cookies"]}
            for s in c["services"]],
    } for c in snap.get("categories", [])]
    return categories, texts
