"""Public, non-API routes: the widget bundle, health, GPC statement, the demo page."""
from datetime import date

from flask import (Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request,
                   url_for)
from sqlalchemy import text

from widget import build_bundle
from widget.dsar import build_dsar

from .extensions import db

bp = Blueprint("public", __name__)
GPC_STATEMENT_DATE = date(2026, 11, 22)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        db.session.rollback()
        return jsonify(status="unavailable", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/.well-known/gpc.json")
def gpc_statement():
    return jsonify(gpc=True, lastUpdate=GPC_STATEMENT_DATE.isoformat())


def _bundle():
    return build_bundle()


def _tracker():
    try:
        from widget.tracker import build_tracker
    except ImportError:
        abort(404, "the tracker is not built")
    return build_tracker()


def _widget_response(cache_control: str, bundle=None):
    """The bundle as built: gzip -9 bytes when the client accepts gzip (precompressed once
    per process), else identity. The ETag names the content and the encoding."""
    bundle = bundle or _bundle()
    gzipped = request.accept_encodings["gzip"] > 0 and bool(bundle.gzip_body)
    response = Response(bundle.gzip_body if gzipped else bundle.body, mimetype="text/javascript")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    response.set_etag(bundle.version + ("-gz" if gzipped else ""))
    response.headers["Cache-Control"] = cache_control
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Sites that set Cross-Origin-Embedder-Policy: require-corp can still load it.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)


@bp.get("/consent.js")
def widget_script():
    # Short-lived and revalidated by ETag: a new build reaches every site within minutes.
    return _widget_response("public, max-age=300")


@bp.get("/consent.<version>.js")
def widget_script_versioned(version):
    bundle = _bundle()
    if version != bundle.version:
        return redirect(url_for(".widget_script"), 302)
    return _widget_response("public, max-age=31536000, immutable")


@bp.get("/t.js")
def tracker_script():
    # The clickstream tracker, loaded by the widget only once analytics is granted.
    return _widget_response("public, max-age=300", _tracker())


@bp.get("/t.<version>.js")
def tracker_script_versioned(version):
    if version != _tracker().version:
        return redirect(url_for(".tracker_script"), 302)
    return _widget_response("public, max-age=31536000, immutable", _tracker())


@bp.get("/d.js")
def dsar_script():
    # "Download my data" / "Delete my data", loaded by the widget when the panel opens.
    return _widget_response("public, max-age=300", build_dsar())


@bp.get("/d.<version>.js")
def dsar_script_versioned(version):
    if version != build_dsar().version:
        return redirect(url_for(".dsar_script"), 302)
    return _widget_response("public, max-age=31536000, immutable", build_dsar())


@bp.get("/")
def index():
    return redirect(url_for(".demo"))


@bp.get("/demo/")
def demo():
    site_key = current_app.config.get("DEMO_SITE_KEY", "demo")
    return render_template("demo/index.html", site_key=site_key)
