"""Recording a visitor's choice: validation against the site, context, ledger, cookie."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

import tldextract

from ..models import ConsentRecord, Site
from . import ledger, revisions
from .banner import regime_for_site
from .useragent import classify

_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled list, no network


class ChoiceError(ValueError):
    """The choice does not fit the site (unknown category, revision...)."""


@dataclass(frozen=True)
class Recorded:
    record: ConsentRecord
    token: str
    cookie_value: str


def strip_query(url: str | None) -> str | None:
    """Keep scheme, host, port and path: query strings, fragments and user:password carry
    personal data."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        scheme, host, port = parts.scheme, parts.hostname, parts.port
    except ValueError:  # "http://[::1/x", a port that is not a number...
        scheme = host = port = None
    if scheme not in ("http", "https") or not host:
        raise ChoiceError("page_url must be an http(s) URL")
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    return f"{scheme}://{netloc}{parts.path}"[:2048]


# Actions that grant no optional category, and what GPC may never grant.
GRANT_NOTHING = ("reject_all", "withdraw")


def full_choices(site: Site, choices: dict[str, bool], action: str) -> dict[str, bool]:
    # The categories visitors are shown: the published revision's, not the draft's.
    categories = revisions.published_snapshot(site)["categories"]
    keys = {c["key"] for c in categories}
    unknown = sorted(set(choices) - keys)
    if unknown:
        raise ChoiceError(f"unknown categories for this site: {', '.join(unknown)}")
    out = {}
    for category in categories:
        out[category["key"]] = True if category["required"] else bool(choices.get(category["key"], False))
    # The action and the choices must tell the same story: a record is proof.
    granted = sorted(c["key"] for c in categories if not c["required"] and out[c["key"]])
    if action in GRANT_NOTHING and granted:
        raise ChoiceError(f"{action} grants no category, but the choices grant {', '.join(granted)}")
    if action == "gpc" and out.get("advertising"):
        raise ChoiceError("gpc (Global Privacy Control) never grants advertising")
    return out


def cookie_value(visitor_id: str, token: str, revision: int, choices: dict[str, bool],
                 recorded_at) -> str:
    """The first-party ``consent`` cookie, as the widget reads it (see docs/WIDGET.md)."""
    body = {"id": visitor_id, "token": token, "rev": revision,
            "c": {k: int(v) for k, v in choices.items() if k != "necessary"},
            "ts": int(recorded_at.timestamp())}
    return quote(json.dumps(body, separators=(",", ":")), safe="")


def cookie_domain(server_host: str | None, origin: str | None) -> str | None:
    """Where the server may set the consent cookie for the page at ``origin``.

    Returns None when it cannot (different registrable domain: the widget writes the
    cookie itself), "" for a host-only cookie (same host), or the registrable domain."""
    if not server_host or not origin:
        return None
    page_host = urlsplit(origin).hostname
    host = urlsplit("//" + server_host).hostname
    if not page_host or not host:
        return None
    if page_host == host:
        return ""
    page_reg, host_reg = _extract(page_host), _extract(host)
    if page_reg.suffix and page_reg.top_domain_under_public_suffix == host_reg.top_domain_under_public_suffix:
        return page_reg.top_domain_under_public_suffix
    return None


def record_choice(site: Site, *, secret_key: str, visitor_id: str | None, token: str | None,
                  choices: dict[str, bool], action: str, revision: int, language: str,
                  page_url: str | None, layer: int | None, location,
                  user_agent: str | None, gpc: bool, dnt: bool,
                  now: datetime | None = None) -> Recorded:
    if revision > site.revision or revision < 1:
        raise ChoiceError(f"unknown revision {revision} (current is {site.revision})")
    # A visitor id is continued only with its token; otherwise a new random id is issued,
    # so nobody can write into another visitor's history.
    if visitor_id and not ledger.token_matches(secret_key, site.key, visitor_id, token):
        visitor_id = None
    choices = full_choices(site, choices, action)
    client = classify(user_agent)
    regime, _reason = regime_for_site(site, location)
    context = ledger.Context(
        regime=regime,
        country=getattr(location, "country", None), region=getattr(location, "region", None),
        city=getattr(location, "city", None),
        browser=client.browser, os=client.os, device=client.device,
        signals=ledger.Signals(gpc=gpc, dnt=dnt))
    record = ledger.append(site, secret_key=secret_key, visitor_id=visitor_id, choices=choices, action=action,
                           revision=revision, language=language, page_url=strip_query(page_url),
                           context=context, layer=layer, now=now)
    token = ledger.visitor_token(secret_key, site.key, record.visitor_id)
    return Recorded(record, token, cookie_value(record.visitor_id, token, record.revision,
                                                 record.choices, record.recorded_at))

