"""services/dsar: the request log, its due dates, the actions and the restriction gate."""
from datetime import datetime, timedelta, timezone

import os

import pytest
from sqlalchemy import func, select

from consent_server.extensions import db
from consent_server.models import DataRequest, Event
from consent_server.services import analytics, consent_cache, dsar, ledger
from tests.conftest import SECRET

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
RECEIVED = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
NOW = datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)
REDIS_URL = os.environ.get("CONSENT_TEST_REDIS_URL")


@pytest.fixture
def app(app_factory):
    return app_factory(ANALYTICS_FLUSH_INTERVAL=0)


def send(app, site, vid, token, path="/"):
    accepted = analytics.accept(site, [{"visitor_id": vid, "token": token, "type": "pageview",
                                        "url": f"https://shop.example{path}"}],
                                secret_key=SECRET, user_agent=UA, location=None)
    analytics.flush(app)
    return accepted


def events(vid):
    return db.session.scalar(select(func.count()).select_from(Event).where(Event.visitor_id == vid))


def new(site, vid=None, type="access", **kw):
    return dsar.create_request(site, type=type, actor="dpo@shop.example", visitor_id=vid,
                               received_at=kw.pop("received_at", RECEIVED), now=NOW, **kw)


def test_a_request_is_due_30_days_after_receipt_and_logs_its_creation(visitor):
    site, vid, _ = visitor
    request = new(site, vid.upper(), identifiers="jane@example.org")
    assert request.visitor_id == vid and request.status == "open" and not request.restricted
    assert request.due_at == RECEIVED + timedelta(days=30)
    assert [(a.kind, a.actor) for a in request.actions] == [("created", "dpo@shop.example")]
    assert not dsar.is_overdue(request, NOW)
    assert dsar.is_overdue(request, RECEIVED + timedelta(days=30, seconds=1))


@pytest.mark.parametrize("kwargs, message", [
    ({"type": "gossip"}, "type must be"),
    ({"vid": "xyz"}, "32 hexadecimal"),
    ({"vid": None}, "consent id or another identifier"),
    ({"received_at": NOW + timedelta(days=1)}, "future"),
])
def test_bad_requests_are_refused(visitor, kwargs, message):
    site, vid, _ = visitor
    kwargs.setdefault("vid", vid)
    with pytest.raises(dsar.RequestError, match=message):
        new(site, **kwargs)
    assert db.session.scalar(select(func.count()).select_from(DataRequest)) == 0


def test_extend_once_to_60_days_with_a_reason(visitor):
    site, vid, _ = visitor
    request = new(site, vid)
    with pytest.raises(dsar.RequestError, match="reason"):
        dsar.extend(request, actor="dpo", reason=" ", now=NOW)
    action = dsar.extend(request, actor="dpo", reason="many requests this month", now=NOW)
    assert request.due_at == RECEIVED + timedelta(days=60)
    assert action.detail["to"] == "2027-01-01T09:30:00Z"
    with pytest.raises(dsar.RequestError, match="already extended"):
        dsar.extend(request, actor="dpo", reason="again", now=NOW)


def test_export_keeps_the_document_and_its_hash(app, visitor):
    site, vid, token = visitor
    send(app, site, vid, token, "/a")
    request = new(site, vid, type="portability")
    action = dsar.run_export(site, request, actor="dpo", now=NOW)
    assert action.detail == {"consent_records": 1, "events": 1, "sessions": 1}
    assert action.document["visitor_id"] == vid and len(action.document_sha256) == 64
    assert [a.kind for a in request.actions] == ["created", "export"]


def test_erasure_from_the_log_records_counts_and_clears_earlier_exports(app, visitor):
    site, vid, token = visitor
    send(app, site, vid, token, "/a")
    send(app, site, vid, token, "/b")
    access = new(site, vid)
    export = dsar.run_export(site, access, actor="dpo", now=NOW)
    erasure = new(site, vid, type="erasure")
    action = dsar.run_erasure(site, erasure, actor="dpo", secret_key=SECRET, now=NOW)
    assert (action.detail["events"], action.detail["sessions"], action.detail["exports_cleared"]) == (2, 1, 1)
    assert events(vid) == 0
    assert ledger.latest_for_visitor(site.id, vid).id == action.detail["withdrawal_record_id"]
    refreshed = db.session.get(type(export), export.id)
    assert refreshed.document is None and refreshed.document_sha256 == export.document_sha256


def test_erasure_needs_a_known_consent_id(visitor):
    site, *_ = visitor
    request = new(site, "ab" * 16, type="erasure")
    with pytest.raises(dsar.RequestError, match="no consent records"):
        dsar.run_erasure(site, request, actor="dpo", secret_key=SECRET, now=NOW)
    without_id = new(site, None, identifiers="jane@example.org", type="erasure")
    with pytest.raises(dsar.RequestError, match="no consent id"):
        dsar.run_erasure(site, without_id, actor="dpo", secret_key=SECRET, now=NOW)


def test_open_restriction_stops_ingestion_until_closed(app, visitor, make_consent):
    site, vid, token = visitor
    other = make_consent(site, choices={"analytics": True})
    assert consent_cache.analytics_granted(site, vid)  # a warm cache entry
    request = new(site, vid, type="restriction")
    assert request.restricted
    assert send(app, site, vid, token).no_consent == 1
    assert send(app, site, other.record.visitor_id, other.token).queued == 1
    dsar.close(request, actor="dpo", outcome="restricted until the dispute was settled", now=NOW)
    assert send(app, site, vid, token).queued == 1
    assert events(vid) == 1


def test_restriction_is_checked_again_when_the_batch_is_written(app, visitor):
    site, vid, token = visitor
    accepted = analytics.accept(site, [{"visitor_id": vid, "token": token, "type": "pageview",
                                        "url": "https://shop.example/"}],
                                secret_key=SECRET, user_agent=UA, location=None)
    assert accepted.queued == 1
    new(site, vid, type="objection")
    analytics.flush(app)
    assert events(vid) == 0


def test_restrict_action_on_another_request_type(app, visitor):
    site, vid, token = visitor
    request = new(site, vid, type="rectification")
    assert send(app, site, vid, token).queued == 1
    dsar.restrict(request, actor="dpo", now=NOW)
    assert send(app, site, vid, token).no_consent == 1
    with pytest.raises(dsar.RequestError, match="already restricted"):
        dsar.restrict(request, actor="dpo", now=NOW)


def test_closed_requests_refuse_actions_and_list_after_open_ones(visitor):
    site, vid, _ = visitor
    first = new(site, vid)
    second = new(site, vid, type="objection", received_at=RECEIVED + timedelta(days=1))
    dsar.close(first, actor="dpo", outcome="export sent by e-mail", now=NOW)
    assert first.closed_at == NOW and first.status == "closed"
    for run in (lambda: dsar.run_export(site, first, actor="dpo"), lambda: dsar.restrict(first, actor="dpo"),
                lambda: dsar.extend(first, actor="dpo", reason="x"), lambda: dsar.close(first, actor="d", outcome="x")):
        with pytest.raises(dsar.RequestError, match="closed"):
            run()
    assert [r.id for r in dsar.list_requests(site)] == [second.id, first.id]
    assert [r.id for r in dsar.list_requests(site, "closed")] == [first.id]
    assert dsar.get_request(site, second.id) is second


@pytest.mark.skipif(not REDIS_URL, reason="CONSENT_TEST_REDIS_URL is not set (scripts/test.sh starts a Redis)")
def test_a_restriction_clears_the_decision_shared_in_redis(app_factory, make_site, make_consent):
    app = app_factory(ANALYTICS_FLUSH_INTERVAL=0, REDIS_URL=REDIS_URL)
    site = make_site()
    recorded = make_consent(site, choices={"analytics": True})
    vid = recorded.record.visitor_id
    cache = consent_cache.for_app(app)
    assert cache.analytics_granted(site.id, vid, site.consent_lifetime_days) is True
    value_key, _ = cache._keys(site.id, vid)
    assert cache._redis.get(value_key) == b"0:1"  # granted, read for revision 0 (none given)
    request = new(site, vid, type="objection")
    assert cache._redis.get(value_key) is None
    assert cache.analytics_granted(site.id, vid, site.consent_lifetime_days) is False
    dsar.close(request, actor="dpo", outcome="objection upheld, then withdrawn", now=NOW)
    assert cache.analytics_granted(site.id, vid, site.consent_lifetime_days) is True
