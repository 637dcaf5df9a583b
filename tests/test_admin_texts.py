"""Banner text overrides per language, with a preview of the draft."""
import pytest

from consent_server.services import revisions as revisions_service
from tests.conftest import csrf_token

CONFIG = "/api/v1/sites/shop/config"


@pytest.fixture
def shop(signed_in_site):
    return signed_in_site("editor")


def test_text_override_is_previewed_and_published(client, shop):
    token = csrf_token(client, "/admin/sites/shop/texts?language=de")
    response = client.post("/admin/sites/shop/texts?language=de", data={
        "csrf_token": token, "t_banner__title": "Kekse <b>hier</b>", "t_banner__accept_all": "  "})
    assert response.status_code == 302
    assert {(t.language, t.key, t.value) for t in shop.texts} == {("de", "banner.title", "Kekse <b>hier</b>")}
    page = client.get("/admin/sites/shop/texts?language=de").get_data(as_text=True)
    assert "Kekse &lt;b&gt;hier&lt;/b&gt;" in page  # the preview shows it, escaped
    assert "<b>hier</b>" not in page
    assert client.get(CONFIG + "?lang=de").json["texts"]["banner.title"] != "Kekse <b>hier</b>"
    revisions_service.publish(shop)
    assert client.get(CONFIG + "?lang=de").json["texts"]["banner.title"] == "Kekse <b>hier</b>"
    assert client.get(CONFIG + "?lang=en").json["texts"]["banner.title"] == "This website uses cookies"


def test_emptying_a_text_restores_the_shipped_translation(client, shop):
    token = csrf_token(client, "/admin/sites/shop/texts")
    client.post("/admin/sites/shop/texts?language=en", data={"csrf_token": token, "t_banner__title": "Hi"})
    assert len(shop.texts) == 1
    client.post("/admin/sites/shop/texts?language=en", data={"csrf_token": token, "t_banner__title": ""})
    assert shop.texts == []


def test_shipped_texts_are_the_placeholders(client, shop):
    page = client.get("/admin/sites/shop/texts?language=en").get_data(as_text=True)
    assert 'placeholder="Accept all"' in page


def test_unknown_language_falls_back_to_the_site_default(client, shop):
    page = client.get("/admin/sites/shop/texts?language=../../etc")
    assert page.status_code == 200
    assert "Overrides in en" in page.get_data(as_text=True)
