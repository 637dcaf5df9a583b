"""traffic_report: totals, days, top values and visitors over a range, from rollups only."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from consent_server.extensions import db
from consent_server.models import Event
from consent_server.services import analytics, consents
from tests.conftest import SECRET

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
DAY = date(2026, 5, 10)


@pytest.fixture
def app(app_factory):
    return app_factory(ANALYTICS_FLUSH_INTERVAL=0)


def visitor(site):
    r = consents.record_choice(
        site, secret_key=SECRET, visitor_id=None, token=None, choices={"analytics": True},
        action="accept_all", revision=1, language="en", page_url=None, layer=1, location=None,
        user_agent=None, gpc=False, dnt=False)
    return r.record.visitor_id, r.token


def view(site, who, day, path, hour=10, **fields):
    at = datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)
    event = {"visitor_id": who[0], "token": who[1], "type": "pageview", "url": f"https://shop.example{path}", **fields}
    analytics.accept(site, [event], secret_key=SECRET, user_agent=UA, location=None, now=at)


def test_report_over_a_range(app, make_site):
    site = make_site()
    other = make_site(key="other", domains=["https://other.example"])
    alice, bob, carol = visitor(site), visitor(site), visitor(site)
    for offset in range(3):  # alice comes back every day: one visitor, three visits
        view(site, alice, DAY + timedelta(days=offset), "/home", referrer="https://news.example/a")
    view(site, bob, DAY, "/home")
    view(site, bob, DAY, "/menu", hour=10)
    view(site, carol, DAY + timedelta(days=2), "/menu?utm_campaign=spring")
    view(site, carol, DAY + timedelta(days=9), "/late")  # outside the range
    view(other, visitor(other), DAY, "/elsewhere")
    analytics.flush(app)

    report = analytics.traffic_report(site, DAY - timedelta(days=1), DAY + timedelta(days=3))
    assert (report.pageviews, report.sessions, report.visitors) == (6, 5, 3)
    assert report.bounces == 4 and report.bounce_rate == pytest.approx(4 / 5)
    assert [p.day for p in report.daily] == [DAY + timedelta(days=i) for i in range(-1, 4)]
    assert [p.pageviews for p in report.daily] == [0, 3, 1, 2, 0]
    assert [p.visitors for p in report.daily] == [0, 2, 1, 2, 0]
    assert sum(p.visitors for p in report.daily) == 5  # days summed would say 5; the range has 3
    assert [(r.value, r.count) for r in report.top["page"]] == [("/home", 4), ("/menu", 2)]
    assert [(r.value, r.count) for r in report.top["referrer"]] == [("news.example", 3)]
    assert [(r.value, r.count) for r in report.top["utm_campaign"]] == [("spring", 1)]
    assert [(r.value, r.count) for r in report.top["entry"]] == [("/home", 4), ("/menu", 1)]
    assert [(r.value, r.count) for r in report.top["exit"]] == [("/home", 3), ("/menu", 2)]
    assert [(r.value, r.count) for r in report.top["browser"]] == [("Chrome", 5)]
    assert report.top["country"] == []
    as_json = json.loads(json.dumps(report.as_dict()))
    assert as_json["visitors"] == 3 and as_json["daily"][1]["day"] == DAY.isoformat()
    assert as_json["bounce_rate"] == pytest.approx(0.8)


def test_top_lists_are_cut_and_ordered(app, make_site):
    site = make_site()
    who = visitor(site)
    for i in range(15):
        for _ in range(i + 1):
            view(site, who, DAY, f"/p{i:02d}")
    analytics.flush(app)
    report = analytics.traffic_report(site, DAY, DAY, top=5)
    assert [r.value for r in report.top["page"]] == ["/p14", "/p13", "/p12", "/p11", "/p10"]
    assert report.pageviews == sum(range(1, 16))


def test_report_reads_rollups_not_raw_events(app, make_site):
    site = make_site()
    view(site, visitor(site), DAY, "/home")
    analytics.flush(app)
    db.session.execute(Event.__table__.delete())  # retention removed the raw events
    db.session.commit()
    report = analytics.traffic_report(site, DAY, DAY)
    assert (report.pageviews, report.visitors) == (1, 1)


def test_empty_and_invalid_ranges(app, make_site):
    site = make_site()
    report = analytics.traffic_report(site, DAY, DAY + timedelta(days=89))
    assert report.pageviews == report.visitors == 0 and len(report.daily) == 90
    assert report.bounce_rate is None and report.avg_visit_engaged_ms is None
    with pytest.raises(ValueError):
        analytics.traffic_report(site, DAY, DAY - timedelta(days=1))
    with pytest.raises(ValueError):
        analytics.traffic_report(site, DAY, DAY + timedelta(days=400))
