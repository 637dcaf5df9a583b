"""window.Consent: the queue stub, get/set/acceptAll/rejectAll/show/on, consent:change."""
from playwright.sync_api import expect

from support import BANNER, LAYER1, LAYER2, mode, consent_updates, ran


def test_calls_queued_before_load_are_replayed_and_the_api_records_choices(page, shop, watch):
    page.goto(shop.url("queue"))
    expect(page.locator(BANNER)).to_be_visible()
    assert page.evaluate("typeof Consent.get") == "function"
    assert page.evaluate("Consent.get()") == {"necessary": True, "analytics": False, "advertising": False}
    assert page.evaluate("Consent('get')") == page.evaluate("Consent.get()")  # the stub's call style still works

    with page.expect_response(lambda r: "/consents" in r.url) as answer:
        page.evaluate("Consent.set({analytics: true})")
    assert answer.value.status == 201
    page.wait_for_function("(window.ran || []).includes('analytics-external')")
    expect(page.locator(BANNER)).to_be_hidden()  # a choice was made
    expected = {"necessary": True, "analytics": True, "advertising": False}
    assert page.evaluate("window.heard") == [expected]  # registered through the queue
    assert page.evaluate("window.events") == [expected]  # the consent:change event
    assert page.evaluate("Consent.visitorId") == answer.value.json()["visitor_id"]
    [record] = shop.records()
    assert record["action"] == "api" and record["layer"] is None
    assert record["choices"] == {"necessary": True, **{k: v for k, v in expected.items() if k != "necessary"}}
    assert consent_updates(page) == [mode(True, False)]

    with page.expect_navigation():  # analytics ran on this page: refusing it reloads the page
        page.evaluate("Consent.rejectAll()")
    page.wait_for_load_state()
    none = {"necessary": True, "analytics": False, "advertising": False}
    assert page.evaluate("window.heard") == [none] and ran(page) == []  # the stored refusal, heard at once
    with page.expect_response(lambda r: "/consents" in r.url):
        page.evaluate("Consent.acceptAll()")
    assert [r["action"] for r in shop.records()] == ["api", "withdraw", "accept_all"]
    every = {"necessary": True, "analytics": True, "advertising": True}
    assert page.evaluate("Consent.get()") == every
    assert page.evaluate("window.events") == [every] and page.evaluate("window.heard") == [none, every]
    assert page.evaluate("Consent.on('nonsense', 1), Consent.set('nonsense'), Consent('nope'), 'survived'") == "survived"
    assert watch.errors == []


def test_queued_listeners_hear_a_returning_visitors_stored_choice(page, shop, watch):
    page.goto(shop.url("queue"))
    expect(page.locator(BANNER)).to_be_visible()
    with page.expect_response(lambda r: "/consents" in r.url):
        page.evaluate("Consent.acceptAll()")
    page.reload()
    page.wait_for_function("window.heard && window.heard.length == 1")
    assert page.evaluate("window.heard") == [{"necessary": True, "analytics": True, "advertising": True}]
    assert page.locator(BANNER).count() == 0
    page.evaluate("Consent.show()")  # a choice exists: straight to the preferences
    expect(page.locator(LAYER2)).to_be_visible()
    expect(page.locator("[data-consent-category=advertising]")).to_be_checked()


def test_loading_the_script_twice_does_no_harm(page, shop, watch):
    page.goto(shop.url())
    expect(page.locator(BANNER)).to_be_visible()
    page.add_script_tag(url=f"{shop.servers.consent}/consent.js")
    page.wait_for_load_state("networkidle")
    assert page.locator(BANNER).count() == 1
    assert sum(1 for e in page.evaluate("dataLayer.map(a => a[1])") if e == "default") == 1
    assert watch.errors == []
