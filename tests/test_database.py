"""Engine options (timeouts, reconnects) and the optional read replica for reports."""
import pytest
from sqlalchemy import func, select, text

from consent_server.database import engine_options, reporting_session
from consent_server.extensions import db
from consent_server.models import Organization

CFG = {"DB_CONNECT_TIMEOUT": 2, "DB_STATEMENT_TIMEOUT_MS": 5000, "DB_LOCK_TIMEOUT_MS": 3000,
       "DB_POOL_TIMEOUT": 3, "DB_SQLITE_BUSY_TIMEOUT": 5, "DB_TCP_USER_TIMEOUT_MS": 5000}


def test_postgres_gets_connect_statement_and_lock_timeouts_and_pre_ping():
    opts = engine_options("postgresql+psycopg://u@db/x", CFG)
    assert opts["pool_pre_ping"] is True and opts["pool_timeout"] == 3
    assert opts["connect_args"]["connect_timeout"] == 2
    assert opts["connect_args"]["options"] == "-c statement_timeout=5000 -c lock_timeout=3000"
    # A host gone from the network: unacknowledged data drops the connection after 5 s.
    assert opts["connect_args"]["tcp_user_timeout"] == 5000 and opts["connect_args"]["keepalives"] == 1


def test_sqlite_gets_a_bounded_busy_wait_and_explicit_options_win():
    assert engine_options("sqlite:///x.db", CFG)["connect_args"] == {"timeout": 5.0}
    mine = engine_options("postgresql://u@db/x", {**CFG, "SQLALCHEMY_ENGINE_OPTIONS": {
        "pool_pre_ping": False, "connect_args": {"connect_timeout": 10}}})
    assert mine["pool_pre_ping"] is False and mine["connect_args"]["connect_timeout"] == 10


def test_the_statement_timeout_is_in_force_on_postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (CONSENT_TEST_DATABASE_URL)")
    assert db.session.scalar(text("SHOW statement_timeout")) == "5s"
    assert db.session.scalar(text("SHOW lock_timeout")) == "3s"
    # libpq took the TCP settings for this connection.
    params = db.session.connection().connection.dbapi_connection.info.get_parameters()
    assert params["tcp_user_timeout"] == "5000" and params["keepalives"] == "1"


def test_reports_read_the_primary_without_a_replica(app):
    assert reporting_session() is db.session


def test_reports_read_the_replica_when_one_is_configured(app_factory, tmp_path):
    primary, replica = f"sqlite:///{tmp_path}/primary.db", f"sqlite:///{tmp_path}/replica.db"
    app = app_factory(SQLALCHEMY_DATABASE_URI=primary, REPORTING_DATABASE_URL=replica)
    db.create_all()
    session = reporting_session()
    db.metadata.create_all(session.get_bind())
    db.session.add(Organization(name="on the primary"))
    db.session.commit()
    assert session is not db.session and session is reporting_session()  # one per app context
    assert str(session.get_bind().url) == replica
    assert session.scalar(select(func.count()).select_from(Organization)) == 0
    assert db.session.scalar(select(func.count()).select_from(Organization)) == 1
    db.drop_all()


def test_the_consent_report_reads_the_replica(app_factory, tmp_path):
    from datetime import date, timedelta

    from consent_server.services import consents, reports, sites

    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/primary.db",
                      REPORTING_DATABASE_URL=f"sqlite:///{tmp_path}/replica.db")
    db.create_all()
    db.metadata.create_all(reporting_session().get_bind())
    org = Organization(name="Acme")
    db.session.add(org)
    db.session.commit()
    site = sites.create_site(org, key="shop", domains=["https://shop.example"])
    consents.record_choice(site, secret_key="s", visitor_id=None, token=None, choices={"analytics": True},
                           action="save", revision=1, language="en", page_url=None, layer=1, location=None,
                           user_agent=None, gpc=False, dnt=False)
    today = date.today()
    window = (today - timedelta(days=1), today + timedelta(days=1))
    assert reports.consent_report(site, *window).total.total == 0  # the replica has not caught up
    primary = app_factory(schema=False, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/primary.db")
    assert primary and reports.consent_report(site, *window).total.total == 1  # the primary has it
    db.drop_all()
