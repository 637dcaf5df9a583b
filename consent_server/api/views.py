"""Views of the public API: parse, call one service, shape the answer."""
from flask import Blueprint, current_app, g, jsonify, request

from pydantic import TypeAdapter, ValidationError

from ..ratelimits import limit_site_routes, per_client_and_site
from ..services import analytics, banner, consents, location, sites, visitors
from .http import (ApiError, bearer_token, check_origin, cors_headers, json_body, json_payload,
                   site_or_404)
from .openapi import spec
from .schemas import ConsentIn, EventIn

bp = Blueprint("api", __name__, url_prefix="/api/v1")
limit_site_routes(bp)


@bp.after_request
def _cors(response):
    site = g.get("site")
    key = (request.view_args or {}).get("key")
    if site is None and key and request.method == "OPTIONS":
        site = sites.get_by_key(key)
    return cors_headers(response, site)


def _location():
    """The visitor's location; the IP is used here and dropped. ``?geo=US-CA`` pretends a
    location only when GEO_PRETEND is on (demo and tests)."""
    pretend = request.args.get("geo") if current_app.config["GEO_PRETEND"] else None
    try:
        return location.resolve(location.reader(current_app), request.remote_addr, pretend)
    except ValueError as exc:  # only a malformed ?geo= code: lookups never raise (geo.GeoReader)
        raise ApiError(400, "invalid_geo", str(exc)) from None


def _hints() -> banner.VisitorHints:
    return banner.VisitorHints(
        forced_language=request.args.get("lang"),
        html_language=request.args.get("hl"),
        accept_language=request.headers.get("Accept-Language"),
        gpc=request.headers.get("Sec-GPC") == "1" or request.args.get("gpc") == "1",
    )


@bp.get("/sites/<key>/config")
@per_client_and_site("CONFIG")
def site_config(key):
    site = site_or_404(key)
    check_origin(site)
    where = _location()
    body = banner.site_config(site, location=where, hints=_hints(),
                              translations_dir=current_app.config["TRANSLATIONS_DIR"])
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/sites/<key>/consents")
@per_client_and_site("CONSENTS")
def record_consent(key):
    site = site_or_404(key)
    check_origin(site)
    payload = json_body(ConsentIn)
    where = _location()
    hints = _hints()
    try:
        recorded = consents.record_choice(
            site, secret_key=current_app.config["SECRET_KEY"],
            visitor_id=payload.visitor_id, token=payload.token, choices=payload.choices,
            action=payload.action, revision=payload.revision, language=payload.language,
            page_url=payload.page_url, layer=payload.layer, location=where,
            user_agent=request.headers.get("User-Agent"), gpc=payload.gpc or hints.gpc,
            dnt=request.headers.get("DNT") == "1")
    except consents.ChoiceError as exc:
        raise ApiError(400, "invalid_choice", str(exc)) from None
    record = recorded.record
    response = jsonify(visitor_id=record.visitor_id, token=recorded.token, record_id=record.id,
                       recorded_at=record.recorded_at.isoformat().replace("+00:00", "Z"),
                       hash=record.hash)
    response.status_code = 201
    _set_consent_cookie(response, site, recorded.cookie_value)
    return response


_EVENTS = TypeAdapter(list[EventIn])


def _beacon_events(payload, limit: int) -> list[dict]:
    """A beacon body: one event or a list of at most ``limit`` events; all valid or 400."""
    events = payload if isinstance(payload, list) else [payload]
    if not events or len(events) > limit:
        raise ApiError(400, "too_many_events" if events else "invalid_body",
                       f"a beacon holds 1 to {limit} events")
    if not all(isinstance(e, dict) for e in events):
        raise ApiError(400, "invalid_body", "an event must be a JSON object")
    try:
        return [e.model_dump() for e in _EVENTS.validate_python(events)]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors(include_url=False, include_input=False)[:10])
        raise ApiError(400, "invalid_field", problems) from None


@bp.post("/sites/<key>/events")
@per_client_and_site("EVENTS")
def collect_events(key):
    # The body is checked before anything else: a bad beacon never reaches the database.
    events = _beacon_events(json_payload(), current_app.config["ANALYTICS_MAX_EVENTS"])
    site = analytics.site_for_beacons(key)  # cached: no site query per beacon
    if site is None:
        raise ApiError(404, "unknown_site", f"no site with key {key!r}")
    g.site = site  # for the CORS headers of the answer
    check_origin(site)
    try:
        analytics.accept(site, events, secret_key=current_app.config["SECRET_KEY"],
                         user_agent=request.headers.get("User-Agent"),
                         location=_location(),
                         query_allow=analytics.query_allow(current_app.config["ANALYTICS_QUERY_ALLOW"]))
    except analytics.EventError as exc:
        raise ApiError(400, "invalid_event", str(exc)) from None
    # 204 whether or not the events were stored: the answer says nothing about a visitor.
    return "", 204


def _visitor(key: str, visitor_id: str):
    """The site and the visitor, if the bearer token is theirs. A wrong or missing token
    and an unknown visitor get the same 404, so the answer reveals nothing about an id."""
    site = site_or_404(key)
    check_origin(site)
    if not visitors.find(site, current_app.config["SECRET_KEY"], visitor_id, bearer_token()):
        raise ApiError(404, "unknown_visitor", "no data for this visitor id and token")
    return site


def _set_consent_cookie(response, site, value: str) -> None:
    domain = consents.cookie_domain(request.host, request.headers.get("Origin"))
    if domain is not None:
        response.set_cookie(banner.COOKIE_NAME, value, max_age=site.consent_lifetime_days * 86400,
                            path="/", domain=domain or None, secure=request.is_secure,
                            httponly=False, samesite="Lax")


@bp.get("/sites/<key>/visitors/<visitor_id>")
@per_client_and_site("VISITORS")
def visitor_data(key, visitor_id):
    site = _visitor(key, visitor_id)
    response = jsonify(visitors.access_document(site, visitor_id))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = f'attachment; filename="{site.key}-{visitor_id}.json"'
    return response


@bp.delete("/sites/<key>/visitors/<visitor_id>")
@per_client_and_site("VISITORS")
def erase_visitor(key, visitor_id):
    site = _visitor(key, visitor_id)
    erased = visitors.erase(site, secret_key=current_app.config["SECRET_KEY"], visitor_id=visitor_id,
                            location=_location(), user_agent=request.headers.get("User-Agent"),
                            gpc=_hints().gpc, dnt=request.headers.get("DNT") == "1")
    record = erased.record
    response = jsonify(visitor_id=record.visitor_id, token=erased.token, record_id=record.id,
                       recorded_at=visitors.iso(record.recorded_at), hash=record.hash,
                       erased=erased.counts(), consent_records_kept=True,
                       kept_reason=visitors.KEPT_REASON)
    response.headers["Cache-Control"] = "no-store"
    _set_consent_cookie(response, site, erased.cookie_value)
    return response


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec())
