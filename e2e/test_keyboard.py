"""Keyboard only: focus moves into the dialog, Tab cycles, Esc leaves the preferences, screen readers hear it."""
from playwright.sync_api import expect

from support import BANNER, LAYER1, LAYER2, action, consent_updates, ran

FOCUSED = "() => { const e = document.activeElement; return e.dataset.consentAction || e.dataset.consentCategory || e.id || e.tagName; }"


def tab_cycle(page, key="Tab", limit=30):
    """Press key until focus comes back where it started; the names focused on the way."""
    start, seen = page.evaluate(FOCUSED), []
    for _ in range(limit):
        page.keyboard.press(key)
        now = page.evaluate(FOCUSED)
        assert page.evaluate("document.getElementById('consent-banner').contains(document.activeElement)")
        if now == start and seen:
            return seen
        seen.append(now)
    raise AssertionError(f"focus never came back to {start}: {seen}")


def test_keyboard_only_visitor(page, context, shop, watch):
    page.goto(shop.url())
    expect(page.locator(BANNER)).to_be_visible()
    texts = watch.config()["texts"]
    expect(page.locator(BANNER)).to_be_focused()  # focus moved into the dialog

    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "accept-all"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")  # a visible focus indicator
    assert tab_cycle(page) == ["reject-all", "preferences"]  # and back to accept-all
    assert tab_cycle(page, "Shift+Tab") == ["preferences", "reject-all"]

    # Preferences with Enter; the panel's controls cycle the same way.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUSED) == "preferences"
    page.keyboard.press("Enter")
    expect(page.locator(LAYER2)).to_be_visible()
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first == "analytics"  # necessary is disabled: not a stop
    cycle = tab_cycle(page)
    assert cycle[0] == "SUMMARY" and "advertising" in cycle
    assert cycle[-3:] == ["save", "accept-all", "reject-all"]  # "close" is hidden before a choice
    page.keyboard.press("Space")  # tick analytics...
    expect(page.locator("[data-consent-category=analytics]")).to_be_checked()

    # ...then Esc: back to the first layer, nothing recorded, nothing granted.
    page.keyboard.press("Escape")
    expect(page.locator(LAYER1)).to_be_visible()
    expect(page.locator(action(LAYER1, "preferences"))).to_be_focused()
    page.keyboard.press("Escape")  # Esc on the first layer is not consent either
    expect(page.locator(LAYER1)).to_be_visible()
    assert watch.posts() == [] and shop.records() == []
    assert ran(page) == [] and consent_updates(page) == []

    # Reject all with the keyboard; the live region announces it.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUSED) == "reject-all"
    with page.expect_response(lambda r: "/consents" in r.url):
        page.keyboard.press("Enter")
    live = page.locator("[role=status][aria-live=polite]")
    expect(live).to_have_text(texts["banner.saved"])
    expect(page.locator(BANNER)).to_be_hidden()
    [record] = shop.records()
    assert record["action"] == "reject_all" and record["layer"] == 1
    assert ran(page) == []

    # The settings link is reachable and reopens the panel for keyboard users too.
    page.focus("#settings")
    page.keyboard.press("Enter")
    expect(page.locator(LAYER2)).to_be_visible()
    expect(page.locator(BANNER)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(BANNER)).to_be_hidden()
    expect(page.locator("#settings")).to_be_focused()
    assert len(shop.records()) == 1
