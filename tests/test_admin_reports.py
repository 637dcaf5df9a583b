"""Report pages: filters, SVG charts drawn on the server, tables, bad input."""
import re

import pytest

from consent_server.models.types import utcnow
from geo import Location


@pytest.fixture
def shop(client, make_admin, make_site, make_consent, login):
    user = make_admin(role="viewer")
    login(user.email)
    site = make_site(key="shop", org=user.organization)
    make_consent(site, choices={"analytics": True}, action="accept_all",
                 location=Location(country="DE", region="BE"))
    make_consent(site, choices={}, action="reject_all", location=Location(country="FR"))
    return site


def test_consent_report_shows_charts_and_tables(client, shop):
    response = client.get("/admin/sites/shop/reports/consent")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<svg") >= 3 and "<rect" in page
    assert "Decisions per day by action" in page and "Opt-in rate per category" in page
    assert re.search(r"<title>\d\d\d\d-\d\d-\d\d: Accept all 1</title>", page)
    assert "DE-BE" in page and "50.0%" in page
    assert "http://" not in page.split("</head>")[1].replace("http://www.w3.org/2000/svg", "")


def test_consent_report_filters_by_country(client, shop):
    page = client.get("/admin/sites/shop/reports/consent?country=fr").get_data(as_text=True)
    assert "DE-BE" not in page and "<td>FR</td>" in page


def test_bad_report_input_is_a_400_page_not_a_500(client, shop):
    today = utcnow().date()
    for query in ("start=yesterday", "country=Germany", "revision=-1", "action=hack",
                  f"start={today}&end=2000-01-01", "start=1990-01-01&end=2020-01-01", "language=<script>"):
        response = client.get("/admin/sites/shop/reports/consent?" + query)
        assert response.status_code == 400, query
        assert "<script>" not in response.get_data(as_text=True)
    assert client.get("/admin/sites/shop/reports/traffic?end=nope").status_code == 400
    # Days at the ends of the calendar are refused, not an overflow (a 500).
    for report in ("consent", "traffic"):
        for query in ("end=9999-12-31", "end=0001-01-05", "start=9999-12-31&end=9999-12-31", "start=0001-01-01"):
            response = client.get(f"/admin/sites/shop/reports/{report}?{query}")
            assert response.status_code == 400, (report, query)
            assert "Dates must lie between 1970-01-01 and 9999-12-30" in response.get_data(as_text=True)


def test_chart_labels_are_escaped(client, shop, make_consent):
    make_consent(shop, choices={}, action="save", language="en-x<b>")
    page = client.get("/admin/sites/shop/reports/consent").get_data(as_text=True)
    assert "en-x<b>" not in page and "en-x&lt;b&gt;" in page


def test_traffic_report_page_renders_from_rollups(client, shop):
    response = client.get("/admin/sites/shop/reports/traffic")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Pageviews per day" in page and "Bounce rate" in page and "Top pages" in page


def test_reports_of_another_organizations_site_are_404(client, shop, make_org, make_site):
    make_site(key="theirs", org=make_org("Other"))
    assert client.get("/admin/sites/theirs/reports/consent").status_code == 404
    assert client.get("/admin/sites/theirs/reports/traffic").status_code == 404
