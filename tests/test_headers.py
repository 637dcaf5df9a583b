"""Security headers: CSP on every HTML page, nosniff and a referrer policy everywhere,
HSTS and Secure cookies only on https (after ProxyFix), CORS only for a site's origins."""
import pytest
from flask import session
from tests.conftest import sample_url

ORIGIN = "https://shop.example"


@pytest.fixture
def site(make_site):
    return make_site("shop", domains=(ORIGIN,))


def html_get_urls(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield sample_url(rule)


def test_every_html_page_has_a_csp_without_inline_code(app, client, site):
    pages = []
    for url in [*html_get_urls(app), "/no-such-page"]:
        resp = client.get(url, follow_redirects=True)
        if resp.mimetype != "text/html" or resp.request.path == "/demo/":
            continue
        csp = resp.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
        assert directives["form-action"] == "'self'" and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "same-origin"
        pages.append(url)
    assert "/no-such-page" in pages


def test_the_demo_page_plays_a_customer_site_and_has_no_csp(client):
    resp = client.get("/demo/")
    assert resp.status_code == 200 and "Content-Security-Policy" not in resp.headers


@pytest.mark.parametrize("url", ["/api/v1/sites/shop/config", "/healthz", "/consent.js", "/api/v1/openapi.json"])
def test_every_answer_is_nosniff_with_a_referrer_policy_and_no_hsts_on_http(client, site, url):
    resp = client.get(url)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in resp.headers


def test_hsts_when_the_proxy_says_https(app_factory):
    app = app_factory(TRUSTED_PROXIES=1)
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    resp = client.get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4"})
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    # without a trusted proxy, a client cannot claim https
    plain = app_factory().test_client()
    assert "Strict-Transport-Security" not in plain.get("/healthz", headers={"X-Forwarded-Proto": "https"}).headers


@pytest.fixture
def session_app(app):
    @app.get("/_test/session")
    def set_session():
        session["seen"] = True
        return "ok"
    return app


def test_session_cookie_is_httponly_samesite_and_secure_only_on_tls(session_app):
    client = session_app.test_client()
    cookie = client.get("/_test/session").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = session_app.test_client().get("/_test/session", base_url="https://consent.example").headers["Set-Cookie"]
    assert "HttpOnly" in secure and "SameSite=Lax" in secure and secure.count("Secure") == 1


def test_consent_cookie_is_secure_once_on_tls(client, make_site):
    make_site("real", domains=("https://www.shop-example.com",))
    body = {"choices": {"analytics": True}, "action": "save", "revision": 1, "language": "en"}
    resp = client.post("/api/v1/sites/real/consents", json=body, base_url="https://consent.shop-example.com",
                       headers={"Origin": "https://www.shop-example.com"})
    assert resp.status_code == 201
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("consent=") and cookie.count("Secure") == 1


def test_cors_only_for_the_sites_own_origins(client, site):
    allowed = client.get("/api/v1/sites/shop/config", headers={"Origin": ORIGIN})
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true" and "Origin" in allowed.headers["Vary"]
    other = client.get("/api/v1/sites/shop/config", headers={"Origin": "https://evil.example"})
    assert other.status_code == 403 and "Access-Control-Allow-Origin" not in other.headers
    for path in ("config", "consents", "events"):
        pre = client.options(f"/api/v1/sites/shop/{path}", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert "Access-Control-Allow-Origin" not in pre.headers
        pre = client.options(f"/api/v1/sites/shop/{path}", headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
        assert pre.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_every_form_post_outside_the_api_needs_the_csrf_token(app, client, make_admin, make_site, login):
    user = make_admin()
    make_site("shop", org=user.organization)
    assert login(user.email).status_code in (302, 303)
    posts = [r for r in app.url_map.iter_rules()
             if "POST" in r.methods and not r.rule.startswith("/api/") and r.endpoint != "static"]
    assert any(r.rule == "/admin/login" for r in posts)
    for rule in posts:
        resp = client.post(sample_url(rule), data={"anything": "1"})
        assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True), rule.rule
