"""services/retention and `retention run`: exact cut-offs, reports unchanged, ledger verifies."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from consent_server.extensions import db
from consent_server.models import (ConsentRecord, DailyStats, DataRequest, DataRequestAction,
                                   DimensionCount, Event, LedgerCheckpoint, VisitorSession)
from consent_server.models.ledger import LedgerAppendOnly
from consent_server.services import analytics, dsar, ledger, retention
from consent_server.services.analytics import traffic_report
from geo import Location
from tests.conftest import SECRET

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
NOW = datetime.now(timezone.utc).replace(microsecond=0)
BERLIN = Location(country="DE", region="BE", city="Berlin")


@pytest.fixture
def app(app_factory):
    return app_factory(ANALYTICS_FLUSH_INTERVAL=0)


@pytest.fixture
def clock(monkeypatch):
    """Set the time the ledger stamps on new records."""
    class Clock(datetime):
        at = NOW

        @classmethod
        def now(cls, tz=None):
            return cls.at

    monkeypatch.setattr(ledger, "datetime", Clock)

    def set_to(when):
        Clock.at = when
    return set_to


def send(app, site, visitor, when, path="/", location=BERLIN):
    vid, token = visitor
    accepted = analytics.accept(site, [{"visitor_id": vid, "token": token, "type": "pageview",
                                        "url": f"https://shop.example{path}"}],
                                secret_key=SECRET, user_agent=UA, location=location, now=when)
    assert accepted.queued == 1
    analytics.flush(app)


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def visitor_of(make_consent, site):
    r = make_consent(site, choices={"analytics": True})
    return r.record.visitor_id, r.token


def report(site):
    return traffic_report(site, (NOW - timedelta(days=300)).date(), NOW.date()).as_dict()


def test_events_past_the_limit_are_obfuscated_exactly_and_reports_stay(app, make_site, make_consent):
    site = make_site()
    other_site = make_site(key="blog", domains=("https://blog.example",), org=site.organization)
    a, b = visitor_of(make_consent, site), visitor_of(make_consent, site)
    cutoff = NOW - timedelta(days=180)
    send(app, site, a, cutoff - timedelta(days=30), "/old")
    send(app, site, a, cutoff - timedelta(seconds=1), "/just-past")
    send(app, site, b, cutoff, "/at-the-limit")
    send(app, site, b, NOW - timedelta(days=1), "/recent")
    c = visitor_of(make_consent, other_site)
    send(app, other_site, c, cutoff - timedelta(days=30), "/other-site")
    before, dims_before = report(site), count(DimensionCount)
    assert retention.preview(site, NOW) == {"obfuscate events": 2, "delete visits": 1,
                                            "delete consent records": 0, "delete closed data requests": 0}

    done = retention.run(site, SECRET, NOW)
    assert (done.obfuscated_events, done.deleted_sessions, done.deleted_consent_records) == (2, 1, 0)
    rows = db.session.execute(select(Event.path, Event.visitor_id, Event.session_id, Event.city, Event.country)
                              .where(Event.site_id == site.id).order_by(Event.occurred_at)).all()
    assert [tuple(r) for r in rows[:2]] == [("/old", "", "", None, "DE"), ("/just-past", "", "", None, "DE")]
    assert [(r.path, r.visitor_id, r.city) for r in rows[2:]] == [
        ("/at-the-limit", b[0], "Berlin"), ("/recent", b[0], "Berlin")]
    assert count(VisitorSession, VisitorSession.visitor_id == a[0]) == 0
    assert count(VisitorSession, VisitorSession.visitor_id == b[0]) == 1
    assert count(Event, Event.visitor_id == c[0]) == 1  # other site: its own policy, not run
    assert report(site) == before and count(DimensionCount) == dims_before
    again = retention.run(site, SECRET, NOW)
    assert not again.changed and "nothing past" in again.describe()
    assert retention.preview(site, NOW) == {"obfuscate events": 0, "delete visits": 0,
                                            "delete consent records": 0, "delete closed data requests": 0}


def test_consent_records_past_the_limit_go_behind_a_signed_checkpoint(app, make_site, make_consent, clock):
    site = make_site()
    cutoff = NOW - timedelta(days=36 * 30)
    clock(cutoff - timedelta(days=100))
    old = make_consent(site)
    clock(cutoff - timedelta(seconds=1))
    make_consent(site, visitor_id=old.record.visitor_id, token=old.token)
    clock(cutoff)
    kept = make_consent(site, visitor_id=old.record.visitor_id, token=old.token)
    clock(NOW - timedelta(days=3))
    make_consent(site)
    assert retention.preview(site, NOW)["delete consent records"] == 2

    done = retention.run(site, SECRET, NOW)
    assert (done.deleted_consent_records, done.checkpoint_seq) == (2, 2)
    assert db.session.scalars(select(ConsentRecord.seq).order_by(ConsentRecord.seq)).all() == [3, 4]
    checkpoint = db.session.scalar(select(LedgerCheckpoint))
    assert checkpoint.seq == 2 and checkpoint.hash == kept.record.prev_hash
    result = ledger.verify(site, SECRET)
    assert result.ok and (result.checked, result.first_seq, result.last_seq) == (2, 3, 4), result.describe()
    assert retention.run(site, SECRET, NOW).deleted_consent_records == 0
    assert db.session.scalar(select(func.count()).select_from(LedgerCheckpoint)) == 1
    # the checkpoint is signed: one made with another key does not verify
    assert not ledger.verify(site, "another-secret").ok


def test_a_young_record_stops_the_deletion_even_if_later_ones_are_old(app, make_site, make_consent, clock):
    site = make_site()
    cutoff = NOW - timedelta(days=36 * 30)
    for when in (cutoff - timedelta(days=9), cutoff + timedelta(days=1), cutoff - timedelta(days=8)):
        clock(when)
        make_consent(site)
    assert retention.run(site, SECRET, NOW).deleted_consent_records == 1
    assert ledger.verify(site, SECRET).ok


def test_closed_data_requests_go_with_the_consent_records_period(app, make_site, make_consent):
    site = make_site()
    vid = make_consent(site).record.visitor_id
    cutoff = NOW - timedelta(days=36 * 30)
    old = dsar.create_request(site, type="access", actor="dpo", visitor_id=vid, received_at=cutoff - timedelta(days=40),
                              now=cutoff - timedelta(days=40))
    dsar.run_export(site, old, actor="dpo", now=cutoff - timedelta(days=30))
    dsar.close(old, actor="dpo", outcome="sent", now=cutoff - timedelta(seconds=1))
    at_limit = dsar.create_request(site, type="access", actor="dpo", visitor_id=vid,
                                   received_at=cutoff - timedelta(days=9), now=cutoff - timedelta(days=9))
    dsar.close(at_limit, actor="dpo", outcome="sent", now=cutoff)
    still_open = dsar.create_request(site, type="erasure", actor="dpo", visitor_id=vid,
                                     received_at=cutoff - timedelta(days=50), now=cutoff - timedelta(days=50))
    assert retention.preview(site, NOW)["delete closed data requests"] == 1
    done = retention.run(site, SECRET, NOW)
    assert done.deleted_requests == 1 and "1 closed data requests deleted" in done.describe()
    assert db.session.scalars(select(DataRequest.id).order_by(DataRequest.id)).all() == [at_limit.id, still_open.id]
    assert count(DataRequestAction, DataRequestAction.request_id == old.id) == 0
    assert retention.run(site, SECRET, NOW).deleted_requests == 0


def test_the_orm_still_refuses_to_delete_consent_records(app, make_site, make_consent):
    site = make_site()
    record = make_consent(site).record
    db.session.delete(record)
    with pytest.raises(LedgerAppendOnly):
        db.session.flush()
    db.session.rollback()


def _deactivate(site, days_ago):
    site.active = False
    site.deactivated_at = NOW - timedelta(days=days_ago)
    db.session.commit()


def test_a_deactivated_site_loses_its_data_after_the_limit_only(app, make_site, make_consent):
    site = make_site()
    other = make_site(key="blog", domains=("https://blog.example",), org=site.organization)
    for s in (site, other):
        v = visitor_of(make_consent, s)
        send(app, s, v, NOW - timedelta(days=1))
        dsar.create_request(s, type="restriction", actor="dpo", visitor_id=v[0])
    other_report = report(other)
    _deactivate(site, 179)
    assert not retention.run(site, SECRET, NOW).changed
    _deactivate(site, 181)
    preview = retention.preview(site, NOW)
    assert preview["delete events"] == 1 and preview["delete consent records"] == 1
    done = retention.run(site, SECRET, NOW)
    assert done.site_data_deleted["events"] == 1 and done.site_data_deleted["consent records"] == 1
    assert done.site_data_deleted["data requests"] == 1
    for model in (Event, VisitorSession, DailyStats, DimensionCount, ConsentRecord, DataRequest):
        assert count(model, model.site_id == site.id) == 0, model
        assert count(model, model.site_id == other.id) > 0, model
    assert ledger.verify(site, SECRET).ok and ledger.verify(other, SECRET).ok
    assert report(other) == other_report
    again = retention.run(site, SECRET, NOW)
    assert not again.changed and "already done" in again.describe()


def test_batches_give_the_same_result(app, make_site, make_consent, clock):
    site = make_site()
    for i in range(5):
        clock(NOW - timedelta(days=1200, minutes=5 - i))
        make_consent(site)
    clock(NOW)
    v = visitor_of(make_consent, site)
    for i in range(7):
        send(app, site, v, NOW - timedelta(days=200, minutes=i))
    for _ in range(3):  # ties at a batch boundary
        send(app, site, v, NOW - timedelta(days=200, minutes=3))
    done = retention.run(site, SECRET, NOW, batch=2)
    assert (done.obfuscated_events, done.deleted_consent_records) == (10, 5)
    assert count(Event, Event.visitor_id != "") == 0
    assert ledger.verify(site, SECRET).ok


def test_cli_dry_run_changes_nothing_and_run_prints_what_it_did(app, runner, make_site, make_consent):
    site = make_site()
    send(app, site, visitor_of(make_consent, site), datetime.now(timezone.utc) - timedelta(days=200))
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "shop (dry run): obfuscate events 1, delete visits 1, delete consent records 0" in dry.output
    assert count(Event, Event.visitor_id == "") == 0
    real = runner.invoke(args=["retention", "run", "--site", "shop"])
    assert real.exit_code == 0 and "shop: 1 events obfuscated, 1 visits deleted" in real.output
    assert count(Event, Event.visitor_id == "") == 1
    again = runner.invoke(args=["retention", "run"])
    assert "shop: nothing past the retention limits" in again.output
    missing = runner.invoke(args=["retention", "run", "--site", "nope"])
    assert missing.exit_code != 0 and "no site" in missing.output

