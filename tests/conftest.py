"""Shared fixtures: an app with a fresh database per test (SQLite in memory by default,
PostgreSQL when CONSENT_TEST_DATABASE_URL is set), a client, a CLI runner, factories."""
import os
import re
import threading

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from consent_server import create_app
from consent_server.extensions import db
from consent_server.models import AdminUser, Organization
from consent_server.services import consents as consents_service
from consent_server.services import sites as sites_service

TEST_DATABASE_URL = os.environ.get("CONSENT_TEST_DATABASE_URL")
SECRET = "test-secret-key"
_schema_ready = False


def base_overrides(**extra) -> dict:
    overrides = {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or "sqlite://",
        "RATELIMIT_ENABLED": False,
        "GEO_PRETEND": True,
    }
    overrides.update(extra)
    return overrides


def _reset_postgres() -> None:
    global _schema_ready
    if not _schema_ready:
        db.drop_all()
        db.create_all()
        _schema_ready = True
        return
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


class FreshGlobalsClient(FlaskClient):
    """The fixtures keep one app context open, so ``g`` would outlive a request (Flask
    reuses the open context): the signed-in user Flask-Login caches there and the CSRF
    token Flask-WTF caches there would leak into the next request or another client.
    Each request starts with an empty ``g``, as in production."""

    def open(self, *args, **kwargs):
        if has_app_context():
            vars(g._get_current_object()).clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def app_factory():
    """Build an app with extra config; the database is fresh for each test."""
    made = []

    def factory(schema=True, **extra):
        app = create_app(base_overrides(**extra))
        app.test_client_class = FreshGlobalsClient
        ctx = app.app_context()
        ctx.push()
        if schema and TEST_DATABASE_URL and "SQLALCHEMY_DATABASE_URI" not in extra:
            _reset_postgres()
        elif schema:
            db.create_all()
        made.append((ctx, schema))
        return app

    yield factory
    for ctx, schema in reversed(made):
        db.session.remove()
        if schema and not TEST_DATABASE_URL:
            db.drop_all()
        # Close the app's pooled connections now, not when the engine is garbage collected:
        # a PostgreSQL run would otherwise hold ~80 idle connections at times.
        db.engine.dispose()
        ctx.pop()


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_org(app):
    def factory(name="Acme"):
        org = Organization(name=name)
        db.session.add(org)
        db.session.commit()
        return org
    return factory


@pytest.fixture
def shared_app(app_factory, tmp_path):
    """An app on a database that threads really share (concurrency tests): a SQLite file,
    not :memory:, or the test PostgreSQL server, emptied."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'shared.db'}"
    app = app_factory(schema=not TEST_DATABASE_URL, SQLALCHEMY_DATABASE_URI=url)
    if TEST_DATABASE_URL:
        _reset_postgres()
    return app


def run_in_threads(app, threads: int, work) -> list[Exception]:
    """``work()`` in ``threads`` threads at once, each in its own app context and session;
    returns what they raised."""
    errors, start = [], threading.Barrier(threads)

    def run():
        with app.app_context():
            try:
                start.wait()
                work()
            except Exception as exc:  # noqa: BLE001 - reported to the test
                errors.append(exc)
            finally:
                db.session.remove()

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return errors


@pytest.fixture
def make_site(app, make_org):
    def factory(key="shop", domains=("https://shop.example",), org=None, **kwargs):
        return sites_service.create_site(org or make_org(), key=key, domains=list(domains), **kwargs)
    return factory


@pytest.fixture
def make_consent(app):
    def factory(site, choices=None, action="save", visitor_id=None, token=None, **kwargs):
        args = dict(secret_key=SECRET, visitor_id=visitor_id, token=token,
                    choices=choices if choices is not None else {"analytics": True},
                    action=action, revision=site.revision, language="en",
                    page_url="https://shop.example/", layer=1, location=None,
                    user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0", gpc=False, dnt=False)
        args.update(kwargs)
        return consents_service.record_choice(site, **args)
    return factory


@pytest.fixture
def visitor(make_site, make_consent):
    """(site, visitor id, visitor token) of a visitor who granted analytics on the "shop" site."""
    site = make_site()
    recorded = make_consent(site, choices={"analytics": True})
    return site, recorded.record.visitor_id, recorded.token


ADMIN_PASSWORD = "correct horse battery"
_CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on ``url`` (the real one: CSRF stays on in tests).

    """
    response = client.get(url)
    match = _CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({response.status_code})"
    return match.group(1)


@pytest.fixture
def make_admin(app, make_org):
    def factory(email="owner@acme.example", role="owner", org=None, password=ADMIN_PASSWORD):
        user = AdminUser(email=email, role=role, organization=org or make_org(), failed_logins=0)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user
    return factory


@pytest.fixture
def login(client):
    """Sign ``client`` in through the real login form; returns the response."""
    def do(email, password=ADMIN_PASSWORD):
        token = csrf_token(client, "/admin/login")
        return client.post("/admin/login", data={"csrf_token": token, "email": email,
                                                  "password": password})
    return do


# Values for URL arguments when a test walks the url_map (integer converters get 1).
URL_SAMPLES = {"key": "shop", "visitor_id": "a" * 32, "version": "0", "filename": "demo/demo.css"}


def sample_url(rule, **given) -> str:
    """A URL of ``rule`` built from ``given``, else URL_SAMPLES, else 1 or "x" by converter."""
    from werkzeug.routing import IntegerConverter

    values = {}
    for arg in rule.arguments:
        default = 1 if isinstance(rule._converters.get(arg), IntegerConverter) else "x"
        values[arg] = given.get(arg, URL_SAMPLES.get(arg, default))
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def signed_in_site(client, make_admin, make_site, login):
    """signed_in_site(role="editor") -> site "shop" of an admin with ``role``, signed in."""
    def factory(role="editor"):
        user = make_admin(role=role)
        login(user.email)
        return make_site(key="shop", org=user.organization)
    return factory
