"""The consent server is unreachable: nothing gated runs, the page works, nothing escapes."""
import socket

from playwright.sync_api import expect

from support import BANNER, DENIED, LAYER1, action, consent_cookie, data_layer, mode, ran, record_choice


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # closed when the block ends


def test_first_visit_with_the_server_down(page, context, shop, watch):
    with page.expect_event("requestfailed", lambda r: "/config?" in r.url):
        page.goto(shop.url(api=closed_port_url()))
    page.wait_for_load_state("load")
    page.click("#work")
    expect(page.locator("#work")).to_have_text("Clicked")
    page.click("#settings")  # nothing to show, and no error
    page.evaluate("Consent.show()")
    assert page.locator(BANNER).count() == 0
    assert ran(page) == [] and watch.third_party() == [] and shop.hits() == {}
    assert page.get_attribute("#video", "src") is None and page.get_attribute("#pixel", "src") is None
    assert context.cookies() == []
    assert data_layer(page) == [["consent", "default", DENIED]]
    assert page.evaluate("Consent.get()") == {"necessary": True, "analytics": False, "advertising": False}
    assert watch.errors == []
    assert shop.records() == []


def test_returning_visitor_with_the_server_down_keeps_the_stored_choice(page, context, shop, watch):
    page.goto(shop.url())
    page.click(action(LAYER1, "preferences"))
    page.check("[data-consent-category=analytics]")
    record_choice(page, '#consent-banner .cm-l2 [data-consent-action="save"]')
    watch.requests.clear()

    page.goto(shop.url(api=closed_port_url()))
    page.wait_for_function("(window.ran || []).length == 2")
    assert ran(page) == ["analytics-external", "analytics-inline"]
    assert data_layer(page) == [["consent", "default", DENIED], ["consent", "update", mode(True, False)]]
    if not any("/config?" in u for u in watch.requests):  # fetched at idle time
        page.wait_for_event("requestfailed", lambda r: "/config?" in r.url)
    assert page.locator(BANNER).count() == 0 and watch.errors == []


def test_a_failed_record_is_retried_once_and_the_choice_holds_for_this_page_only(page, context, shop, watch):
    attempts = []
    page.route("**/consents*", lambda route: (attempts.append(route.request.url), route.abort()))
    page.goto(shop.url())
    expect(page.locator(BANNER)).to_be_visible()
    page.click(action(LAYER1, "accept-all"))
    page.wait_for_function("(window.ran || []).length == 4")  # the visitor chose: applied at once
    for _ in range(100):  # the retry comes 1.5 s after the failure
        if len(attempts) >= 2:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(4000)  # a second retry would come 1.5 s after the first: none comes
    assert len(attempts) == 2  # one retry, no more
    assert consent_cookie(context) is None  # no cookie without a record behind it
    assert shop.records() == [] and watch.errors == []

    page.unroute("**/consents*")
    page.reload()
    expect(page.locator(BANNER)).to_be_visible()  # asked again
    assert ran(page) == []


def test_a_revocation_that_cannot_be_recorded_still_sticks(page, context, shop, watch):
    page.goto(shop.url())
    record_choice(page, action(LAYER1, "accept-all"))
    page.wait_for_function("(window.ran || []).length == 4")
    before = consent_cookie(context)

    attempts = []
    page.route("**/consents*", lambda route: (attempts.append(1), route.abort()))
    page.click("#settings")
    page.uncheck("[data-consent-category=advertising]")
    with page.expect_navigation(timeout=15000):  # after the retry fails, the page reloads
        page.click('#consent-banner .cm-l2 [data-consent-action="save"]')
    page.wait_for_function("(window.ran || []).length == 2")
    assert len(attempts) == 2
    assert ran(page) == ["analytics-external", "analytics-inline"]  # advertising stays stopped
    after = consent_cookie(context)
    assert after["c"] == {"analytics": 1, "advertising": 0}
    assert after["id"] == before["id"] and after["token"] == before["token"]
    assert "_e2e_ad_id" not in {c["name"] for c in context.cookies()}
    assert len(shop.records()) == 1  # the ledger only has what it was told


def test_a_grant_that_cannot_be_recorded_is_not_stored(page, context, shop, watch):
    page.goto(shop.url())
    record_choice(page, action(LAYER1, "reject-all"))
    attempts = []
    page.route("**/consents*", lambda route: (attempts.append(1), route.abort()))
    page.click("#settings")
    page.check("[data-consent-category=analytics]")
    page.click('#consent-banner .cm-l2 [data-consent-action="save"]')
    page.wait_for_function("(window.ran || []).length == 2")  # applied for this page view
    for _ in range(100):
        if len(attempts) >= 2:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)
    assert consent_cookie(context)["c"] == {"analytics": 0, "advertising": 0}
    page.unroute("**/consents*")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert ran(page) == []  # the next page view goes by what was recorded
