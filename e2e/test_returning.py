"""Returning visitors: the stored choice applies at once; a new revision or an old choice asks again."""
import time

from playwright.sync_api import expect

from support import (BANNER, DENIED, LAYER1, LAYER2, action, consent_cookie, cookie_names, data_layer, mode, ran,
                     record_choice)

CONFIG = "**/api/v1/sites/*/config*"


def choose_analytics_only(page, shop):
    page.goto(shop.url())
    page.click(action(LAYER1, "preferences"))
    page.check("[data-consent-category=analytics]")
    return record_choice(page, action(LAYER2, "save"))


def test_returning_visitor_gets_the_choice_before_the_config_arrives(page, context, shop, watch):
    first = choose_analytics_only(page, shop)
    held = []
    page.route(CONFIG, lambda route: held.append(route))
    watch.requests.clear()

    page.goto(shop.url())
    # The gated analytics tags run while the config request is still held by the test.
    page.wait_for_function("(window.ran || []).length == 2")
    assert ran(page) == ["analytics-external", "analytics-inline"]
    assert len(held) <= 1  # fetched at idle time, possibly not even sent yet
    assert page.locator(BANNER).count() == 0
    assert data_layer(page) == [["consent", "default", DENIED], ["consent", "update", mode(True, False)]]
    assert page.evaluate("Consent.get()") == {"necessary": True, "analytics": True, "advertising": False}
    assert page.evaluate("Consent.visitorId") == first["visitor_id"]
    assert [u for u in watch.third_party() if "analytics.js" not in u] == []
    assert page.get_attribute("#pixel", "src") is None

    if not held:  # the idle callback had not fired yet: wait for the request itself
        page.wait_for_event("request", lambda r: "/config?" in r.url)
    held[0].continue_()
    expect(page.locator(".consent-placeholder")).to_be_visible()  # the config was applied...
    assert page.locator(BANNER).count() == 0  # ...and asked for nothing
    assert watch.posts() == [] and len(shop.records()) == 1
    assert cookie_names(context) == {"consent", "_e2e_an_id"}


def test_a_new_revision_asks_again_and_the_old_choice_stops_applying(page, context, shop, watch):
    page.goto(shop.url())
    first = record_choice(page, action(LAYER1, "accept-all"))
    page.wait_for_function("(window.ran || []).length == 4")
    assert shop.publish() == 2
    watch.configs.clear()

    page.reload()
    expect(page.locator(BANNER)).to_be_visible()
    assert watch.config()["revision"] == 2
    expect(page.locator(LAYER1)).to_be_visible()
    # Applied from the cookie at once, then taken back when the config showed a new revision.
    assert data_layer(page) == [["consent", "default", DENIED], ["consent", "update", mode(True, True)],
                                ["consent", "update", {**mode(False, False),
                                                       "functionality_storage": "denied",
                                                       "personalization_storage": "denied"}]]
    assert page.evaluate("Consent.get()") == {"necessary": True, "analytics": False, "advertising": False}
    expect(page.locator(".consent-placeholder")).to_be_visible()
    assert page.get_attribute("#pixel", "src") is None
    expect(page.locator(action(LAYER1, "accept-all"))).to_be_visible()

    # Refusing now reloads the page (the old choice's tags ran on it) and clears their cookies.
    with page.expect_navigation():
        record_choice(page, action(LAYER1, "reject-all"), reloads=True)
    page.wait_for_load_state()
    expect(page.locator(".consent-placeholder")).to_be_visible()
    assert ran(page) == [] and page.locator(BANNER).count() == 0
    assert cookie_names(context) == {"consent"}
    old, new = shop.records()
    assert old["revision"] == 1 and old["action"] == "accept_all"
    assert new["revision"] == 2 and new["action"] == "reject_all"
    assert new["choices"] == {"necessary": True, "analytics": False, "advertising": False}
    assert new["visitor_id"] == old["visitor_id"] == first["visitor_id"] and new["previous_id"] == old["id"]
    assert consent_cookie(context)["rev"] == 2


def test_a_choice_older_than_the_site_lifetime_asks_again(make_shop, page, context, watch):
    shop = make_shop(consent_lifetime_days=30)
    page.goto(shop.url())
    record_choice(page, action(LAYER1, "accept-all"))
    assert consent_cookie(context)  # Max-Age = 30 days
    [cookie] = [c for c in context.cookies() if c["name"] == "consent"]
    assert 29 * 86400 < cookie["expires"] - time.time() <= 30 * 86400
    _age_consent_cookie(context, days=31)

    page.reload()
    expect(page.locator(BANNER)).to_be_visible()
    assert page.evaluate("Consent.get()") == {"necessary": True, "analytics": False, "advertising": False}


def test_a_choice_older_than_13_months_is_never_applied(page, context, shop, watch):
    page.goto(shop.url())
    record_choice(page, action(LAYER1, "accept-all"))
    _age_consent_cookie(context, days=400)
    held = []
    page.route(CONFIG, lambda route: held.append(route))
    watch.requests.clear()
    page.goto(shop.url())
    if not held:
        page.wait_for_event("request", lambda r: "/config?" in r.url)
    # fetched at once, as on a first visit; nothing ran meanwhile
    assert held and ran(page) == [] and watch.third_party() == []
    assert data_layer(page) == [["consent", "default", DENIED]]
    held[0].continue_()
    expect(page.locator(BANNER)).to_be_visible()


def _age_consent_cookie(context, days):
    import json
    from urllib.parse import quote

    [cookie] = [c for c in context.cookies() if c["name"] == "consent"]
    value = consent_cookie(context)
    value["ts"] -= days * 86400
    cookie["value"] = quote(json.dumps(value, separators=(",", ":")), safe="")
    context.add_cookies([cookie])


def test_the_widget_writes_the_cookie_when_the_browser_drops_the_servers(page, context, shop, watch):
    """As when the consent server is another site (or third-party cookies are blocked): the
    real answer reaches the page without its Set-Cookie; the widget stores the choice."""
    stripped = []

    def without_set_cookie(route):
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
        stripped.append(len(headers) < len(response.headers))
        route.fulfill(response=response, headers=headers)

    page.route("**/consents*", without_set_cookie)
    answer = choose_analytics_only(page, shop)
    page.wait_for_function("document.cookie.includes('consent=')")
    assert stripped == [True]  # the server did send one; the browser never saw it
    cookie = consent_cookie(context)
    assert cookie["id"] == answer["visitor_id"] and cookie["token"] == answer["token"]
    assert cookie["rev"] == 1 and cookie["c"] == {"analytics": 1, "advertising": 0}
    [raw] = [c for c in context.cookies() if c["name"] == "consent"]
    assert raw["sameSite"] == "Lax" and raw["path"] == "/" and not raw["httpOnly"]
    assert 181 * 86400 < raw["expires"] - time.time() <= 182 * 86400
    [record] = shop.records()
    assert abs(cookie["ts"] - time.time()) < 300 and record["visitor_id"] == cookie["id"]

    page.reload()
    page.wait_for_function("(window.ran || []).length == 2")
    assert page.locator(BANNER).count() == 0
