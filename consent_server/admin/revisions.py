"""Publishing the draft as a new revision; every published revision as it was shown."""
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..services import banner as banner_service
from ..services import revisions as revisions_service
from .access import requires_role, site_or_404
from .blueprint import bp
from .texts import chosen_language


@bp.get("/sites/<key>/publish")
@requires_role("editor")
def site_publish_form(key):
    site = site_or_404(key)
    changes = revisions_service.changes(revisions_service.published_snapshot(site),
                                        revisions_service.snapshot(site))
    return render_template("admin/revisions/publish.html", site=site, changes=changes)


@bp.post("/sites/<key>/publish")
@requires_role("editor")
def site_publish(key):
    site = site_or_404(key)
    revision = revisions_service.publish(site, published_by=current_user.email)
    flash(_("Revision %(n)s is published: visitors are asked again.", n=revision.number), "info")
    return redirect(url_for("admin.site_revision", key=site.key, number=revision.number))


@bp.get("/sites/<key>/revisions/")
def site_revisions(key):
    site = site_or_404(key)
    return render_template("admin/revisions/list.html", site=site,
                           revisions=revisions_service.revisions(site))


@bp.get("/sites/<key>/revisions/<int:number>")
def site_revision(key, number):
    site = site_or_404(key)
    revision = revisions_service.revision(site, number)
    if revision is None:
        abort(404)
    picker, language = chosen_language(site)
    preview = banner_service.build_shown(revision.snapshot, language, current_app.config["TRANSLATIONS_DIR"],
                                         (revision.shown or {}).get(language))
    return render_template("admin/revisions/show.html", site=site, revision=revision, picker=picker,
                           preview=preview)
