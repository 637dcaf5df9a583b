import json
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from consent_server.extensions import db
from consent_server.models import ConsentRecord
from consent_server.services import ledger
from tests.conftest import SECRET

ORIGIN = "https://shop.example"
URL = "/api/v1/sites/shop/consents"


def body(**kw):
    data = {"choices": {"analytics": True, "advertising": False}, "action": "save",
            "revision": 1, "language": "en", "page_url": "https://shop.example/?utm_source=x"}
    data.update(kw)
    return data


def post(client, data, origin=ORIGIN, **kw):
    headers = {"Origin": origin} if origin else {}
    headers.update(kw.pop("headers", {}))
    raw = data if isinstance(data, (bytes, str)) else json.dumps(data)
    return client.post(URL, data=raw, headers=headers, content_type=kw.pop("content_type", "text/plain"), **kw)


def count():
    return db.session.scalar(select(func.count()).select_from(ConsentRecord))


def test_consent_post_records_and_answers_201(client, make_site):
    make_site()
    resp = post(client, body(action="accept_all", choices={"analytics": True, "advertising": True}))
    assert resp.status_code == 201, resp.json
    data = resp.json
    assert set(data) == {"visitor_id", "token", "record_id", "recorded_at", "hash"}
    rec = db.session.get(ConsentRecord, data["record_id"])
    assert rec.visitor_id == data["visitor_id"] and rec.hash == data["hash"]
    assert data["token"] == ledger.visitor_token(SECRET, "shop", data["visitor_id"])
    assert data["recorded_at"].endswith("Z")
    assert rec.page_url == "https://shop.example/"
    assert resp.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert resp.headers["Access-Control-Allow-Credentials"] == "true"


def test_json_content_type_is_accepted_too(client, make_site):
    make_site()
    assert post(client, body(), content_type="application/json").status_code == 201


def test_returning_visitor_continues_history_with_token(client, make_site):
    make_site()
    first = post(client, body()).json
    second = post(client, body(visitor_id=first["visitor_id"], token=first["token"],
                               action="withdraw", choices={"analytics": False})).json
    assert second["visitor_id"] == first["visitor_id"]
    rec = db.session.get(ConsentRecord, second["record_id"])
    assert rec.previous_id == first["record_id"] and rec.action == "withdraw"


def test_same_host_sets_host_only_cookie(client, make_site):
    make_site(domains=["http://localhost"])
    resp = post(client, body(page_url="http://localhost/"), origin="http://localhost")
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("consent=")
    assert "Domain" not in cookie and "SameSite=Lax" in cookie and "Max-Age=15724800" in cookie
    assert "HttpOnly" not in cookie
    value = json.loads(unquote(cookie.split(";")[0].split("=", 1)[1]))
    assert value["id"] == resp.json["visitor_id"] and value["token"] == resp.json["token"]
    assert value["rev"] == 1 and value["c"] == {"analytics": 1, "advertising": 0}


def test_same_registrable_domain_sets_parent_domain_cookie(app, make_site):
    make_site(domains=["https://www.shop.co.uk"])
    client = app.test_client()
    resp = client.post(URL, data=json.dumps(body(page_url="https://www.shop.co.uk/")),
                       headers={"Origin": "https://www.shop.co.uk"}, content_type="text/plain",
                       base_url="https://consent.shop.co.uk")
    assert resp.status_code == 201
    cookie = resp.headers["Set-Cookie"]
    assert "Domain=shop.co.uk" in cookie and "Secure" in cookie


def test_other_registrable_domain_gets_no_cookie(client, make_site):
    make_site()
    resp = post(client, body())  # server is "localhost", page is shop.example
    assert resp.status_code == 201 and "Set-Cookie" not in resp.headers


def test_disallowed_origin_is_refused_and_writes_nothing(client, make_site):
    make_site()
    resp = post(client, body(), origin="https://evil.example")
    assert resp.status_code == 403 and resp.json["error"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in resp.headers
    assert count() == 0


def test_preflight_answers_allowed_origin_only(client, make_site):
    make_site()
    ok = client.options(URL, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert ok.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in ok.headers["Access-Control-Allow-Methods"]
    bad = client.options(URL, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in bad.headers


BAD_BODIES = [
    ("malformed json", b'{"choices": ', 400, "invalid_json"),
    ("not an object", b"[1, 2]", 400, "invalid_body"),
    ("empty", b"", 400, "empty_body"),
    ("invalid utf-8", b'{"action": "\xff\xfe"}', 400, "invalid_utf8"),
    ("deep json", b"[" * 100000 + b"]" * 100000, 413, "too_large"),
    ("deep json under the limit", b"[" * 4000 + b"]" * 4000, 400, "invalid_json"),
    ("oversize", json.dumps(body(page_url="https://shop.example/" + "a" * 9000)).encode(), 413, "too_large"),
    ("wrong type for choice", body(choices={"analytics": "yes"}), 400, "invalid_field"),
    ("choices not an object", body(choices=["analytics"]), 400, "invalid_field"),
    ("revision as string", body(revision="1"), 400, "invalid_field"),
    ("unknown action", body(action="shrug"), 400, "invalid_field"),
    ("unknown category", body(choices={"marketing": True}), 400, "invalid_choice"),
    ("unknown revision", body(revision=7), 400, "invalid_choice"),
    ("missing choices", {k: v for k, v in body().items() if k != "choices"}, 400, "invalid_field"),
    ("missing action", {k: v for k, v in body().items() if k != "action"}, 400, "invalid_field"),
    ("extra field", body(ip="1.2.3.4"), 400, "invalid_field"),
    ("bad visitor id", body(visitor_id="../../etc"), 400, "invalid_field"),
    ("bad language", body(language="<script>"), 400, "invalid_field"),
    ("page url not http", body(page_url="javascript:alert(1)"), 400, "invalid_choice"),
    ("page url with a broken IPv6 host", body(page_url="http://[::1/x"), 400, "invalid_choice"),
    ("page url with a bad IPv6 host", body(page_url="http://[zz]/x"), 400, "invalid_choice"),
    ("page url with a bad port", body(page_url="https://shop.example:99999/x"), 400, "invalid_choice"),
    ("reject_all that grants", body(action="reject_all", choices={"analytics": True}), 400, "invalid_choice"),
    ("withdraw that grants", body(action="withdraw", choices={"advertising": True}), 400, "invalid_choice"),
    ("gpc that grants advertising", body(action="gpc", choices={"advertising": True}), 400, "invalid_choice"),
    ("null body", b"null", 400, "invalid_body"),
]


@pytest.mark.parametrize("name,data,status,code", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_input_gets_json_4xx_and_writes_nothing(client, make_site, name, data, status, code):
    make_site()
    resp = post(client, data)
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.is_json and set(resp.json) == {"error", "message"}
    if code:
        assert resp.json["error"] == code
    assert count() == 0


def test_unsupported_content_type_is_415(client, make_site):
    make_site()
    resp = post(client, json.dumps(body()), content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 415 and resp.json["error"] == "unsupported_media_type"
    assert count() == 0


def test_unknown_site_is_404_json(client, make_site):
    make_site()
    resp = client.post("/api/v1/sites/nope/consents", data=json.dumps(body()), content_type="text/plain")
    assert resp.status_code == 404 and resp.json["error"] == "unknown_site"
    resp = client.post("/api/v1/sites/../x/consents", data="{}")
    assert resp.status_code == 404 and resp.is_json


def test_wrong_method_is_405_json(client, make_site):
    make_site()
    resp = client.put(URL, data="{}")
    assert resp.status_code == 405 and resp.json["error"] == "method_not_allowed"


def test_necessary_cannot_be_refused(client, make_site):
    make_site()
    resp = post(client, body(choices={"necessary": False, "analytics": False}, action="reject_all"))
    rec = db.session.get(ConsentRecord, resp.json["record_id"])
    assert rec.choices == {"necessary": True, "analytics": False, "advertising": False}


def test_gpc_header_and_dnt_are_recorded(client, make_site):
    make_site()
    resp = post(client, body(), headers={"Sec-GPC": "1", "DNT": "1"})
    rec = db.session.get(ConsentRecord, resp.json["record_id"])
    assert rec.gpc is True and rec.dnt is True


def test_client_ip_is_stored_nowhere(client, make_site):
    make_site()
    ip = "203.0.113.77"
    resp = post(client, body(), environ_base={"REMOTE_ADDR": ip},
                headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"})
    assert resp.status_code == 201
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).all():
            assert ip not in repr(tuple(row)), table.name
            assert "Gecko/20100101" not in repr(tuple(row)), table.name


def test_rate_limit_answers_429_json(app_factory, make_org):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_CONSENTS="3 per minute")
    from consent_server.services import sites as sites_service

    sites_service.create_site(make_org(), key="shop", domains=[ORIGIN])
    client = app.test_client()
    statuses = [post(client, body()).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    resp = post(client, body())
    assert resp.json["error"] == "rate_limited" and "Retry-After" in resp.headers


def test_page_url_keeps_no_user_password_query_or_fragment(client, make_site):
    make_site()
    resp = post(client, json.dumps(body(page_url="https://alice:secret@Shop.example:8443/p/a?q=1#f")))
    assert resp.status_code == 201
    assert db.session.get(ConsentRecord, resp.json["record_id"]).page_url == "https://shop.example:8443/p/a"
