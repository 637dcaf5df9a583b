"""Helpers for the browser tests (plain functions; the fixtures are in conftest.py)."""
from __future__ import annotations

import json
from urllib.parse import unquote

BANNER = "#consent-banner"
LAYER1 = "#consent-banner .cm-l1"
LAYER2 = "#consent-banner .cm-l2"

DENIED = {"ad_storage": "denied", "ad_user_data": "denied", "ad_personalization": "denied",
          "analytics_storage": "denied", "functionality_storage": "denied",
          "personalization_storage": "denied", "security_storage": "granted", "wait_for_update": 500}


def action(layer: str, name: str) -> str:
    return f'{layer} [data-consent-action="{name}"]'


def data_layer(page) -> list:
    """window.dataLayer as plain lists: [["consent", "default", {...}], ...]."""
    return page.evaluate("() => (window.dataLayer || []).map(a => Array.from(a))")


def consent_updates(page) -> list[dict]:
    return [e[2] for e in data_layer(page) if e[:2] == ["consent", "update"]]


def mode(analytics: bool, advertising: bool) -> dict:
    a = "granted" if analytics else "denied"
    b = "granted" if advertising else "denied"
    return {"analytics_storage": a, "ad_storage": b, "ad_user_data": b, "ad_personalization": b}


def consent_cookie(context) -> dict | None:
    for cookie in context.cookies():
        if cookie["name"] == "consent":
            return json.loads(unquote(cookie["value"]))
    return None


def cookie_names(context) -> set[str]:
    return {c["name"] for c in context.cookies()}


def ran(page) -> list[str]:
    """What the gated scripts of the fixture pages ran, in order (each pushes its name)."""
    return page.evaluate("() => window.ran || []")


def record_choice(page, click_selector: str, reloads=False):
    """Click and wait for the widget's consent POST to be answered (201); returns its JSON.
    reloads=True: the widget reloads the page once recorded (the body is then gone)."""
    with page.expect_response(lambda r: "/consents" in r.url and r.request.method == "POST") as info:
        page.click(click_selector)
    assert info.value.status == 201
    return None if reloads else info.value.json()
