"""What the widget needs to show the banner for one visitor: the site config."""
from __future__ import annotations

from dataclasses import dataclass

from geo import Location, consent_mode_defaults, negotiate_language, pre_choice_state, regime_for

from ..models import Site
from . import texts as texts_service

COOKIE_NAME = "consent"


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
    overrides = {t.key: t.value for t in site.texts if t.language == language}
    texts = texts_service.texts_for(translations_dir, language, overrides)
    categories = []
    for category in site.categories:
        categories.append({
            "key": category.key,
            "name": category.name or texts.get(f"category.{category.key}.name", category.key),
            "description": category.description or texts.get(f"category.{category.key}.description", ""),
            "required": category.required,
            "services": [
                {"name": s.name, "provider": s.provider, "purpose": s.purpose,
                 "privacy_policy_url": s.privacy_policy_url, "cookies": s.cookies}
                for s in category.services],
        })
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
