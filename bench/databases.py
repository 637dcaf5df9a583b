"""Throwaway databases for the benchmarks: a SQLite file in a temporary folder and, with a
PostgreSQL server URL, a new database on that server; both removed afterwards. And the app
on one of them, migrated, with the site ``bench``."""
from __future__ import annotations

import shutil
import tempfile
import uuid
from contextlib import contextmanager

from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from consent_server import MIGRATIONS_DIR, create_app
from consent_server.extensions import db
from consent_server.models import Organization
from consent_server.services import sites


def prepare(url: str, secret_key: str = "bench"):
    """(app, site id): the schema by the migrations, an organization and the site ``bench``."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret_key, "ANALYTICS_FLUSH_INTERVAL": 0})
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        org = Organization(name="bench")
        db.session.add(org)
        db.session.commit()
        site_id = sites.create_site(org, key="bench", domains=["https://site.example"]).id
        db.session.remove()
    return app, site_id


@contextmanager
def throwaway(pg_url: str | None, sqlite_file: str, keep: bool = False):
    """Yields {"SQLite": url[, "PostgreSQL": url]}; ``keep`` leaves them (and prints where)."""
    tmp = tempfile.mkdtemp()
    targets = {"SQLite": f"sqlite:///{tmp}/{sqlite_file}"}
    admin = pg_name = None
    if pg_url:
        pg_name = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        targets["PostgreSQL"] = make_url(pg_url).set(database=pg_name).render_as_string(hide_password=False)
    try:
        yield targets
    finally:
        if keep:
            print("kept:", ", ".join(targets.values()))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        if admin is not None:
            admin.dispose()
