"""Access checks every admin view uses: a site of the admin's own organization (404 for
any other, so ids and keys cannot be probed) and a minimum role (403 otherwise)."""
from functools import wraps

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Site
from ..services.accounts import has_role
from ..services.errors import translate


def site_or_404(key: str) -> Site:
    site = db.session.scalar(select(Site).where(
        Site.key == key, Site.organization_id == current_user.organization_id))
    if site is None:
        abort(404)
    return site


def requires_role(role: str):
    """``@requires_role("editor")``: owner > editor > viewer. Another organization's site
    is a 404 before the role is looked at, so no role learns which site keys exist."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if "key" in kwargs:
                site_or_404(kwargs["key"])
            if not has_role(current_user, role):
                abort(403, _("Your role does not allow this."))
            return view(*args, **kwargs)
        return wrapped
    return decorator


def can(role: str) -> bool:
    """For templates: show a control only to admins who may use it."""
    return current_user.is_authenticated and has_role(current_user, role)


def error_text(exc: Exception) -> str:
    """A service's error in the admin's language (services raise English templates), as a
    sentence: its first letter capitalized."""
    text = translate(exc, _)
    return text[:1].upper() + text[1:]
