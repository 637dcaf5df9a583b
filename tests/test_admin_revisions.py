"""Publishing from the admin UI, and every published revision as it was shown."""
import pytest

from consent_server.services import sites as sites_service
from tests.conftest import csrf_token

CONFIG = "/api/v1/sites/shop/config"


@pytest.fixture
def shop(signed_in_site):
    return signed_in_site("editor")


def test_publish_page_lists_the_draft_changes(client, shop):
    sites_service.add_service(shop, "advertising", name="Ads")
    page = client.get("/admin/sites/shop/publish").get_data(as_text=True)
    assert "service added to advertising: Ads" in page
    assert "unpublished changes" in client.get("/admin/sites/shop/").get_data(as_text=True)


def test_publish_bumps_the_revision_and_visitors_see_it(client, shop):
    sites_service.add_service(shop, "advertising", name="Ads")
    token = csrf_token(client, "/admin/sites/shop/publish")
    response = client.post("/admin/sites/shop/publish", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/sites/shop/revisions/2"
    config = client.get(CONFIG).json
    assert config["revision"] == 2 and config["categories"][2]["services"][0]["name"] == "Ads"
    assert "unpublished changes" not in client.get("/admin/sites/shop/").get_data(as_text=True)


def test_old_revisions_stay_viewable_as_they_were_shown(client, shop):
    sites_service.add_service(shop, "advertising", name="Ads")
    token = csrf_token(client, "/admin/sites/shop/publish")
    client.post("/admin/sites/shop/publish", data={"csrf_token": token})
    first = client.get("/admin/sites/shop/revisions/1").get_data(as_text=True)
    second = client.get("/admin/sites/shop/revisions/2").get_data(as_text=True)
    assert "Ads" not in first and "Ads" in second
    listing = client.get("/admin/sites/shop/revisions/").get_data(as_text=True)
    assert "owner@acme.example" in listing
    assert client.get("/admin/sites/shop/revisions/3").status_code == 404


def test_viewer_sees_revisions_but_cannot_publish(client, make_admin, make_site, login):
    user = make_admin(role="viewer")
    login(user.email)
    site = make_site(key="shop", org=user.organization)
    token = csrf_token(client, "/admin/")
    assert client.get("/admin/sites/shop/revisions/1").status_code == 200
    assert client.post("/admin/sites/shop/publish", data={"csrf_token": token}).status_code == 403
    assert site.revision == 1
