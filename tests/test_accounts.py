"""services/accounts.py: sign-in with lockout, roles, the organization's users."""
from datetime import timedelta

import pytest

from consent_server.models.types import utcnow
from consent_server.services import accounts
from tests.conftest import ADMIN_PASSWORD

LOCK = dict(max_failures=3, lockout=timedelta(minutes=10))


def test_roles_are_ordered_owner_editor_viewer(make_admin):
    viewer = make_admin(role="viewer")
    assert accounts.has_role(viewer, "viewer") and not accounts.has_role(viewer, "editor")
    viewer.role = "owner"
    assert all(accounts.has_role(viewer, r) for r in ("viewer", "editor", "owner"))


def test_lockout_starts_at_the_limit_and_ends_after_the_period(make_admin):
    user = make_admin()
    now = utcnow()
    for _ in range(3):
        assert accounts.authenticate(user.email, "nope", now=now, **LOCK).outcome == "invalid"
    assert accounts.authenticate(user.email, ADMIN_PASSWORD, now=now, **LOCK).outcome == "locked"
    later = now + timedelta(minutes=11)
    result = accounts.authenticate(user.email.upper(), ADMIN_PASSWORD, now=later, **LOCK)
    assert result.outcome == "ok" and result.user.id == user.id and user.failed_logins == 0


def test_a_success_resets_the_failure_count(make_admin):
    user = make_admin()
    accounts.authenticate(user.email, "nope", **LOCK)
    accounts.authenticate(user.email, ADMIN_PASSWORD, **LOCK)
    accounts.authenticate(user.email, "nope", **LOCK)
    accounts.authenticate(user.email, "nope", **LOCK)
    assert accounts.authenticate(user.email, ADMIN_PASSWORD, **LOCK).outcome == "ok"


def test_change_password_checks_current_and_length(make_admin):
    user = make_admin()
    with pytest.raises(accounts.AccountError):
        accounts.change_password(user, "wrong", "long enough password")
    with pytest.raises(accounts.AccountError):
        accounts.change_password(user, ADMIN_PASSWORD, "short")
    stamp = user.session_stamp()
    accounts.change_password(user, ADMIN_PASSWORD, "long enough password")
    assert user.check_password("long enough password") and user.session_stamp() != stamp


def test_an_organization_keeps_one_owner_and_nobody_removes_themselves(make_admin):
    owner = make_admin()
    with pytest.raises(accounts.AccountError):
        accounts.change_role(owner, "editor")
    with pytest.raises(accounts.AccountError):
        accounts.remove_user(owner, owner)
    second, _password = accounts.create_user(owner.organization, "two@acme.example", "owner")
    accounts.change_role(owner, "editor")
    assert owner.role == "editor"
    with pytest.raises(accounts.AccountError):
        accounts.remove_user(second, owner)  # the last owner left


def test_an_unknown_email_costs_a_password_check_too(app, make_admin, monkeypatch):
    """Timing does not tell which emails exist: an unknown one is checked against a hash too."""
    from datetime import timedelta

    from consent_server.services import accounts

    make_admin()
    checked = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    result = accounts.authenticate("nobody@acme.example", "whatever", max_failures=5, lockout=timedelta(minutes=15))
    assert result.outcome == "invalid" and len(checked) == 1 and checked[0].startswith(("scrypt:", "pbkdf2:"))
