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


def _tracker():
    try:
        from widget.tracker import build_tracker
    except ImportError:
        abort(404, "the tracker is not built")
    return build_tracker()


def _script_response(bundle, cache_control: str):
    """A built script: gzip -9 bytes when the client accepts gzip (precompressed once per
    process), else identity. The ETag names the content and the encoding."""
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


def _add_script(stem: str, endpoint: str, build) -> None:
    """``/<stem>.js``: short-lived and revalidated by ETag, so a new build reaches every site
    within minutes; ``/<stem>.<version>.js``: immutable (a CDN keeps it), an old version
    redirects to the current one."""
    def current():
        return _script_response(build(), "public, max-age=300")

    def versioned(version):
        bundle = build()
        if version != bundle.version:
            return redirect(url_for(f".{endpoint}"), 302)
        return _script_response(bundle, "public, max-age=31536000, immutable")

    bp.add_url_rule(f"/{stem}.js", endpoint, current, methods=["GET"])
    bp.add_url_rule(f"/{stem}.<version>.js", f"{endpoint}_versioned", versioned, methods=["GET"])


_add_script("consent", "widget_script", build_bundle)  # the widget, on every page
_add_script("t", "tracker_script", _tracker)  # the clickstream tracker, once analytics is granted
_add_script("d", "dsar_script", build_dsar)  # "Download my data" / "Delete my data", when the panel opens


@bp.get("/")
def index():
    return redirect(url_for(".demo"))


@bp.get("/demo/")
def demo():
    site_key = current_app.config.get("DEMO_SITE_KEY", "demo")
    return render_template("demo/index.html", site_key=site_key)
