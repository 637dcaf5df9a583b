"""Data subject requests (the request log, its actions) and the retention preview."""
import json
from datetime import datetime, time, timezone

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..services import dsar, retention
from .access import error_text, requires_role, site_or_404
from .blueprint import bp
from .forms import ActionForm, CloseForm, DataRequestForm, ExtendForm


def _request_or_404(site, request_id: int):
    found = dsar.get_request(site, request_id)
    if found is None:
        abort(404)
    return found


def _detail(site, found):
    return redirect(url_for("admin.request_detail", key=site.key, request_id=found.id))


@bp.get("/sites/<key>/requests/")
def request_list(key):
    site = site_or_404(key)
    now = datetime.now(timezone.utc)
    return render_template("admin/requests/list.html", site=site, requests=dsar.list_requests(site),
                           overdue=lambda r: dsar.is_overdue(r, now))


@bp.route("/sites/<key>/requests/new", methods=["GET", "POST"])
@requires_role("editor")
def request_new(key):
    site = site_or_404(key)
    form = DataRequestForm()
    if not form.is_submitted():
        form.received.data = datetime.now(timezone.utc).date()
    if form.validate_on_submit():
        try:
            created = dsar.create_request(
                site, type=form.type.data, actor=current_user.email, visitor_id=form.visitor_id.data,
                identifiers=form.identifiers.data, details=form.details.data,
                received_at=datetime.combine(form.received.data, time(0), tzinfo=timezone.utc))
        except dsar.RequestError as exc:
            flash(error_text(exc), "error")
        else:
            flash(_("Request logged: due on %(due)s.", due=created.due_at.date().isoformat()), "info")
            return _detail(site, created)
    return render_template("admin/requests/new.html", site=site, form=form)


@bp.get("/sites/<key>/requests/<int:request_id>")
def request_detail(key, request_id):
    site = site_or_404(key)
    found = _request_or_404(site, request_id)
    return render_template("admin/requests/detail.html", site=site, data_request=found,
                           overdue=dsar.is_overdue(found), extend_form=ExtendForm(prefix="extend"),
                           close_form=CloseForm(prefix="close"))


def _run(site, found, action):
    """Run one action from the log; a refusal is shown, never a 500."""
    try:
        action()
    except dsar.RequestError as exc:
        flash(error_text(exc), "error")
    return _detail(site, found)


def _action_view(name: str, run, done: str):
    """POST /sites/<key>/requests/<id>/<name>: a button (CSRF-checked) that runs ``run``."""
    @requires_role("editor")
    def view(key, request_id):
        site = site_or_404(key)
        found = _request_or_404(site, request_id)
        if not ActionForm().validate_on_submit():
            abort(400)

        def action():
            run(site, found)
            flash(str(done), "info")
        return _run(site, found, action)

    view.__name__ = f"request_{name}"
    bp.add_url_rule(f"/sites/<key>/requests/<int:request_id>/{name}", view_func=view, methods=["POST"])


_action_view("export", lambda site, r: dsar.run_export(site, r, actor=current_user.email),
             _l("Export made: download it below and send it to the person."))
_action_view("erase", lambda site, r: dsar.run_erasure(site, r, actor=current_user.email,
                                                       secret_key=current_app.config["SECRET_KEY"]),
             _l("The visitor's analytics data was erased and a withdrawal recorded."))
_action_view("restrict", lambda site, r: dsar.restrict(r, actor=current_user.email),
             _l("Processing of this visitor's analytics is stopped while the request is open."))


def _form_view(name: str, form_class, field: str, run, missing: str):
    """POST /sites/<key>/requests/<id>/<name>: a form with one text (prefix ``name``)."""
    @requires_role("editor")
    def view(key, request_id):
        site = site_or_404(key)
        found = _request_or_404(site, request_id)
        form = form_class(prefix=name)
        if not form.validate_on_submit():
            flash(str(missing), "error")
            return _detail(site, found)
        return _run(site, found, lambda: run(found, form[field].data))

    view.__name__ = f"request_{name}"
    bp.add_url_rule(f"/sites/<key>/requests/<int:request_id>/{name}", view_func=view, methods=["POST"])


_form_view("extend", ExtendForm, "reason",
           lambda r, reason: dsar.extend(r, actor=current_user.email, reason=reason),
           _l("An extension needs a reason."))
_form_view("close", CloseForm, "outcome",
           lambda r, outcome: dsar.close(r, actor=current_user.email, outcome=outcome),
           _l("Say how the request was answered."))


@bp.get("/sites/<key>/requests/<int:request_id>/exports/<int:action_id>.json")
@requires_role("editor")
def request_export_file(key, request_id, action_id):
    site = site_or_404(key)
    found = _request_or_404(site, request_id)
    action = next((a for a in found.actions if a.id == action_id and a.kind == "export"), None)
    if action is None or action.document is None:
        abort(404)
    body = json.dumps(action.document, indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{site.key}-request-{found.id}-export-{action.id}.json"'})


@bp.get("/sites/<key>/retention")
def retention_preview(key):
    site = site_or_404(key)
    now = datetime.now(timezone.utc)
    return render_template("admin/requests/retention.html", site=site, counts=retention.preview(site, now),
                           cutoffs=retention.cutoffs(site, now), now=now)
