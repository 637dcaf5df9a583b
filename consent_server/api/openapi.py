"""OpenAPI 3.1 description of the public API, built from the pydantic schemas."""
from functools import cache

from pydantic.json_schema import models_json_schema

from . import schemas

SITE_KEY = {"name": "key", "in": "path", "required": True,
            "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{1,63}$"}}
ERRORS = {
    "400": "Bad input (malformed JSON, wrong types, unknown category or action)",
    "403": "Origin not allowed for this site",
    "404": "Unknown site",
    "413": "Body larger than 8 KB",
    "415": "Unsupported content type",
    "429": "Rate limited",
    "503": "Database unavailable",
}
INPUT_MODELS = (schemas.ConsentIn, schemas.EventIn)
MODELS = (schemas.ConsentOut, schemas.ConfigOut, schemas.Error, schemas.Health,
          schemas.VisitorDataOut, schemas.ErasureOut)
VISITOR = [SITE_KEY, {"name": "visitor_id", "in": "path", "required": True,
                      "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}]
VISITOR_404 = ("Unknown site, or no data for this visitor id and token (a wrong or missing "
               "token and an unknown id get the same answer)")
BEARER = [{"visitorToken": []}]


def _ref(model) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model) -> dict:
    return {"application/json": {"schema": _ref(model)}}


def _errors(*codes: str) -> dict:
    return {code: {"description": ERRORS[code], "content": _json(schemas.Error)} for code in codes}


@cache
def spec() -> dict:
    _, defs = models_json_schema([(m, "validation") for m in INPUT_MODELS]
                                 + [(m, "serialization") for m in MODELS],
                                 ref_template="#/components/schemas/{model}")
    return {
        "openapi": "3.1.0",
        "info": {"title": "Consent server public API", "version": "1.0.0",
                 "description": "The JSON API the consent widget talks to. Errors are "
                                "{error, message} with the status that fits."},
        "paths": {
            "/api/v1/sites/{key}/config": {"get": {
                "operationId": "getSiteConfig",
                "summary": "Banner configuration for this visitor (regime, language, texts, categories)",
                "parameters": [
                    SITE_KEY,
                    {"name": "lang", "in": "query", "required": False,
                     "schema": {"type": "string", "maxLength": 35}, "description": "Force a language (data-lang)"},
                    {"name": "hl", "in": "query", "required": False,
                     "schema": {"type": "string", "maxLength": 35}, "description": "The page's <html lang>"},
                    {"name": "gpc", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": ["0", "1"]}, "description": "navigator.globalPrivacyControl"},
                    {"name": "geo", "in": "query", "required": False,
                     "schema": {"type": "string", "pattern": "^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$"},
                     "description": "Pretend location such as US-CA (only when the server runs with "
                                    "GEO_PRETEND: demo and tests; ignored otherwise)"},
                ],
                "responses": {"200": {"description": "The configuration", "content": _json(schemas.ConfigOut)},
                              **_errors("400", "403", "404", "429", "503")},
            }},
            "/api/v1/sites/{key}/consents": {"post": {
                "operationId": "recordConsent",
                "summary": "Record a visitor's choice in the site's ledger",
                "parameters": [SITE_KEY],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref(schemas.ConsentIn)},
                    "text/plain": {"schema": _ref(schemas.ConsentIn)}}},
                "responses": {"201": {"description": "Recorded; sets the consent cookie when same-site",
                                      "content": _json(schemas.ConsentOut)},
                              **_errors("400", "403", "404", "413", "415", "429", "503")},
            }},
            "/api/v1/sites/{key}/events": {"post": {
                "operationId": "collectEvents",
                "summary": "Clickstream beacon: one event or a list of at most 20 (sendBeacon, text/plain)",
                "description": "Stored only while the visitor's latest consent record for this site "
                               "grants analytics and the token matches the visitor id; the answer "
                               "is 204 either way. Bots are not stored.",
                "parameters": [SITE_KEY],
                "requestBody": {"required": True, "content": {
                    ctype: {"schema": {"oneOf": [
                        _ref(schemas.EventIn),
                        {"type": "array", "items": _ref(schemas.EventIn), "minItems": 1, "maxItems": 20}]}}
                    for ctype in ("text/plain", "application/json")}},
                "responses": {"204": {"description": "Received (stored only with analytics consent)"},
                              **_errors("400", "403", "404", "413", "415", "429")},
            }},
            "/api/v1/sites/{key}/visitors/{visitor_id}": {
                "get": {
                    "operationId": "getVisitorData",
                    "summary": "The visitor's own data: consent history and analytics events (docs/DSAR.md)",
                    "parameters": VISITOR, "security": BEARER,
                    "responses": {"200": {"description": "The visitor's data as a JSON document",
                                          "content": _json(schemas.VisitorDataOut)},
                                  **_errors("403", "429", "503"),
                                  "404": {"description": VISITOR_404, "content": _json(schemas.Error)}},
                },
                "delete": {
                    "operationId": "eraseVisitorData",
                    "summary": "Erase the visitor's analytics data and record a withdrawal of consent",
                    "description": "Deletes the visitor's analytics events and visit state on this site "
                                   "(daily totals keep counting them, without identifiers), appends a "
                                   "`withdraw` record to the ledger (collection stops at once) and "
                                   "keeps the consent records as proof of consent (`kept_reason`).",
                    "parameters": VISITOR, "security": BEARER,
                    "responses": {"200": {"description": "Erased; sets the consent cookie when same-site",
                                          "content": _json(schemas.ErasureOut)},
                                  **_errors("403", "429", "503"),
                                  "404": {"description": VISITOR_404, "content": _json(schemas.Error)}},
                },
            },
            "/api/v1/openapi.json": {"get": {
                "operationId": "getOpenApi", "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
            "/healthz": {"get": {
                "operationId": "health", "summary": "Liveness and database check",
                "responses": {"200": {"description": "Up", "content": _json(schemas.Health)},
                              "503": {"description": "Database unavailable", "content": _json(schemas.Health)}},
            }},
            "/.well-known/gpc.json": {"get": {
                "operationId": "gpcSupport", "summary": "Global Privacy Control support statement",
                "responses": {"200": {"description": "GPC support", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["gpc"],
                    "properties": {"gpc": {"type": "boolean"}, "lastUpdate": {"type": "string"}}}}}}},
            }},
        },
        "components": {"schemas": defs["$defs"], "securitySchemes": {"visitorToken": {
            "type": "http", "scheme": "bearer",
            "description": "The visitor token (returned with the visitor id, kept in the consent cookie)"}}},
    }
