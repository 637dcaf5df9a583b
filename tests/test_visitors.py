"""services/visitors: the access document and erasure, on the real database."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from consent_server.extensions import db
from consent_server.models import ConsentRecord, DailyStats, Event, VisitorSession
from consent_server.services import analytics, consent_cache, ledger, visitors
from consent_server.services.analytics import traffic_report
from tests.conftest import SECRET

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def app(app_factory):
    return app_factory(ANALYTICS_FLUSH_INTERVAL=0)


def send(app, site, visitor, *paths, **extra):
    vid, token = visitor
    events = [{"visitor_id": vid, "token": token, "type": "pageview",
               "url": f"https://shop.example{p}?utm_source=news", "title": p, **extra} for p in paths]
    accepted = analytics.accept(site, events, secret_key=SECRET, user_agent=UA, location=None)
    analytics.flush(app)
    return accepted


@pytest.fixture
def shop(app, make_site, make_consent):
    site = make_site()
    first = make_consent(site, choices={"analytics": True})
    vid, token = first.record.visitor_id, first.token
    second = make_consent(site, choices={"analytics": True, "advertising": True}, visitor_id=vid,
                          token=token, action="accept_all")
    other = make_consent(site, choices={"analytics": True})
    me, them = (vid, token), (other.record.visitor_id, other.token)
    send(app, site, me, "/a", "/b")
    send(app, site, them, "/c")
    return site, me, them, (first.record, second.record)


def count(model, **where):
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_find_accepts_only_the_visitors_own_token(shop):
    site, (vid, token), (other_vid, other_token), _ = shop
    assert visitors.find(site, SECRET, vid, token)
    assert not visitors.find(site, SECRET, vid, other_token)
    assert not visitors.find(site, SECRET, vid, None)
    assert not visitors.find(site, SECRET, vid, "")
    assert not visitors.find(site, SECRET, "NOT-AN-ID", token)


def test_find_refuses_a_valid_token_for_an_id_without_records(shop):
    site, *_ = shop
    unknown = "ab" * 16
    assert not visitors.find(site, SECRET, unknown, ledger.visitor_token(SECRET, site.key, unknown))


def test_access_document_holds_every_record_and_event_of_the_visitor_only(shop):
    site, (vid, _), _, (first, second) = shop
    doc = visitors.access_document(site, vid, now=datetime(2026, 11, 22, tzinfo=timezone.utc))
    assert (doc["format"], doc["version"], doc["visitor_id"]) == ("consent-server/visitor-data", 1, vid)
    assert doc["generated_at"] == "2026-11-22T00:00:00Z"
    assert [r["id"] for r in doc["consent_records"]] == [first.id, second.id]
    rec = doc["consent_records"][1]
    assert rec["hash"] == second.hash and rec["prev_hash"] == second.prev_hash
    assert rec["choices"] == {"necessary": True, "analytics": True, "advertising": True}
    assert rec["action"] == "accept_all" and rec["previous_id"] == first.id and rec["revision"] == 1
    assert len(rec["revision_hash"]) == 64
    events = doc["analytics"]["events"]
    assert [(e["type"], e["path"], e["title"], e["utm_source"]) for e in events] == [
        ("pageview", "/a", "/a", "news"), ("pageview", "/b", "/b", "news")]
    stored = db.session.scalars(select(Event).where(Event.visitor_id == vid).order_by(Event.id)).all()
    assert [e["id"] for e in events] == [e.id for e in stored]
    [visit] = doc["analytics"]["sessions"]
    assert visit["session_id"] == stored[0].session_id and visit["events"] == 2 and visit["pageviews"] == 2
    assert visit["current"] is True and visit["last_path"] == "/b"


def test_erase_deletes_exactly_that_visitors_analytics_and_keeps_the_rollups(app, shop):
    site, (vid, _), (other_vid, _), _ = shop
    today = date.today()
    before = traffic_report(site, today, today).as_dict()
    records_before = count(ConsentRecord, site_id=site.id, visitor_id=vid)
    erased = visitors.erase(site, secret_key=SECRET, visitor_id=vid)
    assert erased.counts() == {"events": 2, "sessions": 1}
    assert count(Event, visitor_id=vid) == 0 and count(VisitorSession, visitor_id=vid) == 0
    assert count(Event, visitor_id=other_vid) == 1 and count(VisitorSession, visitor_id=other_vid) == 1
    assert traffic_report(site, today, today).as_dict() == before
    assert count(DailyStats, site_id=site.id) == 1
    # a withdrawal is appended, the earlier records stay as proof
    assert count(ConsentRecord, site_id=site.id, visitor_id=vid) == records_before + 1
    latest = ledger.latest_for_visitor(site.id, vid)
    assert latest.id == erased.record.id and latest.action == "withdraw"
    assert latest.choices == {"necessary": True, "analytics": False, "advertising": False}
    assert ledger.verify(site, SECRET).ok


def test_nothing_is_collected_after_erasure(app, shop):
    site, me, them, _ = shop
    assert consent_cache.analytics_granted(site, me[0])  # warm cache
    visitors.erase(site, secret_key=SECRET, visitor_id=me[0])
    accepted = send(app, site, me, "/after")
    assert accepted.queued == 0 and accepted.no_consent == 1
    assert count(Event, visitor_id=me[0]) == 0
    assert send(app, site, them, "/d").queued == 1


def test_events_buffered_before_the_erasure_are_not_stored_after_it(app, shop):
    site, me, _, _ = shop
    events = [{"visitor_id": me[0], "token": me[1], "type": "pageview", "url": "https://shop.example/x"}]
    assert analytics.accept(site, events, secret_key=SECRET, user_agent=UA, location=None).queued == 1
    visitors.erase(site, secret_key=SECRET, visitor_id=me[0])
    analytics.flush(app)
    assert count(Event, visitor_id=me[0]) == 0


def test_erasing_twice_deletes_nothing_more_and_records_again(app, shop):
    site, (vid, _), _, _ = shop
    visitors.erase(site, secret_key=SECRET, visitor_id=vid)
    again = visitors.erase(site, secret_key=SECRET, visitor_id=vid)
    assert again.counts() == {"events": 0, "sessions": 0}
    assert ledger.verify(site, SECRET).ok
