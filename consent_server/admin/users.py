"""The organization's admin users (owners only)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..services import accounts
from .access import error_text, requires_role
from .blueprint import bp
from .forms import ROLE_LABELS, RoleForm, UserForm


def _user_or_404(user_id: int):
    user = accounts.user_in_organization(current_user.organization, user_id)
    if user is None:
        abort(404)
    return user


def _page(form, status=200, created=None):
    users = accounts.organization_users(current_user.organization)
    role_forms = {u.id: RoleForm(prefix=f"u{u.id}", role=u.role) for u in users}
    return render_template("admin/users.html", users=users, form=form, role_forms=role_forms,
                           created=created), status


@bp.route("/users", methods=["GET", "POST"])
@requires_role("owner")
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user, password = accounts.create_user(current_user.organization, form.email.data, form.role.data)
        except accounts.AccountError as exc:
            form.email.errors.append(error_text(exc))
            return _page(form, 400)
        # Shown on this page once, not flashed: the session cookie never carries it.
        return _page(UserForm(formdata=None), 201, created=(user, password))
    return _page(form, 400 if form.errors else 200)


@bp.post("/users/<int:user_id>/role")
@requires_role("owner")
def user_role(user_id):
    user = _user_or_404(user_id)
    form = RoleForm(prefix=f"u{user.id}")
    if form.validate_on_submit():
        try:
            accounts.change_role(user, form.role.data)
        except accounts.AccountError as exc:
            flash(error_text(exc), "error")
        else:
            flash(_("%(email)s is now %(role)s.", email=user.email, role=ROLE_LABELS[user.role]), "info")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/delete")
@requires_role("owner")
def user_delete(user_id):
    user = _user_or_404(user_id)
    try:
        accounts.remove_user(user, current_user)
    except accounts.AccountError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("%(email)s removed.", email=user.email), "info")
    return redirect(url_for("admin.users"))
