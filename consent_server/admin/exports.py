"""Exports (streamed downloads) and the per-visitor proof of consent."""
from flask import Response, abort, current_app, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _

from ..services import exports as exports_service
from .access import error_text, site_or_404
from .blueprint import bp
from .forms import ExportForm, VisitorForm
from .reports import consent_filters


def _page(site, form=None, visitor_form=None, error=None, status=200):
    return render_template("admin/exports/index.html", site=site, form=form or ExportForm(formdata=None),
                           visitor_form=visitor_form or VisitorForm(formdata=None), error=error), status


@bp.get("/sites/<key>/exports/")
def site_exports(key):
    return _page(site_or_404(key))


@bp.get("/sites/<key>/exports/download")
def export_download(key):
    site = site_or_404(key)
    form = ExportForm(request.args)
    error = None
    if form.validate():
        try:
            result = exports_service.export(site, form.kind.data, form.format.data, since=form.start.data,
                                            until=form.end.data, filters=consent_filters(form))
        except exports_service.ExportError as exc:
            error = error_text(exc)
        else:
            response = Response(stream_with_context(result.chunks), mimetype=result.mimetype)
            response.headers["Content-Disposition"] = f'attachment; filename="{result.filename}"'
            return response
    return _page(site, form=form, error=error, status=400)


@bp.get("/sites/<key>/visitors/")
def visitor_lookup(key):
    site = site_or_404(key)
    form = VisitorForm(request.args)
    if form.validate():
        return redirect(url_for("admin.visitor_proof", key=site.key, visitor_id=form.visitor_id.data))
    return _page(site, visitor_form=form, status=400)


def _proof_or_404(site, visitor_id):
    """?chain=1: verify the site's whole chain as well (reads every record of the site)."""
    full = request.args.get("chain") == "1"
    proof = exports_service.visitor_proof(site, visitor_id, current_app.config["SECRET_KEY"] if full else None)
    if proof is None:
        abort(404, _("No consent records of this visitor on this site."))
    return proof


@bp.get("/sites/<key>/visitors/<visitor_id>")
def visitor_proof(key, visitor_id):
    site = site_or_404(key)
    return render_template("admin/exports/proof.html", site=site, proof=_proof_or_404(site, visitor_id))


@bp.get("/sites/<key>/visitors/<visitor_id>/proof.json")
def visitor_proof_json(key, visitor_id):
    site = site_or_404(key)
    response = jsonify(_proof_or_404(site, visitor_id))
    response.headers["Content-Disposition"] = f'attachment; filename="{site.key}-visitor-{visitor_id}.json"'
    return response
