"""Errors: JSON ``{"error", "message"}`` for the API and the widget's routes, HTML elsewhere."""
import logging

from flask import jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)
JSON_PREFIXES = ("/api/", "/healthz", "/.well-known/")

ERROR_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               413: "too_large", 415: "unsupported_media_type", 429: "rate_limited",
               503: "database_unavailable"}


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


def _render(status: int, code: str, message: str):
    if wants_json():
        return jsonify(error=code, message=message), status
    template = "admin/error.html" if request.path.startswith("/admin/") else "error.html"
    return render_template(template, status=status, message=message), status


def register_error_handlers(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = getattr(exc, "error_code", None) or ERROR_CODES.get(exc.code, "error")
        return _render(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_error(exc):
        # Connection lost or refused: say so quickly; the pool reconnects when it returns.
        log.warning("database unavailable: %s", exc.__class__.__name__)
        db.session.rollback()
        if exc.connection_invalidated or isinstance(exc, OperationalError):
            return _render(503, "database_unavailable", "the database is unavailable, try again shortly")
        raise exc

    @app.errorhandler(Exception)
    def unexpected(exc):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _render(500, "internal_error", "an unexpected error occurred")
