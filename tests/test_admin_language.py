"""The admin UI's language: Accept-Language among the shipped catalogs, or the admin's
own choice kept in the session; the banner's language is not affected."""
import re

from tests.conftest import csrf_token


def html_lang(response):
    return re.search(r'<html lang="([^"]+)" dir="([^"]+)"', response.get_data(as_text=True)).groups()


def test_the_login_page_follows_accept_language(client):
    assert html_lang(client.get("/admin/login", headers={"Accept-Language": "de-AT,de;q=0.9"})) == ("de", "ltr")
    assert html_lang(client.get("/admin/login", headers={"Accept-Language": "he"})) == ("he", "rtl")
    assert html_lang(client.get("/admin/login", headers={"Accept-Language": "xx"})) == ("en", "ltr")


def test_the_chosen_language_is_kept_for_the_session(client):
    token = csrf_token(client, "/admin/login")
    resp = client.post("/admin/language", data={"csrf_token": token, "language": "fr_CA", "next": "/admin/login"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/login")
    assert html_lang(client.get("/admin/login", headers={"Accept-Language": "de"})) == ("fr-CA", "ltr")


def test_an_unknown_language_or_a_foreign_target_changes_nothing(client):
    token = csrf_token(client, "/admin/login")
    resp = client.post("/admin/language", data={"csrf_token": token, "language": "xx", "next": "https://evil.example/"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/")
    assert html_lang(client.get("/admin/login")) == ("en", "ltr")


def test_without_csrf_the_language_is_not_changed(client):
    client.post("/admin/language", data={"language": "de", "next": "/admin/login"})
    assert html_lang(client.get("/admin/login")) == ("en", "ltr")


def test_the_admin_pages_are_translated_in_every_shipped_language(client):
    from tests.test_translations import TRANSLATED_LOCALES, translated

    for locale in TRANSLATED_LOCALES:
        html = client.get("/admin/login", headers={"Accept-Language": locale.replace("_", "-")}).get_data(as_text=True)
        catalog = translated(locale)
        assert catalog["Sign in"] in html and catalog["Change language"] in html, locale
        assert ">Sign in<" not in html and 'value="Change language"' not in html, locale


def test_a_services_refusal_is_shown_in_the_admins_language(client, make_admin, login):
    from html import unescape

    from tests.test_translations import translated

    owner = make_admin()
    login(owner.email)
    token = csrf_token(client, "/admin/users")
    client.post("/admin/language", data={"csrf_token": token, "language": "de", "next": "/admin/users"})
    page = unescape(client.post(f"/admin/users/{owner.id}/role", data={"csrf_token": token, f"u{owner.id}-role": "viewer"},
                                follow_redirects=True).get_data(as_text=True))
    german = translated("de")["an organization keeps at least one owner"]
    assert german[:1].upper() + german[1:] in page and "at least one owner" not in page
    assert owner.role == "owner"


def test_service_errors_read_in_english_outside_the_admin():
    from consent_server.services.errors import ServiceError, translate

    exc = ServiceError("at most %(n)s days per report", n=366)
    assert str(exc) == "at most 366 days per report"
    assert translate(exc, lambda template, **values: template.replace("days", "Tage") % values) == "at most 366 Tage per report"
    assert translate(ValueError("plain"), lambda template, **values: "translated") == "plain"


def test_admin_error_pages_speak_the_admins_language(client, make_admin, login):
    from tests.test_translations import translated

    login(make_admin().email)
    page = client.get("/admin/sites/nowhere/settings", headers={"Accept-Language": "fr"})
    assert page.status_code == 404
    assert translated("fr")["This page does not exist."] in page.get_data(as_text=True)
    assert client.get("/api/v1/sites/nowhere/config").get_json()["error"] == "unknown_site"
