"""The owner manages the organization's admins; nobody else can."""
import re

import pytest

from consent_server.models import AdminUser
from consent_server.extensions import db
from tests.conftest import csrf_token


@pytest.fixture
def owner(client, make_admin, login):
    user = make_admin()
    login(user.email)
    return user


def test_owner_adds_a_user_who_can_sign_in_with_the_shown_password(app, client, owner):
    token = csrf_token(client, "/admin/users")
    response = client.post("/admin/users", data={"csrf_token": token, "email": "Ed@Acme.example",
                                                 "role": "editor"})
    assert response.status_code == 201
    password = re.search(r'<code class="password">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    user = db.session.scalar(db.select(AdminUser).where(AdminUser.email == "ed@acme.example"))
    assert user.role == "editor" and user.organization_id == owner.organization_id
    other = app.test_client()
    token = csrf_token(other, "/admin/login")
    assert other.post("/admin/login", data={"csrf_token": token, "email": "ed@acme.example",
                                            "password": password}).status_code == 302
    assert not any(c.startswith("session=") and password in c for c in response.headers.getlist("Set-Cookie"))


def test_owner_changes_a_role_and_removes_a_user(client, owner, make_admin):
    viewer = make_admin(email="v@acme.example", role="viewer", org=owner.organization)
    token = csrf_token(client, "/admin/users")
    client.post(f"/admin/users/{viewer.id}/role", data={"csrf_token": token, f"u{viewer.id}-role": "editor"})
    assert viewer.role == "editor"
    client.post(f"/admin/users/{viewer.id}/delete", data={"csrf_token": token})
    assert db.session.get(AdminUser, viewer.id) is None


def test_the_last_owner_stays_an_owner(client, owner):
    token = csrf_token(client, "/admin/users")
    page = client.post(f"/admin/users/{owner.id}/role", data={"csrf_token": token, f"u{owner.id}-role": "viewer"},
                       follow_redirects=True).get_data(as_text=True)
    assert owner.role == "owner" and "at least one owner" in page
    client.post(f"/admin/users/{owner.id}/delete", data={"csrf_token": token})
    assert db.session.get(AdminUser, owner.id) is not None


def test_users_of_another_organization_are_404(client, owner, make_admin, make_org):
    stranger = make_admin(email="s@other.example", org=make_org("Other"))
    token = csrf_token(client, "/admin/users")
    assert client.post(f"/admin/users/{stranger.id}/role",
                       data={"csrf_token": token, f"u{stranger.id}-role": "viewer"}).status_code == 404
    assert client.post(f"/admin/users/{stranger.id}/delete", data={"csrf_token": token}).status_code == 404
    assert stranger.role == "owner"
    assert "s@other.example" not in client.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_owners_manage_users(client, make_admin, login, role):
    user = make_admin(role=role)
    login(user.email)
    token = csrf_token(client, "/admin/")
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users", data={"csrf_token": token, "email": "x@acme.example",
                                             "role": "owner"}).status_code == 403


def test_duplicate_or_bad_emails_are_refused(client, owner):
    token = csrf_token(client, "/admin/users")
    for email in ("owner@acme.example", "not-an-email"):
        response = client.post("/admin/users", data={"csrf_token": token, "email": email, "role": "viewer"})
        assert response.status_code == 400, email
