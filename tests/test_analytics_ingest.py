"""Ingestion: the consent gate, the per-process buffer, the writer thread, shutdown."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from consent_server.extensions import db
from consent_server.models import Event, IngestState, Site
from consent_server.services import analytics, consents, sites
from consent_server.services.analytics import ingest
from tests.conftest import SECRET, TEST_DATABASE_URL

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(app_factory):
    return app_factory(ANALYTICS_FLUSH_INTERVAL=0)


def event(visitor_id, token, path="/", **kw):
    return {"visitor_id": visitor_id, "token": token, "type": "pageview",
            "url": f"https://shop.example{path}", **kw}


def send(site, visitor, n=1, path="/"):
    return analytics.accept(site, [event(*visitor, path=path) for _ in range(n)], secret_key=SECRET,
                            user_agent=UA, location=None)


def count():
    return db.session.scalar(select(func.count()).select_from(Event))


def choose(site, analytics_granted, visitor=(None, None)):
    r = consents.record_choice(
        site, secret_key=SECRET, visitor_id=visitor[0], token=visitor[1],
        choices={"analytics": analytics_granted}, action="save" if analytics_granted else "withdraw",
        revision=site.revision, language="en", page_url=None, layer=2, location=None,
        user_agent=None, gpc=False, dnt=False)
    return r.record.visitor_id, r.token


def wait_for(predicate, timeout=15.0):
    """Poll until ``predicate()`` holds (a deadline against hanging, not a timing test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_events_wait_in_memory_until_the_batch_is_written(app, make_site):
    site = make_site()
    visitor = choose(site, True)
    assert send(site, visitor, 3).queued == 3
    assert ingest.for_app(app).pending() == 3 and count() == 0
    assert analytics.flush(app) == 3
    assert count() == 3 and ingest.for_app(app).pending() == 0
    state = db.session.get(IngestState, site.id)
    assert state.events == 3 and state.first_event_at and state.last_event_at


def test_no_consent_queues_nothing(app, make_site):
    site = make_site()
    refused = choose(site, False)
    accepted = send(site, refused, 2)
    assert (accepted.queued, accepted.no_consent) == (0, 2)
    forged = send(site, (refused[0], "f" * 64))
    assert (forged.queued, forged.no_token) == (0, 1)
    assert ingest.for_app(app).pending() == 0


def test_withdrawal_before_the_flush_drops_the_buffered_events(app, make_site):
    site = make_site()
    visitor = choose(site, True)
    assert send(site, visitor, 2).queued == 2
    choose(site, False, visitor)
    assert analytics.flush(app) == 0
    assert count() == 0
    assert ingest.for_app(app).stats()["refused_at_flush"] == 2


@pytest.fixture
def shared_url(tmp_path):
    return TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'shared.db'}"


def _fresh(app_factory, url, **extra):
    app = app_factory(schema=not TEST_DATABASE_URL, SQLALCHEMY_DATABASE_URI=url, **extra)
    if TEST_DATABASE_URL:
        from tests.conftest import _reset_postgres

        _reset_postgres()
    return app


def test_two_workers_without_redis_never_store_an_event_received_after_withdrawal(app_factory, shared_url, make_org):
    """Worker one's local cache still says "granted" after worker two recorded the
    withdrawal; the batch writer checks the ledger again, so nothing is stored."""
    first = _fresh(app_factory, shared_url, ANALYTICS_FLUSH_INTERVAL=0)
    second = app_factory(schema=False, SQLALCHEMY_DATABASE_URI=shared_url, ANALYTICS_FLUSH_INTERVAL=0)
    with first.app_context():
        site = sites.create_site(make_org(), key="shop", domains=["https://shop.example"])
        site_id = site.id
        visitor = choose(site, True)
        assert send(site, visitor).queued == 1  # warms worker one's cache
        assert analytics.flush(first) == 1
    with second.app_context():
        choose(db.session.get(Site, site_id), False, visitor)
    with first.app_context():
        site = db.session.get(Site, site_id)
        assert send(site, visitor).queued == 1  # the stale local answer lets it in...
        assert analytics.flush(first) == 0  # ...but it is never stored
        assert count() == 1


def test_two_workers_flushing_the_same_new_visitors_at_once_never_raise(app_factory, shared_url, make_org):
    """Two workers write their first batches for a new site and the same new visitors at
    the same moment (no ingest-state, visit or rollup row exists yet). The site's ingest
    lock (an INSERT ... ON CONFLICT on its ingest-state row) serializes them: no unique
    violation, one visit per visitor, every event stored and counted once."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from consent_server.models import DailyStats, VisitorSession

    workers = [_fresh(app_factory, shared_url, ANALYTICS_FLUSH_INTERVAL=0)]
    workers.append(app_factory(schema=False, SQLALCHEMY_DATABASE_URI=shared_url, ANALYTICS_FLUSH_INTERVAL=0))
    rounds, per_worker = 4, 3
    for round_ in range(rounds):
        with workers[0].app_context():
            site = sites.create_site(make_org(), key=f"shop{round_}", domains=["https://shop.example"])
            visitors = [choose(site, True) for _ in range(5)]
            site_id = site.id
        for worker in workers:
            with worker.app_context():
                site = db.session.get(Site, site_id)
                for visitor in visitors:
                    assert send(site, visitor, per_worker).queued == per_worker
                db.session.remove()
        start = Barrier(len(workers))

        def flush_now(worker):
            start.wait()
            return analytics.flush(worker)

        with ThreadPoolExecutor(len(workers)) as pool:
            stored = list(pool.map(flush_now, workers))
        assert stored == [len(visitors) * per_worker] * len(workers)
        with workers[0].app_context():
            db.session.rollback()
            sessions = db.session.execute(select(Event.visitor_id, func.count(func.distinct(Event.session_id)))
                                          .where(Event.site_id == site_id).group_by(Event.visitor_id)).all()
            assert sorted(sessions) == sorted((v[0], 1) for v in visitors)
            visits = db.session.scalar(select(func.count()).select_from(VisitorSession)
                                       .where(VisitorSession.site_id == site_id))
            daily = db.session.scalars(select(DailyStats).where(DailyStats.site_id == site_id)).all()
            state = db.session.get(IngestState, site_id)
            assert visits == len(visitors)
            assert sum(d.sessions for d in daily) == len(visitors)
            assert sum(d.pageviews for d in daily) == state.events == len(visitors) * per_worker * len(workers)
            db.session.remove()
    for worker in workers:
        stats = ingest.for_app(worker).stats()
        assert (stats.get("flush_errors", 0), stats["buffered"]) == (0, 0)


def test_writer_thread_stores_within_about_a_second(app_factory, shared_url, make_org):
    app = _fresh(app_factory, shared_url, ANALYTICS_FLUSH_INTERVAL=1.0)
    try:
        site = sites.create_site(make_org(), key="shop", domains=["https://shop.example"])
        visitor = choose(site, True)
        started = time.monotonic()
        assert send(site, visitor, 2).queued == 2
        db.session.commit()

        def written():
            db.session.rollback()  # a fresh snapshot for each look
            return count() == 2

        assert wait_for(written)
        print(f"stored by the writer thread after {time.monotonic() - started:.2f} s")
        assert ingest.for_app(app).stats()["stored"] == 2
    finally:
        ingest.for_app(app).shutdown()


def test_shutdown_writes_what_is_buffered(app_factory, shared_url, make_org):
    app = _fresh(app_factory, shared_url, ANALYTICS_FLUSH_INTERVAL=3600)
    site = sites.create_site(make_org(), key="shop", domains=["https://shop.example"])
    visitor = choose(site, True)
    assert send(site, visitor, 4).queued == 4
    ingestor = ingest.for_app(app)
    assert ingestor._thread is not None and ingestor._thread.is_alive()
    db.session.commit()
    assert analytics.shutdown_all() >= 4
    assert not ingestor._thread.is_alive()
    db.session.rollback()
    assert count() == 4


def test_full_buffer_drops_new_events_and_counts_them(app_factory, make_site):
    app = app_factory(ANALYTICS_FLUSH_INTERVAL=0, ANALYTICS_BUFFER_MAX=3)
    site = make_site()
    visitor = choose(site, True)
    assert send(site, visitor, 2).queued == 2
    assert send(site, visitor, 2).queued == 1
    stats = ingest.for_app(app).stats()
    assert (stats["buffered"], stats["dropped_full"]) == (3, 1)
    assert analytics.flush(app) == 3


def test_a_failed_flush_keeps_the_events_for_another_try(app, make_site):
    site = make_site()
    visitor = choose(site, True)
    send(site, visitor, 2)
    db.session.execute(text("ALTER TABLE analytics_events RENAME TO analytics_events_away"))
    db.session.commit()
    assert analytics.flush(app) == 0
    stats = ingest.for_app(app).stats()
    assert (stats["flush_errors"], stats["buffered"]) == (1, 2)
    db.session.execute(text("ALTER TABLE analytics_events_away RENAME TO analytics_events"))
    db.session.commit()
    assert analytics.flush(app) == 2
    assert count() == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_worker_writes_its_buffer_on_sigterm(app_factory, tmp_path, make_org):
    """A real gunicorn (gunicorn.conf.py, worker_exit hook) with a flush interval of an hour:
    the only way the event reaches the database is the flush on SIGTERM."""
    url = f"sqlite:///{tmp_path / 'gunicorn.db'}"
    app_factory(SQLALCHEMY_DATABASE_URI=url, ANALYTICS_FLUSH_INTERVAL=0)
    site = sites.create_site(make_org(), key="shop", domains=["https://shop.example"])
    visitor = choose(site, True)
    db.session.remove()
    port = _free_port()
    env = {**os.environ, "CONSENT_DATABASE_URL": url, "CONSENT_SECRET_KEY": SECRET,
           "CONSENT_ANALYTICS_FLUSH_INTERVAL": "3600", "CONSENT_RATELIMIT_ENABLED": "false",
           "CONSENT_BIND": f"127.0.0.1:{port}", "CONSENT_WORKERS": "1"}
    log = open(tmp_path / "gunicorn.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "consent_server:create_app()"],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        def up():
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                return conn.getresponse().status == 200
            except OSError:
                return False

        assert wait_for(up, 30), (log.seek(0), log.read())
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("POST", "/api/v1/sites/shop/events", body=json.dumps(event(*visitor)),
                     headers={"Content-Type": "text/plain", "User-Agent": UA})
        assert conn.getresponse().status == 204
        assert count() == 0
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log.seek(0)
    output = log.read()
    assert "wrote 1 buffered analytics events on exit" in output, output
    db.session.rollback()
    assert count() == 1
