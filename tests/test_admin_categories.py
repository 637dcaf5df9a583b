"""Categories and services pages: a draft that visitors see only once published."""
import pytest

from consent_server.services import sites as sites_service
from tests.conftest import csrf_token

CONFIG = "/api/v1/sites/shop/config"


@pytest.fixture
def shop(signed_in_site):
    return signed_in_site("editor")


def _service(token, **changes):
    data = {"csrf_token": token, "category": "analytics", "name": "Stats", "provider": "Us Ltd",
            "purpose": "Counting visits", "legal_basis": "consent",
            "privacy_policy_url": "https://shop.example/privacy",
            "cookies": "_st | ^_st(_.*)?$ | 1 year\n_sid"}
    data.update(changes)
    return data


def test_editor_adds_a_service_with_cookies_as_a_draft(client, shop):
    token = csrf_token(client, "/admin/sites/shop/services/new?category=analytics")
    response = client.post("/admin/sites/shop/services/new", data=_service(token))
    assert response.status_code == 302
    service = sites_service.category_by_key(shop, "analytics").services[0]
    assert (service.name, service.provider, service.legal_basis) == ("Stats", "Us Ltd", "consent")
    assert service.cookies == [{"name": "_st", "pattern": "^_st(_.*)?$", "lifetime": "1 year"},
                               {"name": "_sid"}]
    assert client.get(CONFIG).json["categories"][1]["services"] == []  # not published yet
    page = client.get("/admin/sites/shop/categories").get_data(as_text=True)
    assert "Stats" in page and "_st" in page


def test_service_form_rejects_bad_links_patterns_and_legal_bases(client, shop):
    token = csrf_token(client, "/admin/sites/shop/services/new")
    for bad in ({"privacy_policy_url": "javascript:alert(1)"}, {"cookies": "_x | ([ | 1 year"},
                {"cookies": "a | b | c | d"}, {"legal_basis": "because"}, {"name": ""},
                {"category": "nope"}):
        response = client.post("/admin/sites/shop/services/new", data=_service(token, **bad))
        assert response.status_code == 400, bad
    assert all(not c.services for c in shop.categories)


def test_editor_edits_moves_and_removes_a_service(client, shop):
    service = sites_service.add_service(shop, "analytics", name="Stats")
    url = f"/admin/sites/shop/services/{service.id}"
    token = csrf_token(client, url)
    assert 'value="Stats"' in client.get(url).get_data(as_text=True)
    response = client.post(url, data=_service(token, name="Ads pixel", category="advertising", cookies=""))
    assert response.status_code == 302
    assert [s.name for s in sites_service.category_by_key(shop, "advertising").services] == ["Ads pixel"]
    assert sites_service.category_by_key(shop, "analytics").services == []
    assert client.post(url + "/delete", data={"csrf_token": token}).status_code == 302
    assert sites_service.service_of(shop, service.id) is None


def test_service_of_another_site_is_404(client, shop, make_site):
    other = make_site(key="other", org=shop.organization)
    theirs = sites_service.add_service(other, "analytics", name="Theirs")
    token = csrf_token(client, "/admin/sites/shop/categories")
    assert client.get(f"/admin/sites/shop/services/{theirs.id}").status_code == 404
    assert client.post(f"/admin/sites/shop/services/{theirs.id}/delete",
                       data={"csrf_token": token}).status_code == 404
    assert sites_service.service_of(other, theirs.id) is not None


def test_editor_adds_renames_and_removes_a_custom_category(client, shop):
    token = csrf_token(client, "/admin/sites/shop/categories")
    response = client.post("/admin/sites/shop/categories", data={
        "csrf_token": token, "key": "functional", "name": "Functional", "description": "Chat widget"})
    assert response.status_code == 302
    assert [c.key for c in shop.categories][-1] == "functional"
    client.post("/admin/sites/shop/categories/functional", data={
        "csrf_token": token, "name": "Comfort", "description": "Chat"})
    assert sites_service.category_by_key(shop, "functional").name == "Comfort"
    client.post("/admin/sites/shop/categories/functional/delete", data={"csrf_token": token})
    assert sites_service.category_by_key(shop, "functional") is None


def test_default_categories_cannot_be_removed_and_keys_are_checked(client, shop):
    token = csrf_token(client, "/admin/sites/shop/categories")
    client.post("/admin/sites/shop/categories/analytics/delete", data={"csrf_token": token})
    assert sites_service.category_by_key(shop, "analytics") is not None
    for key in ("analytics", "Bad Key", "x"):
        response = client.post("/admin/sites/shop/categories", data={"csrf_token": token, "key": key})
        assert response.status_code == 400, key
    assert len(shop.categories) == 3


def test_viewer_cannot_open_or_change_categories(client, make_admin, make_site, login):
    user = make_admin(role="viewer")
    login(user.email)
    site = make_site(key="shop", org=user.organization)
    token = csrf_token(client, "/admin/")
    assert client.get("/admin/sites/shop/categories").status_code == 403
    assert client.post("/admin/sites/shop/services/new", data=_service(token)).status_code == 403
    assert client.post("/admin/sites/shop/categories", data={"csrf_token": token, "key": "extra"}).status_code == 403
    assert all(not c.services for c in site.categories) and len(site.categories) == 3
