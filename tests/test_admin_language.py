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
