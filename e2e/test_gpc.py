"""Global Privacy Control: read, sent, honoured as an opt-out of advertising; never a grant."""
import pytest
from playwright.sync_api import expect

from support import (BANNER, DENIED, LAYER1, LAYER2, action, consent_updates, cookie_names, data_layer, ran,
                     record_choice)

GPC_ON = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true, configurable: true});"


@pytest.fixture
def gpc(context):
    context.add_init_script(GPC_ON)


def wait_for_gpc_record(page, shop):
    page.wait_for_function("document.querySelector('[role=status]') && "
                           "document.querySelector('[role=status]').textContent != ''")
    return shop.records()


def test_gpc_in_an_opt_out_regime_turns_advertising_off_and_says_so(gpc, make_shop, page, context, watch):
    shop = make_shop(regime_override="opt-out")
    page.goto(shop.url())
    expect(page.locator(BANNER)).to_be_visible()
    config = watch.config()
    texts = config["texts"]
    assert config["regime"] == "opt-out" and config["gpc"] is True
    assert all("gpc=1" in u for u in watch.requests if "/config?" in u)

    expect(page.locator("#consent-title")).to_have_text(texts["optout.title"])
    expect(page.locator(f"{LAYER1} .cm-gpc")).to_have_text(texts["optout.gpc_honored"])
    expect(page.locator('[data-consent-action="do-not-sell"]')).to_have_count(0)  # already honoured

    # The opt-out is recorded at once, once, as a "gpc" action.
    [record] = wait_for_gpc_record(page, shop)
    analytics = bool(config["defaults"].get("analytics"))
    assert record["action"] == "gpc" and record["gpc"] is True and record["regime"] == "opt-out"
    assert record["choices"] == {"necessary": True, "analytics": analytics, "advertising": False}
    assert all(u["ad_storage"] == "denied" and u["ad_user_data"] == "denied" for u in consent_updates(page))
    assert data_layer(page)[0] == ["consent", "default", DENIED]

    # Nothing can grant advertising now: the toggle is locked, Accept all leaves it off.
    page.click(action(LAYER1, "preferences"))
    box = page.locator("[data-consent-category=advertising]")
    expect(box).to_be_disabled()
    expect(box).not_to_be_checked()
    record_choice(page, action(LAYER2, "accept-all"))
    assert shop.records()[-1]["choices"]["advertising"] is False and shop.records()[-1]["gpc"] is True
    with page.expect_response(lambda r: "/consents" in r.url):
        assert page.evaluate("Consent.set({advertising: true}), Consent.get().advertising") is False
    assert shop.records()[-1]["action"] == "api" and shop.records()[-1]["choices"]["advertising"] is False
    assert not any(n in u for u in watch.third_party() for n in ("ads.js", "pixel.gif", "embed.html"))
    assert "ads-external" not in ran(page) and "both-inline" not in ran(page)
    if analytics:
        assert "analytics-external" in ran(page)

    # Honoured once: the next page view records nothing new and shows no banner.
    count = len(shop.records())
    page.reload()
    expect(page.locator(".consent-placeholder")).to_be_visible()
    assert page.locator(BANNER).count() == 0 and len(shop.records()) == count


def test_gpc_via_a_pretend_california_location(gpc, shop, page, watch):
    page.goto(shop.url(geo="US-CA"))
    expect(page.locator(BANNER)).to_be_visible()
    config = watch.config()
    if config["regime"] != "opt-out":
        pytest.skip(f"the server does not resolve ?geo=US-CA to opt-out yet (regime {config['regime']!r}, "
                    f"reason {config.get('regime_reason')!r}): the geo rules are not merged")
    [record] = wait_for_gpc_record(page, shop)
    assert record["action"] == "gpc" and record["choices"]["advertising"] is False
    assert all("geo=US-CA" in u for u in watch.posts())


def test_gpc_in_an_opt_in_regime_is_sent_and_grants_nothing_by_itself(gpc, shop, page, context, watch):
    page.goto(shop.url())
    expect(page.locator(BANNER)).to_be_visible()
    assert watch.config()["regime"] == "opt-in" and watch.config()["gpc"] is True
    expect(page.locator(".cm-gpc")).to_have_count(0)
    assert shop.records() == [] and ran(page) == [] and watch.third_party() == []
    record_choice(page, action(LAYER1, "reject-all"))
    [record] = shop.records()
    assert record["gpc"] is True and record["action"] == "reject_all"


def test_do_not_sell_without_gpc_in_an_opt_out_regime(make_shop, page, context, watch):
    shop = make_shop(regime_override="opt-out")
    page.goto(shop.url())
    expect(page.locator(BANNER)).to_be_visible()
    texts = watch.config()["texts"]
    button = page.locator(f'{LAYER1} [data-consent-action="do-not-sell"]')
    expect(button).to_have_text(texts["optout.do_not_sell"])
    assert shop.records() == []  # no GPC: nothing recorded before the visitor acts
    page.wait_for_function("(window.ran || []).includes('ads-external')")  # opt-out: ads ran before a choice
    assert "_e2e_ad_id" in cookie_names(context)
    with page.expect_navigation():  # the advertising tags that ran cannot be stopped: the page reloads
        record_choice(page, f'{LAYER1} [data-consent-action="do-not-sell"]', reloads=True)
    page.wait_for_load_state("networkidle")
    [record] = shop.records()
    assert record["action"] == "save" and record["choices"]["advertising"] is False and record["gpc"] is False
    assert page.evaluate("Consent.get().advertising") is False
    assert "ads-external" not in ran(page) and "analytics-external" in ran(page)
    assert "_e2e_ad_id" not in cookie_names(context) and "_e2e_an_id" in cookie_names(context)
