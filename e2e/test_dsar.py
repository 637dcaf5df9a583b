"""The visitor's own data in Chromium: "Download my data" and "Delete my data" in the
preferences panel (widget/dsar.js, loaded from /d.js when the panel opens)."""
import json
import time

from playwright.sync_api import expect
from sqlalchemy import select

from consent_server.extensions import db
from consent_server.models import Event
from consent_server.services import analytics
from consent_server.services import sites as sites_service
from support import LAYER1, LAYER2, action, consent_cookie, record_choice

DOWNLOAD = '#consent-data [data-consent-data="download"]'
DELETE = '#consent-data [data-consent-data="delete"]'


def events_of(shop, visitor_id) -> list[str]:
    analytics.flush(shop.app)
    with shop.app.app_context():
        site = sites_service.get_by_key(shop.key)
        return db.session.scalars(select(Event.type).where(Event.site_id == site.id,
                                                           Event.visitor_id == visitor_id)).all()


def wait_for_events(shop, visitor_id, timeout=15.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while not (found := events_of(shop, visitor_id)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def accept_and_open_panel(page, shop):
    page.goto(shop.url("analytics"))
    with page.expect_request(lambda r: "/events" in r.url):
        answer = record_choice(page, action(LAYER1, "accept-all"))
    assert wait_for_events(shop, answer["visitor_id"]) == ["pageview"]
    with page.expect_request(lambda r: r.url.endswith("/d.js")):
        page.click("#settings")
    expect(page.locator(LAYER2)).to_be_visible()
    expect(page.locator("#consent-data .cm-id")).to_contain_text(answer["visitor_id"])
    return answer


def test_the_module_is_not_loaded_before_a_choice(page, shop, watch):
    page.goto(shop.url("analytics"))
    page.click(action(LAYER1, "preferences"))
    expect(page.locator(LAYER2)).to_be_visible()
    page.wait_for_timeout(300)
    assert not any("/d.js" in u for u in watch.requests)
    assert page.locator("#consent-data").count() == 0


def test_download_my_data_saves_the_visitors_json(page, shop, tmp_path):
    answer = accept_and_open_panel(page, shop)
    with page.expect_download() as info:
        page.click(DOWNLOAD)
    download = info.value
    assert download.suggested_filename == f"my-data-{shop.key}.json"
    path = tmp_path / "data.json"
    download.save_as(path)
    doc = json.loads(path.read_text())
    assert doc["format"] == "consent-server/visitor-data" and doc["visitor_id"] == answer["visitor_id"]
    assert [r["action"] for r in doc["consent_records"]] == ["accept_all"]
    assert doc["consent_records"][0]["hash"] == answer["hash"]
    assert [e["type"] for e in doc["analytics"]["events"]][:1] == ["pageview"]
    assert len(shop.records()) == 1  # reading records nothing


def test_delete_my_data_erases_withdraws_once_and_stops_the_tracker(page, context, shop, watch):
    answer = accept_and_open_panel(page, shop)
    vid = answer["visitor_id"]
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: "/visitors/" in r.url and r.request.method == "DELETE") as info:
        page.click(DELETE)
    assert info.value.status == 200
    assert info.value.json()["erased"]["events"] >= 1
    expect(page.locator("#consent-data .cm-data-status")).to_have_text(
        "Your analytics data has been deleted and your consent has been withdrawn.")
    expect(page.locator(LAYER2)).to_be_visible()  # reopened with the new state
    expect(page.locator("[data-consent-category=analytics]")).not_to_be_checked()
    assert page.evaluate("Consent.get()") == {"necessary": True, "analytics": False, "advertising": False}
    page.wait_for_function("document.cookie.includes('%22analytics%22%3A0')")
    assert consent_cookie(context)["c"] == {"analytics": 0, "advertising": 0}
    records = shop.records()
    assert [r["action"] for r in records] == ["accept_all", "withdraw"]  # one withdrawal: the server's
    assert records[1]["choices"] == {"necessary": True, "analytics": False, "advertising": False}
    # nothing is collected any more: the tracker stopped, no beacon leaves the page
    beacons = [u for u in watch.requests if "/events" in u]
    page.click("#spa")
    page.click("#outbound")
    page.wait_for_timeout(1500)
    page.goto("about:blank")
    assert [u for u in watch.requests if "/events" in u] == beacons
    assert events_of(shop, vid) == []
    assert not watch.errors


def test_delete_on_a_page_whose_tags_ran_reloads_into_the_withdrawn_state(page, shop):
    page.goto(shop.url())
    record_choice(page, action(LAYER1, "accept-all"))
    page.wait_for_function("(window.ran || []).length == 4")
    with page.expect_request(lambda r: r.url.endswith("/d.js")):
        page.click("#settings")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():  # running scripts cannot be stopped: the widget reloads
        page.click(DELETE)
    page.wait_for_load_state()
    page.wait_for_timeout(500)
    assert page.evaluate("window.ran || []") == []
    expect(page.locator(".consent-placeholder")).to_be_visible()
    assert [r["action"] for r in shop.records()] == ["accept_all", "withdraw"]


def test_cancelling_the_confirmation_deletes_nothing(page, shop, watch):
    answer = accept_and_open_panel(page, shop)
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click(DELETE)
    page.wait_for_timeout(500)
    assert not any("/visitors/" in u for u in watch.requests)
    assert events_of(shop, answer["visitor_id"]) == ["pageview"]
    assert len(shop.records()) == 1
