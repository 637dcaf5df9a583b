"""Hostile input on every /api route of the url_map (so routes added later are covered):
oversize bodies, deep JSON, invalid UTF-8, NUL bytes (PostgreSQL refuses NUL in text),
header injection, path tricks, huge and odd query strings. Always a JSON 4xx (or a normal
answer), never a 500, never a write."""
import json
import socket
import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from consent_server.extensions import db
from consent_server.models import ConsentRecord

ORIGIN = "https://shop.example"
SAMPLES = {"key": "shop", "visitor_id": "a" * 32}
CONSENT = {"choices": {"analytics": True}, "action": "save", "revision": 1, "language": "en",
           "page_url": "https://shop.example/"}
EVENT = {"visitor_id": "a" * 32, "token": "t", "type": "pageview", "url": "https://shop.example/"}


@pytest.fixture
def site(make_site):
    return make_site("shop", domains=(ORIGIN,))


def api_routes(app):
    """(method, url template with {key} etc., rule) for every /api rule and method."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def url_for_rule(rule, **args):
    values = {a: args.get(a, SAMPLES.get(a, "x")) for a in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def ledger_size() -> int:
    return db.session.scalar(select(func.count()).select_from(ConsentRecord))


def assert_refused_or_fine(resp, *, expect=None):
    """Never a 500; an error is JSON {error, message}; ``expect``: the status it must be."""
    assert resp.status_code < 500, (resp.status_code, resp.data[:300])
    if expect is not None:
        assert resp.status_code == expect, (resp.status_code, resp.data[:300])
    if resp.status_code >= 400:
        assert resp.is_json and set(resp.json) == {"error", "message"}, resp.data[:300]


def bodies():
    big = b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    return {
        "oversize_8kb": (b'{"pad": "' + b"x" * 9000 + b'"}', 413),
        "oversize_2mb": (big, 413),
        "deep_array": (b"[" * 4000 + b"]" * 4000, 400),
        "deep_array_oversize": (b"[" * 100_000 + b"]" * 100_000, 413),
        "deep_object": (b'{"a":' * 1300 + b"1" + b"}" * 1300, 400),
        "invalid_utf8": (b'{"language": "\xff\xfe\xc3\x28"}', 400),
        "utf16": ('{"action": "save"}'.encode("utf-16"), 400),
        "nan": (b'{"revision": NaN}', 400),
        "huge_number": (b'{"revision": 1' + b"0" * 5000 + b"}", 400),
        "not_json": (b"action=save&revision=1", 400),
        "empty": (b"", 400),
        "json_string": (b'"hello"', 400),
        "lone_surrogate": (b'{"page_url": "https://shop.example/\\ud800", "url": "\\udfff"}', 400),
        "nul": (b'{"page_url": "https://shop.example/\\u0000", "url": "\\u0000"}', 400),
    }


@pytest.mark.parametrize("name", list(bodies()))
def test_hostile_bodies_on_every_api_route(app, client, site, name):
    body, status = bodies()[name]
    before = ledger_size()
    for method, rule in api_routes(app):
        resp = client.open(url_for_rule(rule), method=method, data=body, content_type="application/json",
                           headers={"Origin": ORIGIN})
        if method in ("POST", "PUT", "PATCH"):
            assert_refused_or_fine(resp)
            assert resp.status_code in (status if isinstance(status, tuple) else (status,)), (rule.rule, resp.data)
        else:
            assert_refused_or_fine(resp)  # a body on GET/DELETE is ignored or refused, never a 500
    assert ledger_size() == before


NUL_CONSENTS = [
    {**CONSENT, "language": "e\u0000n"},
    {**CONSENT, "page_url": "https://shop.example/\u0000x"},
    {**CONSENT, "token": "\u0000"},
    {**CONSENT, "visitor_id": "\u0000" * 32, "token": "x"},
    {**CONSENT, "choices": {"analy\u0000tics": True}},
    {**CONSENT, "action": "save\u0000"},
]
NUL_EVENTS = [
    {**EVENT, "url": "https://shop.example/\u0000"},
    {**EVENT, "title": "a\u0000b"},
    {**EVENT, "referrer": "https://ref.example/\u0000"},
    {**EVENT, "type": "custom", "name": "n\u0000", "props": {"k\u0000": "v\u0000"}},
    {**EVENT, "visitor_id": "\u0000" * 32},
]


@pytest.mark.parametrize("body", NUL_CONSENTS, ids=range(len(NUL_CONSENTS)))
def test_nul_bytes_in_a_consent_are_refused(client, site, body):
    resp = client.post("/api/v1/sites/shop/consents", data=json.dumps(body), content_type="text/plain",
                       headers={"Origin": ORIGIN})
    assert_refused_or_fine(resp, expect=400)
    assert ledger_size() == 0


@pytest.mark.parametrize("body", NUL_EVENTS, ids=range(len(NUL_EVENTS)))
def test_nul_bytes_in_an_event_are_refused(app, client, site, make_consent, body):
    from consent_server.services import analytics

    recorded = make_consent(site, choices={"analytics": True})
    body = {**body}
    if "\x00" not in body["visitor_id"]:
        body.update(visitor_id=recorded.record.visitor_id, token=recorded.token)
    resp = client.post("/api/v1/sites/shop/events", data=json.dumps(body), content_type="text/plain",
                       headers={"Origin": ORIGIN, "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"})
    assert_refused_or_fine(resp, expect=400)
    assert analytics.flush(app) == 0
    assert_refused_or_fine(client.get("/healthz"), expect=200)


PATH_TRICKS = [
    "/api/v1/sites/../config", "/api/v1/sites/%2e%2e/config", "/api/v1/sites/shop%2fconfig/config",
    "/api/v1/sites/shop/../shop/config", "/api/v1/sites//config", "/api/v1/sites/sh%00op/config",
    "/api/v1/sites/" + "k" * 10_000 + "/config", "/api/v1/sites/%ff%fe/config", "/api/v1/sites/SHOP/config",
    "/api/v1/sites/shop%0d%0aSet-Cookie:%20x=1/config", "/api/v1/sites/%e2%80%ae/config",
    "/api/v1//sites/shop/config", "/api/v1/sites/shop/config/", "/api/v1/sites/shop/config;x=1",
    "/api/v1/sites/shop/consents%00", "/api/v1/sites/" + "%c0%ae" * 20 + "/config",
]


@pytest.mark.parametrize("path", PATH_TRICKS)
def test_path_tricks_never_reach_another_site_or_a_500(client, site, path):
    for method in ("GET", "POST", "DELETE"):
        resp = client.open(path, method=method, data=json.dumps(CONSENT), content_type="text/plain")
        assert_refused_or_fine(resp)
        assert resp.status_code != 201
        assert "x=1" not in resp.headers.get("Set-Cookie", "")


QUERIES = {
    "huge": "lang=" + "a" * 100_000,
    "repeated": "&".join(["lang=de"] * 2000),
    "bad_percent": "lang=%ff%fe&hl=%c3%28&gpc=%00",
    "nul": "lang=%00&hl=en%00&geo=US%00CA",
    "crlf": "lang=de%0d%0aSet-Cookie:%20x=1&hl=%0a",
    "odd_geo": "geo=ZZ-!!!&geo=US-CA&geo=" + "A" * 500,
    "many_keys": "&".join(f"k{i}=v" for i in range(5000)),
    "unicode": "lang=%E2%80%AE%F0%9F%92%A9&hl=%EF%BF%BF",
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_huge_and_odd_query_strings_on_every_api_route(app, client, site, name):
    before = ledger_size()
    for method, rule in api_routes(app):
        body = json.dumps(CONSENT if rule.rule.endswith("consents") else EVENT)
        resp = client.open(f"{url_for_rule(rule)}?{QUERIES[name]}", method=method, data=body,
                           content_type="text/plain")
        assert_refused_or_fine(resp)
        assert "x=1" not in resp.headers.get("Set-Cookie", "")
    assert ledger_size() <= before + 1


@pytest.fixture
def live(app, site):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(5)


def raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


INJECTIONS = [
    # a bare CR or LF in a header value, an obs-fold line, a second Origin
    b"Origin: https://shop.example\rSet-Cookie: injected=1\r\n",
    b"Origin: https://shop.example\nSet-Cookie: injected=1\r\n",
    b"Origin: https://shop.example\r\n Set-Cookie: injected=1\r\n",
    b"Origin: https://shop.example\r\nOrigin: https://evil.example\r\n",
    b"Origin: https://evil.example%0d%0aSet-Cookie:%20injected=1\r\n",
    b"Accept-Language: de\r\n\x00Set-Cookie: injected=1\r\n",
    b"Authorization: Bearer x\rSet-Cookie: injected=1\r\n",
]


@pytest.mark.parametrize("header", INJECTIONS, ids=range(len(INJECTIONS)))
def test_header_injection_is_not_reflected(app, live, header):
    for method, rule in api_routes(app):
        req = (f"{method} {url_for_rule(rule)} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode() + header
               + b"Content-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        answer = raw_request(live, req)
        head = answer.split(b"\r\n\r\n", 1)[0].lower()
        assert head.startswith(b"http/1."), answer[:200]
        status = int(head.split()[1])
        assert status < 500, (rule.rule, answer[:300])
        assert b"injected" not in head
        assert b"access-control-allow-origin: https://evil" not in head

