"""Every admin URL of a site, enumerated from the url_map: an admin of another
organization gets 404 for each (GET and POST, with a valid CSRF token), whatever the
ids; signed out, every admin URL but the login page leads to the login page."""
import pytest

from consent_server.services import dsar as dsar_service
from consent_server.services import sites as sites_service
from tests.conftest import csrf_token


@pytest.fixture
def victim(make_org, make_site, make_consent, make_admin):
    org = make_org("Victim")
    site = make_site(key="victim", org=org)
    service = sites_service.add_service(site, "analytics", name="Secret stats")
    record = make_consent(site, choices={"analytics": True}).record
    user = make_admin(email="owner@victim.example", org=org)
    request = dsar_service.create_request(site, type="access", actor=user.email, visitor_id=record.visitor_id)
    action = dsar_service.run_export(site, request, actor=user.email)
    return {"request_id": request.id, "action_id": action.id, "key": site.key, "category_key": "analytics", "service_id": service.id, "number": 1,
            "visitor_id": record.visitor_id, "user_id": user.id}


def admin_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]


@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_every_site_url_is_404_for_another_organizations_admin(app, client, victim, make_admin, make_org,
                                                                login, role):
    intruder = make_admin(email="boss@intruder.example", org=make_org("Intruder"), role=role)
    login(intruder.email)
    token = csrf_token(client, "/admin/")
    checked = 0
    for rule in admin_rules(app):
        if "key" not in rule.arguments:
            continue
        url = rule.build({name: victim[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert response.status_code == 404, (method, url, response.status_code)
            assert "Secret stats" not in response.get_data(as_text=True)
            checked += 1
    assert checked >= 25  # the enumeration found the site pages
    site = sites_service.get_by_key("victim")
    assert site.revision == 1 and site.categories[1].services[0].name == "Secret stats"


def test_user_urls_of_another_organization_are_404(app, client, victim, make_admin, make_org, login):
    intruder = make_admin(email="boss@intruder.example", org=make_org("Intruder"))
    login(intruder.email)
    token = csrf_token(client, "/admin/")
    for rule in admin_rules(app):
        if "user_id" in rule.arguments:
            url = rule.build({"user_id": victim["user_id"]})[1]
            assert client.post(url, data={"csrf_token": token}).status_code == 404, url


def test_signed_out_every_admin_url_leads_to_login(app, client, victim):
    token = csrf_token(client, "/admin/login")
    for rule in admin_rules(app):
        if rule.endpoint in ("admin.login", "admin.change_language"):  # the sign-in page and its language switch
            continue
        url = rule.build({name: victim[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert response.status_code == 302 and "/admin/login" in response.headers["Location"], (method, url)
