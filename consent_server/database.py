"""Engine options (timeouts, reconnects) and the optional read replica for reports.

The database being down must cost a request a fast 503, never a hang, and the service
must come back by itself: PostgreSQL gets a connect timeout, a statement and a lock
timeout and ``pool_pre_ping`` (a dead pooled connection is replaced at checkout);
SQLite gets a bounded busy wait. errors.py turns the OperationalError into 503.
"""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from .extensions import db

REPORTING_ENGINE = "consent_reporting_engine"  # app.extensions key


def engine_options(url: str, cfg) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS for ``url``, on top of what the configuration sets."""
    opts = dict(cfg.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(opts.get("connect_args") or {})
    if url.startswith("sqlite"):
        connect_args.setdefault("timeout", float(cfg["DB_SQLITE_BUSY_TIMEOUT"]))
    else:
        opts.setdefault("pool_pre_ping", True)
        opts.setdefault("pool_timeout", float(cfg["DB_POOL_TIMEOUT"]))
        if url.startswith("postgresql"):
            connect_args.setdefault("connect_timeout", int(cfg["DB_CONNECT_TIMEOUT"]))
            connect_args.setdefault("tcp_user_timeout", int(cfg["DB_TCP_USER_TIMEOUT_MS"]))
            for name, value in (("keepalives", 1), ("keepalives_idle", 10), ("keepalives_interval", 2),
                                ("keepalives_count", 3)):
                connect_args.setdefault(name, value)
            connect_args.setdefault("options", f"-c statement_timeout={int(cfg['DB_STATEMENT_TIMEOUT_MS'])} "
                                               f"-c lock_timeout={int(cfg['DB_LOCK_TIMEOUT_MS'])}")
    opts["connect_args"] = connect_args
    return opts


def configure(cfg) -> None:
    """Fill in the engine options (called by create_app before db.init_app)."""
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(cfg["SQLALCHEMY_DATABASE_URI"], cfg)


def init_app(app: Flask) -> None:
    """The replica gets an engine of its own (not a Flask-SQLAlchemy bind: the models all
    live on the primary, the replica only serves reads of the same tables)."""
    replica = app.config.get("REPORTING_DATABASE_URL")
    if replica:
        app.extensions[REPORTING_ENGINE] = create_engine(replica, **engine_options(replica, app.config))
        app.teardown_appcontext(_close_reporting_session)


def reporting_session() -> Session:
    """The session reports read with: on the read replica when REPORTING_DATABASE_URL is
    set (one session per app context, closed at its end), else the primary's db.session.
    Reports only read; a replica may lag the primary by its replication delay."""
    engine = current_app.extensions.get(REPORTING_ENGINE)
    if engine is None:
        return db.session
    if "reporting_session" not in g:
        g.reporting_session = Session(bind=engine)
    return g.reporting_session


def _close_reporting_session(_exc=None) -> None:
    session = g.pop("reporting_session", None)
    if session is not None:
        session.close()
