"""Site list, overview, creation and settings."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..models import Site
from ..services import revisions as revisions_service
from ..services import sites as sites_service
from ..services import texts as texts_service
from .access import error_text, requires_role, site_or_404
from .blueprint import bp
from .forms import NewSiteForm, SettingsForm


def embed_snippet(site: Site, host_url: str) -> str:
    return f'<script src="{host_url.rstrip("/")}/consent.js" data-site="{site.key}"></script>'


def language_choices() -> list[tuple[str, str]]:
    return [SelectChoice(code) for code in texts_service.available_locales(current_app.config["TRANSLATIONS_DIR"])]


@bp.get("/")
def site_list():
    sites = sites_service.for_organization(current_user.organization_id)
    return render_template("admin/sites/list.html", sites=sites)


@bp.route("/sites/new", methods=["GET", "POST"])
@requires_role("editor")
def site_new():
    form = NewSiteForm()
    if form.validate_on_submit():
        try:
            site = sites_service.create_site(
                current_user.organization, key=form.key.data, domains=form.domains.data,
                name=form.name.data, regime_override=form.regime_override.data,
                published_by=current_user.email)
        except sites_service.SiteError as exc:
            form.key.errors.append(error_text(exc))
        else:
            flash(_("Site %(name)s created.", name=site.name), "info")
            return redirect(url_for("admin.site_overview", key=site.key))
    return render_template("admin/form_page.html", form=form, heading=_("New site"), intro=_(
        "A new site starts with the categories necessary, analytics and advertising, published as "
        "revision 1.")), 400 if form.errors else 200


@bp.get("/sites/<key>/")
def site_overview(key):
    site = site_or_404(key)
    return render_template("admin/sites/overview.html", site=site,
                           snippet=embed_snippet(site, request.host_url),
                           unpublished=revisions_service.has_unpublished_changes(site))


@bp.route("/sites/<key>/settings", methods=["GET", "POST"])
@requires_role("editor")
def site_settings(key):
    site = site_or_404(key)
    form = SettingsForm(obj=site)
    form.default_language.choices = language_choices()
    if form.validate_on_submit():
        try:
            sites_service.update_settings(site, **{name: form[name].data for name in (
                "name", "domains", "regime_override", "default_language", "consent_lifetime_days",
                "retention_events_days", "retention_consents_months", "retention_site_days")})
        except sites_service.SiteError as exc:
            form.domains.errors.append(error_text(exc))
        else:
            flash(_("Settings saved."), "info")
            return redirect(url_for("admin.site_settings", key=site.key))
    return render_template("admin/form_page.html", site=site, form=form, heading=_("Settings"), intro=_(
        "These settings apply at once; categories, services and texts need publishing.")), \
        400 if form.errors else 200
