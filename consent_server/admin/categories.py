"""Categories and services of a site (the draft: visitors see them once published)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ..services import sites as sites_service
from .access import error_text, requires_role, site_or_404
from .blueprint import bp
from .forms import CategoryForm, ServiceForm

SERVICE_FIELDS = ("name", "provider", "purpose", "legal_basis", "privacy_policy_url", "cookies")


def _category_or_404(site, category_key):
    category = sites_service.category_by_key(site, category_key)
    if category is None:
        abort(404)
    return category


def _service_or_404(site, service_id):
    service = sites_service.service_of(site, service_id)
    if service is None:
        abort(404)
    return service


def _back(site):
    return redirect(url_for("admin.site_categories", key=site.key))


@bp.get("/sites/<key>/categories")
@requires_role("editor")
def site_categories(key):
    site = site_or_404(key)
    return render_template("admin/categories/index.html", site=site, new_category=CategoryForm())


@bp.post("/sites/<key>/categories")
@requires_role("editor")
def category_new(key):
    site = site_or_404(key)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            sites_service.add_category(site, form.key.data or "", form.name.data, form.description.data)
        except sites_service.SiteError as exc:
            flash(error_text(exc), "error")
        else:
            flash(_("Category added. Publish to show it to visitors."), "info")
            return _back(site)
    return render_template("admin/categories/index.html", site=site, new_category=form), 400


@bp.route("/sites/<key>/categories/<category_key>", methods=["GET", "POST"])
@requires_role("editor")
def category_edit(key, category_key):
    site = site_or_404(key)
    category = _category_or_404(site, category_key)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        sites_service.update_category(category, form.name.data, form.description.data)
        flash(_("Category saved. Publish to show it to visitors."), "info")
        return _back(site)
    return render_template("admin/categories/category.html", site=site, category=category,
                           form=form), 400 if form.errors else 200


@bp.post("/sites/<key>/categories/<category_key>/delete")
@requires_role("editor")
def category_delete(key, category_key):
    site = site_or_404(key)
    category = _category_or_404(site, category_key)
    try:
        sites_service.delete_category(site, category)
    except sites_service.SiteError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("Category removed. Publish to show the change to visitors."), "info")
    return _back(site)


def _service_form(site, obj=None, category_key=None):
    form = ServiceForm(obj=obj)
    form.category.choices = [SelectChoice(c.key, c.name or c.key) for c in site.categories]
    if not form.is_submitted() and (obj is not None or category_key):
        form.category.data = obj.category.key if obj is not None else category_key
    return form


def _save_service(site, form, service=None):
    fields = {name: form[name].data for name in SERVICE_FIELDS}
    if service is None:
        sites_service.add_service(site, form.category.data, **fields)
    else:
        sites_service.update_service(site, service, form.category.data, fields)


@bp.route("/sites/<key>/services/new", methods=["GET", "POST"])
@requires_role("editor")
def service_new(key):
    site = site_or_404(key)
    return _service_page(site, None)


@bp.route("/sites/<key>/services/<int:service_id>", methods=["GET", "POST"])
@requires_role("editor")
def service_edit(key, service_id):
    site = site_or_404(key)
    return _service_page(site, _service_or_404(site, service_id))


def _service_page(site, service):
    form = _service_form(site, service, request.args.get("category"))
    if form.validate_on_submit():
        try:
            _save_service(site, form, service)
        except sites_service.SiteError as exc:
            form.name.errors.append(error_text(exc))
        else:
            flash(_("Service saved. Publish to show it to visitors."), "info")
            return _back(site)
    return render_template("admin/form_page.html", site=site, form=form,
                           heading=service.name if service else _("New service")), 400 if form.errors else 200


@bp.post("/sites/<key>/services/<int:service_id>/delete")
@requires_role("editor")
def service_delete(key, service_id):
    site = site_or_404(key)
    sites_service.delete_service(_service_or_404(site, service_id))
    flash(_("Service removed. Publish to show the change to visitors."), "info")
    return _back(site)
