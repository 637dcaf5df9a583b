"""What the admin pages show is labelled for people, not as internal keys: the retention
preview's actions, the regime, the role, the categories of the consent report."""
from consent_server.admin.forms import RETENTION_LABELS
from consent_server.services import retention


def test_every_retention_action_has_a_label(make_site):
    site = make_site()
    assert set(retention.preview(site)) <= set(RETENTION_LABELS)
    site.active = False
    site.deactivated_at = site.created_at.replace(year=site.created_at.year - 2)
    assert set(retention.preview(site)) <= set(RETENTION_LABELS)


def test_the_retention_page_and_overview_show_labels_and_periods(client, signed_in_site):
    site = signed_in_site("editor")
    page = client.get(f"/admin/sites/{site.key}/retention").get_data(as_text=True)
    assert "Obfuscate analytics events" in page and ">obfuscate events<" not in page
    assert "Analytics events kept (days)" in page and f"<dd>{site.retention_events_days}</dd>" in page
    overview = client.get(f"/admin/sites/{site.key}/").get_data(as_text=True)
    assert "Automatic (by the visitor" in overview and "<dd>auto</dd>" not in overview


def test_the_consent_report_names_categories(client, signed_in_site, make_consent):
    site = signed_in_site("viewer")
    make_consent(site, choices={"analytics": True, "advertising": False})
    page = client.get(f"/admin/sites/{site.key}/reports/consent").get_data(as_text=True)
    assert "Opt-in Analytics" in page and "Opt-in analytics" not in page


def test_a_role_change_is_confirmed_with_the_role_label(client, make_admin, login):
    from tests.conftest import csrf_token

    owner = make_admin(role="owner")
    other = make_admin(email="ed@example.com", role="viewer", org=owner.organization)
    login(owner.email)
    token = csrf_token(client, "/admin/users")
    resp = client.post(f"/admin/users/{other.id}/role", data={"csrf_token": token, f"u{other.id}-role": "editor"},
                       follow_redirects=True)
    assert "is now Editor." in resp.get_data(as_text=True)
