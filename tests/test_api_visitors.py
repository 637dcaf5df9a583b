"""GET and DELETE /api/v1/sites/{key}/visitors/{id}: the visitor's own data, by token."""
import json
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from consent_server.extensions import db
from consent_server.models import ConsentRecord, Event
from consent_server.services import analytics, ledger
from tests.conftest import SECRET

ORIGIN = "https://shop.example"
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def app(app_factory):
    return app_factory(ANALYTICS_FLUSH_INTERVAL=0)


def beacon(client, vid, token, path):
    body = {"visitor_id": vid, "token": token, "type": "pageview", "url": f"{ORIGIN}{path}"}
    resp = client.post("/api/v1/sites/shop/events", data=json.dumps(body), content_type="text/plain",
                       headers={"Origin": ORIGIN, "User-Agent": UA})
    assert resp.status_code == 204


@pytest.fixture
def visitor(app, client, make_site, make_consent):
    site = make_site()
    recorded = make_consent(site, choices={"analytics": True})
    vid, token = recorded.record.visitor_id, recorded.token
    beacon(client, vid, token, "/shoes")
    other = make_consent(site, choices={"analytics": True})
    beacon(client, other.record.visitor_id, other.token, "/hats")
    analytics.flush(app)
    return site, vid, token, other.record.visitor_id


def call(client, method, vid, token=None, origin=ORIGIN, key="shop"):
    headers = {"User-Agent": UA}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if origin:
        headers["Origin"] = origin
    return client.open(f"/api/v1/sites/{key}/visitors/{vid}", method=method, headers=headers)


def test_download_returns_the_visitors_records_and_events(client, visitor):
    site, vid, token, _ = visitor
    resp = call(client, "GET", vid, token)
    assert resp.status_code == 200, resp.json
    assert resp.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert resp.headers["Cache-Control"] == "no-store"
    assert "attachment" in resp.headers["Content-Disposition"]
    doc = resp.json
    assert doc["format"] == "consent-server/visitor-data" and doc["visitor_id"] == vid
    assert [r["action"] for r in doc["consent_records"]] == ["save"]
    assert [e["path"] for e in doc["analytics"]["events"]] == ["/shoes"]


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_wrong_missing_token_and_unknown_id_get_the_same_answer(client, visitor, method):
    site, vid, token, other = visitor
    unknown = "cd" * 16
    answers = [call(client, method, vid, "0" * 64), call(client, method, vid),
               call(client, method, vid, ledger.visitor_token(SECRET, site.key, other)),
               call(client, method, unknown, ledger.visitor_token(SECRET, site.key, unknown)),
               call(client, method, "not-an-id", token)]
    assert {(r.status_code, r.get_data()) for r in answers} == {
        (404, b'{"error":"unknown_visitor","message":"no data for this visitor id and token"}\n')}
    assert db.session.scalar(select(func.count()).select_from(Event)) == 2  # nothing erased


def test_erasure_deletes_the_visitors_events_and_records_a_withdrawal(app, client, visitor):
    site, vid, token, other = visitor
    resp = call(client, "DELETE", vid, token)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["erased"] == {"events": 1, "sessions": 1}
    assert body["consent_records_kept"] is True and "proof" in body["kept_reason"]
    assert body["visitor_id"] == vid and body["token"] == token
    latest = ledger.latest_for_visitor(site.id, vid)
    assert (latest.id, latest.action, latest.hash) == (body["record_id"], "withdraw", body["hash"])
    events = db.session.scalars(select(Event.visitor_id)).all()
    assert events == [other]
    assert "Set-Cookie" not in resp.headers  # another site than the server's: the widget writes it
    beacon(client, vid, token, "/again")
    analytics.flush(app)
    assert db.session.scalars(select(Event.visitor_id)).all() == [other]
    # the records stay readable: the visitor can still download the (now event-free) data
    doc = call(client, "GET", vid, token).json
    assert [r["action"] for r in doc["consent_records"]] == ["save", "withdraw"]
    assert doc["analytics"] == {"events": [], "sessions": []}


def test_other_origins_are_refused(client, visitor):
    _, vid, token, _ = visitor
    resp = call(client, "GET", vid, token, origin="https://evil.example")
    assert resp.status_code == 403 and resp.json["error"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in resp.headers


def test_preflight_allows_the_authorization_header_for_site_origins(client, visitor):
    _, vid, _, _ = visitor
    resp = client.options(f"/api/v1/sites/shop/visitors/{vid}", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "DELETE",
        "Access-Control-Request-Headers": "authorization"})
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "DELETE" in resp.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in resp.headers["Access-Control-Allow-Headers"]


def test_unknown_site_is_404(client, visitor):
    _, vid, token, _ = visitor
    resp = call(client, "GET", vid, token, key="nope")
    assert resp.status_code == 404 and resp.json["error"] == "unknown_site"


def test_visitor_endpoints_are_rate_limited(app_factory, make_site, make_consent):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_VISITORS="2 per minute", ANALYTICS_FLUSH_INTERVAL=0)
    client = app.test_client()
    site = make_site()
    recorded = make_consent(site)
    codes = [call(client, "GET", recorded.record.visitor_id, recorded.token).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 1


def test_erasure_sets_the_withdrawn_consent_cookie_when_same_site(client, make_site, make_consent):
    site = make_site(key="local", domains=("http://localhost",))
    recorded = make_consent(site, choices={"analytics": True})
    resp = call(client, "DELETE", recorded.record.visitor_id, recorded.token, origin="http://localhost",
                key="local")
    assert resp.status_code == 200
    cookie = unquote(resp.headers["Set-Cookie"].split(";")[0].split("=", 1)[1])
    value = json.loads(cookie)
    assert value["id"] == recorded.record.visitor_id and value["c"] == {"analytics": 0, "advertising": 0}
