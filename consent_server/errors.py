"""Errors: JSON ``{"error", "message"}`` for the API and the widget's routes, HTML elsewhere."""
import logging

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)
JSON_PREFIXES = ("/api/", "/healthz", "/.well-known/")

ERROR_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               413: "too_large", 415: "unsupported_media_type", 429: "rate_limited",
               503: "database_unavailable"}
# What the admin pages say for an error that carries no message of its own, in the admin's
# language (the API answers in English: its messages are for developers).
ADMIN_TEXTS = {
    400: _l("The request could not be understood."),
    403: _l("You are not allowed to do this."),
    404: _l("This page does not exist."),
    405: _l("This action is not available here."),
    413: _l("The data sent is too large."),
    429: _l("Too many requests: wait a moment and try again."),
    500: _l("Something went wrong on our side. Try again; if it persists, tell your administrator."),
    503: _l("The database is unavailable; try again shortly."),
}


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


def _render(status: int, code: str, message: str, *, own_message: bool = False):
    """``own_message``: the message was written for this case (abort(403, "...")), not a
    generic one; the admin pages then show it as it is."""
    if wants_json():
        return jsonify(error=code, message=message), status
    if request.path.startswith("/admin/"):
        if not own_message:
            message = ADMIN_TEXTS.get(status, message)
        return render_template("admin/error.html", status=status, message=message), status
    return render_template("error.html", status=status, message=message), status


def register_error_handlers(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = getattr(exc, "error_code", None) or ERROR_CODES.get(exc.code, "error")
        own = bool(exc.description) and exc.description != type(exc).description
        return _render(exc.code or 500, code, exc.description or exc.name, own_message=own)

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
