"""Shared fixtures: an app with a fresh database per test (SQLite in memory by default,
PostgreSQL when CONSENT_TEST_DATABASE_URL is set), a client, a CLI runner, factories."""
import os

import pytest
from sqlalchemy import text

from consent_server import create_app
from consent_server.extensions import db
from consent_server.models import Organization
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


@pytest.fixture
def app_factory():
    """Build an app with extra config; the database is fresh for each test."""
    made = []

    def factory(schema=True, **extra):
        app = create_app(base_overrides(**extra))
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
