"""The widget on a hostile page: a polluted Object.prototype and clobbered globals grant
nothing, run nothing gated and send nothing to third parties; the banner still works."""
from playwright.sync_api import expect

from support import BANNER, LAYER1, action, ran, record_choice


def test_a_polluted_prototype_grants_nothing(page, context, shop, watch):
    page.goto(shop.url("hostile"))
    expect(page.locator(BANNER)).to_be_visible()
    page.click("#work")
    expect(page.locator("#work")).to_have_text("Clicked")
    page.wait_for_timeout(300)
    assert ran(page) == [] and watch.third_party() == [] and shop.hits() == {}
    assert page.get_attribute("#video", "src") is None and page.get_attribute("#pixel", "src") is None
    granted = page.evaluate("Consent.get()")
    assert granted["analytics"] is False and granted["advertising"] is False
    assert shop.records() == []


def test_a_choice_on_a_hostile_page_is_recorded_as_made(page, context, shop, watch):
    page.goto(shop.url("hostile"))
    record_choice(page, action(LAYER1, "reject-all"))
    page.wait_for_timeout(300)
    assert ran(page) == [] and shop.hits() == {}
    [record] = shop.records()
    assert record["choices"] == {"necessary": True, "analytics": False, "advertising": False}
    page.reload()
    page.wait_for_load_state("load")
    assert page.locator(BANNER).count() == 0 or not page.locator(BANNER).is_visible()
    assert ran(page) == [] and shop.hits() == {}


def test_a_javascript_url_is_never_loaded_even_after_a_grant(page, context, shop, watch):
    page.goto(shop.url("hostile"))
    record_choice(page, action(LAYER1, "accept-all"))
    page.wait_for_function("(window.ran || []).length >= 2")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
