from openapi_spec_validator import validate


def test_healthz_checks_the_database(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json == {"status": "ok", "database": "ok"}


def test_healthz_says_503_when_the_database_is_gone(app_factory, tmp_path):
    app = app_factory(schema=False, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none",
                      SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}})
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503 and resp.json["database"] == "unavailable"


def test_api_says_503_json_when_the_database_is_gone(app_factory):
    app = app_factory(schema=False, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none",
                      SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}})
    resp = app.test_client().get("/api/v1/sites/shop/config")
    assert resp.status_code == 503 and resp.json["error"] == "database_unavailable"


def test_gpc_statement(client):
    resp = client.get("/.well-known/gpc.json")
    assert resp.json["gpc"] is True and resp.json["lastUpdate"]


def test_openapi_document_is_valid_and_lists_every_public_endpoint(client, app):
    spec = client.get("/api/v1/openapi.json").json
    validate(spec)
    documented = set(spec["paths"])
    for rule in app.url_map.iter_rules():
        path = str(rule).replace("<key>", "{key}").replace("<visitor_id>", "{visitor_id}")
        if path.startswith("/api/") or path in ("/healthz", "/.well-known/gpc.json"):
            assert path in documented, f"{path} is not in openapi.json"


def test_unknown_api_path_is_json_404(client):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404 and resp.json["error"] == "not_found"


def test_unknown_page_is_html_404(client):
    resp = client.get("/no-such-page")
    assert resp.status_code == 404 and resp.mimetype == "text/html"


def test_demo_page_embeds_the_widget_and_gated_tags(client):
    html = client.get("/demo/").get_data(as_text=True)
    assert 'src="/consent.js" data-site="demo"' in html
    assert 'type="text/plain" data-consent="analytics"' in html
    assert 'data-consent="advertising" data-src=' in html
    assert 'data-consent-action="preferences"' in html
