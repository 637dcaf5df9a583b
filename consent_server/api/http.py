"""Request parsing and CORS for the public API: strict, bounded, JSON errors only."""
from __future__ import annotations

import json
import re

from flask import current_app, g, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from ..models import Site
from ..services import sites as sites_service


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ApiError(HTTPException):
    """An HTTP error with a machine-readable code, rendered as JSON by errors.py."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(description=message)
        self.code = status
        self.error_code = code


def site_or_404(key: str) -> Site:
    site = sites_service.get_by_key(key)
    if site is None or not site.active:
        raise ApiError(404, "unknown_site", f"no site with key {key!r}")
    g.site = site  # for the CORS headers of the answer
    return site


def check_origin(site: Site) -> None:
    """A browser always sends Origin on these requests: refuse origins the site did not
    allow. (Clients that send no Origin, such as curl, are not browsers and get no cookie.)"""
    origin = request.headers.get("Origin")
    if origin is not None and not sites_service.origin_allowed(site, origin):
        raise ApiError(403, "origin_not_allowed",
                       f"origin {origin!r} is not an allowed domain of site {site.key!r}")


def cors_headers(response, site: Site | None):
    origin = request.headers.get("Origin")
    response.vary.add("Origin")
    if site is not None and origin and sites_service.origin_allowed(site, origin):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


def json_body(model: type[BaseModel]):
    """Parse the body (application/json or text/plain, as sendBeacon sends) into ``model``."""
    return validate(model, json_payload())


def json_payload():
    """The body as parsed JSON (any JSON value): bounded size, UTF-8, JSON, else 4xx."""
    limit = current_app.config["API_MAX_BODY"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", f"the body is larger than {limit} bytes")
    # A chunked body has no Content-Length: read one byte past the limit to tell "exactly
    # the limit" from "more" (werkzeug's capped stream stops at its cap without an error).
    request.max_content_length = limit + 1
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise ApiError(413, "too_large", f"the body is larger than {limit} bytes")
    if not raw:
        raise ApiError(400, "empty_body", "a JSON body is required")
    ctype = (request.mimetype or "").lower()
    if ctype not in ("application/json", "text/plain", ""):
        raise ApiError(415, "unsupported_media_type", "send application/json or text/plain JSON")
    try:
        payload = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_utf8", "the body is not valid UTF-8") from None
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "the body is not valid JSON") from None
    _check_text(payload)
    return payload


def _check_text(payload) -> None:
    """No NUL and no lone surrogate in any string (key or value) of the body: PostgreSQL
    refuses NUL in text and UTF-8 cannot encode a lone surrogate ("\\ud800" is valid JSON)."""
    pending = [payload]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str) and _UNSTORABLE.search(value):
            raise ApiError(400, "invalid_characters",
                           "strings must not contain NUL characters or lone surrogates")


def validate(model: type[BaseModel], data):
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_body", "the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors(include_url=False, include_input=False)[:10])
        raise ApiError(400, "invalid_field", problems) from None


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


__all__ = ["ApiError", "bearer_token", "check_origin", "cors_headers", "json_body",
           "json_payload", "site_or_404", "validate"]
