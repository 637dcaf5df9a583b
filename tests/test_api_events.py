"""POST /api/v1/sites/{key}/events: validation before the database, gates, limits, privacy."""
import json
import logging

import pytest
from sqlalchemy import event, func, select

from consent_server.extensions import db
from consent_server.models import Event
from consent_server.services import analytics, ledger
from consent_server.services.analytics import ingest
from tests.conftest import SECRET

ORIGIN = "https://shop.example"
URL = "/api/v1/sites/shop/events"
UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/131.0.6778.85 Safari/537.36")
IP = "203.0.113.77"


@pytest.fixture
def app(app_factory):
    return app_factory(ANALYTICS_FLUSH_INTERVAL=0)


def pageview(visitor_id, token, **kw):
    return {"visitor_id": visitor_id, "token": token, "type": "pageview",
            "url": "https://shop.example/shoes?utm_source=news&utm_campaign=spring&email=a@b.example",
            "referrer": "https://search.example/find?q=private+words", "title": "Shoes", **kw}


def post(client, data, origin=ORIGIN, ua=UA, url=URL, **kw):
    headers = {"User-Agent": ua or ""}  # "" (the test client would send its own)
    if origin:
        headers["Origin"] = origin
    raw = data if isinstance(data, (bytes, str)) else json.dumps(data)
    return client.post(url, data=raw, headers=headers, content_type=kw.pop("content_type", "text/plain"),
                       environ_base={"REMOTE_ADDR": IP}, **kw)


def stored(app):
    analytics.flush(app)
    return db.session.scalars(select(Event).order_by(Event.id)).all()


class StatementCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args):
        self.count += 1


def test_beacon_with_consent_is_stored_without_query_strings(app, client, visitor):
    site, vid, token = visitor
    resp = post(client, pageview(vid, token))
    assert resp.status_code == 204 and resp.data == b""
    assert resp.headers["Access-Control-Allow-Origin"] == ORIGIN
    [ev] = stored(app)
    assert (ev.site_id, ev.visitor_id, ev.type, ev.path, ev.title) == (site.id, vid, "pageview", "/shoes", "Shoes")
    assert (ev.utm_source, ev.utm_campaign, ev.utm_medium) == ("news", "spring", None)
    assert (ev.referrer_host, ev.referrer_path) == ("search.example", "/find")
    assert (ev.browser, ev.os, ev.device) == ("Chrome", "Linux", "desktop")
    assert ev.session_id and ev.occurred_at.tzinfo is not None


def test_the_page_path_keeps_the_configured_query_parameters_only(app, client, visitor):
    site, vid, token = visitor
    event = {**pageview(vid, token), "url": f"{ORIGIN}/blog?session=s3cr3t&page=2&email=a%40b.example&ref=hn"}
    assert post(client, event).status_code == 204
    app.config["ANALYTICS_QUERY_ALLOW"] = "page"  # as CONSENT_ANALYTICS_QUERY_ALLOW=page sets it
    assert post(client, event).status_code == 204
    assert [ev.path for ev in stored(app)] == ["/blog?page=2&ref=hn", "/blog?page=2"]


def test_location_is_stored_at_city_level_never_the_ip(app, client, visitor):
    _, vid, token = visitor
    assert post(client, pageview(vid, token), url=URL + "?geo=DE-BE").status_code == 204
    [ev] = stored(app)
    assert (ev.country, ev.region) == ("DE", "BE")


def test_a_list_of_events_is_one_beacon(app, client, visitor):
    _, vid, token = visitor
    events = [pageview(vid, token),
              {"visitor_id": vid, "token": token, "type": "outbound", "url": "https://shop.example/a",
               "target": "https://partner.example/deal?ref=shop#x"},
              {"visitor_id": vid, "token": token, "type": "download", "url": "https://shop.example/a",
               "target": "https://shop.example/files/menu.pdf?v=2"},
              {"visitor_id": vid, "token": token, "type": "custom", "url": "https://shop.example/a",
               "name": "signup", "props": {"plan": "pro", "seats": 3, "trial": True}},
              {"visitor_id": vid, "token": token, "type": "engagement", "url": "https://shop.example/a",
               "duration_ms": 12500, "scroll": 75}]
    assert post(client, events, content_type="application/json").status_code == 204
    rows = stored(app)
    assert [r.type for r in rows] == ["pageview", "outbound", "download", "custom", "engagement"]
    assert rows[1].target == "https://partner.example/deal"
    assert rows[2].target == "https://shop.example/files/menu.pdf"
    assert (rows[3].name, rows[3].props) == ("signup", {"plan": "pro", "seats": 3, "trial": True})
    assert (rows[4].duration_ms, rows[4].scroll) == (12500, 75)
    assert len({r.session_id for r in rows}) == 1


def test_without_consent_answers_204_and_stores_nothing(app, client, make_site, make_consent):
    site = make_site()
    refused = make_consent(site, choices={"analytics": False}, action="reject_all")
    resp = post(client, pageview(refused.record.visitor_id, refused.token))
    assert resp.status_code == 204
    assert stored(app) == []


def test_a_consent_given_on_an_older_revision_collects_nothing(app, client, visitor, make_consent):
    """A published revision asks again: until the visitor answers it, nothing is stored, even
    with a warm cache and a beacon already accepted into the buffer."""
    from consent_server.services import revisions

    site, vid, token = visitor
    assert post(client, pageview(vid, token)).status_code == 204
    assert len(stored(app)) == 1
    assert post(client, pageview(vid, token)).status_code == 204  # warm cache, buffered...
    revisions.publish(site, published_by="editor@acme.example")
    assert len(stored(app)) == 1  # ...and refused by the batch writer: the revision is new
    app.extensions.pop(ingest.SITES_EXTENSION, None)  # the worker's site settings expire (SITE_TTL)
    assert post(client, pageview(vid, token)).status_code == 204
    assert len(stored(app)) == 1
    make_consent(site, choices={"analytics": True}, visitor_id=vid, token=token, revision=site.revision)
    assert post(client, pageview(vid, token)).status_code == 204
    assert len(stored(app)) == 2


def test_forged_beacon_with_someones_visitor_id_is_not_stored(app, client, visitor):
    _, vid, token = visitor
    assert post(client, pageview(vid, "0" * 64)).status_code == 204
    other_site_token = ledger.visitor_token(SECRET, "other", vid)
    assert post(client, pageview(vid, other_site_token)).status_code == 204
    assert stored(app) == []
    missing = pageview(vid, token)
    del missing["token"]
    assert post(client, missing).status_code == 400
    assert stored(app) == []


def test_bots_and_clients_without_user_agent_are_not_stored(app, client, visitor):
    _, vid, token = visitor
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    assert post(client, pageview(vid, token), ua=googlebot).status_code == 204
    assert post(client, pageview(vid, token), ua=None).status_code == 204
    assert stored(app) == []


def test_no_ip_and_no_raw_user_agent_anywhere(app, client, visitor, caplog):
    _, vid, token = visitor
    caplog.set_level(logging.DEBUG)
    assert post(client, [pageview(vid, token), pageview(vid, token, url="https://shop.example/b?q=x")]).status_code == 204
    assert len(stored(app)) == 2
    for table in db.metadata.sorted_tables:
        # revisions hold the banner's own wording in 40 languages ("private" is one of its words)
        words = ("private", "email") if table.name != "revisions" else ()
        for row in db.session.execute(table.select()).all():
            text = repr(tuple(row))
            for secret in (IP, "Mozilla/5.0", "6778.85", "X11", "a@b.example", "q=x", *words):
                assert secret not in text, (table.name, secret)
    assert IP not in caplog.text and "6778.85" not in caplog.text


def _huge(vid, token):
    return pageview(vid, token, title="x" * 9000)


BAD_BEACONS = [
    ("malformed JSON", lambda v, t: b'{"type": "pageview",', 400, "invalid_json"),
    ("invalid UTF-8", lambda v, t: b'{"title": "\xff\xfe"}', 400, "invalid_utf8"),
    ("empty body", lambda v, t: b"", 400, "empty_body"),
    ("not an object", lambda v, t: b'"pageview"', 400, "invalid_body"),
    ("list of strings", lambda v, t: b'["pageview"]', 400, "invalid_body"),
    ("empty list", lambda v, t: b"[]", 400, "invalid_body"),
    ("oversize", _huge, 413, "too_large"),
    ("too many events", lambda v, t: [pageview(v, t)] * 21, 400, "too_many_events"),
    ("unknown type", lambda v, t: pageview(v, t, type="purchase"), 400, "invalid_field"),
    ("unknown field", lambda v, t: pageview(v, t, ip="1.2.3.4"), 400, "invalid_field"),
    ("bad visitor id", lambda v, t: pageview("not-hex", t), 400, "invalid_field"),
    ("not an http page", lambda v, t: pageview(v, t, url="javascript:alert(1)"), 400, "invalid_field"),
    ("outbound without target", lambda v, t: pageview(v, t, type="outbound"), 400, "invalid_field"),
    ("custom without name", lambda v, t: pageview(v, t, type="custom"), 400, "invalid_field"),
    ("nested props", lambda v, t: pageview(v, t, type="custom", name="n", props={"a": {"b": 1}}), 400, "invalid_field"),
    ("too many props", lambda v, t: pageview(v, t, type="custom", name="n", props={str(i): i for i in range(21)}), 400, "invalid_field"),
    ("NaN prop", lambda v, t: b'{"visitor_id": "%s", "token": "%s", "type": "custom", "name": "n", '
                               b'"url": "https://shop.example/", "props": {"a": NaN}}' % (v.encode(), t.encode()), 400, "invalid_field"),
    ("scroll over 100", lambda v, t: pageview(v, t, type="engagement", scroll=101), 400, "invalid_field"),
    ("negative duration", lambda v, t: pageview(v, t, type="engagement", duration_ms=-1), 400, "invalid_field"),
    ("string duration", lambda v, t: pageview(v, t, type="engagement", duration_ms="10"), 400, "invalid_field"),
    ("NUL in title", lambda v, t: pageview(v, t, title="a\x00b"), 400, "invalid_characters"),
    ("lone surrogate", lambda v, t: b'{"visitor_id": "%s", "token": "%s", "type": "pageview", '
                                    b'"url": "https://shop.example/", "title": "\\ud800"}' % (v.encode(), t.encode()), 400, "invalid_characters"),
    ("bad IPv6 host", lambda v, t: pageview(v, t, url="http://[::1/"), 400, "invalid_field"),
]


@pytest.mark.parametrize("name,make,status,code", BAD_BEACONS, ids=[b[0] for b in BAD_BEACONS])
def test_bad_beacons_get_4xx_json_without_touching_the_database(app, client, visitor, name, make, status, code):
    _, vid, token = visitor
    with StatementCounter(db.engine) as statements:
        resp = post(client, make(vid, token))
    assert resp.status_code == status, resp.data
    assert resp.json["error"] == code and resp.json["message"]
    assert statements.count == 0
    assert stored(app) == []


def test_wrong_content_type_is_415(client, visitor):
    _, vid, token = visitor
    assert post(client, pageview(vid, token), content_type="application/xml").status_code == 415


def test_unknown_site_is_404_and_other_origins_403(app, client, visitor):
    _, vid, token = visitor
    assert post(client, pageview(vid, token), url="/api/v1/sites/nope/events").status_code == 404
    resp = post(client, pageview(vid, token), origin="https://evil.example")
    assert resp.status_code == 403 and resp.json["error"] == "origin_not_allowed"
    assert stored(app) == []


def test_a_flood_from_one_client_is_rate_limited(app_factory, make_org):
    app = app_factory(ANALYTICS_FLUSH_INTERVAL=0, RATELIMIT_ENABLED=True, RATELIMIT_EVENTS="5 per minute")
    from consent_server.services import sites as sites_service

    sites_service.create_site(make_org(), key="shop", domains=[ORIGIN])
    client = app.test_client()
    statuses = [post(client, pageview("a" * 32, "t")).status_code for _ in range(7)]
    assert statuses == [204] * 5 + [429] * 2
    resp = post(client, pageview("a" * 32, "t"))
    assert resp.json["error"] == "rate_limited" and "Retry-After" in resp.headers
    # Another client address is not affected.
    other = client.post(URL, data=json.dumps(pageview("a" * 32, "t")), content_type="text/plain",
                        headers={"User-Agent": UA}, environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code == 204


def test_a_flood_on_one_site_is_rate_limited_across_clients(app_factory, make_org):
    app = app_factory(ANALYTICS_FLUSH_INTERVAL=0, RATELIMIT_ENABLED=True, RATELIMIT_EVENTS_SITE="4 per minute")
    from consent_server.services import sites as sites_service

    org = make_org()
    sites_service.create_site(org, key="shop", domains=[ORIGIN])
    sites_service.create_site(org, key="calm", domains=["https://calm.example"])
    client = app.test_client()
    statuses = [client.post(URL, data=json.dumps(pageview("a" * 32, "t")), content_type="text/plain",
                            headers={"User-Agent": UA}, environ_base={"REMOTE_ADDR": f"198.51.100.{i}"}).status_code
                for i in range(6)]
    assert statuses == [204] * 4 + [429] * 2
    calm = client.post("/api/v1/sites/calm/events", data=json.dumps(pageview("a" * 32, "t")),
                       content_type="text/plain", headers={"User-Agent": UA})
    assert calm.status_code == 204


def test_events_are_counted_in_the_stored_totals(app, client, visitor):
    _, vid, token = visitor
    for path in ("/a", "/b", "/c"):
        post(client, pageview(vid, token, url=f"https://shop.example{path}"))
    analytics.flush(app)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 3
