"""The admin UI in Chromium: sign in, create a site, add a service, publish, the shop page
asks again, the decisions appear in the report, exports read back; a viewer cannot change
settings; another organization's admin gets 404 for every URL of the site."""
from __future__ import annotations

import csv
import io
import itertools
import json

import pytest
from playwright.sync_api import expect

from consent_server.extensions import db
from consent_server.models import AdminUser, Organization
from consent_server.services import sites as sites_service
from support import BANNER, LAYER1, LAYER2, action, record_choice

PASSWORD = "e2e admin password"
_orgs = itertools.count(1)


@pytest.fixture
def make_admin(servers):
    """make_admin(role, org=None) -> (email, organization name): a real admin user."""
    def factory(role="owner", org=None):
        n = next(_orgs)
        with servers.app.app_context():
            organization = db.session.scalar(db.select(Organization).where(Organization.name == org)) if org else None
            if organization is None:
                organization = Organization(name=org or f"Admin E2E {n}")
                db.session.add(organization)
            user = AdminUser(email=f"{role}{n}@admin-e2e.example", role=role, organization=organization,
                             failed_logins=0)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
            return user.email, organization.name
    return factory


def sign_in(page, servers, email):
    page.goto(f"{servers.consent}/admin/")
    expect(page).to_have_url(f"{servers.consent}/admin/login?next=/admin/")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("input[type=submit][value='Sign in']")
    expect(page.locator("h1")).to_have_text("Sites")


def create_site(page, servers, key):
    page.click("text=New site")
    page.fill("#key", key)
    page.fill("#name", f"Shop {key}")
    page.fill("#domains", servers.shop)
    page.click("input[type=submit][value='Create site']")
    expect(page.locator("h1")).to_have_text(f"Shop {key}")


def shop_url(servers, key):
    return f"{servers.shop}/page/shop.html?site={key}"


def download(page, kind, fmt):
    page.select_option("#kind", kind)
    page.select_option("#format", fmt)
    with page.expect_download() as info:
        page.click("form.filters button.primary")
    return info.value.path().read_text(encoding="utf-8"), info.value.suggested_filename


def test_publish_reasks_the_visitor_and_the_report_and_exports_show_it(page, servers, make_admin):
    email, _org = make_admin("owner")
    key = f"adm-{next(_orgs)}"
    admin = page
    sign_in(admin, servers, email)
    create_site(admin, servers, key)
    assert f'data-site="{key}"' in admin.input_value("textarea.snippet")

    # A visitor accepts everything on revision 1.
    shop = page.context.new_page()
    shop.goto(shop_url(servers, key))
    first = record_choice(shop, action(LAYER1, "accept-all"))

    # The admin adds a service: a draft, invisible to visitors until published.
    admin.click("nav.sitenav >> text=Categories and services")
    admin.click("#category-advertising >> text=Add service")
    admin.fill("#name", "Retargeting pixel")
    admin.fill("#provider", "Pixel Example GmbH")
    admin.fill("#purpose", "Shows our ads on other sites.")
    admin.fill("#privacy_policy_url", "https://pixel.example/privacy")
    admin.fill("#cookies", "_px | ^_px | 30 days")
    admin.click("input[type=submit][value='Save service']")
    expect(admin.locator("#category-advertising")).to_contain_text("Retargeting pixel")
    shop.reload()
    expect(shop.locator(BANNER)).to_have_count(0)  # still revision 1: nothing to ask

    admin.click("nav.sitenav >> text=Publish")
    expect(admin.locator("ul.changes")).to_contain_text("service added to advertising: Retargeting pixel")
    admin.click("main button.primary:has-text('Publish')")
    expect(admin.locator("h1")).to_have_text("Revision 2")
    expect(admin.locator(".banner-preview")).to_contain_text("Retargeting pixel")

    # The visitor is asked again and sees the new service; they turn everything off this
    # time (the widget reloads the page: the tags of the old choice had run on it).
    shop.reload()
    expect(shop.locator(LAYER1)).to_be_visible()
    shop.click(action(LAYER1, "preferences"))
    expect(shop.locator(LAYER2)).to_contain_text("Retargeting pixel")
    with shop.expect_navigation():
        record_choice(shop, action(LAYER2, "save"), reloads=True)

    # The report counts both decisions, one per revision.
    admin.click("nav.sitenav >> text=Consent report")
    expect(admin.locator("dl.totals")).to_contain_text("2")
    assert admin.locator("figure.chart svg rect").count() >= 2
    revision_table = admin.locator("h2:text-is('Revision') + table")
    expect(revision_table.locator("tbody tr")).to_have_count(2)

    # Exports, read back.
    admin.click("nav.sitenav >> text=Exports")
    text, name = download(admin, "consents", "csv")
    assert name == f"{key}-consents-all.csv"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["action"], r["revision"]) for r in rows] == [("accept_all", "1"), ("save", "2")]
    assert rows[1]["prev_hash"] == rows[0]["hash"] and json.loads(rows[1]["choices"])["advertising"] is False
    text, _name = download(admin, "consents", "jsonl")
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["hash"] for r in records] == [r["hash"] for r in rows]
    assert records[0]["visitor_id"] == records[1]["visitor_id"] == first["visitor_id"]

    # The visitor's proof.
    admin.fill("#visitor_id", first["visitor_id"])
    admin.click("text=Show proof")
    expect(admin.locator("main")).to_contain_text("every record matches its hash")
    expect(admin.locator("main")).to_contain_text("Retargeting pixel")  # revision 2 as shown


def test_viewer_sees_reports_but_cannot_change_settings(page, servers, make_admin):
    owner_email, org = make_admin("owner")
    viewer_email, _org = make_admin("viewer", org=org)
    key = f"adm-{next(_orgs)}"
    with servers.app.app_context():
        organization = db.session.scalar(db.select(Organization).where(Organization.name == org))
        sites_service.create_site(organization, key=key, domains=[servers.shop], name=f"Shop {key}")
    sign_in(page, servers, viewer_email)
    page.click(f"text=Shop {key}")
    nav = page.locator("nav.sitenav")
    expect(nav).to_contain_text("Consent report")
    expect(nav).not_to_contain_text("Settings")
    expect(nav).not_to_contain_text("Publish")
    assert page.locator("text=New site").count() == 0
    for path in ("settings", "categories", "texts", "publish"):
        response = page.goto(f"{servers.consent}/admin/sites/{key}/{path}")
        assert response.status == 403, path
    # A forged POST with the viewer's valid CSRF token is refused too.
    page.goto(f"{servers.consent}/admin/sites/{key}/")
    token = page.get_attribute("input[name=csrf_token]", "value")
    response = page.request.post(f"{servers.consent}/admin/sites/{key}/publish", form={"csrf_token": token})
    assert response.status == 403
    with servers.app.app_context():
        assert sites_service.get_by_key(key).revision == 1


def test_another_organizations_admin_gets_404_for_every_site_url(page, servers, make_admin):
    _owner, org = make_admin("owner")
    key = f"adm-{next(_orgs)}"
    with servers.app.app_context():
        organization = db.session.scalar(db.select(Organization).where(Organization.name == org))
        site = sites_service.create_site(organization, key=key, domains=[servers.shop])
        service = sites_service.add_service(site, "analytics", name="Their stats")
        values = {"key": key, "category_key": "analytics", "service_id": service.id, "number": 1,
                  "visitor_id": "0" * 32, "request_id": 1, "action_id": 1}
        urls = [rule.build({name: values[name] for name in rule.arguments})[1]
                for rule in servers.app.url_map.iter_rules()
                if rule.endpoint.startswith("admin.") and "key" in rule.arguments and "GET" in rule.methods]
    intruder, _org = make_admin("owner")
    sign_in(page, servers, intruder)
    expect(page.locator("main")).not_to_contain_text(key)
    assert len(urls) >= 15
    for url in urls:
        response = page.goto(servers.consent + url)
        assert response.status == 404, url
        expect(page.locator("main")).not_to_contain_text("Their stats")
