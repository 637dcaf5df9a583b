"""Sign in, sign out, password change; Flask-Login's user loader."""
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter, login_manager
from ..models import AdminUser
from ..services import accounts
from .access import error_text
from .blueprint import bp
from .forms import LoginForm, PasswordForm

login_manager.login_view = "admin.login"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str) -> AdminUser | None:
    """The session names the user and a digest of the password hash: changing the password
    signs every other session out."""
    user_id, _sep, stamp = (session_id or "").partition(":")
    try:
        user = db.session.get(AdminUser, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or user.session_stamp() != stamp:
        return None
    return user


def _safe_next(target: str | None) -> str:
    """Only a path inside the admin UI, never another host."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/admin/"):
            return target
    return url_for("admin.site_list")


def _login_limit() -> str:
    return current_app.config["RATELIMIT_ADMIN_LOGIN"]


def _login_page(form, status=200):
    return render_template("admin/form_page.html", form=form, heading=_("Sign in"), narrow=True), status


def _password_page(form, status=200):
    return render_template("admin/form_page.html", form=form, heading=_("Change password"), narrow=True), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.site_list"))
    form = LoginForm()
    if form.validate_on_submit():
        result = accounts.authenticate(
            form.email.data, form.password.data,
            max_failures=current_app.config["ADMIN_LOCKOUT_FAILURES"],
            lockout=timedelta(minutes=current_app.config["ADMIN_LOCKOUT_MINUTES"]))
        if result.user is not None:
            session.clear()  # no state carried over from before the sign-in
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        if result.outcome == "locked":
            flash(_("Too many failed sign-ins: this account is locked for a while."), "error")
        else:
            flash(_("Wrong email or password."), "error")
        return _login_page(form, 401)
    return _login_page(form)


@bp.post("/logout")
def logout():
    # A POST (CSRFProtect checks the token on every POST): no sign-out by a crafted link.
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("admin.login"))


@bp.route("/password", methods=["GET", "POST"])
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.new.data)
        except accounts.AccountError as exc:
            flash(error_text(exc), "error")
            return _password_page(form, 400)
        login_user(current_user._get_current_object())  # the new session stamp
        flash(_("Your password is changed; other sessions are signed out."), "info")
        return redirect(url_for("admin.site_list"))
    return _password_page(form)
