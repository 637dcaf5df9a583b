"""Visits (30 minutes idle) and daily rollups: incrementally kept sums equal what the raw
events say, however the events were batched."""
import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from consent_server.extensions import db
from consent_server.models import DailyStats, DimensionCount, Event
from consent_server.services import analytics, consents
from consent_server.services.analytics import rollups
from tests.conftest import SECRET

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
]


@pytest.fixture
def app(app_factory):
    return app_factory(ANALYTICS_FLUSH_INTERVAL=0)


@pytest.fixture
def site(make_site):
    return make_site()


def visitor(site):
    r = consents.record_choice(
        site, secret_key=SECRET, visitor_id=None, token=None, choices={"analytics": True},
        action="accept_all", revision=1, language="en", page_url=None, layer=1, location=None,
        user_agent=None, gpc=False, dnt=False)
    return r.record.visitor_id, r.token


def beacon(site, who, at, path="/", kind="pageview", ua=BROWSERS[0], **fields):
    event = {"visitor_id": who[0], "token": who[1], "type": kind, "url": f"https://shop.example{path}", **fields}
    return analytics.accept(site, [event], secret_key=SECRET, user_agent=ua, location=None, now=at)


def events():
    return db.session.scalars(select(Event).order_by(Event.id)).all()


def daily():
    return {d.day: d for d in db.session.scalars(select(DailyStats))}


def dims(dimension=None, grain=1):
    q = select(DimensionCount).where(DimensionCount.grain == grain)
    if dimension:
        q = q.where(DimensionCount.dimension == dimension)
    return {(d.dimension, d.day, d.value): d.count for d in db.session.scalars(q) if d.count}


def test_a_visit_ends_after_30_minutes_without_events(app, site):
    alice, bob = visitor(site), visitor(site)
    beacon(site, alice, T0)
    analytics.flush(app)  # the visit state lives in the database between batches
    beacon(site, alice, T0 + timedelta(minutes=29))
    beacon(site, bob, T0 + timedelta(minutes=29))
    analytics.flush(app)
    beacon(site, alice, T0 + timedelta(minutes=58))  # 29 minutes after the last event
    analytics.flush(app)
    beacon(site, alice, T0 + timedelta(minutes=58, seconds=1) + rollups.SESSION_IDLE)
    analytics.flush(app)
    a1, a2, b1, a3, a4 = events()
    assert a1.session_id == a2.session_id == a3.session_id
    assert b1.session_id != a1.session_id
    assert a4.session_id not in (a1.session_id, b1.session_id)
    assert daily()[T0.date()].sessions == 3


def test_bounces_entries_and_exits(app, site):
    alice, bob = visitor(site), visitor(site)
    for i, path in enumerate(("/a", "/b", "/c")):
        beacon(site, alice, T0 + timedelta(minutes=i), path)
        analytics.flush(app)  # one event per batch: the visit state carries across
    beacon(site, bob, T0, "/a")
    beacon(site, bob, T0 + timedelta(minutes=1), "/a", kind="engagement", duration_ms=4000, scroll=60)
    analytics.flush(app)
    day = T0.date()
    d = daily()[day]
    assert (d.pageviews, d.sessions, d.bounces, d.visitors, d.events) == (4, 2, 1, 2, 5)
    assert (d.engagements, d.duration_ms, d.scroll_sum) == (1, 4000, 60)
    assert dims("entry") == {("entry", day, "/a"): 2}
    assert dims("exit") == {("exit", day, "/c"): 1, ("exit", day, "/a"): 1}
    assert dims("page") == {("page", day, "/a"): 2, ("page", day, "/b"): 1, ("page", day, "/c"): 1}


def test_a_visit_over_midnight_counts_on_the_day_it_started(app, site):
    alice = visitor(site)
    late = datetime(2026, 3, 2, 23, 50, tzinfo=timezone.utc)
    beacon(site, alice, late, "/a")
    analytics.flush(app)
    beacon(site, alice, late + timedelta(minutes=20), "/b")
    analytics.flush(app)
    first, second = late.date(), late.date() + timedelta(days=1)
    days = daily()
    assert (days[first].sessions, days[first].pageviews, days[first].bounces) == (1, 1, 0)
    assert (days[second].sessions, days[second].pageviews, days[second].visitors) == (0, 1, 1)
    assert dims("exit") == {("exit", first, "/b"): 1}
    assert dims("page") == {("page", first, "/a"): 1, ("page", second, "/b"): 1}


def test_visit_attributes_come_from_its_first_event(app, site):
    alice = visitor(site)
    beacon(site, alice, T0, "/?utm_source=news&utm_medium=email&utm_campaign=spring",
           referrer="https://www.search.example/results?q=coffee", ua=BROWSERS[2])
    beacon(site, alice, T0 + timedelta(minutes=1), "/b", referrer="https://shop.example/", ua=BROWSERS[2])
    beacon(site, alice, T0 + timedelta(minutes=2), "/b", kind="outbound", target="https://partner.example/x?a=1")
    beacon(site, alice, T0 + timedelta(minutes=2), "/b", kind="download", target="https://shop.example/m.pdf")
    beacon(site, alice, T0 + timedelta(minutes=3), "/b", kind="custom", name="signup")
    analytics.flush(app)
    day = T0.date()
    got = dims()
    for dim, value in (("referrer", "www.search.example"), ("utm_source", "news"), ("utm_medium", "email"),
                       ("utm_campaign", "spring"), ("browser", "Mobile Safari"), ("os", "iOS"),
                       ("device", "mobile"), ("outbound", "https://partner.example/x"),
                       ("download", "https://shop.example/m.pdf"), ("custom", "signup")):
        assert got.pop((dim, day, value)) == 1, dim
    assert {k[0] for k in got} == {"page", "entry", "exit"}  # nothing else (no internal referrer)


def test_rollups_equal_what_the_raw_events_say(app, site):
    rng = random.Random(5)
    people = [visitor(site) for _ in range(12)]
    clock = {p: T0 + timedelta(minutes=rng.randrange(0, 600)) for p in people}
    plan = []
    for _ in range(400):
        who = rng.choice(people)
        clock[who] += timedelta(minutes=rng.choice((1, 2, 5, 20, 45, 300)))
        kind = rng.choices(("pageview", "engagement", "outbound", "download", "custom"), (10, 4, 1, 1, 1))[0]
        fields = {}
        if kind == "engagement":
            fields = {"duration_ms": rng.randrange(0, 60000), "scroll": rng.randrange(0, 101)}
        elif kind in ("outbound", "download"):
            fields = {"target": f"https://files.example/{rng.randrange(4)}.pdf"}
        elif kind == "custom":
            fields = {"name": rng.choice(("signup", "play"))}
        referrer = rng.choice((None, "https://a.example/x", "https://shop.example/", "https://b.example/"))
        plan.append((clock[who], who, f"/p{rng.randrange(6)}", kind, rng.choice(BROWSERS), referrer, fields))
    plan.sort(key=lambda p: p[0])
    for i, (at, who, path, kind, ua, referrer, fields) in enumerate(plan):
        beacon(site, who, at, path, kind, ua, referrer=referrer, **fields)
        if rng.random() < 0.2:
            analytics.flush(app)
    analytics.flush(app)

    # What the raw events say, computed directly.
    rows = events()
    assert len(rows) == len(plan)
    by_session = defaultdict(list)
    for r in rows:
        by_session[r.session_id].append(r)
    want_daily = defaultdict(Counter)
    want_dims = Counter()
    visitors = defaultdict(set)
    for r in rows:
        day = r.occurred_at.date()
        want_daily[day]["events"] += 1
        visitors[day].add(r.visitor_id)
        if r.type == "pageview":
            want_daily[day]["pageviews"] += 1
            want_dims[("page", day, r.path)] += 1
        elif r.type == "engagement":
            want_daily[day]["engagements"] += 1
            want_daily[day]["duration_ms"] += r.duration_ms
            want_daily[day]["scroll_sum"] += r.scroll
        elif r.type in ("outbound", "download"):
            want_dims[(r.type, day, r.target)] += 1
        else:
            want_dims[("custom", day, r.name)] += 1
    for session in by_session.values():
        first = session[0]
        start = first.occurred_at.date()
        want_daily[start]["sessions"] += 1
        views = [r for r in session if r.type == "pageview"]
        if len(views) == 1:
            want_daily[start]["bounces"] += 1
        if views:
            want_dims[("entry", start, views[0].path)] += 1
            want_dims[("exit", start, views[-1].path)] += 1
        if first.referrer_host and first.referrer_host != "shop.example":
            want_dims[("referrer", start, first.referrer_host)] += 1
        for dim in ("browser", "os", "device"):
            want_dims[(dim, start, getattr(first, dim))] += 1
        # Sessions never go backwards in time and never have a 30-minute hole.
        gaps = [b.occurred_at - a.occurred_at for a, b in zip(session, session[1:])]
        assert all(timedelta(0) <= g <= rollups.SESSION_IDLE for g in gaps)
    assert len(by_session) > len(people)  # the plan has idle gaps

    got_daily = daily()
    assert set(got_daily) == set(want_daily)
    for day, want in want_daily.items():
        got = got_daily[day]
        for field in rollups.DAILY_FIELDS:
            assert getattr(got, field) == want[field], (day, field)
        assert got.visitors == len(visitors[day])
    assert dims() == {k: v for k, v in want_dims.items() if v}
    for grain in rollups.GRAINS[1:]:  # weeks and 28-day blocks are sums of their days
        coarse = Counter()
        for (dim, day, value), n in want_dims.items():
            coarse[(dim, rollups.period_start(day, grain), value)] += n
        assert dims(grain=grain) == {k: v for k, v in coarse.items() if v}


def test_a_range_is_cut_into_the_fewest_whole_periods():
    start = date(2026, 1, 1)  # a Thursday
    for length in (1, 7, 30, 90, 365):
        end = start + timedelta(days=length - 1)
        parts = rollups.periods(start, end)
        days = [p[1] + timedelta(days=i) for p in parts for i in range(p[0])]
        assert days == [start + timedelta(days=i) for i in range(length)]
        assert all(rollups.period_start(first, grain) == first for grain, first in parts)
    assert len(rollups.periods(start, start + timedelta(days=89))) <= 12
    assert rollups.periods(date(2026, 1, 5), date(2026, 1, 11)) == [(7, date(2026, 1, 5))]


def test_a_days_sketch_cannot_be_tested_for_a_visitor_id_without_the_secret(app, site):
    """Small days keep the items' hashes: with the raw id as the item, anyone holding the
    database could tell whether an id (from the ledger, or erased) was counted that day."""
    import datasketches

    alice, bob = visitor(site), visitor(site)
    beacon(site, alice, T0)
    analytics.flush(app)
    blob = daily()[T0.date()].visitor_sketch

    def adds_nothing(item) -> bool:
        sketch = datasketches.hll_sketch.deserialize(blob)
        sketch.update(item)
        return sketch.serialize_compact() == blob

    assert adds_nothing(rollups.sketch_item(SECRET, site.id, alice[0]))  # counted: with the secret
    assert not adds_nothing(alice[0])  # the raw id tests nothing
    assert not adds_nothing(rollups.sketch_item("another secret", site.id, alice[0]))
    assert not adds_nothing(rollups.sketch_item(SECRET, site.id, bob[0]))


def test_visitor_sketches_stay_accurate_for_many_visitors(app, site):
    rollup = rollups.Rollup()
    visits = {}
    day_one = [f"{i:032x}" for i in range(30_000)]
    day_two = day_one[10_000:] + [f"{i:032x}" for i in range(30_000, 50_000)]
    for at, ids in ((T0, day_one), (T0 + timedelta(days=1), day_two)):
        for vid in ids:
            rollup.add({"visitor_id": vid, "occurred_at": at, "type": "custom", "name": "x", "path": "/",
                        "referrer_host": None, "utm_source": None, "utm_medium": None, "utm_campaign": None,
                        "browser": None, "os": None, "device": None, "country": None, "region": None,
                        "city": None}, visits)
    rollups.write(site.id, rollup, SECRET)
    db.session.commit()
    days = daily()
    assert abs(days[T0.date()].visitors - 30_000) / 30_000 < 0.03
    assert abs(days[T0.date() + timedelta(days=1)].visitors - 40_000) / 40_000 < 0.03
    report = analytics.traffic_report(site, T0.date(), T0.date() + timedelta(days=1))
    assert abs(report.visitors - 50_000) / 50_000 < 0.03  # a union, not 70,000
