"""Rate limits on every public endpoint, per client address and per site (Flask-Limiter).

- Every endpoint: ``RATELIMIT_DEFAULT`` per client address, unless it declares its own.
- Every ``/api/v1/sites/<key>/...`` endpoint: ``RATELIMIT_SITE`` per site as well
  (``limit_site_routes`` on the API blueprint), unless it declares its own pair.
- ``@per_client_and_site("CONSENTS")``: ``RATELIMIT_CONSENTS`` per client address and
  ``RATELIMIT_CONSENTS_SITE`` per site, instead of the two above.

The client key is a keyed hash of the address (extensions._client_key): no raw IP in
the limiter's storage, which is Redis when ``REDIS_URL`` is set (shared by all workers).
"""
from flask import Blueprint, current_app, request

from .extensions import limiter


def site_key() -> str:
    """The site a request is for (its ``<key>`` URL argument): one counter per site."""
    return "site:" + str((request.view_args or {}).get("key", ""))


def _setting(name: str):
    return lambda: current_app.config[f"RATELIMIT_{name}"]


def per_client_and_site(name: str):
    """Decorator: ``RATELIMIT_<name>`` per client and ``RATELIMIT_<name>_SITE`` per site."""
    per_client = limiter.limit(_setting(name))
    per_site = limiter.limit(_setting(f"{name}_SITE"), key_func=site_key)

    def decorate(view):
        return per_client(per_site(view))

    return decorate


def limit_site_routes(bp: Blueprint) -> None:
    """Routes of ``bp`` without limits of their own: ``RATELIMIT_SITE`` per site, on top
    of the per-client default."""
    limiter.limit(_setting("SITE"), key_func=site_key, override_defaults=False)(bp)
