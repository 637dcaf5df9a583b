from consent_server.api.schemas import ConfigOut
from consent_server.extensions import db
from consent_server.models import SiteText
from consent_server.services import revisions as revisions_service
from consent_server.services import sites as sites_service

URL = "/api/v1/sites/shop/config"


def test_config_describes_banner_for_visitor(client, make_site):
    make_site(services=(("analytics", dict(
        name="Stats", provider="Us", privacy_policy_url="https://shop.example/privacy",
        cookies=[{"name": "_st", "pattern": "^_st", "lifetime": "1 year"}])),))
    resp = client.get(URL, headers={"Origin": "https://shop.example"})
    assert resp.status_code == 200
    cfg = ConfigOut.model_validate(resp.json)
    assert cfg.site == "shop" and cfg.revision == 1
    assert [c.key for c in cfg.categories] == ["necessary", "analytics", "advertising"]
    assert cfg.categories[0].required and not cfg.categories[1].required
    assert cfg.categories[1].services[0].name == "Stats"
    assert cfg.regime == "opt-in" and cfg.defaults == {"analytics": False, "advertising": False}
    assert cfg.consent_mode["security_storage"] == "granted"
    assert cfg.consent_mode["ad_storage"] == "denied" and cfg.consent_mode["analytics_storage"] == "denied"
    assert cfg.texts["banner.accept_all"] and cfg.texts["banner.reject_all"]
    assert cfg.cookie.name == "consent" and cfg.cookie.max_age == 182 * 86400
    assert resp.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert resp.headers["Cache-Control"] == "no-store"


def test_config_reports_gpc(client, make_site):
    make_site()
    assert client.get(URL, headers={"Sec-GPC": "1"}).json["gpc"] is True
    assert client.get(URL + "?gpc=1").json["gpc"] is True
    assert client.get(URL).json["gpc"] is False


def test_site_regime_override(client, make_site):
    make_site(regime_override="notice")
    data = client.get(URL).json
    assert data["regime"] == "notice" and data["regime_reason"] == "site override"


def test_config_from_disallowed_origin_is_403(client, make_site):
    make_site()
    resp = client.get(URL, headers={"Origin": "https://evil.example"})
    assert resp.status_code == 403 and resp.json["error"] == "origin_not_allowed"


def test_unknown_site_config_is_404(client, make_site):
    assert client.get("/api/v1/sites/ghost/config").json["error"] == "unknown_site"


def test_unpublished_changes_are_not_shown_until_publish(client, make_site):
    site = make_site()
    sites_service.add_service(site, "advertising", name="Ads")
    draft = client.get(URL).json
    assert draft["revision"] == 1 and draft["categories"][2]["services"] == []
    revision = revisions_service.publish(site, published_by="owner@shop.example")
    assert revision.number == 2 and client.get(URL).json["revision"] == 2
    first = revisions_service.revision(site, 1)
    assert first.snapshot["categories"][2]["services"] == []
    assert revision.snapshot["categories"][2]["services"][0]["name"] == "Ads"
    published = client.get(URL).json
    assert [s["name"] for s in published["categories"][2]["services"]] == ["Ads"]


def test_text_overrides_reach_visitors_only_when_published(client, make_site):
    site = make_site()
    site.texts.append(SiteText(language="en", key="banner.title", value="Cookies, briefly"))
    db.session.commit()
    assert client.get(URL).json["texts"]["banner.title"] == "This website uses cookies"
    revisions_service.publish(site)
    assert client.get(URL).json["texts"]["banner.title"] == "Cookies, briefly"
    assert client.get(URL + "?lang=de").json["texts"]["banner.title"] != "Cookies, briefly"
