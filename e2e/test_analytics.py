"""Consent-gated clickstream analytics in Chromium: the tracker (/t.js) and the events
endpoint, from the page to the database."""
import json
import time

import pytest
import requests
from sqlalchemy import select

from consent_server.extensions import db
from consent_server.models import Event
from consent_server.services import analytics
from consent_server.services import sites as sites_service
from support import LAYER1, LAYER2, action, consent_cookie, ran, record_choice


@pytest.fixture
def beacons(page):
    """Every request to the events endpoint (body as sent) and every fetch of the tracker."""
    seen = {"events": [], "tracker": []}

    def on_request(request):
        if "/events" in request.url:
            seen["events"].append(json.loads(request.post_data or "null"))
        elif "/t.js" in request.url or "/t." in request.url.rsplit("/", 1)[-1]:
            seen["tracker"].append(request.url)

    page.on("request", on_request)
    return seen


def stored(shop) -> list[Event]:
    """The site's events in the database, after writing what the server has buffered."""
    app = shop.app
    analytics.flush(app)
    with app.app_context():
        site = sites_service.get_by_key(shop.key)
        rows = db.session.scalars(select(Event).where(Event.site_id == site.id).order_by(Event.id)).all()
        db.session.expunge_all()
        return rows


def wait_for_rows(shop, done, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        rows = stored(shop)
        if done(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def sent(beacons) -> list[dict]:
    return [e for body in beacons["events"] for e in (body if isinstance(body, list) else [body])]


def interact(page):
    """Everything the tracker listens to: SPA navigation, outbound and download clicks, a
    custom event, scrolling."""
    page.click("#spa")
    page.click("#outbound")
    page.click("#download")
    page.click("#inside")  # a link inside the site: not an event
    page.evaluate("Consent.track('signup', {plan: 'pro', seats: 3, nested: {no: 1}})")
    page.mouse.wheel(0, 2500)
    page.wait_for_timeout(300)


def test_with_analytics_rejected_nothing_is_sent_and_the_tracker_never_loads(page, shop, beacons):
    page.goto(shop.url("analytics"))
    record_choice(page, action(LAYER1, "reject-all"))
    interact(page)
    page.wait_for_timeout(1500)  # longer than the tracker's batching delay
    page.goto("about:blank")  # pagehide: when the tracker would send engagement
    assert beacons["tracker"] == [] and beacons["events"] == []
    assert page.evaluate("typeof window.__consentTracker") == "undefined"
    assert stored(shop) == []


def test_after_accept_every_kind_of_event_arrives_and_is_stored(page, context, shop, beacons):
    page.goto(shop.url("analytics", utm_source="newsletter", utm_campaign="spring", email="a@b.example"))
    with page.expect_request(lambda r: "/events" in r.url):
        answer = record_choice(page, action(LAYER1, "accept-all"))
    assert len(beacons["tracker"]) == 1
    interact(page)
    page.wait_for_function("document.title == 'Step 2'")
    page.wait_for_timeout(1500)  # the tracker batches for a second
    kinds = [e["type"] for e in sent(beacons)]
    assert kinds == ["pageview", "engagement", "pageview", "outbound", "download", "custom"]
    assert all(e["visitor_id"] == answer["visitor_id"] and e["token"] == answer["token"] for e in sent(beacons))
    # The first page's engagement went with the SPA navigation; the second page's goes on
    # pagehide (a beacon sent while the page unloads: seen by the server, not by Playwright).
    page.goto("about:blank")
    rows = wait_for_rows(shop, lambda rows: [r.type for r in rows].count("engagement") == 2)
    by_type = {}
    for row in rows:
        by_type.setdefault(row.type, []).append(row)
    first, spa = by_type["pageview"]
    assert (first.path, first.title) == ("/page/analytics.html", "Analytics shop")
    assert (first.utm_source, first.utm_campaign) == ("newsletter", "spring")
    assert (spa.path, spa.title) == ("/spa/step-2", "Step 2")
    assert spa.referrer_path == "/page/analytics.html" and spa.utm_source is None
    [outbound] = by_type["outbound"]
    assert outbound.target.endswith("/tp/embed.html") and "secret" not in outbound.target
    [download] = by_type["download"]
    assert download.target.endswith("/files/menu.pdf")
    # Consent.track: flat scalars kept; the call queued before the widget loaded was made
    # before any consent, so it was dropped.
    assert [(r.name, r.props) for r in by_type["custom"]] == [("signup", {"plan": "pro", "seats": 3})]
    left_first, left_spa = by_type["engagement"]
    assert left_first.path == "/page/analytics.html" and left_spa.path == "/spa/step-2"
    assert left_first.duration_ms > 0 and left_spa.duration_ms > 0 and left_spa.scroll > left_first.scroll
    for row in rows:
        assert row.visitor_id == answer["visitor_id"] and row.session_id == rows[0].session_id
        assert row.browser and row.os and row.device == "desktop"
        assert "email" not in (row.path or "") and "a@b.example" not in repr(row.props)
    assert consent_cookie(context)["c"]["analytics"] == 1

    # A returning visitor: the stored grant loads the tracker at once, and a Consent.track
    # call queued before the widget loaded is delivered.
    page.goto(shop.url("analytics"))
    rows = wait_for_rows(shop, lambda rows: any(r.name == "queued-before-load" for r in rows))
    assert [r.props for r in rows if r.name == "queued-before-load"] == [{"source": "stub"}]
    assert rows[-1].session_id == rows[0].session_id  # the same visit (30 minutes idle)


def test_after_withdrawal_nothing_more_is_sent_and_forged_beacons_are_not_stored(page, context, shop, beacons, servers):
    page.goto(shop.url("analytics"))
    with page.expect_request(lambda r: "/events" in r.url):
        answer = record_choice(page, action(LAYER1, "accept-all"))
    before = len(wait_for_rows(shop, lambda rows: len(rows) >= 1))
    assert before >= 1

    page.click("#settings")
    page.uncheck("[data-consent-category=analytics]")
    record_choice(page, action(LAYER2, "save"))
    assert consent_cookie(context)["c"]["analytics"] == 0
    count = len(beacons["events"])
    interact(page)
    page.evaluate("Consent.set({analytics: true})")  # granted again: the tracker stays stopped in this page
    page.wait_for_function("Consent.get().analytics === true")
    interact(page)
    page.wait_for_timeout(1500)
    assert len(beacons["events"]) == count
    assert len(beacons["tracker"]) == 1  # loaded once, never again in this page

    page.evaluate("Consent.withdraw()")
    page.wait_for_function("document.cookie.includes('%22analytics%22%3A0')")
    assert len(beacons["events"]) == count
    # Forged beacons with the visitor's id: without the token, with a wrong one, and with
    # the right token after the withdrawal. None is stored.
    url = f"{servers.consent}/api/v1/sites/{shop.key}/events"
    event = {"visitor_id": answer["visitor_id"], "type": "pageview", "url": shop.url("analytics")}
    headers = {"Content-Type": "text/plain", "Origin": servers.shop,
               "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36"}
    for token in ("f" * 64, answer["token"]):
        resp = requests.post(url, data=json.dumps({**event, "token": token}), headers=headers, timeout=10)
        assert resp.status_code == 204
    resp = requests.post(url, data=json.dumps(event), headers=headers, timeout=10)
    assert resp.status_code == 400
    assert len(stored(shop)) == before


def test_with_data_tracker_off_the_tracker_is_never_fetched_even_after_accept(page, shop, beacons):
    page.goto(shop.url("analytics_off"))
    record_choice(page, action(LAYER1, "accept-all"))
    page.wait_for_function("(window.ran || []).includes('analytics-inline')")  # analytics is granted
    page.click("#outbound")
    page.click("#spa")
    page.evaluate("Consent.track('signup', {plan: 'pro'})")
    page.wait_for_timeout(1500)  # longer than the tracker's batching delay
    page.goto(shop.url("analytics_off"))  # a returning visitor with analytics granted: still no tracker
    page.wait_for_function("(window.ran || []).includes('analytics-inline')")
    page.evaluate("Consent.track('again')")
    page.wait_for_timeout(1500)
    page.goto("about:blank")
    assert beacons["tracker"] == [] and beacons["events"] == []
    assert stored(shop) == []


def test_the_tracker_runs_once_per_page_whatever_fires_twice(page, shop, beacons):
    """A second consent:change with analytics granted (a repeated accept, Consent.set, a
    hand-dispatched event) and a second copy of /t.js in the page: one tracker, one pageview."""
    page.goto(shop.url("analytics"))
    with page.expect_request(lambda r: "/events" in r.url):
        record_choice(page, action(LAYER1, "accept-all"))
    tracker_url = beacons["tracker"][0]
    page.evaluate("Consent.acceptAll()")
    page.evaluate("Consent.set({analytics: true})")
    page.evaluate("""() => { for (let i = 0; i < 2; i++)
        document.dispatchEvent(new CustomEvent('consent:change', {detail: Consent.get()})); }""")
    loaded = page.evaluate("""u => new Promise(done => document.head.append(Object.assign(
        document.createElement('script'), {src: u, onload: () => done('ran'), onerror: () => done('error')})))""",
                           tracker_url)
    assert loaded == "ran"  # the second copy ran, and returned at once
    page.wait_for_timeout(1500)  # the tracker batches for a second
    # The widget added its script once (the other is the copy added by hand).
    assert page.evaluate("u => [...document.scripts].filter(s => s.src == u).length", tracker_url) == 2
    assert [e["type"] for e in sent(beacons)] == ["pageview"]
    page.click("#spa")  # one listener: one pageview per navigation
    page.wait_for_timeout(1500)
    page.goto("about:blank")
    rows = wait_for_rows(shop, lambda rows: any(r.type == "engagement" for r in rows[2:]))
    assert [r.type for r in rows] == ["pageview", "engagement", "pageview", "engagement"]
