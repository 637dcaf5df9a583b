"""Admin accounts: sign-in with lockout, password changes, an organization's users."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import AdminUser, Organization
from ..models.organization import ROLES
from ..models.types import utcnow
from .errors import ServiceError
from .texts import N_

MIN_PASSWORD_LENGTH = 10
ROLE_RANK = {"viewer": 1, "editor": 2, "owner": 3}


class AccountError(ServiceError):
    pass


@dataclass(frozen=True)
class SignIn:
    user: AdminUser | None
    # "ok", "invalid" (unknown email or wrong password) or "locked"
    outcome: str


def has_role(user: AdminUser, role: str) -> bool:
    """owner > editor > viewer: an owner may do what an editor may, and so on."""
    return ROLE_RANK.get(user.role, 0) >= ROLE_RANK[role]


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str, *, max_failures: int, lockout: timedelta,
                 now: datetime | None = None) -> SignIn:
    """Check a login. After ``max_failures`` wrong passwords in a row the account is locked
    for ``lockout``; while locked even the right password is refused."""
    now = now or utcnow()
    user = db.session.scalar(select(AdminUser).where(
        func.lower(AdminUser.email) == (email or "").strip().lower()))
    if user is None:
        # As slow as a wrong password: the answer's timing does not tell which emails exist.
        check_password_hash(_dummy_hash(), password or "")
        return SignIn(None, "invalid")
    if user.locked_until is not None and user.locked_until > now:
        return SignIn(None, "locked")
    if not user.check_password(password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + lockout
            user.failed_logins = 0
        db.session.commit()
        return SignIn(None, "invalid")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.commit()
    return SignIn(user, "ok")


def check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(N_("the password needs at least %(n)s characters"), n=MIN_PASSWORD_LENGTH)


def change_password(user: AdminUser, current: str, new: str) -> None:
    if not user.check_password(current or ""):
        raise AccountError(N_("the current password is wrong"))
    check_new_password(new)
    user.set_password(new)
    db.session.commit()


def organization_users(organization: Organization) -> list[AdminUser]:
    return list(db.session.scalars(select(AdminUser).where(
        AdminUser.organization_id == organization.id).order_by(AdminUser.email)))


def create_user(organization: Organization, email: str, role: str,
                password: str | None = None) -> tuple[AdminUser, str]:
    """A new admin of ``organization``; returns the user and the initial password
    (generated when not given, to be handed over once)."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(N_("enter a valid email address"))
    if role not in ROLES:
        raise AccountError(N_("role must be one of %(roles)s"), roles=", ".join(ROLES))
    if db.session.scalar(select(AdminUser.id).where(func.lower(AdminUser.email) == email)):
        raise AccountError(N_("an admin with this email exists"))
    password = password or secrets.token_urlsafe(12)
    check_new_password(password)
    user = AdminUser(email=email, role=role, organization=organization, failed_logins=0)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user, password


def _owners(organization: Organization) -> int:
    return db.session.scalar(select(func.count(AdminUser.id)).where(
        AdminUser.organization_id == organization.id, AdminUser.role == "owner"))


def change_role(user: AdminUser, role: str) -> None:
    if role not in ROLES:
        raise AccountError(N_("role must be one of %(roles)s"), roles=", ".join(ROLES))
    if user.role == "owner" and role != "owner" and _owners(user.organization) <= 1:
        raise AccountError(N_("an organization keeps at least one owner"))
    user.role = role
    db.session.commit()


def remove_user(user: AdminUser, acting: AdminUser) -> None:
    if user.id == acting.id:
        raise AccountError(N_("you cannot remove yourself"))
    if user.role == "owner" and _owners(user.organization) <= 1:
        raise AccountError(N_("an organization keeps at least one owner"))
    db.session.delete(user)
    db.session.commit()


def user_in_organization(organization: Organization, user_id: int) -> AdminUser | None:
    return db.session.scalar(select(AdminUser).where(
        AdminUser.id == user_id, AdminUser.organization_id == organization.id))
