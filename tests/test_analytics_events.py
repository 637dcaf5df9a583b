"""What a beacon's event becomes before it is stored (pure functions)."""
from datetime import datetime, timezone

import pytest

from consent_server.services.analytics.events import (Client, EventError, link_target, normalize,
                                                      page_parts, query_allow, referrer_parts)

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_page_path_keeps_no_query_string_but_the_utm_fields():
    path, utm = page_parts("https://shop.example/p/shoes?utm_source=News&UTM_MEDIUM=email"
                           "&utm_campaign=%20spring%20&utm_term=&email=a@b.example&session=123#reviews")
    assert path == "/p/shoes"
    assert utm == {"utm_source": "News", "utm_medium": "email", "utm_campaign": "spring",
                   "utm_term": None, "utm_content": None}
    assert page_parts("https://shop.example")[0] == "/"


def test_page_path_keeps_only_the_allowed_query_parameters():
    url = "https://shop.example/blog?Email=a@b.example&page=2&utm_source=x&ref=hn&page=3&q=my+name&source=#top"
    assert page_parts(url, allow=("source", "ref", "page"))[0] == "/blog?ref=hn&page=2"  # blank values dropped
    assert page_parts(url, allow=("page",))[0] == "/blog?page=2"
    assert page_parts(url)[0] == "/blog"
    assert page_parts("https://shop.example/?page=" + "9" * 500, allow=("page",))[0] == "/?page=" + "9" * 100


def test_the_allow_list_setting_is_a_list_or_a_comma_separated_string():
    assert query_allow("page, Ref,,page") == query_allow(["page", "ref"]) == ("page", "ref")
    assert query_allow(None) == query_allow("") == ()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "/relative", "", "http://[::1"])
def test_page_must_be_an_http_url(url):
    with pytest.raises(EventError):
        page_parts(url)


def test_referrer_keeps_host_and_path_only():
    assert referrer_parts("https://Search.Example/find?q=my+name&uid=9#x") == ("search.example", "/find")
    assert referrer_parts("android-app://com.example.app/") == (None, None)
    assert referrer_parts("") == (None, None)
    assert referrer_parts(None) == (None, None)


def test_link_target_drops_query_and_fragment():
    assert link_target("https://cdn.example:8443/files/menu.pdf?token=s3cr3t#p2") == "https://cdn.example:8443/files/menu.pdf"
    with pytest.raises(EventError):
        link_target("mailto:someone@example.com")


def test_normalize_by_type():
    client = Client(browser="Firefox", os="Linux", device="desktop", country="DE", region="BE", city="Berlin")
    base = {"visitor_id": "a" * 32, "token": "t", "url": "https://shop.example/a?x=1", "referrer": None,
            "title": "  Hello \n  world  ", "target": None, "name": None, "props": None,
            "duration_ms": 5, "scroll": 40}
    row = normalize({**base, "type": "pageview"}, site_id=7, client=client, now=NOW)
    assert (row["site_id"], row["path"], row["title"], row["occurred_at"]) == (7, "/a", "Hello world", NOW)
    assert (row["country"], row["region"], row["city"], row["browser"]) == ("DE", "BE", "Berlin", "Firefox")
    assert row["duration_ms"] is None and row["scroll"] is None  # only engagement keeps them
    assert "token" not in row
    engagement = normalize({**base, "type": "engagement"}, site_id=7, client=client, now=NOW)
    assert (engagement["duration_ms"], engagement["scroll"]) == (5, 40)
    custom = normalize({**base, "type": "custom", "name": "signup", "props": {"plan": "pro"}},
                       site_id=7, client=client, now=NOW)
    assert (custom["name"], custom["props"]) == ("signup", {"plan": "pro"})
    with pytest.raises(EventError):
        normalize({**base, "type": "custom"}, site_id=7, client=client, now=NOW)
    with pytest.raises(EventError):
        normalize({**base, "type": "download"}, site_id=7, client=client, now=NOW)
    with pytest.raises(EventError):
        normalize({**base, "type": "purchase"}, site_id=7, client=client, now=NOW)


def test_long_texts_are_cut():
    row = normalize({"visitor_id": "a" * 32, "type": "pageview", "url": "https://s.example/" + "p" * 3000,
                     "title": "t" * 1000}, site_id=1, client=Client(), now=NOW)
    assert len(row["path"]) == 1024 and len(row["title"]) == 300
