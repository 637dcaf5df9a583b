"""services/reports.py: the consent report, counted in the database."""
from datetime import datetime, time, timedelta, timezone

import pytest

from consent_server.models.types import utcnow
from consent_server.services import reports
from consent_server.services import sites as sites_service
from consent_server.services import revisions as revisions_service
from geo import Location

DE = Location(country="DE", region="BE", city="Berlin")
CA = Location(country="US", region="CA", city="Los Angeles")
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


@pytest.fixture
def site(make_site, make_consent):
    site = make_site()
    make_consent(site, choices={"analytics": True, "advertising": True}, action="accept_all", location=DE)
    make_consent(site, choices={}, action="reject_all", location=DE, language="de")
    make_consent(site, choices={"analytics": True}, action="save", location=CA, user_agent=PHONE)
    make_consent(site, choices={"advertising": False}, action="gpc", location=CA, gpc=True)
    return site


def today():
    return utcnow().date()


def test_totals_actions_and_opt_in_rates(site):
    report = reports.consent_report(site, today(), today())
    assert report.categories == ["analytics", "advertising"]
    assert report.total.total == 4
    assert report.total.actions == {"accept_all": 1, "reject_all": 1, "save": 1, "withdraw": 0, "gpc": 1, "api": 0}
    assert report.total.granted == {"analytics": 2, "advertising": 1}
    assert report.total.rate("analytics") == 0.5 and report.total.rate("advertising") == 0.25
    assert [(d.value, d.total) for d in report.daily] == [(today().isoformat(), 4)]


def test_breakdowns_by_country_region_regime_language_device_revision(site):
    b = reports.consent_report(site, today(), today()).breakdowns
    assert {(r.value, r.total) for r in b["country"]} == {("DE", 2), ("US", 2)}
    assert {(r.value, r.total) for r in b["region"]} == {("DE-BE", 2), ("US-CA", 2)}
    assert {(r.value, r.total) for r in b["regime"]} == {("opt-in", 2), ("opt-out", 2)}
    assert {(r.value, r.total) for r in b["language"]} == {("en", 3), ("de", 1)}
    assert {(r.value, r.total) for r in b["device"]} == {("desktop", 3), ("mobile", 1)}
    assert [(r.value, r.total) for r in b["revision"]] == [("1", 4)]
    us = next(r for r in b["country"] if r.value == "US")
    assert us.granted == {"analytics": 1, "advertising": 0}


def test_filters_narrow_every_figure(site, make_consent):
    revisions_service.publish(site)
    make_consent(site, choices={"analytics": True}, action="accept_all", revision=2, location=DE)
    only_de = reports.consent_report(site, today(), today(), reports.Filters(country="DE"))
    assert only_de.total.total == 3 and {r.value for r in only_de.breakdowns["country"]} == {"DE"}
    assert reports.consent_report(site, today(), today(), reports.Filters(revision=2)).total.total == 1
    assert reports.consent_report(site, today(), today(), reports.Filters(action="gpc")).total.total == 1
    assert reports.consent_report(site, today(), today(), reports.Filters(device="mobile")).total.total == 1
    assert reports.consent_report(site, today(), today(),
                                  reports.Filters(regime="opt-out", language="en")).total.total == 2


def test_range_excludes_other_days_and_other_sites(site, make_site, make_consent):
    other = make_site(key="other", domains=["https://other.example"], org=site.organization)
    make_consent(other, choices={"analytics": True})
    yesterday = today() - timedelta(days=1)
    assert reports.consent_report(site, yesterday, yesterday).total.total == 0
    report = reports.consent_report(site, yesterday, today())
    assert report.total.total == 4 and [d.total for d in report.daily] == [0, 4]


def test_bad_ranges_are_report_errors(site):
    with pytest.raises(reports.ReportError):
        reports.consent_report(site, today(), today() - timedelta(days=1))
    with pytest.raises(reports.ReportError):
        reports.consent_report(site, today() - timedelta(days=reports.MAX_DAYS), today())


def test_custom_categories_are_reported_once_published(site, make_consent):
    sites_service.add_category(site, "functional")
    assert "functional" not in reports.consent_report(site, today(), today()).categories
    revisions_service.publish(site)
    make_consent(site, choices={"functional": True}, revision=2)
    report = reports.consent_report(site, today(), today())
    assert report.categories[-1] == "functional" and report.total.granted["functional"] == 1


def test_days_come_from_the_recorded_time(make_site, make_consent):
    site = make_site()
    day = today() - timedelta(days=3)
    at = datetime.combine(day, time(23, 59), timezone.utc)
    make_consent(site, choices={"analytics": True}, action="accept_all", now=at)
    make_consent(site, choices={}, action="reject_all", now=at + timedelta(minutes=2))
    report = reports.consent_report(site, day, day + timedelta(days=1))
    assert [(d.value, d.total, d.actions["accept_all"]) for d in report.daily] == [
        (day.isoformat(), 1, 1), ((day + timedelta(days=1)).isoformat(), 1, 0)]


def test_a_category_added_later_is_rated_on_the_decisions_that_were_asked_about_it(site, make_consent):
    sites_service.add_category(site, "personalization", name="Personalization")
    revisions_service.publish(site, published_by="editor@acme.example")
    make_consent(site, choices={"analytics": True, "personalization": True}, action="save",
                 revision=site.revision, location=DE)
    report = reports.consent_report(site, today(), today())
    assert report.categories == ["analytics", "advertising", "personalization"]
    assert report.total.total == 5
    assert report.total.offered == {"analytics": 5, "advertising": 5, "personalization": 1}
    assert report.total.rate("personalization") == 1.0  # 1 of the 1 decision that offered it, not 1 of 5
    assert report.total.rate("analytics") == 3 / 5
    assert report.as_dict()["total"]["opt_in_rate"]["personalization"] == 1.0
