"""Admin: the data request log (list, create, detail, actions) and the retention preview."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from consent_server.extensions import db
from consent_server.models import DataRequest, Event
from consent_server.services import analytics, ledger
from tests.conftest import SECRET, csrf_token

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def app(app_factory):
    return app_factory(ANALYTICS_FLUSH_INTERVAL=0)


@pytest.fixture
def shop(app, make_admin, make_site, make_consent, login):
    owner = make_admin()
    site = make_site(org=owner.organization)
    recorded = make_consent(site, choices={"analytics": True})
    vid = recorded.record.visitor_id
    analytics.accept(site, [{"visitor_id": vid, "token": recorded.token, "type": "pageview",
                             "url": "https://shop.example/a"}], secret_key=SECRET, user_agent=UA, location=None)
    analytics.flush(app)
    login(owner.email)
    return site, vid


def log_request(client, vid, type="access", **extra):
    token = csrf_token(client, "/admin/sites/shop/requests/new")
    data = {"csrf_token": token, "type": type, "visitor_id": vid, "identifiers": "jane@example.org",
            "details": "by e-mail", "received": date.today().isoformat(), **extra}
    return client.post("/admin/sites/shop/requests/new", data=data)


def button(client, request_id, name):
    page = f"/admin/sites/shop/requests/{request_id}"
    html = client.get(page).get_data(as_text=True)
    token = re.search(rf'action="{re.escape(page)}/{name}">\s*<input id="csrf_token" name="csrf_token" '
                      r'type="hidden" value="([^"]+)"', html).group(1)
    return client.post(f"{page}/{name}", data={"csrf_token": token})


def test_log_a_request_and_see_it_due_in_30_days(client, shop):
    _, vid = shop
    resp = log_request(client, vid)
    assert resp.status_code == 302
    request = db.session.scalar(select(DataRequest))
    assert resp.headers["Location"] == f"/admin/sites/shop/requests/{request.id}"
    assert request.handled_by == "owner@acme.example" and request.visitor_id == vid
    listing = client.get("/admin/sites/shop/requests/").get_data(as_text=True)
    assert vid in listing and (date.today() + timedelta(days=30)).isoformat() in listing
    detail = client.get(resp.headers["Location"])
    assert detail.status_code == 200 and "created" in detail.get_data(as_text=True)
    assert "'unsafe-inline'" not in detail.headers["Content-Security-Policy"]


def test_a_bad_consent_id_is_refused_with_a_message(client, shop):
    resp = log_request(client, "not-an-id")
    assert resp.status_code == 200 and "32 hexadecimal" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DataRequest)) == 0


def test_actions_run_from_the_log_and_are_recorded(client, shop):
    site, vid = shop
    request_id = int(log_request(client, vid, type="erasure").headers["Location"].rsplit("/", 1)[1])
    assert button(client, request_id, "export").status_code == 302
    page = client.get(f"/admin/sites/shop/requests/{request_id}").get_data(as_text=True)
    export_url = re.search(r'href="([^"]+\.json)"', page).group(1)
    document = client.get(export_url)
    assert document.status_code == 200 and document.json["visitor_id"] == vid
    assert "attachment" in document.headers["Content-Disposition"]
    assert button(client, request_id, "restrict").status_code == 302
    assert button(client, request_id, "erase").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
    assert ledger.latest_for_visitor(site.id, vid).action == "withdraw"
    page = client.get(f"/admin/sites/shop/requests/{request_id}").get_data(as_text=True)
    assert "export document removed by a later erasure" in page
    assert client.get(export_url).status_code == 404
    token = csrf_token(client, f"/admin/sites/shop/requests/{request_id}")
    resp = client.post(f"/admin/sites/shop/requests/{request_id}/extend",
                       data={"csrf_token": token, "extend-reason": "complex request"})
    assert resp.status_code == 302
    resp = client.post(f"/admin/sites/shop/requests/{request_id}/close",
                       data={"csrf_token": token, "close-outcome": "erased, told by e-mail"})
    assert resp.status_code == 302
    request = db.session.get(DataRequest, request_id)
    db.session.refresh(request)
    assert request.status == "closed"
    assert [a.kind for a in request.actions] == ["created", "export", "restrict", "erasure", "extend", "close"]
    assert request.due_at.date() == date.today() + timedelta(days=60)


def test_actions_need_the_csrf_token(client, shop):
    _, vid = shop
    request_id = int(log_request(client, vid).headers["Location"].rsplit("/", 1)[1])
    resp = client.post(f"/admin/sites/shop/requests/{request_id}/erase", data={})
    assert resp.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_a_viewer_sees_the_log_but_cannot_act(app, client, shop, make_admin, login):
    site, vid = shop
    owner_request = int(log_request(client, vid).headers["Location"].rsplit("/", 1)[1])
    viewer_client = app.test_client()
    make_admin(email="viewer@acme.example", role="viewer", org=site.organization)
    token = csrf_token(viewer_client, "/admin/login")
    viewer_client.post("/admin/login", data={"csrf_token": token, "email": "viewer@acme.example",
                                             "password": "correct horse battery"})
    assert viewer_client.get("/admin/sites/shop/requests/").status_code == 200
    page = viewer_client.get(f"/admin/sites/shop/requests/{owner_request}").get_data(as_text=True)
    assert "Erase now" not in page
    assert viewer_client.get("/admin/sites/shop/requests/new").status_code == 403
    token = csrf_token(viewer_client, "/admin/sites/shop/requests/")
    resp = viewer_client.post(f"/admin/sites/shop/requests/{owner_request}/erase", data={"csrf_token": token})
    assert resp.status_code == 403


def test_another_organizations_requests_are_404(client, shop, make_site, make_org):
    _, vid = shop
    request_id = int(log_request(client, vid).headers["Location"].rsplit("/", 1)[1])
    make_site(key="other", domains=("https://other.example",), org=make_org("Other"))
    assert client.get("/admin/sites/other/requests/").status_code == 404
    assert client.get(f"/admin/sites/other/requests/{request_id}").status_code == 404
    assert client.get("/admin/sites/shop/requests/999").status_code == 404


def test_retention_preview_shows_what_will_be_purged(app, client, shop):
    site, vid = shop
    token = ledger.visitor_token(SECRET, site.key, vid)
    old = datetime.now(timezone.utc) - timedelta(days=181)
    analytics.accept(site, [{"visitor_id": vid, "token": token, "type": "pageview", "url": "https://shop.example/o"}],
                     secret_key=SECRET, user_agent=UA, location=None, now=old)
    analytics.flush(app)
    page = client.get("/admin/sites/shop/retention")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<dd>180</dd>" in html and "<dd>36</dd>" in html and "Consent records kept (months)" in html
    assert '<tr><td>Obfuscate analytics events</td><td class="num">1</td></tr>' in html
    assert '<tr><td>Delete consent records</td><td class="num">0</td></tr>' in html
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.visitor_id == "")) == 0



def test_every_request_type_has_a_label_in_the_form():
    from consent_server.admin.forms import REQUEST_TYPE_LABELS
    from consent_server.models.dsar import REQUEST_TYPES

    assert tuple(REQUEST_TYPE_LABELS) == REQUEST_TYPES
