"""The banner on a first visit, and the three ways to answer it (opt-in regime)."""
from playwright.sync_api import expect

from support import (BANNER, DENIED, LAYER1, LAYER2, action, consent_cookie, consent_updates, cookie_names,
                     data_layer, mode, ran, record_choice)

ALL_GATED = ["analytics-external", "analytics-inline", "ads-external", "both-inline"]


def open_first_visit(page, shop, watch):
    page.goto(shop.url())
    expect(page.locator(BANNER)).to_be_visible()
    return watch.config()


def test_first_visit_shows_the_banner_and_nothing_gated_runs(page, context, shop, watch):
    config = open_first_visit(page, shop, watch)
    texts = config["texts"]
    assert config["regime"] == "opt-in"

    banner = page.locator(BANNER)
    expect(banner).to_have_attribute("role", "dialog")
    expect(banner).to_have_attribute("aria-modal", "false")
    title = page.locator("#" + banner.get_attribute("aria-labelledby"))
    expect(title).to_have_text(texts["banner.title"])
    expect(title).to_be_visible()
    expect(page.locator("#" + banner.get_attribute("aria-describedby"))).to_have_text(texts["banner.body"])
    assert "cookies" in texts["banner.body"].lower()
    for name, key in (("accept-all", "accept_all"), ("reject-all", "reject_all"), ("preferences", "preferences")):
        expect(page.locator(action(LAYER1, name))).to_be_visible()
        expect(page.locator(action(LAYER1, name))).to_have_text(texts[f"banner.{key}"])
    expect(page.locator(LAYER2)).to_be_hidden()

    # The embed waits behind a placeholder that says what is blocked and offers to allow it.
    advertising = next(c["name"] for c in config["categories"] if c["key"] == "advertising")
    placeholder = page.locator(".consent-placeholder")
    expect(placeholder).to_be_visible()
    expect(placeholder.locator("p")).to_have_text(texts["placeholder.blocked"].replace("{category}", advertising))
    expect(placeholder.locator("button")).to_have_text(texts["placeholder.allow"].replace("{category}", advertising))
    expect(page.locator("#video")).to_be_hidden()
    assert page.get_attribute("#video", "src") is None
    assert page.get_attribute("#pixel", "src") is None

    # Nothing gated ran, was requested or stored; Consent Mode got only its default.
    assert ran(page) == []
    assert watch.third_party() == [] and shop.hits() == {}
    assert context.cookies() == []
    assert data_layer(page) == [["consent", "default", DENIED]]
    assert page.evaluate("Consent.get()") == {"necessary": True, "analytics": False, "advertising": False}
    assert shop.records() == []
    assert watch.posts() == []
    assert watch.errors == []


def test_scrolling_clicking_and_navigating_in_page_record_nothing(page, context, shop, watch):
    open_first_visit(page, shop, watch)
    page.mouse.wheel(0, 1500)
    page.click("#work")
    expect(page.locator("#work")).to_have_text("Clicked")  # the page works under the banner
    page.evaluate("history.pushState({}, '', '#elsewhere')")
    page.keyboard.press("Escape")
    expect(page.locator(BANNER)).to_be_visible()
    assert watch.posts() == [] and shop.records() == []
    assert ran(page) == [] and watch.third_party() == []
    assert context.cookies() == []


def test_accept_all_runs_every_gated_tag_in_order_and_records_it(page, context, shop, watch):
    config = open_first_visit(page, shop, watch)
    answer = record_choice(page, action(LAYER1, "accept-all"))

    expect(page.locator(BANNER)).to_be_hidden()
    page.wait_for_function("(window.ran || []).length == 4")
    assert ran(page) == ALL_GATED  # document order, the external ones waited for
    expect(page.frame_locator("#video").locator("#embed")).to_have_text("Partner video loaded")
    expect(page.locator(".consent-placeholder")).to_have_count(0)
    page.wait_for_function("document.getElementById('pixel').complete")
    assert shop.hits() == {"analytics.js": 1, "ads.js": 1, "embed.html": 1, "pixel.gif": 1}

    assert data_layer(page) == [["consent", "default", DENIED], ["consent", "update", mode(True, True)]]
    assert page.evaluate("Consent.get()") == {"necessary": True, "analytics": True, "advertising": True}
    assert page.evaluate("Consent.visitorId") == answer["visitor_id"]

    [record] = shop.records()
    assert record["action"] == "accept_all" and record["layer"] == 1
    assert record["choices"] == {"necessary": True, "analytics": True, "advertising": True}
    assert record["revision"] == config["revision"] == 1 and record["gpc"] is False
    assert record["visitor_id"] == answer["visitor_id"]
    assert record["page_url"] == shop.url().split("?")[0]  # no query string in the ledger

    cookie = consent_cookie(context)
    assert cookie["id"] == answer["visitor_id"] and cookie["token"] == answer["token"]
    assert cookie["rev"] == 1 and cookie["c"] == {"analytics": 1, "advertising": 1}
    assert cookie_names(context) == {"consent", "_e2e_an_id", "_e2e_ad_id"}
    expect(page.locator("[role=status]")).to_have_text(config["texts"]["banner.saved"])
    assert watch.errors == []


def test_reject_all_keeps_every_gated_tag_blocked_and_records_it(page, context, shop, watch):
    config = open_first_visit(page, shop, watch)
    record_choice(page, action(LAYER1, "reject-all"))

    expect(page.locator(BANNER)).to_be_hidden()
    expect(page.locator("[role=status]")).to_have_text(config["texts"]["banner.saved"])
    [record] = shop.records()
    assert record["action"] == "reject_all" and record["layer"] == 1
    assert record["choices"] == {"necessary": True, "analytics": False, "advertising": False}
    assert consent_cookie(context)["c"] == {"analytics": 0, "advertising": 0}
    assert cookie_names(context) == {"consent"}  # the refusal is stored, nothing else

    assert data_layer(page) == [["consent", "default", DENIED], ["consent", "update", mode(False, False)]]
    expect(page.locator(".consent-placeholder")).to_be_visible()
    page.click("#work")  # no cookie wall
    expect(page.locator("#work")).to_have_text("Clicked")
    assert ran(page) == [] and watch.third_party() == [] and shop.hits() == {}


def test_preferences_list_categories_and_services_and_save_one_category(page, context, shop, watch):
    config = open_first_visit(page, shop, watch)
    texts = config["texts"]
    page.click(action(LAYER1, "preferences"))
    expect(page.locator(LAYER2)).to_be_visible()
    expect(page.locator(LAYER1)).to_be_hidden()
    expect(page.locator(BANNER)).to_have_attribute("aria-labelledby", "consent-prefs-title")
    expect(page.locator("#consent-prefs-title")).to_have_text(texts["prefs.title"])

    boxes = page.locator("input[type=checkbox][data-consent-category]")
    assert boxes.evaluate_all("bs => bs.map(b => [b.dataset.consentCategory, b.checked, b.disabled])") == [
        ["necessary", True, True], ["analytics", False, False], ["advertising", False, False]]
    for category in config["categories"]:
        block = page.locator(".cm-cat", has=page.locator(f"[data-consent-category={category['key']}]"))
        expect(block).to_contain_text(category["name"])
        expect(block).to_contain_text(category["description"])
        for service in category["services"]:
            block.locator("summary").click()
            item = block.locator("li", has_text=service["name"])
            expect(item).to_contain_text(service["provider"])
            for cookie in service["cookies"]:
                expect(item).to_contain_text(f"{cookie['name']} ({texts['prefs.lifetime']}: {cookie['lifetime']})")
            if service["privacy_policy_url"]:
                link = item.get_by_role("link", name=texts["prefs.privacy_policy"])
                expect(link).to_have_attribute("href", service["privacy_policy_url"])
                expect(link).to_have_attribute("target", "_blank")
                assert "noopener" in link.get_attribute("rel")
    # Accept all and Reject all are on the second layer too.
    expect(page.locator(action(LAYER2, "accept-all"))).to_be_visible()
    expect(page.locator(action(LAYER2, "reject-all"))).to_be_visible()
    expect(page.locator(action(LAYER2, "close"))).to_be_hidden()  # nothing to close to before a choice

    page.check("[data-consent-category=analytics]")
    assert watch.posts() == []  # ticking a box records nothing
    record_choice(page, action(LAYER2, "save"))

    page.wait_for_function("(window.ran || []).length == 2")
    assert ran(page) == ["analytics-external", "analytics-inline"]  # not ads, not analytics+advertising
    expect(page.locator(".consent-placeholder")).to_be_visible()
    assert page.get_attribute("#pixel", "src") is None
    assert shop.hits() == {"analytics.js": 1}
    assert [u for u in watch.third_party() if "analytics.js" not in u] == []
    assert data_layer(page) == [["consent", "default", DENIED], ["consent", "update", mode(True, False)]]
    [record] = shop.records()
    assert record["action"] == "save" and record["layer"] == 2
    assert record["choices"] == {"necessary": True, "analytics": True, "advertising": False}
    assert consent_cookie(context)["c"] == {"analytics": 1, "advertising": 0}
    assert cookie_names(context) == {"consent", "_e2e_an_id"}


def test_placeholder_button_allows_its_category(page, context, shop, watch):
    open_first_visit(page, shop, watch)
    record_choice(page, ".consent-placeholder button")
    expect(page.frame_locator("#video").locator("#embed")).to_be_visible()
    page.wait_for_function("(window.ran || []).includes('ads-external')")
    assert ran(page) == ["ads-external"]
    [record] = shop.records()
    assert record["action"] == "save" and record["layer"] is None
    assert record["choices"] == {"necessary": True, "analytics": False, "advertising": True}
    assert consent_updates(page) == [mode(False, True)]


def test_accept_and_reject_have_equal_prominence_on_both_layers(page, shop, watch):
    open_first_visit(page, shop, watch)
    style = """e => { const s = getComputedStyle(e), r = e.getBoundingClientRect();
        return {tag: e.tagName, cls: e.className, font: s.font, size: s.fontSize, weight: s.fontWeight,
                family: s.fontFamily, color: s.color, bg: s.backgroundColor, border: s.border,
                padding: s.padding, w: Math.round(r.width), h: Math.round(r.height), opacity: s.opacity,
                decoration: s.textDecorationLine, visible: r.width > 0 && r.height > 0}; }"""
    for layer in (LAYER1, LAYER2):
        if layer == LAYER2:
            page.click(action(LAYER1, "preferences"))
        accept = page.locator(action(layer, "accept-all")).evaluate(style)
        reject = page.locator(action(layer, "reject-all")).evaluate(style)
        assert accept == reject
        assert accept["tag"] == "BUTTON" and accept["visible"] and accept["w"] >= 100 and accept["h"] >= 36
        assert accept["color"] != accept["bg"]


def test_banner_overlays_without_shifting_the_layout(page, shop, watch):
    held = []
    page.route("**/api/v1/sites/*/config*", lambda route: held.append(route))
    page.goto(shop.url())
    page.wait_for_function("document.readyState == 'complete'")
    assert held, "the config request is held"
    geometry = """() => ({scroll: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth,
        top: document.getElementById('top').getBoundingClientRect().toJSON(),
        work: document.getElementById('work').getBoundingClientRect().toJSON()})"""
    before = page.evaluate(geometry)
    held[0].continue_()
    expect(page.locator(BANNER)).to_be_visible()
    assert page.evaluate(geometry) == before
    assert page.locator(BANNER).evaluate("e => getComputedStyle(e).position") == "fixed"
    box = page.locator(BANNER).bounding_box()
    viewport = page.viewport_size
    assert round(box["y"] + box["height"]) == viewport["height"]  # anchored at the bottom


def test_hostile_configuration_is_shown_as_text(make_shop, page, watch):
    shop = make_shop(hostile=True)
    page.goto(shop.url())
    expect(page.locator(BANNER)).to_be_visible()
    expect(page.locator("#consent-title")).to_have_text('<img src=x onerror="window.__xss=1">Cookies')
    page.click(action(LAYER1, "preferences"))
    page.locator(".cm-cat", has=page.locator("[data-consent-category=analytics]")).locator("summary").click()
    evil = page.locator("li", has_text="<img src=x onerror=window.__xss=1>")
    expect(evil).to_be_visible()
    expect(evil.locator("a")).to_have_count(0)  # a javascript: link is not a link
    assert page.locator(f"{BANNER} img").count() == 0
    assert page.evaluate("window.__xss") is None
