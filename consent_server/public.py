"""Public, non-API routes: the widget bundle, health, GPC statement, the demo page."""
from datetime import date

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import text

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
    try:
        from widget import build_bundle
    except ImportError:
        abort(404, "the widget is not built")
    return build_bundle()


@bp.get("/consent.js")
def widget_script():
    bundle = _bundle()
    response = Response(bundle.body, mimetype="text/javascript")
    response.set_etag(bundle.version)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response.make_conditional(request)


@bp.get("/consent.<version>.js")
def widget_script_versioned(version):
    bundle = _bundle()
    if version != bundle.version:
        return redirect(url_for(".widget_script"), 302)
    response = Response(bundle.body, mimetype="text/javascript")
    response.set_etag(bundle.version)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response.make_conditional(request)


@bp.get("/")
def index():
    return redirect(url_for(".demo"))


@bp.get("/demo/")
def demo():
    site_key = current_app.config.get("DEMO_SITE_KEY", "demo")
    return render_template("demo/index.html", site_key=site_key)
