"""What the server's regime decides before a choice, and right-to-left banners."""
import pytest
from playwright.sync_api import expect

from support import BANNER, LAYER1, action, cookie_names, ran, record_choice


@pytest.mark.parametrize("regime", ["opt-out", "notice"])
def test_pre_choice_state_follows_the_servers_defaults(regime, make_shop, page, watch):
    shop = make_shop(regime_override=regime)
    page.goto(shop.url())
    expect(page.locator(BANNER)).to_be_visible()
    config = watch.config()
    assert config["regime"] == regime
    defaults = {k: bool(config["defaults"].get(k)) for k in ("analytics", "advertising")}
    page.wait_for_load_state("networkidle")
    assert page.evaluate("Consent.get()") == {"necessary": True, **defaults}
    assert ("analytics-external" in ran(page)) == defaults["analytics"]
    assert ("ads-external" in ran(page)) == defaults["advertising"]
    assert shop.records() == []  # a pre-choice state is not a choice
    # conservative: accept and reject are offered in every regime
    expect(page.locator(action(LAYER1, "accept-all"))).to_be_visible()
    expect(page.locator(action(LAYER1, "reject-all"))).to_be_visible()
    body = {"notice": "notice.body", "opt-out": "optout.body"}[regime]
    expect(page.locator("#consent-body")).to_have_text(config["texts"][body])
    assert config["texts"][body] != config["texts"]["banner.body"]


@pytest.mark.parametrize("regime", ["opt-out", "notice"])
def test_reject_all_stops_what_the_regime_let_run_and_deletes_its_cookies(regime, make_shop, page, context, watch):
    shop = make_shop(regime_override=regime)
    page.goto(shop.url())
    expect(page.locator(BANNER)).to_be_visible()
    page.wait_for_function("(window.ran || []).length == 4")  # the regime let every tag run before a choice
    assert {"_e2e_an_id", "_e2e_ad_id"} <= cookie_names(context)
    with page.expect_navigation():  # scripts that ran cannot be stopped: the page reloads
        record_choice(page, action(LAYER1, "reject-all"), reloads=True)
    page.wait_for_load_state("networkidle")
    assert ran(page) == [] and page.evaluate("Consent.get()") == {
        "necessary": True, "analytics": False, "advertising": False}
    assert cookie_names(context) == {"consent"}  # the tags' cookies are gone
    assert [r["action"] for r in shop.records()] == ["reject_all"]
    assert page.locator(BANNER).count() == 0


def test_right_to_left_banner_is_mirrored(shop, page, watch):
    page.goto(shop.url(lang="ar"))
    expect(page.locator(BANNER)).to_be_visible()
    config = watch.config()
    if config["direction"] != "rtl":
        pytest.skip(f"the server serves no right-to-left locale yet (language {config['language']!r}): "
                    "the translated catalogs are not merged")
    banner = page.locator(BANNER)
    expect(banner).to_have_attribute("dir", "rtl")
    expect(banner).to_have_attribute("lang", config["language"])
    accept = page.locator(action(LAYER1, "accept-all")).bounding_box()
    reject = page.locator(action(LAYER1, "reject-all")).bounding_box()
    assert accept["x"] > reject["x"]  # the first button is on the right
    assert banner.evaluate("e => getComputedStyle(e).textAlign") in ("start", "right")
