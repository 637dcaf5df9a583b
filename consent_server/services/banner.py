"""What the widget needs to show the banner for one visitor: the site config."""
from __future__ import annotations

from dataclasses import dataclass

from ..models import Site
from . import texts as texts_service

CONSENT_MODE_KEYS = ("ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
                     "functionality_storage", "personalization_storage")
COOKIE_NAME = "consent"


@dataclass(frozen=True)
class VisitorHints:
    """What the request tells about the visitor, minus the IP (resolved before this)."""

    forced_language: str | None = None
    html_language: str | None = None
    accept_language: str | None = None
    gpc: bool = False


def regime_for_site(site: Site, location) -> tuple[str, str]:
    if site.regime_override and site.regime_override != "auto":
        return site.regime_override, "site override"
    return "opt-in", "unresolved location (fail safe)"


def consent_mode_defaults(regime: str) -> dict:
    defaults = {key: "denied" for key in CONSENT_MODE_KEYS}
    defaults["security_storage"] = "granted"
    defaults["wait_for_update"] = 500
    return defaults


def pre_choice_state(regime: str, gpc: bool) -> dict[str, bool]:
    return {"analytics": False, "advertising": False}


def choose_language(site: Site, hints: VisitorHints, supported: list[str]) -> tuple[str, str]:
    for value, reason in ((hints.forced_language, "data-lang"), (hints.html_language, "html-lang")):
        if value and value.replace("-", "_") in supported:
            return value.replace("-", "_"), reason
    return site.default_language, "site-default"


def site_config(site: Site, *, location, hints: VisitorHints, translations_dir: str) -> dict:
    regime, regime_reason = regime_for_site(site, location)
    supported = texts_service.available_locales(translations_dir)
    language, language_reason = choose_language(site, hints, supported)
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
        "consent_mode": consent_mode_defaults(regime),
        "cookie": {"name": COOKIE_NAME, "max_age": site.consent_lifetime_days * 86400},
    }
