"""The admin blueprint: every page needs a signed-in admin (except the login page), and
every response carries a strict Content-Security-Policy (no inline script or style)."""
from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..services.texts import MESSAGES
from .access import can
from .forms import REGIME_LABELS, RETENTION_LABELS, ROLE_LABELS, ActionForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

PUBLIC_ENDPOINTS = {"admin.login"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
       "base-uri 'none'; object-src 'none'")


@bp.app_context_processor  # error pages under /admin/ use the admin layout too
def template_helpers():
    return {"can": can, "action_form": ActionForm, "category_label": category_label,
            "regime_labels": REGIME_LABELS, "retention_labels": RETENTION_LABELS, "role_labels": ROLE_LABELS}


def category_label(key: str) -> str:
    """A category key as the shipped catalogs name it ("Analytics"), else the key."""
    msgid = MESSAGES.get(f"category.{key}.name")
    return gettext(msgid) if msgid else key


@bp.before_request
def require_login():
    """Deny by default: a view that forgets a decorator still needs a signed-in admin."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    return None


@bp.after_request
def admin_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers["Cache-Control"] = "no-store"
    return response
