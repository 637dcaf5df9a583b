"""Admin sign-in, lockout, rate limit, sessions, password change and the access helpers."""
from datetime import timedelta
from pathlib import Path

import pytest
from flask_login import login_user
from werkzeug.exceptions import Forbidden, NotFound

from consent_server.admin.access import requires_role, site_or_404
from consent_server.extensions import db
from consent_server.models.types import utcnow

from tests.conftest import ADMIN_PASSWORD, base_overrides, csrf_token

TEMPLATES = Path(__file__).resolve().parent.parent / "consent_server" / "templates" / "admin"


def test_admin_pages_redirect_to_login_when_signed_out(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_login_with_right_password_opens_the_site_list(client, make_admin, make_site, login):
    user = make_admin()
    make_site(key="shop", org=user.organization, name="Shop")
    response = login(user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Shop" in page.get_data(as_text=True)
    assert db.session.get(type(user), user.id).last_login_at is not None


def test_login_form_without_csrf_token_is_refused(client, make_admin):
    user = make_admin()
    response = client.post("/admin/login", data={"email": user.email, "password": ADMIN_PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, make_admin, login):
    user = make_admin()
    response = login(user.email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_served_over_https(app_factory, make_org):
    app = app_factory(PREFERRED_URL_SCHEME="https")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_wrong_password_is_refused_and_counted(client, make_admin, login):
    user = make_admin()
    response = login(user.email, "wrong password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert user.failed_logins == 1
    assert client.get("/admin/").status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, login):
    response = login("nobody@acme.example", "whatever password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_even_for_the_right_password(app, client, make_admin, login):
    user = make_admin()
    for _ in range(app.config["ADMIN_LOCKOUT_FAILURES"]):
        login(user.email, "wrong password")
    assert user.locked_until is not None and user.locked_until > utcnow()
    response = login(user.email)
    assert response.status_code == 401
    assert "locked" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_login_works_again_after_the_lockout_ends(client, make_admin, login):
    user = make_admin()
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(user.email).status_code == 302
    assert user.locked_until is None and user.failed_logins == 0


def test_login_attempts_are_rate_limited_per_client(app_factory, make_admin):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_ADMIN_LOGIN="3 per minute",
                      ADMIN_LOCKOUT_FAILURES=100)
    make_admin()
    client = app.test_client()
    token = csrf_token(client, "/admin/login")
    statuses = [client.post("/admin/login", data={"csrf_token": token, "email": "owner@acme.example",
                                                   "password": "wrong password"}).status_code
                for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    # The form itself (GET) stays reachable, and another client is not limited.
    assert client.get("/admin/login").status_code == 200
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    token = csrf_token(other, "/admin/login")
    assert other.post("/admin/login", data={"csrf_token": token, "email": "owner@acme.example",
                                             "password": "wrong password"}).status_code == 401


def test_next_parameter_only_leads_inside_the_admin(client, make_admin):
    user = make_admin()
    token = csrf_token(client, "/admin/login")
    response = client.post("/admin/login?next=https://evil.example/admin/",
                           data={"csrf_token": token, "email": user.email, "password": ADMIN_PASSWORD})
    assert response.headers["Location"] == "/admin/"


def test_next_parameter_returns_to_the_page_asked_for(client, make_admin, make_site):
    user = make_admin()
    make_site(key="shop", org=user.organization)
    redirect = client.get("/admin/sites/shop/").headers["Location"]
    token = csrf_token(client, redirect)
    response = client.post(redirect, data={"csrf_token": token, "email": user.email,
                                           "password": ADMIN_PASSWORD})
    assert response.headers["Location"] == "/admin/sites/shop/"


def test_logout_needs_a_post_with_csrf_and_ends_the_session(client, make_admin, login):
    user = make_admin()
    login(user.email)
    assert client.get("/admin/logout").status_code == 405
    assert client.post("/admin/logout").status_code == 400  # no token: refused
    assert client.get("/admin/").status_code == 200
    token = csrf_token(client, "/admin/")
    client.post("/admin/logout", data={"csrf_token": token})
    assert client.get("/admin/").status_code == 302


def test_password_change_needs_the_current_password(client, make_admin, login):
    user = make_admin()
    login(user.email)
    token = csrf_token(client, "/admin/password")
    response = client.post("/admin/password", data={
        "csrf_token": token, "current": "not it at all", "new": "a new long password",
        "confirm": "a new long password"})
    assert response.status_code == 400
    assert user.check_password(ADMIN_PASSWORD)


def test_password_change_rejects_short_or_mismatched_passwords(client, make_admin, login):
    user = make_admin()
    login(user.email)
    token = csrf_token(client, "/admin/password")
    for new, confirm in (("short", "short"), ("a new long password", "another long password")):
        response = client.post("/admin/password", data={
            "csrf_token": token, "current": ADMIN_PASSWORD, "new": new, "confirm": confirm})
        assert response.status_code == 200  # the form again, with the error
        assert user.check_password(ADMIN_PASSWORD)


def test_password_change_signs_other_sessions_out(app, client, make_admin, login):
    user = make_admin()
    login(user.email)
    other = app.test_client()
    token = csrf_token(other, "/admin/login")
    other.post("/admin/login", data={"csrf_token": token, "email": user.email, "password": ADMIN_PASSWORD})
    assert other.get("/admin/").status_code == 200
    token = csrf_token(client, "/admin/password")
    response = client.post("/admin/password", data={
        "csrf_token": token, "current": ADMIN_PASSWORD, "new": "a new long password",
        "confirm": "a new long password"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200  # this session goes on
    assert other.get("/admin/").status_code == 302  # the other one is signed out
    assert user.check_password("a new long password")


def test_site_of_another_organization_is_404(client, make_admin, make_org, make_site, login):
    user = make_admin()
    make_site(key="theirs", org=make_org("Other"))
    make_site(key="ours", org=user.organization)
    login(user.email)
    assert client.get("/admin/sites/ours/").status_code == 200
    assert client.get("/admin/sites/theirs/").status_code == 404
    assert client.get("/admin/sites/nope/").status_code == 404
    assert "theirs" not in client.get("/admin/").get_data(as_text=True)


def test_site_or_404_and_requires_role_helpers(app, make_admin, make_org, make_site):
    viewer = make_admin(email="viewer@acme.example", role="viewer")
    editor = make_admin(email="editor@acme.example", role="editor", org=viewer.organization)
    make_site(key="mine", org=viewer.organization)
    make_site(key="other", org=make_org("Other"))

    @requires_role("editor")
    def edit():
        return "edited"

    with app.test_request_context("/admin/"):
        login_user(viewer)
        assert site_or_404("mine").key == "mine"
        with pytest.raises(NotFound):
            site_or_404("other")
        with pytest.raises(Forbidden):
            edit()
    with app.test_request_context("/admin/"):
        login_user(editor)
        assert edit() == "edited"


def test_admin_pages_send_a_csp_without_unsafe_inline(client, make_admin, login):
    login(make_admin().email)
    response = client.get("/admin/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Cache-Control"] == "no-store"


def test_admin_templates_have_no_inline_script_or_style():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for needle in ("<script", "<style", "style=", "onclick=", "javascript:"):
            assert needle not in text, f"{needle} in {path}"


def test_errors_under_admin_are_html_pages(client, make_admin, login):
    login(make_admin().email)
    response = client.get("/admin/sites/nope/")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Back to your sites" in response.get_data(as_text=True)


def test_base_overrides_keep_csrf_on():
    assert "WTF_CSRF_ENABLED" not in base_overrides()
