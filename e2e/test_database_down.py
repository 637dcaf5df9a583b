"""The consent server is up but its database is down (PostgreSQL on a closed port): the
API answers 503 at once, the page keeps working, nothing gated runs, nothing is stored."""
import json
import socket
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from consent_server import create_app
from conftest import LiveServer
from support import BANNER, DENIED, data_layer, ran


@pytest.fixture(scope="module")
def down_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens here once the block ends
    app = create_app({"TESTING": True, "SECRET_KEY": "e2e-secret", "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://consent@127.0.0.1:{closed}/consent"})
    server = LiveServer(app)
    yield server.url
    server.stop()


def test_the_page_works_and_nothing_gated_runs_while_the_database_is_down(page, context, shop, watch, down_server):
    with pytest.raises(urllib.error.HTTPError) as answer:  # what the widget gets (without CORS: unknown site)
        urllib.request.urlopen(f"{down_server}/api/v1/sites/{shop.key}/config", timeout=5)
    assert answer.value.code == 503 and json.load(answer.value)["error"] == "database_unavailable"
    with page.expect_event("requestfailed", lambda r: "/config?" in r.url):
        page.goto(shop.url(api=down_server))
    page.wait_for_load_state("load")
    page.click("#work")
    expect(page.locator("#work")).to_have_text("Clicked")
    page.evaluate("Consent.show()")
    assert page.locator(BANNER).count() == 0
    assert ran(page) == [] and watch.third_party() == [] and shop.hits() == {}
    assert data_layer(page) == [["consent", "default", DENIED]]
    assert context.cookies() == [] and watch.errors == []
