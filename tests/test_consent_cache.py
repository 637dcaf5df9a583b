"""The consent gate's cache: the ledger's latest record decides, a new record invalidates at
once (in this worker, and in every worker when they share Redis)."""
import os
import socket
from datetime import timedelta

import pytest

from consent_server.extensions import db
from consent_server.models import ConsentRecord, Site
from consent_server.services.consent_cache import for_app, grants_analytics, latest_decisions, load_decision
from consent_server.models.types import utcnow
from tests.conftest import SECRET, TEST_DATABASE_URL

REDIS_URL = os.environ.get("CONSENT_TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="CONSENT_TEST_REDIS_URL is not set (scripts/test.sh starts a Redis)")


@pytest.fixture
def app(app_factory):
    return app_factory(ANALYTICS_FLUSH_INTERVAL=0)


def choose(make_consent, site, analytics, visitor=None):
    if visitor is None:
        r = make_consent(site, choices={"analytics": analytics})
    else:
        r = make_consent(site, choices={"analytics": analytics}, visitor_id=visitor[0], token=visitor[1],
                         action="save" if analytics else "withdraw")
    return r.record.visitor_id, r.token


def test_latest_record_decides(app, make_site, make_consent):
    site = make_site()
    cache = for_app(app)
    granted = choose(make_consent, site, True)
    refused = choose(make_consent, site, False)
    assert cache.analytics_granted(site.id, granted[0], 182) is True
    assert cache.analytics_granted(site.id, refused[0], 182) is False
    assert cache.analytics_granted(site.id, "f" * 32, 182) is False  # no record: denied


def test_new_record_invalidates_the_cached_answer_at_once(app, make_site, make_consent):
    site = make_site()
    cache = for_app(app)
    visitor = choose(make_consent, site, True)
    assert cache.analytics_granted(site.id, visitor[0], 182) is True
    assert (site.id, visitor[0]) in cache._local
    choose(make_consent, site, False, visitor)
    assert (site.id, visitor[0]) not in cache._local
    assert cache.analytics_granted(site.id, visitor[0], 182) is False
    choose(make_consent, site, True, visitor)
    assert cache.analytics_granted(site.id, visitor[0], 182) is True


def test_an_answer_read_during_an_invalidation_is_not_cached(app, make_site, make_consent):
    site = make_site()
    cache = for_app(app)
    visitor = choose(make_consent, site, True)

    def slow_read(site_id, lifetime_days, visitor_id):
        answer = load_decision(site_id, lifetime_days, visitor_id)  # reads "granted"...
        choose(make_consent, site, False, visitor)  # ...while a withdrawal commits
        return answer

    assert cache.analytics_granted(site.id, visitor[0], 182, load=slow_read) is True
    assert cache.analytics_granted(site.id, visitor[0], 182) is False


def test_consent_older_than_the_site_lifetime_does_not_count(app, make_site, make_consent):
    site = make_site(consent_lifetime_days=30)
    visitor = choose(make_consent, site, True)
    record = db.session.scalars(db.select(ConsentRecord)).one()
    now = utcnow()
    assert grants_analytics(record, 30, now)
    assert not grants_analytics(record, 30, now + timedelta(days=31))
    assert latest_decisions(site.id, 30, [visitor[0]], now) == {visitor[0]: True}
    assert latest_decisions(site.id, 30, [visitor[0]], now + timedelta(days=31)) == {visitor[0]: False}


def test_latest_decisions_for_many_visitors_at_once(app, make_site, make_consent):
    site, other = make_site(), make_site(key="other", domains=["https://other.example"])
    granted = choose(make_consent, site, True)
    refused = choose(make_consent, site, False)
    withdrawn = choose(make_consent, site, True)
    choose(make_consent, site, False, withdrawn)
    regranted = choose(make_consent, site, False)
    choose(make_consent, site, True, regranted)
    elsewhere = choose(make_consent, other, True)
    ids = [granted[0], refused[0], withdrawn[0], regranted[0], elsewhere[0], "e" * 32]
    decisions = latest_decisions(site.id, 182, ids, utcnow(), chunk=2)
    assert decisions == {granted[0]: True, refused[0]: False, withdrawn[0]: False, regranted[0]: True}


def test_unreachable_redis_falls_back_to_the_ledger(app_factory, make_site, make_consent):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    app = app_factory(ANALYTICS_FLUSH_INTERVAL=0, REDIS_URL=f"redis://127.0.0.1:{port}/0")
    site = make_site()
    visitor = choose(make_consent, site, True)  # the invalidation fails quietly too
    assert for_app(app).analytics_granted(site.id, visitor[0], 182) is True
    choose(make_consent, site, False, visitor)
    assert for_app(app).analytics_granted(site.id, visitor[0], 182) is False


@pytest.fixture
def two_workers(app_factory, tmp_path):
    """Two app instances (as two gunicorn workers) on one database, sharing Redis."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'shared.db'}"
    extra = dict(ANALYTICS_FLUSH_INTERVAL=0, REDIS_URL=REDIS_URL, SQLALCHEMY_DATABASE_URI=url)
    first = app_factory(schema=not TEST_DATABASE_URL, **extra)
    if TEST_DATABASE_URL:
        from tests.conftest import _reset_postgres

        _reset_postgres()
    second = app_factory(schema=False, **extra)
    return first, second


@needs_redis
def test_withdrawal_in_one_worker_stops_another_workers_warm_cache_at_once(two_workers, make_org):
    from consent_server.services import consents, sites

    first, second = two_workers
    with second.app_context():
        site = sites.create_site(make_org(), key="shop", domains=["https://shop.example"])
        site_id = site.id

    def record(app, analytics, visitor_id=None, token=None):
        with app.app_context():
            s = db.session.get(Site, site_id)
            r = consents.record_choice(
                s, secret_key=SECRET, visitor_id=visitor_id, token=token, choices={"analytics": analytics},
                action="save" if analytics else "withdraw", revision=1, language="en", page_url=None,
                layer=2, location=None, user_agent=None, gpc=False, dnt=False)
            return r.record.visitor_id, r.token

    def granted(app, visitor_id):
        with app.app_context():
            return for_app(app).analytics_granted(site_id, visitor_id, 182)

    vid, token = record(second, True)
    assert granted(first, vid) is True  # the first worker's cache is warm
    value_key, _ = for_app(first)._keys(site_id, vid)
    assert for_app(first)._redis.get(value_key) == b"0:1"  # revision 0 (none given): granted
    record(second, False, vid, token)  # withdrawn through the other worker
    assert for_app(first)._redis.get(value_key) is None
    assert granted(first, vid) is False
    assert granted(second, vid) is False
    record(first, True, vid, token)
    assert granted(second, vid) is True


@needs_redis
def test_redis_does_not_keep_an_answer_read_before_a_new_record(app_factory, make_site, make_consent):
    app = app_factory(ANALYTICS_FLUSH_INTERVAL=0, REDIS_URL=REDIS_URL)
    site = make_site()
    cache = for_app(app)
    visitor = choose(make_consent, site, True)

    def slow_read(site_id, lifetime_days, visitor_id):
        answer = load_decision(site_id, lifetime_days, visitor_id)
        choose(make_consent, site, False, visitor)  # bumps the version before the write-back
        return answer

    assert cache.analytics_granted(site.id, visitor[0], 182, load=slow_read) is True
    assert cache._redis.get(cache._keys(site.id, visitor[0])[0]) is None
    assert cache.analytics_granted(site.id, visitor[0], 182) is False
