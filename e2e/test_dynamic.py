"""Gated elements added after load (MutationObserver) and single-page-app navigations."""
from playwright.sync_api import expect

from support import BANNER, LAYER1, LAYER2, action, ran, record_choice


def late_pixels(watch, name):
    return [u for u in watch.third_party() if f"late={name}" in u]


def test_elements_added_later_wait_for_consent_then_run(page, shop, watch):
    page.goto(shop.url())
    expect(page.locator(BANNER)).to_be_visible()
    page.evaluate("addLater('late-analytics', 'analytics')")
    page.evaluate("addLater('late-ads', 'advertising')")
    page.evaluate("() => new Promise(requestAnimationFrame)")  # the observer has run
    assert ran(page) == [] and late_pixels(watch, "late-analytics") == []

    page.click(action(LAYER1, "preferences"))
    page.check("[data-consent-category=analytics]")
    record_choice(page, action(LAYER2, "save"))
    page.wait_for_function("(window.ran || []).includes('late-analytics')")
    assert ran(page) == ["analytics-external", "analytics-inline", "late-analytics"]
    page.wait_for_function("[...document.querySelectorAll('#later img')].some(i => i.getAttribute('src'))")
    page.wait_for_load_state("networkidle")
    assert len(late_pixels(watch, "late-analytics")) == 1 and late_pixels(watch, "late-ads") == []


def test_single_page_app_navigation_gates_the_new_view(page, shop, watch):
    page.goto(shop.url())
    page.click(action(LAYER1, "preferences"))
    page.check("[data-consent-category=analytics]")
    record_choice(page, action(LAYER2, "save"))
    page.wait_for_function("(window.ran || []).length == 2")

    page.evaluate("navigate('/page/shop.html?site=%s&view=2', 'view2-analytics', 'analytics')" % shop.key)
    page.wait_for_function("(window.ran || []).includes('view2-analytics')")
    page.evaluate("navigate('/page/shop.html?site=%s&view=3', 'view3-ads', 'advertising')" % shop.key)
    page.go_back()  # popstate re-scans too
    page.evaluate("() => new Promise(requestAnimationFrame)")
    assert "view3-ads" not in ran(page)
    assert page.url.endswith("view=2")
    assert ran(page) == ["analytics-external", "analytics-inline", "view2-analytics"]
