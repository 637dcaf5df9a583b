"""Site list, creation, overview and settings pages."""
from consent_server.services import revisions as revisions_service
from consent_server.services import sites as sites_service
from tests.conftest import csrf_token


def _signed_in(make_admin, login, role="owner", **kwargs):
    user = make_admin(role=role, **kwargs)
    login(user.email)
    return user


def test_editor_creates_a_site_published_as_revision_1(client, make_admin, login):
    _signed_in(make_admin, login, role="editor")
    token = csrf_token(client, "/admin/sites/new")
    response = client.post("/admin/sites/new", data={
        "csrf_token": token, "key": "blog", "name": "Blog",
        "domains": "https://blog.example\nhttps://WWW.Blog.example/path", "regime_override": "auto"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/sites/blog/"
    site = sites_service.get_by_key("blog")
    assert site.domains == ["https://blog.example", "https://www.blog.example"]
    assert site.revision == 1 and revisions_service.revision(site, 1).published_by == "owner@acme.example"
    page = client.get("/admin/sites/blog/").get_data(as_text=True)
    assert 'data-site="blog"' in page.replace("&#34;", '"').replace("&quot;", '"')


def test_site_creation_rejects_a_taken_key_and_bad_domains(client, make_admin, make_site, login):
    user = _signed_in(make_admin, login)
    make_site(key="shop", org=user.organization)
    token = csrf_token(client, "/admin/sites/new")
    taken = client.post("/admin/sites/new", data={"csrf_token": token, "key": "shop", "name": "x",
                                                  "domains": "https://x.example", "regime_override": "auto"})
    assert taken.status_code == 400 and "exists" in taken.get_data(as_text=True)
    bad = client.post("/admin/sites/new", data={"csrf_token": token, "key": "other", "name": "x",
                                                "domains": "ftp://x.example", "regime_override": "auto"})
    assert bad.status_code == 400 and sites_service.get_by_key("other") is None


def test_viewer_cannot_create_sites_or_change_settings(client, make_admin, make_site, login):
    user = _signed_in(make_admin, login, role="viewer")
    make_site(key="shop", org=user.organization)
    assert client.get("/admin/sites/new").status_code == 403
    assert client.get("/admin/sites/shop/settings").status_code == 403
    token = csrf_token(client, "/admin/")
    response = client.post("/admin/sites/shop/settings", data={
        "csrf_token": token, "name": "Hacked", "domains": "https://evil.example", "regime_override": "auto",
        "default_language": "en", "consent_lifetime_days": 10, "retention_events_days": 1,
        "retention_consents_months": 1, "retention_site_days": 1})
    assert response.status_code == 403
    assert sites_service.get_by_key("shop").name == "shop"
    assert "Settings" not in client.get("/admin/sites/shop/").get_data(as_text=True)


def _settings(token, **changes):
    data = {"csrf_token": token, "name": "Shop", "domains": "https://shop.example", "regime_override": "auto",
            "default_language": "en", "consent_lifetime_days": "182", "retention_events_days": "180",
            "retention_consents_months": "36", "retention_site_days": "180"}
    data.update(changes)
    return data


def test_settings_change_domains_regime_lifetime_and_retention_at_once(client, make_admin, make_site, login):
    user = _signed_in(make_admin, login, role="editor")
    site = make_site(key="shop", org=user.organization)
    token = csrf_token(client, "/admin/sites/shop/settings")
    response = client.post("/admin/sites/shop/settings", data=_settings(
        token, domains="https://shop.example\nhttps://m.shop.example", regime_override="opt-in",
        default_language="de", consent_lifetime_days="90", retention_events_days="30",
        retention_consents_months="24", retention_site_days="60"))
    assert response.status_code == 302
    assert site.domains == ["https://m.shop.example", "https://shop.example"]
    assert (site.regime_override, site.default_language, site.consent_lifetime_days) == ("opt-in", "de", 90)
    assert (site.retention_events_days, site.retention_consents_months, site.retention_site_days) == (30, 24, 60)
    assert site.revision == 1  # settings are not a revision
    config = client.get("/api/v1/sites/shop/config", headers={"Origin": "https://m.shop.example"})
    assert config.status_code == 200 and config.json["regime"] == "opt-in"


def test_settings_reject_out_of_range_values(client, make_admin, make_site, login):
    user = _signed_in(make_admin, login, role="editor")
    site = make_site(key="shop", org=user.organization)
    token = csrf_token(client, "/admin/sites/shop/settings")
    for bad in ({"consent_lifetime_days": "400"}, {"retention_events_days": "0"}, {"domains": ""},
                {"domains": "not a url"}, {"regime_override": "sometimes"}, {"default_language": "xx"},
                {"retention_consents_months": "many"}):
        response = client.post("/admin/sites/shop/settings", data=_settings(token, **bad))
        assert response.status_code == 400, bad
    assert site.consent_lifetime_days == 182 and site.domains == ["https://shop.example"]


def test_events_cannot_be_kept_longer_than_the_consent_records(client, make_admin, make_site, login):
    """Events that outlive their visitor's consent records could no longer be found by the
    visitor's download/erase or by an erasure request."""
    user = _signed_in(make_admin, login, role="editor")
    site = make_site(key="shop", org=user.organization)
    token = csrf_token(client, "/admin/sites/shop/settings")
    response = client.post("/admin/sites/shop/settings", data=_settings(
        token, retention_events_days="400", retention_consents_months="1"))
    assert response.status_code == 400
    assert "Keep consent records at least as long as analytics events" in response.get_data(as_text=True)
    assert (site.retention_events_days, site.retention_consents_months) == (180, 36)
    assert client.post("/admin/sites/shop/settings", data=_settings(
        token, retention_events_days="360", retention_consents_months="12")).status_code == 302


def test_site_list_shows_only_the_organizations_sites(client, make_admin, make_org, make_site, login):
    user = _signed_in(make_admin, login, role="viewer")
    make_site(key="ours", org=user.organization, name="Our shop")
    make_site(key="theirs", org=make_org("Other"), name="Their shop")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Our shop" in page and "Their shop" not in page
