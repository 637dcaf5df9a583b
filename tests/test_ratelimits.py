"""Rate limits: every endpoint of the url_map is limited per client address, every site
endpoint per site as well; keys never hold the raw address; Redis shares the counts."""
import os

import pytest

from consent_server.config import Defaults
from consent_server.extensions import limiter
from tests.conftest import sample_url

LIMITS = [k for k, v in vars(Defaults).items() if k.startswith("RATELIMIT_") and isinstance(v, str) and " per " in v]
SITE_LIMITS = [k for k in LIMITS if k == "RATELIMIT_SITE" or k.endswith("_SITE")]
CLIENT_LIMITS = [k for k in LIMITS if k not in SITE_LIMITS]


def limited_app(app_factory, make_site, *, client: str, site: str, **extra):
    settings = {k: client for k in CLIENT_LIMITS} | {k: site for k in SITE_LIMITS}
    app = app_factory(RATELIMIT_ENABLED=True, **settings, **extra)
    limiter.reset()
    make_site("shop")
    make_site("calm", domains=("https://calm.example",))
    return app


def endpoints(app):
    """(rule, method, url) for every routed endpoint the limiter sees (not static files)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[-1] == "static":
            continue
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        url = sample_url(rule)
        yield rule, method, url


def call(client, method, url, ip):
    return client.open(url, method=method, data=b"{}", content_type="application/json",
                       environ_base={"REMOTE_ADDR": ip})


def test_the_limits_cover_per_client_and_per_site_settings():
    assert {"RATELIMIT_DEFAULT", "RATELIMIT_CONSENTS", "RATELIMIT_VISITORS"} <= set(CLIENT_LIMITS)
    assert {"RATELIMIT_SITE", "RATELIMIT_CONSENTS_SITE", "RATELIMIT_VISITORS_SITE"} <= set(SITE_LIMITS)


def test_every_endpoint_is_limited_per_client_address(app_factory, make_site):
    app = limited_app(app_factory, make_site, client="2 per minute", site="1000 per minute")
    client = app.test_client()
    checked = []
    for rule, method, url in endpoints(app):
        statuses = [call(client, method, url, "198.51.100.1").status_code for _ in range(3)]
        assert 429 not in statuses[:2] and statuses[2] == 429, (rule.rule, statuses)
        # another client address still gets through
        assert call(client, method, url, "198.51.100.2").status_code != 429, rule.rule
        checked.append(rule.rule)
    assert "/api/v1/sites/<key>/consents" in checked and "/healthz" in checked and "/consent.js" in checked


def test_every_site_endpoint_is_limited_per_site_across_clients(app_factory, make_site):
    app = limited_app(app_factory, make_site, client="1000 per minute", site="2 per minute")
    client = app.test_client()
    site_rules = [(r, m, u) for r, m, u in endpoints(app) if "key" in r.arguments and r.rule.startswith("/api/")]
    assert len(site_rules) >= 3
    for rule, method, url in site_rules:
        statuses = [call(client, method, url, f"198.51.100.{i}").status_code for i in range(3)]
        assert 429 not in statuses[:2] and statuses[2] == 429, (rule.rule, statuses)
        other_site = url.replace("/sites/shop/", "/sites/calm/")
        assert call(client, method, other_site, "198.51.100.9").status_code != 429, rule.rule


def test_api_429_is_json_with_retry_after(app_factory, make_site):
    app = limited_app(app_factory, make_site, client="1 per minute", site="1000 per minute")
    client = app.test_client()
    call(client, "GET", "/api/v1/sites/shop/config", "198.51.100.1")
    resp = call(client, "GET", "/api/v1/sites/shop/config", "198.51.100.1")
    assert resp.status_code == 429
    assert resp.json["error"] == "rate_limited" and resp.json["message"]
    assert int(resp.headers["Retry-After"]) > 0


def test_limit_keys_never_hold_the_client_address(app_factory, make_site):
    app = limited_app(app_factory, make_site, client="5 per minute", site="1000 per minute")
    client = app.test_client()
    for url in ("/api/v1/sites/shop/config", "/healthz"):
        call(client, "GET", url, "203.0.113.77")
    keys = list(limiter.storage.storage)
    assert keys and not any("203.0.113.77" in key for key in keys)


@pytest.mark.skipif(not os.environ.get("CONSENT_TEST_REDIS_URL"),
                    reason="CONSENT_TEST_REDIS_URL is not set (scripts/test.sh starts a Redis)")
def test_with_redis_every_worker_counts_together(app_factory, make_site):
    import redis

    url = os.environ["CONSENT_TEST_REDIS_URL"]
    settings = dict(REDIS_URL=url)
    app = limited_app(app_factory, make_site, client="3 per minute", site="1000 per minute", **settings)
    first = app.test_client()
    statuses = [call(first, "GET", "/healthz", "203.0.113.78").status_code for _ in range(2)]
    # a second app (another worker) on the same Redis sees the same counter
    second = app_factory(schema=False, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="3 per minute", **settings)
    statuses += [call(second.test_client(), "GET", "/healthz", "203.0.113.78").status_code for _ in range(2)]
    assert statuses == [200, 200, 200, 429]
    keys = [k.decode() for k in redis.Redis.from_url(url).keys("*consent-rl*")]
    assert keys and not any("203.0.113.78" in k for k in keys)
    limiter.reset()
