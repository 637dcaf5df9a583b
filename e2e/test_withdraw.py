"""Withdrawal: as easy as consent, from any "Cookie settings" control or the API."""
from playwright.sync_api import expect

from support import (BANNER, DENIED, LAYER1, LAYER2, action, consent_cookie, cookie_names, mode, ran,
                     record_choice)


def accept_all(page, shop):
    page.goto(shop.url())
    answer = record_choice(page, action(LAYER1, "accept-all"))
    page.wait_for_function("(window.ran || []).length == 4")
    return answer


def test_settings_link_reopens_the_panel_with_the_current_state(page, context, shop, watch):
    answer = accept_all(page, shop)
    page.click("#settings")
    expect(page.locator(LAYER2)).to_be_visible()
    expect(page.locator(LAYER1)).to_be_hidden()
    assert page.locator("[data-consent-category]").evaluate_all(
        "bs => bs.map(b => [b.dataset.consentCategory, b.checked, b.disabled])") == [
        ["necessary", True, True], ["analytics", True, False], ["advertising", True, False]]
    expect(page.locator(".cm-id")).to_contain_text(answer["visitor_id"])
    expect(page.locator(action(LAYER2, "close"))).to_be_visible()
    expect(page.locator(BANNER)).to_be_focused()
    page.keyboard.press("Escape")  # closes, records nothing, focus back on the link
    expect(page.locator(BANNER)).to_be_hidden()
    expect(page.locator("#settings")).to_be_focused()
    assert len(shop.records()) == 1 and page.url == shop.url()  # the href="#" was not followed


def test_revoking_one_category_stops_it_deletes_its_cookies_and_records_it(page, context, shop, watch, dl_log):
    accept_all(page, shop)
    assert cookie_names(context) == {"consent", "_e2e_an_id", "_e2e_ad_id"}
    page.click("#settings")
    page.uncheck("[data-consent-category=advertising]")
    with page.expect_navigation():  # advertising tags ran on this page: it reloads to stop them
        record_choice(page, action(LAYER2, "save"), reloads=True)
    page.wait_for_function("(window.ran || []).length == 2")

    assert ran(page) == ["analytics-external", "analytics-inline"]
    expect(page.locator(".consent-placeholder")).to_be_visible()
    assert page.get_attribute("#pixel", "src") is None
    assert cookie_names(context) == {"consent", "_e2e_an_id"}  # _e2e_ad_id deleted, analytics kept
    assert consent_cookie(context)["c"] == {"analytics": 1, "advertising": 0}
    first, second = shop.records()
    assert second["action"] == "save" and second["layer"] == 2
    assert second["choices"] == {"necessary": True, "analytics": True, "advertising": False}
    assert second["previous_id"] == first["id"] and second["visitor_id"] == first["visitor_id"]
    # Consent Mode heard: default, accept, the revocation; then after the reload, default and the stored choice.
    assert dl_log == [["consent", "default", DENIED], ["consent", "update", mode(True, True)],
                      ["consent", "update", mode(True, False)],
                      ["consent", "default", DENIED], ["consent", "update", mode(True, False)]]


def test_reject_all_in_the_reopened_panel_is_a_withdrawal(page, context, shop, watch):
    accept_all(page, shop)
    page.click("#settings")
    with page.expect_navigation():
        record_choice(page, action(LAYER2, "reject-all"), reloads=True)
    page.wait_for_load_state()
    assert ran(page) == []
    assert cookie_names(context) == {"consent"}
    assert [r["action"] for r in shop.records()] == ["accept_all", "withdraw"]
    assert shop.records()[1]["choices"] == {"necessary": True, "analytics": False, "advertising": False}
    assert page.locator(BANNER).count() == 0


def test_consent_withdraw_denies_everything(page, context, shop, watch, dl_log):
    accept_all(page, shop)
    with page.expect_navigation():
        with page.expect_response(lambda r: "/consents" in r.url) as answer:
            page.evaluate("Consent.withdraw()")
    assert answer.value.status == 201
    page.wait_for_load_state()
    assert ran(page) == [] and page.evaluate("Consent.get()") == {
        "necessary": True, "analytics": False, "advertising": False}
    assert cookie_names(context) == {"consent"}
    [_, record] = shop.records()
    assert record["action"] == "withdraw" and record["layer"] is None
    assert ["consent", "update", mode(False, False)] in dl_log
    assert dl_log.index(["consent", "update", mode(False, False)]) > dl_log.index(["consent", "update", mode(True, True)])


def test_revoking_embeds_reverts_them_in_place_without_a_reload(page, context, shop, watch):
    page.goto(shop.url("embeds"))
    record_choice(page, ".consent-placeholder button")  # "Allow Advertising cookies"
    expect(page.frame_locator("#video").locator("#embed")).to_be_visible()
    page.wait_for_function("document.getElementById('pixel').complete")
    page.evaluate("window.samePage = 1")

    page.click("#settings")
    page.uncheck("[data-consent-category=advertising]")
    record_choice(page, action(LAYER2, "save"))
    assert page.evaluate("window.samePage") == 1  # nothing had run that needs a reload to stop
    expect(page.locator(".consent-placeholder")).to_be_visible()
    expect(page.locator("#video")).to_be_hidden()
    assert page.get_attribute("#video", "src") == "about:blank"
    assert page.get_attribute("#pixel", "src") is None
    assert [(r["action"], r["choices"]["advertising"]) for r in shop.records()] == [("save", True), ("withdraw", False)]
